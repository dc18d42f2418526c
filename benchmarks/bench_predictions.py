"""Performance and fairness on a prediction table: pandas arrays vs the engine paths
(Spark ``local[2]``, Dask LocalCluster of 2 workers, polars LazyFrame) on the same parquet.

    PYTHONPATH=src python benchmarks/bench_predictions.py [rows] [engines...]

Each engine's time is the factories (first pass, the group-by) plus the checks; pandas' is
the same calls on arrays already in memory (its read is timed apart).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe, local_spark


def make(rows: int, seed: int = 16) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, rows)
    pred = np.where(rng.random(rows) < 0.2, 1 - y, y)
    return pd.DataFrame(
        {
            "label": y,
            "prediction": pred,
            "w": rng.gamma(2.0, 1.0, rows),
            "sex": rng.choice(["F", "M"], rows),
            "race": rng.choice(["a", "b", "c", "d"], rows),
        }
    )


def checks(gate: Any, table: Any, frame: pd.DataFrame | None) -> list[Any]:
    if frame is None:
        perf = gate.performance(table, target="label", y_pred="prediction", sample_weight="w")
        fair = gate.fairness(
            table, "prediction", target="label", sensitive_features=["sex", "race"]
        )
    else:
        perf = gate.performance(
            frame["label"], y_pred=frame["prediction"], sample_weight=frame["w"]
        )
        fair = gate.fairness(
            frame["label"], frame["prediction"], sensitive_features=frame[["sex", "race"]]
        )
    return [
        perf.expect("recall", min=0.7, confidence=0.95),
        perf.expect("f1", min=0.7),
        perf.expect("balanced_accuracy", min=0.7),
        fair.expect_demographic_parity(min_ratio=0.8),
        fair.expect_equalized_odds(max_difference=0.1, confidence=0.95),
        fair.expect_group_metric("recall", min=0.6, confidence=0.95),
    ]


def gate() -> Any:
    from pytest_mlgate.card import Card
    from pytest_mlgate.gate import Gate
    from pytest_mlgate.recording import GateSettings, Recorder, TestRecord

    recorder = Recorder(GateSettings(nodeid="bench::t", markers={}), TestRecord("bench::t"))
    return Gate(recorder, Card({}, recorder))


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    engines = sys.argv[2:] or ["pandas", "polars", "dask", "spark"]
    print(describe())
    folder = Path(tempfile.mkdtemp()) / "scored"
    folder.mkdir()
    frame = make(rows)
    for i, part in enumerate(np.array_split(np.arange(rows), 4)):
        frame.iloc[part].to_parquet(folder / f"part-{i}.parquet", index=False)
    reference = None
    for engine in engines:
        start = time.perf_counter()
        if engine == "pandas":
            loaded = pd.read_parquet(folder)
            read = time.perf_counter() - start
            start = time.perf_counter()
            results = checks(gate(), None, loaded)
            note = f" (read {read:.2f} s)"
        else:
            if engine == "polars":
                import polars as pl

                table: Any = pl.scan_parquet(str(folder / "*.parquet"))
            elif engine == "dask":
                import dask.dataframe as dd
                import distributed

                cluster = distributed.LocalCluster(
                    n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
                )
                client = distributed.Client(cluster)
                table = dd.read_parquet(str(folder))
            else:
                spark = local_spark(shuffle_partitions=2)
                table = spark.read.parquet(str(folder))
                table.count()  # the session's warm-up, not the gate's
            start = time.perf_counter()
            results = checks(gate(), table, None)
            note = ""
            if engine == "dask":
                client.close()
                cluster.close()
        seconds = time.perf_counter() - start
        figures = [(r.status, r.observed, r.interval) for r in results]
        if reference is None:
            reference = figures
        same = all(
            a[0] == b[0] and np.isclose(a[1], b[1], rtol=1e-12)
            for a, b in zip(figures, reference, strict=True)
        )
        print(f"{engine:7s} {rows:,} rows: {seconds:.2f} s{note}; figures as pandas: {same}")


if __name__ == "__main__":
    main()
