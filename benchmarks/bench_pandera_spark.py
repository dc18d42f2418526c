"""The data-quality rules of bench_data_quality.py on a Spark frame: pytest-mlgate against
pandera's pyspark backend, in one Spark session (``local[2]``, 1 GiB driver), run in turn.

    python -m venv --system-site-packages .bench-spark-venv      # the main env's pyspark
    .bench-spark-venv/bin/pip install "pandera[pyspark]"
    .bench-spark-venv/bin/python benchmarks/bench_pandera_spark.py [N]   # default 2_000_000

The same rules on both sides: dtypes, no nulls, 20 ranges, 5 allowed sets (pandera: one
``DataFrameSchema`` with ``nullable=False``, ``Check.in_range`` and ``Check.isin``, validated
with its default depth, schema and data), and duplicate rows (pandera's pyspark backend has no
whole-row uniqueness, so its side counts them with Spark: ``count() - distinct().count()``).
mlgate also checks the column list and the row count. Each contender gets a fresh DataFrame
read from the same parquet; medians of the runs; Spark jobs counted per run.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_data_quality import ALLOWED, DTYPES, mlgate_checks  # noqa: E402
from bench_engines import Jobs  # noqa: E402
from machine import describe, load_average, local_spark  # noqa: E402
from make_data import CATEGORICAL, NUMERIC, NUMERIC_RANGES, ensure, path_for  # noqa: E402

RUNS = 3


def pandera_checks(df) -> int:
    import pandera.pyspark as pa
    import pyspark.sql.types as T

    schema = pa.DataFrameSchema(
        {
            **{
                c: pa.Column(
                    T.DoubleType() if DTYPES.get(c) == "float" else T.LongType(),
                    pa.Check.in_range(*NUMERIC_RANGES[c]),
                    nullable=False,
                )
                for c in NUMERIC
            },
            **{
                c: pa.Column(T.StringType(), pa.Check.isin(list(ALLOWED[c])), nullable=False)
                for c in CATEGORICAL
            },
        }
    )
    checked = schema.validate(df)
    errors = dict(checked.pandera.errors)
    duplicates = df.count() - df.distinct().count()
    return len(errors) + duplicates


def race(contenders: dict, tool: str, n: int) -> None:
    """Each contender on a fresh DataFrame read from the same parquet, one warm-up each (JIT,
    Spark's first-query costs), then ``RUNS`` runs in turn on one Spark session; medians,
    Spark jobs per run and the ratio to pytest-mlgate."""
    ensure(n)
    path = path_for(n, "ref")
    spark = local_spark(shuffle_partitions=4)
    print(describe())
    print(f"{n:,} rows x 29 columns from parquet; {tool}, Spark local[2]")
    for fn in contenders.values():
        fn(spark.read.parquet(path))
    seconds: dict[str, list[float]] = {k: [] for k in contenders}
    jobs: dict[str, int] = {}
    for _ in range(RUNS):
        for name, fn in contenders.items():
            counter = Jobs("spark", spark)
            df = spark.read.parquet(path)
            t = time.perf_counter()
            with counter:
                fn(df)
            seconds[name].append(time.perf_counter() - t)
            jobs[name] = counter.count
    base = statistics.median(seconds["pytest-mlgate"])
    for name, times in seconds.items():
        median = statistics.median(times)
        print(
            f"  {name:24} {median:7.1f} s  ({jobs[name]} Spark jobs; runs "
            f"{', '.join(f'{t:.1f}' for t in times)})  ratio to mlgate {median / base:.2f}x"
        )
    print(f"load average {load_average()}")
    print(describe())
    spark.stop()


def main() -> None:
    import pandera

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    contenders = {"pytest-mlgate": mlgate_checks, "pandera (pyspark)": pandera_checks}
    race(contenders, f"pandera {pandera.__version__}", n)


if __name__ == "__main__":
    main()
