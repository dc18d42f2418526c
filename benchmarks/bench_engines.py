"""The data-quality rules and a profile build on Spark and Dask against pandas, on the
benchmark shape (make_data.py: 25 features, sensitive, target, score, prediction) read from
parquet, with the wall time and the driver's peak memory.

    python benchmarks/bench_engines.py [N]          # default N = 2_000_000
    BENCH_ENGINES=dask,spark python benchmarks/bench_engines.py   # a subset

Each engine runs in its own child process (so each peak RSS is its own): pandas reads the
file into memory; Dask runs a LocalCluster of 2 single-threaded workers in the driver process
(so its figure includes the workers); Spark runs local[2] with a 1 GiB driver, and the JVM's
peak (VmHWM, which in local mode holds the executors too) is reported beside Python's. The
rules are those of bench_data_quality.py (columns, dtypes, row count, nulls, 20 ranges, 5
allowed sets, duplicate rows); one run each, engine start-up reported apart.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from machine import describe, load_average  # noqa: E402
from make_data import ensure, path_for  # noqa: E402


def peak_mib(pid: int | None = None) -> float:
    """Peak resident memory (VmHWM) of this process or of ``pid``, in MiB. Not ``ru_maxrss``:
    it survives ``exec``, so a child would report its parent's peak."""
    with open(f"/proc/{pid or os.getpid()}/status", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Jobs:
    """Engine jobs launched while it is active: Spark jobs (the status tracker of a job
    group), Dask computes (calls of ``dask.base.compute``, which every Dask table answer goes
    through); none for pandas."""

    def __init__(self, engine: str, spark=None) -> None:
        self.engine, self.spark, self.count, self._group = engine, spark, 0, None

    def __enter__(self) -> Jobs:
        if self.engine == "spark":
            self._group = f"mlgate-{time.perf_counter_ns()}"
            self.spark.sparkContext.setJobGroup(self._group, "bench")
        elif self.engine == "dask":
            import dask.base

            original = dask.base.compute

            def counting(*args, **kwargs):
                self.count += 1
                return original(*args, **kwargs)

            self._original, dask.base.compute = original, counting
        return self

    def __exit__(self, *exc) -> None:
        if self.engine == "spark":
            tracker = self.spark.sparkContext.statusTracker()
            self.count = len(tracker.getJobIdsForGroup(self._group))
        elif self.engine == "dask":
            import dask.base

            dask.base.compute = self._original


def run_checks(df, jobs: Jobs) -> tuple[float, int]:
    from bench_data_quality import mlgate_checks

    t = time.perf_counter()
    with jobs:
        mlgate_checks(df)
    return time.perf_counter() - t, jobs.count


def run_profile(df, jobs: Jobs) -> tuple[float, int]:
    from pytest_mlgate.profile import Profile

    t = time.perf_counter()
    with jobs:
        Profile.from_frame(df)  # an engine frame is profiled inside its engine
    return time.perf_counter() - t, jobs.count


def one(engine: str, n: int) -> dict:
    path = path_for(n, "ref")
    out: dict = {"engine": engine, "rows": n}
    t = time.perf_counter()
    if engine == "pandas":
        import pandas as pd

        df = pd.read_parquet(path)
        out["start_s"] = time.perf_counter() - t  # the read
        out["checks_s"], out["checks_jobs"] = run_checks(df, Jobs("pandas"))
        out["profile_s"], out["profile_jobs"] = run_profile(df, Jobs("pandas"))
    elif engine == "dask":
        import dask.dataframe as dd
        from distributed import Client, LocalCluster

        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        )
        client = Client(cluster)
        out["start_s"] = time.perf_counter() - t
        out["checks_s"], out["checks_jobs"] = run_checks(dd.read_parquet(path), Jobs("dask"))
        out["profile_s"], out["profile_jobs"] = run_profile(dd.read_parquet(path), Jobs("dask"))
        client.close()
        cluster.close()
    else:
        from pyspark.sql import SparkSession

        spark = (
            SparkSession.builder.master("local[2]")
            .config("spark.driver.memory", "1g")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        out["start_s"] = time.perf_counter() - t
        out["checks_s"], out["checks_jobs"] = run_checks(
            spark.read.parquet(path), Jobs("spark", spark)
        )
        out["profile_s"], out["profile_jobs"] = run_profile(
            spark.read.parquet(path), Jobs("spark", spark)
        )
        out["jvm_peak_mib"] = peak_mib(spark.sparkContext._gateway.proc.pid)
        spark.stop()
    out["python_peak_mib"] = peak_mib()
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    ensure(n)
    size = os.path.getsize(path_for(n, "ref")) / 2**20
    print(describe())
    print(f"{n:,} rows x 29 columns, parquet {size:.0f} MiB")
    print(
        f"{'engine':8} {'start s':>8} {'checks s':>9} {'jobs':>5} {'profile s':>10} {'jobs':>5} "
        f"{'peak MiB':>22}"
    )
    for engine in os.environ.get("BENCH_ENGINES", "pandas,dask,spark").split(","):
        child = subprocess.run(
            [sys.executable, __file__, "--one", engine, str(n)],
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [line for line in child.stdout.splitlines() if line.startswith("{")]
        if child.returncode or not lines:
            print(f"{engine:8} failed: {child.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(lines[-1])
        peak = f"{r['python_peak_mib']:.0f} (python)"
        if "jvm_peak_mib" in r:
            peak += f" + {r['jvm_peak_mib']:.0f} (JVM)"
        print(
            f"{engine:8} {r['start_s']:8.1f} {r['checks_s']:9.1f} {r['checks_jobs']:5} "
            f"{r['profile_s']:10.1f} {r['profile_jobs']:5} {peak:>22}  (load {load_average()})"
        )
    print(describe())


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--one":
        print(json.dumps(one(sys.argv[2], int(sys.argv[3]))))
    else:
        main()
