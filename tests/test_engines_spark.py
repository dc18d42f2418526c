"""Spark tables: every data-quality figure and verdict equal to the pandas path on the same
data (read from parquet by Spark ``local[2]``), profiles within the sketch's stated error,
and failures inside Spark recorded as ``error`` results, never a crash."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pytest

from pytest_mlgate.profile import Profile
from pytest_mlgate.tables import as_table

from ._engines import (  # noqa: F401
    COVERED_RANGES,
    LABEL_CHECKS,
    answered_without_jobs,
    check_profile_edges,
    check_profiles,
    compare_drift_with_pandas,
    compare_with_pandas,
    drifted_frame,
    figures,
    frame,
    gate_with_record,
    lake,
    make_frame,
    rank_error,
    readme_blocks,
    spark,
    write_parquet,
)
from .conftest import make_gate

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def sdf(spark, lake):  # noqa: F811
    return spark.read.parquet(str(lake))


def test_as_table_recognises_a_spark_frame(sdf):
    from pytest_mlgate.tables.spark import SparkTable

    table = as_table(sdf, "df")
    assert isinstance(table, SparkTable)
    assert table.columns == list(sdf.columns)
    assert table.is_kind("age", "integer") and table.is_kind("income", "float")
    assert table.is_kind("seen", "datetime") and table.is_kind("city", "string")
    assert not table.is_kind("grade", "category")  # Spark has no categorical type


def test_data_quality_equals_pandas(sdf, frame):  # noqa: F811
    engine = make_gate().data(sdf, name="lake")
    plain = make_gate().data(frame, name="lake")
    compare_with_pandas(engine, plain)
    # the categorical arrives in Spark as text: that is the one dtype that differs
    grade = engine.expect_dtypes({"grade": "category"})
    assert grade.status == "failed" and "grade is string" in grade.message


def test_examples_are_the_most_frequent_offenders(sdf, frame):  # noqa: F811
    dq = make_gate().data(sdf, name="lake")
    result = dq.expect_values_in("city", ["Lyon", "Paris"])
    assert result.details["examples"] == ["Nice", " NA ", "?", "Oslo"]
    between = dq.expect_between("income", min=0)
    assert between.details["examples"] == ["-999.0"] or between.details["examples"] == [-999.0]
    unique = dq.expect_unique(["store", "age"], max_count=10**6)
    repeated = frame[frame.duplicated(["store", "age"], keep=False)]
    keys = set(zip(repeated["store"], repeated["age"], strict=True))
    assert unique.details["examples"] and all(tuple(k) in keys for k in unique.details["examples"])


def test_overlap_with_spark_and_pandas_frames(spark, sdf, frame):  # noqa: F811
    test = frame.sample(500, random_state=2)
    for other in (test, spark.createDataFrame(test[["id", "store", "age"]])):
        got = make_gate().data(sdf).expect_no_overlap(other, columns=["id"], other_name="test")
        want = make_gate().data(frame).expect_no_overlap(test, columns=["id"], other_name="test")
        assert (got.status, got.observed) == (want.status, want.observed)
        assert got.status == "failed" and got.observed >= 500
        pair = make_gate().data(sdf).expect_no_overlap(other, columns=["store", "age"])
        ref = make_gate().data(frame).expect_no_overlap(test, columns=["store", "age"])
        assert (pair.status, pair.observed) == (ref.status, ref.observed)


def test_aggregates_match_pandas(sdf, frame):  # noqa: F811
    table, plain = as_table(sdf, "df"), as_table(frame, "df")
    assert table.value_counts("grade", 10) == plain.value_counts("grade", 10)
    assert table.value_counts("age", 10) is None
    assert table.min_max("age") == plain.min_max("age")
    edges = [-100.0, 0.0, 5e3, 2e4, 1e5]
    assert table.histogram("income", edges) == plain.histogram("income", edges)
    stamps = [1.70e18, 1.72e18]
    assert table.histogram("seen", stamps) == plain.histogram("seen", stamps)
    # every column's bins in one aggregation; an edge on a value, and a repeated edge
    many = {"income": edges, "seen": stamps, "age": [20.0, 50.0, 50.0, 94.0]}
    assert table.histograms_of(many) == {c: plain.histogram(c, e) for c, e in many.items()}
    probs = [0.0, 0.01, 0.25, 0.5, 0.9, 1.0]
    values = np.sort(frame["score"].to_numpy())
    for p, q in zip(probs, table.quantiles("score", probs), strict=True):
        assert rank_error(values, q, p) <= table.rank_error
    assert table.quantiles("seen", [0.5])[0] == pytest.approx(plain.quantiles("seen", [0.5])[0])


def test_leakage_needs_rows_and_says_the_size(sdf):
    result = make_gate().data(sdf).expect_no_leakage("target")
    assert result.status == "error"
    assert "does not collect a Spark table (30,400 rows)" in result.message


def test_dataset_fingerprint_is_order_independent(spark, sdf, frame, tmp_path):  # noqa: F811
    gate, record = gate_with_record()
    gate.data(sdf, name="a").expect_row_count(min=1)
    mixed = write_parquet(frame.sample(frac=1.0, random_state=5), tmp_path / "mixed", parts=5)
    shuffled = spark.read.parquet(str(mixed))
    other = sdf.limit(30_000)
    gate.data(shuffled, name="b").expect_row_count(min=1)
    gate.data(other, name="c").expect_row_count(min=1)
    entries = {d["name"]: d for d in record.payload("setup")["datasets"]}
    assert entries["a"]["rows"] == 30_400 and entries["a"]["columns"] == frame.shape[1]
    assert entries["a"]["sha256"].startswith("sha256:")
    assert entries["b"]["sha256"] == entries["a"]["sha256"]
    assert entries["c"]["sha256"] != entries["a"]["sha256"]


def test_failures_inside_spark_are_errors(spark, sdf):  # noqa: F811
    from pyspark.sql import functions as F

    broken = sdf.withColumn("n", F.col("city").cast("int"))  # ANSI: "Lyon" is no int
    result = make_gate().data(broken, name="b").expect_not_null(["age"])
    assert result.status == "error"
    assert result.message.startswith("Spark could not compute the row count and null counts:")
    empty = make_gate().data(sdf.filter(F.lit(False)), name="e").expect_row_count(min=1)
    assert empty.status == "error" and "the Spark table is empty" in empty.message
    typed = make_gate().data(sdf).expect_between("city", min=0)
    assert typed.status == "error" and "string" in typed.message
    ints = spark.createDataFrame(pd.DataFrame({"id": ["1", "2"]}))
    keys = make_gate().data(sdf).expect_no_overlap(ints, columns=["id"])
    assert keys.status in ("passed", "failed", "error") and keys.message
    partial = make_gate().data(sdf).expect_no_overlap(sdf.drop("store"), columns=["store"])
    assert partial.status == "error" and "no such column 'store'" in partial.message
    spread = sdf.repartition(8).filter(F.col("age") > 90)  # most partitions empty
    assert make_gate().data(spread).expect_row_count(min=1).status == "passed"


def test_profile_equals_pandas_within_the_sketch_error(sdf, frame):  # noqa: F811
    engine = Profile.from_frame(sdf)
    plain = Profile.from_frame(frame)
    check_profiles(engine, plain, frame)


def test_partition_profiles_merge_to_the_one_shot_build(sdf, frame):  # noqa: F811
    from pyspark.sql import functions as F

    left = Profile.from_frame(sdf.filter(F.col("id") % 2 == 0))
    right = Profile.from_frame(sdf.filter(F.col("id") % 2 == 1))
    check_profiles(left.merge(right), Profile.from_frame(frame), frame)


def test_readme_gate_on_a_spark_table(pytester, spark, frame):  # noqa: F811
    conftest, test = readme_blocks()[0].split("# test_lake.py\n")
    folder = write_parquet(frame, pytester.path / "lake" / "train")
    # Spark resolves a relative path against the JVM's working folder, which this session's
    # Spark has fixed where the outer pytest started: the one change to the README's code
    pytester.makeconftest(conftest)
    pytester.makepyfile(test_lake=test.replace('"lake/train"', repr(str(folder))))
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_drift_on_spark_frames_equals_pandas(spark, sdf, frame, tmp_path):  # noqa: F811
    """Either side or both a Spark frame: each profiled inside Spark, same verdicts."""
    current = drifted_frame()
    window = spark.read.parquet(str(write_parquet(current, tmp_path / "window")))
    for ref, cur, sides in (
        (sdf, window, ("reference", "current")),
        (frame, window, ("current",)),
        (sdf, current, ("reference",)),
    ):
        plain = make_gate().drift(frame, current)
        compare_drift_with_pandas(make_gate().drift(ref, cur), plain, sides)


def test_drift_on_spark_frames_bad_input_is_an_error(spark, sdf, frame):  # noqa: F811
    from pyspark.sql import functions as F

    result = make_gate().drift(sdf, sdf.drop("store")).expect_no_drift()
    assert result.status == "error" and "missing 'store'" in result.message
    typed = sdf.withColumn("age", F.col("age").cast("string"))
    changed = make_gate().drift(frame, typed).expect_no_drift()
    assert changed.status == "error" and "the dtype of column 'age' changed" in changed.message
    broken = sdf.withColumn("income", F.col("city").cast("double"))  # ANSI: "Lyon" is no double
    failed = make_gate().drift(sdf, broken).expect_column("income", "ks")
    assert failed.status == "error" and failed.message.startswith("Spark could not compute")


def test_readme_monitoring_job_on_a_spark_window(pytester, spark, frame):  # noqa: F811
    conftest = readme_blocks()[0].split("# test_lake.py\n")[0]
    window = write_parquet(make_frame(seed=17), pytester.path / "lake" / "prod" / "2026-12-01")
    (pytester.path / "profiles").mkdir()
    Profile.from_frame(frame).save(pytester.path / "profiles" / "train.json")
    pytester.makeconftest(conftest)
    test = readme_blocks()[2].replace('"lake/prod/2026-12-01"', repr(str(window)))
    pytester.makepyfile(test_window=test)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def spark_jobs(spark, run):  # noqa: F811
    """``run()`` and the number of Spark jobs it launched (the status tracker of a group)."""
    import uuid

    group = f"mlgate-{uuid.uuid4().hex}"
    spark.sparkContext.setJobGroup(group, "counted")
    try:
        answer = run()
    finally:
        spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)
    return answer, len(spark.sparkContext.statusTracker().getJobIdsForGroup(group))


def test_value_checks_are_answered_from_batched_aggregates(spark, sdf, frame):  # noqa: F811
    """The first pass holds every orderable column's min and max, so a range that covers them
    launches no job; the first value check on a text column counts all text columns at once,
    so later ones launch none. Figures equal pandas' either way."""
    engine, plain = make_gate().data(sdf), make_gate().data(frame)
    _, first = spark_jobs(spark, lambda: engine.expect_row_count(min=1))
    assert first >= 1
    counted = partial(spark_jobs, spark)
    number_range = [lambda d: d.expect_between("store", min=0)]  # Spark: no text min/max
    ranges = answered_without_jobs(engine, plain, counted, COVERED_RANGES + number_range)
    assert all(r.status == "passed" for r in ranges)
    _, batched = spark_jobs(spark, lambda: LABEL_CHECKS[0](engine))
    assert batched >= 1
    answered_without_jobs(engine, plain, counted, LABEL_CHECKS)
    # a range the values leave: a count and the examples, as before
    outside, jobs = spark_jobs(spark, lambda: engine.expect_between("age", min=18, max=90))
    assert jobs >= 2 and figures(outside) == figures(plain.expect_between("age", min=18, max=90))


def test_distinct_counts_of_few_valued_columns_in_one_query(spark, sdf, frame):  # noqa: F811
    """Exact distinct counts of every column from one explode + groupBy (no count_distinct,
    which expands each row once per column), the same launched jobs for 2 columns or 9, and
    the value counts of the columns within the limit from the same query."""
    from pytest_mlgate.tables.spark import SparkTable

    few, jobs_few = spark_jobs(spark, lambda: SparkTable(sdf).distinct_counts(["age", "score"]))
    table = SparkTable(sdf)
    every, jobs_all = spark_jobs(spark, lambda: table.distinct_counts(table.columns))
    assert jobs_all == jobs_few and few == {c: every[c] for c in few}
    assert every == {c: int(frame[c].nunique()) for c in frame.columns}
    counts = table.value_counts_of({"age": 100, "grade": 10})
    assert counts["grade"] == as_table(frame, "df").value_counts("grade", 10)
    assert counts["age"] == as_table(frame, "df").value_counts("age", 100)
    # the profile's moments: exact distinct counts, the few-valued columns' value counts
    # from the same query (no job for them afterwards)
    numeric = ["id", "age", "income", "score", "store", "target"]
    fresh = SparkTable(sdf)
    moments = fresh.moments_of(numeric)
    assert {c: moments[c][3] for c in numeric} == {c: int(frame[c].nunique()) for c in numeric}
    counted, jobs = spark_jobs(spark, lambda: fresh.value_counts_of({"store": 1_000}))
    assert jobs == 0 and counted["store"] == as_table(frame, "df").value_counts("store", 1_000)


# pyarrow's from_pandas of a tz-aware column (Spark's Arrow path) on pandas 3.1: not ours
@pytest.mark.filterwarnings("ignore:Series.values returning an ndarray that drops timezone")
def test_profile_edges_as_pandas(spark, frame):  # noqa: F811
    """An empty Spark frame profiles as an empty pandas frame; infinities are refused with
    pandas' error; a tz-aware pandas column and the same instants in Spark are one family."""
    from pyspark.sql import functions as F

    data = frame[["id", "age", "income", "city"]].head(200).copy()
    sdf_ = spark.createDataFrame(data)
    empty = Profile.from_frame(sdf_.filter(F.lit(False)))
    check_profile_edges(empty, data, spark.createDataFrame)
    stamps = pd.DataFrame(
        {"t": pd.date_range("2024-01-01", periods=300, freq="h", tz="UTC"), "v": np.arange(300.0)}
    )
    aware = spark.createDataFrame(stamps)
    assert as_table(aware, "df").dtype("t") == "timestamp"
    got = make_gate().drift(stamps, aware).expect_no_drift()
    want = make_gate().drift(stamps, stamps.copy()).expect_no_drift()
    assert got.status == want.status == "passed", got.message
    assert got.details["columns"]["t"]["statistic"] == pytest.approx(
        want.details["columns"]["t"]["statistic"], abs=1e-12
    )


def test_tails_of_many_columns_in_one_query(spark, sdf, monkeypatch):  # noqa: F811
    """The profile's exact tails: one sorted query for every sketched column (the values
    beyond sketch quantiles that hold a few more than the tail), equal to two ordered takes
    per column; a cut that holds too few values falls back to those takes, same values."""
    from pytest_mlgate.tables import spark as spark_table

    names = ["income", "score", "seen"]
    probabilities = [0.1, 0.5, 0.9]
    tails = {"income": 50, "score": 1_000, "seen": 7}
    table = spark_table.SparkTable(sdf)
    table.row_count()  # the first pass, apart from the jobs counted
    want = {c: table.extremes(c, tails[c]) for c in names}
    one, one_jobs = spark_jobs(spark, lambda: table.sketches_of(names[:1], probabilities, tails))
    every, jobs = spark_jobs(spark, lambda: table.sketches_of(names, probabilities, tails))
    assert jobs == one_jobs <= 2 * 3  # the quantiles and the tails (a shuffle: up to 3 jobs each)
    assert one["income"] == every["income"]
    for column in names:
        answers, low, high = every[column]
        assert (low, high) == want[column] and len(answers) == len(probabilities)
        assert low == sorted(low) and high == sorted(high) and len(low) == tails[column]
    # cuts on heavily repeated values: the repeats come back as a count, not gathered
    rng = np.random.default_rng(3)
    heavy = pd.DataFrame(
        {
            "zeros": np.where(rng.random(20_000) < 0.9, 0.0, rng.normal(0, 1, 20_000)),
            "capped": np.minimum(rng.normal(0, 1, 20_000), 0.5),  # 31% at its maximum
        }
    )
    tied = spark_table.SparkTable(spark.createDataFrame(heavy))
    got = tied.sketches_of(["zeros", "capped"], probabilities, {"zeros": 1_000, "capped": 1_000})
    for column in heavy.columns:
        values = np.sort(heavy[column].to_numpy())
        assert got[column][1:] == (values[:1_000].tolist(), values[-1_000:].tolist())
    monkeypatch.setattr(spark_table, "_tail_cuts", lambda k, n, accuracy: (0.0, 1.0))
    missed = table.sketches_of(names, probabilities, tails)
    assert {c: missed[c][1:] for c in names} == want
