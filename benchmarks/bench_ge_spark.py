"""The data-quality rules of bench_data_quality.py on a Spark frame: pytest-mlgate against
Great Expectations' Spark datasource, in one Spark session (``local[2]``, 1 GiB driver), run
in turn (the loop of bench_pandera_spark.py).

    python -m venv --system-site-packages .bench-ge-venv          # the main env's pyspark
    .bench-ge-venv/bin/pip install great_expectations grpcio grpcio-status googleapis-common-protos
    .bench-ge-venv/bin/python benchmarks/bench_ge_spark.py [N]    # default 2_000_000

(Great Expectations imports ``pyspark.sql.connect``, which exits the process when grpc is
missing: hence the grpc packages.) The same rules on both sides, as Great Expectations 1.x
expectations in one suite validated on one batch of the DataFrame: the ordered column list, each
column's Spark type, the row count, no nulls in any column, 20 ranges, 5 allowed sets, and
duplicate rows as ``ExpectCompoundColumnsToBeUnique`` over every column (result format
"BASIC", its default: counts and up to 20 unexpected values, as mlgate's counts and examples).
The context, datasource and suite are built once, outside the timing (in Great Expectations'
favour); each run times ``get_batch`` and ``validate``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_data_quality import ALLOWED, COLUMNS, DTYPES, mlgate_checks  # noqa: E402
from bench_pandera_spark import race  # noqa: E402
from make_data import CATEGORICAL, NUMERIC, NUMERIC_RANGES  # noqa: E402


def ge_contender():
    os.environ.setdefault("TQDM_DISABLE", "1")  # its progress bars, one per validation
    import great_expectations as gx
    import great_expectations.expectations as gxe

    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_spark(name="bench")
    batches = source.add_dataframe_asset(name="frame").add_batch_definition_whole_dataframe("whole")
    suite = context.suites.add(gx.ExpectationSuite(name="rules"))
    suite.add_expectation(gxe.ExpectTableColumnsToMatchOrderedList(column_list=COLUMNS))
    for c in NUMERIC:
        kind = "DoubleType" if DTYPES.get(c) == "float" else "LongType"
        suite.add_expectation(gxe.ExpectColumnValuesToBeOfType(column=c, type_=kind))
    for c in CATEGORICAL:
        suite.add_expectation(gxe.ExpectColumnValuesToBeOfType(column=c, type_="StringType"))
    suite.add_expectation(gxe.ExpectTableRowCountToBeBetween(min_value=1000))
    for c in COLUMNS:
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=c))
    for c, (lo, hi) in NUMERIC_RANGES.items():
        suite.add_expectation(
            gxe.ExpectColumnValuesToBeBetween(column=c, min_value=lo, max_value=hi)
        )
    for c in CATEGORICAL:
        suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column=c, value_set=list(ALLOWED[c])))
    suite.add_expectation(gxe.ExpectCompoundColumnsToBeUnique(column_list=COLUMNS))

    def ge_checks(df) -> int:
        result = batches.get_batch(batch_parameters={"dataframe": df}).validate(suite)
        errors = [r for r in result.results if r.exception_info.get("raised_exception")]
        assert not errors, errors[0].exception_info
        return sum(not r.success for r in result.results)

    return ge_checks


def main() -> None:
    import great_expectations as gx

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    contenders = {"pytest-mlgate": mlgate_checks, "Great Expectations (Spark)": ge_contender()}
    race(contenders, f"Great Expectations {gx.__version__}", n)


if __name__ == "__main__":
    main()
