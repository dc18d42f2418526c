"""Data-quality checks on 1,000,000 rows: pytest-mlgate vs the same checks in plain pandas
(and pandera, when it is installed in the benchmark environment), plus the dataset fingerprint.

    python benchmarks/bench_data_quality.py [N]          # default N = 1_000_000
    .bench-venv/bin/python benchmarks/bench_data_quality.py   # adds pandera

Every figure is the median of 5 runs, plain pandas and pytest-mlgate interleaved in one
process (caches cleared before every run: the row hashes that the duplicate check computes are
kept for the fingerprint); the ratio against plain pandas is the goal that counts (<= 0.8x),
and the fingerprint should take <= 0.3 s at 1M x 25.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from machine import describe  # noqa: E402
from make_data import CATEGORICAL, FEATURES, NUMERIC, NUMERIC_RANGES, cat_levels, load  # noqa: E402

from pytest_mlgate.families.data import DataChecks  # noqa: E402
from pytest_mlgate.frames import _FINGERPRINTS, _ROW_HASHES, fingerprint  # noqa: E402
from pytest_mlgate.recording import GateSettings, Recorder, TestRecord  # noqa: E402

COLUMNS = [*FEATURES, "sensitive", "target", "score", "prediction"]
DTYPES = {c: "float" for c in NUMERIC[:14]} | {c: "integer" for c in NUMERIC[14:]}
ALLOWED = {c: cat_levels(i) for i, c in enumerate(CATEGORICAL)}


def median_time(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        clear_caches()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def clear_caches() -> None:
    _FINGERPRINTS.clear()
    _ROW_HASHES.clear()


def interleaved(fns: dict, repeat: int = 5) -> dict:
    """Median seconds of each function, run in turn ``repeat`` times (load hits all alike)."""
    times: dict = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            clear_caches()
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {name: statistics.median(values) for name, values in times.items()}


def plain_pandas(df) -> dict:
    """The same checks, written directly in pandas."""
    import pandas as pd

    out = {}
    out["columns"] = [c for c in COLUMNS if c not in df.columns]
    out["dtypes"] = [
        c
        for c, k in DTYPES.items()
        if not (
            pd.api.types.is_float_dtype(df[c])
            if k == "float"
            else pd.api.types.is_integer_dtype(df[c])
        )
    ]
    out["rows"] = len(df) >= 1000
    out["nulls"] = df.isna().sum().max() / len(df)
    for c, (lo, hi) in NUMERIC_RANGES.items():
        s = df[c]
        out[f"between {c}"] = ((s < lo) | (s > hi)).sum() / s.notna().sum()
    for c, allowed in ALLOWED.items():
        s = df[c]
        out[f"in {c}"] = (~s.isin(allowed) & s.notna()).sum() / s.notna().sum()
    out["duplicates"] = int(df.duplicated().sum())
    return out


def mlgate_checks(df) -> list:
    recorder = Recorder(GateSettings(nodeid="bench", markers={}), TestRecord("bench"))
    dq = DataChecks(recorder, df, name="bench")
    results = [
        dq.expect_columns(COLUMNS),
        dq.expect_dtypes(DTYPES),
        dq.expect_row_count(min=1000),
        dq.expect_not_null(),
    ]
    for c, (lo, hi) in NUMERIC_RANGES.items():
        results.append(dq.expect_between(c, min=lo, max=hi))
    for c, allowed in ALLOWED.items():
        results.append(dq.expect_values_in(c, allowed))
    results.append(dq.expect_no_duplicate_rows())
    errors = [r for r in results if r.status == "error"]
    assert not errors, errors[0].message
    return results


def pandera_checks(df):
    import pandera.pandas as pa

    schema = pa.DataFrameSchema(
        {
            **{
                c: pa.Column(
                    float if DTYPES.get(c) == "float" else int,
                    pa.Check.in_range(*NUMERIC_RANGES[c]),
                    nullable=False,
                )
                for c in NUMERIC
            },
            **{c: pa.Column(str, pa.Check.isin(ALLOWED[c]), nullable=False) for c in CATEGORICAL},
        },
        unique=None,
    )
    schema.validate(df, lazy=True)
    return int(df.duplicated().sum())


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    df, _ = load(n)
    print(describe())
    print(f"data-quality benchmark: {n:,} rows x {df.shape[1]} columns, medians of 5, interleaved")
    fns = {"pandas": lambda: plain_pandas(df), "mlgate": lambda: mlgate_checks(df)}
    try:
        import pandera
    except ImportError:
        pass
    else:
        fns["pandera"] = lambda: pandera_checks(df)
    medians = interleaved(fns)
    t_pandas, t_mlgate = medians["pandas"], medians["mlgate"]
    print(f"  plain pandas      {t_pandas:7.3f} s")
    print(
        f"  pytest-mlgate     {t_mlgate:7.3f} s   ratio to pandas {t_mlgate / t_pandas:.2f}x "
        f"(goal <= 0.8x)"
    )
    try:
        import pandera  # noqa: F401
    except ImportError:
        print("  pandera           not installed (see benchmarks/README.md for the bench venv)")
    else:
        t_pandera = medians["pandera"]
        print(
            f"  pandera           {t_pandera:7.3f} s   ratio to pandas {t_pandera / t_pandas:.2f}x"
            f"; mlgate is {t_pandera / t_mlgate:.1f}x faster"
        )

    wide = df[FEATURES]
    t_fp = median_time(lambda: fingerprint(wide), repeat=5)
    t_fp_all = median_time(lambda: fingerprint(df), repeat=5)
    fingerprint(df)
    t0 = time.perf_counter()
    fingerprint(df)
    t_cached = time.perf_counter() - t0
    print(
        f"  fingerprint 1M x 25 feature columns {t_fp:.3f} s (goal <= 0.3 s); "
        f"all {df.shape[1]} columns {t_fp_all:.3f} s; cached {t_cached * 1e6:.1f} us"
    )
    print(describe())


if __name__ == "__main__":
    main()
