"""Dask frames: every data-quality figure and verdict equal to the pandas path on the same
data (read from parquet on a LocalCluster of 2 workers), profiles within the stated error,
and failures on the workers recorded as ``error`` results, never a crash."""

from __future__ import annotations

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
    dask_client,
    drifted_frame,
    frame,
    gate_with_record,
    lake,
    rank_error,
    readme_blocks,
    write_parquet,
)
from ._engines import figures as result_figures
from .conftest import make_gate

pytestmark = [
    pytest.mark.dask,
    # dask's parquet reader on pandas 3.1 (not ours)
    pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.reset_index"),
]
dd = pytest.importorskip("dask.dataframe")


@pytest.fixture(scope="module")
def ddf(dask_client, lake):  # noqa: F811
    return dd.read_parquet(str(lake))


@pytest.fixture(scope="module")
def from_memory(dask_client, frame):  # noqa: F811
    """The frame itself in 4 partitions, categorical and index kept."""
    return dd.from_pandas(frame, npartitions=4)


def test_as_table_recognises_a_dask_frame(ddf, from_memory):
    from pytest_mlgate.tables.dask import DaskTable

    table = as_table(ddf, "df")
    assert isinstance(table, DaskTable) and table.columns == list(ddf.columns)
    assert as_table(from_memory, "df").is_kind("grade", "category")
    assert table.is_kind("seen", "datetime") and table.is_kind("city", "string")


def test_data_quality_equals_pandas(ddf, from_memory, frame):  # noqa: F811
    plain = make_gate().data(frame, name="lake")
    compare_with_pandas(make_gate().data(from_memory, name="lake"), plain)
    compare_with_pandas(make_gate().data(ddf, name="lake"), plain)
    # the index is the frame's: the first null rows are pandas' own labels
    got = make_gate().data(from_memory).expect_not_null(["income"], max_fraction=1.0)
    want = make_gate().data(frame).expect_not_null(["income"], max_fraction=1.0)
    assert got.details["examples"] == want.details["examples"] and got.message == want.message


def test_empty_partitions_change_nothing(from_memory, frame):  # noqa: F811
    sparse = from_memory[from_memory["id"] < 5_000]  # partitions 2-4 are empty
    plain = frame[frame["id"] < 5_000]
    compare_with_pandas(make_gate().data(sparse), make_gate().data(plain))
    table = as_table(sparse, "df")
    edges = [0.0, 1e4]
    assert table.histogram("income", edges) == as_table(plain, "df").histogram("income", edges)


def test_aggregates_match_pandas(from_memory, frame):  # noqa: F811
    table, plain = as_table(from_memory, "df"), as_table(frame, "df")
    assert table.value_counts("grade", 10) == plain.value_counts("grade", 10)
    assert "unused" not in table.value_counts("grade", 10)
    assert table.value_counts("age", 10) is None
    assert table.min_max("income") == plain.min_max("income")
    assert table.token_counts("city", frozenset({"na", "?"}), frozenset()) == plain.token_counts(
        "city", frozenset({"na", "?"}), frozenset()
    )
    probs = [0.0, 0.01, 0.25, 0.5, 0.9, 1.0]
    values = np.sort(frame["score"].to_numpy())
    for p, q in zip(probs, table.quantiles("score", probs), strict=True):
        assert rank_error(values, q, p) <= table.rank_error
    stamps = np.sort(frame["seen"].dropna().to_numpy().astype("datetime64[ns]").astype("int64"))
    (median,) = table.quantiles("seen", [0.5])
    assert rank_error(stamps.astype(float), median, 0.5) <= table.rank_error


def test_overlap_and_leakage(ddf, from_memory, frame):  # noqa: F811
    test = frame.sample(500, random_state=2)
    for other in (test, dd.from_pandas(test, npartitions=2)):
        got = make_gate().data(ddf).expect_no_overlap(other, columns=["store", "age"])
        want = make_gate().data(frame).expect_no_overlap(test, columns=["store", "age"])
        assert (got.status, got.observed) == (want.status, want.observed)
    leak = make_gate().data(ddf).expect_no_leakage("target")
    assert leak.status == "error" and "does not collect a Dask table (30,400 rows)" in leak.message


def test_dataset_fingerprint_is_order_independent(ddf, frame, tmp_path):  # noqa: F811
    gate, record = gate_with_record()
    gate.data(ddf, name="a").expect_row_count(min=1)
    mixed = write_parquet(frame.sample(frac=1.0, random_state=5), tmp_path / "mixed", parts=5)
    gate.data(dd.read_parquet(str(mixed)), name="b").expect_row_count(min=1)
    gate.data(ddf[ddf["id"] > 0], name="c").expect_row_count(min=1)
    entries = {d["name"]: d for d in record.payload("setup")["datasets"]}
    assert (entries["a"]["rows"], entries["a"]["columns"]) == (30_400, frame.shape[1])
    assert entries["b"]["sha256"] == entries["a"]["sha256"] != entries["c"]["sha256"]


def boom(part: pd.DataFrame) -> pd.DataFrame:
    if len(part) and part["id"].iloc[0] > 10_000:
        raise RuntimeError("partition 3 is corrupt")
    return part


def test_failures_on_the_workers_are_errors(from_memory, frame):  # noqa: F811
    broken = from_memory.map_partitions(boom, meta=from_memory._meta)
    result = make_gate().data(broken, name="b").expect_not_null(["age"])
    assert result.status == "error"
    assert result.message.startswith(
        "Dask could not compute the row count and null counts: RuntimeError: partition 3 is corrupt"
    )
    empty = make_gate().data(from_memory[from_memory["id"] < 0]).expect_row_count(min=1)
    assert empty.status == "error" and "the Dask frame is empty" in empty.message
    typed = make_gate().data(from_memory).expect_between("city", min=0)
    assert typed.status == "error" and "cannot be compared" in typed.message
    partial = (
        make_gate()
        .data(from_memory)
        .expect_no_overlap(from_memory.drop(columns=["store"]), columns=["store"])
    )
    assert partial.status == "error" and "no such column 'store'" in partial.message
    texts = dd.from_pandas(pd.DataFrame({"store": ["1", "2"], "age": ["x", "y"]}), npartitions=1)
    keys = make_gate().data(from_memory).expect_no_overlap(texts, columns=["store", "age"])
    assert keys.status == "error" and keys.message.startswith("Dask could not compute the keys")


def test_profile_equals_pandas_and_merges(from_memory, frame):  # noqa: F811
    check_profiles(Profile.from_frame(from_memory), Profile.from_frame(frame), frame)
    even = from_memory[from_memory["id"] % 2 == 0]
    odd = from_memory[from_memory["id"] % 2 == 1]
    merged = Profile.from_frame(even).merge(Profile.from_frame(odd))
    check_profiles(merged, Profile.from_frame(frame), frame)


def test_readme_gate_on_a_dask_frame(pytester, dask_client, frame):  # noqa: F811
    pytester.makepyfile(test_lake=readme_blocks()[1])
    write_parquet(frame, pytester.path / "lake" / "train")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_drift_between_two_engine_profiles_equals_pandas(from_memory, frame):  # noqa: F811
    """The monitoring pattern: profile each window where the data live, compare profiles."""
    even = from_memory[from_memory["id"] % 2 == 0]
    odd = from_memory[from_memory["id"] % 2 == 1]
    engine = make_gate().drift(Profile.from_frame(even), Profile.from_frame(odd))
    local = make_gate().drift(
        Profile.from_frame(frame[frame["id"] % 2 == 0]),
        Profile.from_frame(frame[frame["id"] % 2 == 1]),
    )
    mine, theirs = engine.expect_no_drift(), local.expect_no_drift()
    assert mine.status == theirs.status and mine.status in ("passed", "failed"), mine.message
    for column, figures in theirs.details["columns"].items():
        got = mine.details["columns"][column]
        assert got.get("test") == figures.get("test"), column
        if figures.get("statistic") is not None:
            # each side's sketch is within 1e-4 in rank of the exact one (Dask knots)
            assert got["statistic"] == pytest.approx(figures["statistic"], abs=2e-3), column


def test_drift_on_dask_frames_equals_pandas(from_memory, frame):  # noqa: F811
    """Either side or both a Dask frame: each profiled on the workers, same verdicts."""
    current = drifted_frame()
    window = dd.from_pandas(current, npartitions=3)
    for ref, cur, sides in (
        (from_memory, window, ("reference", "current")),
        (frame, window, ("current",)),
        (from_memory, current, ("reference",)),
    ):
        compare_drift_with_pandas(
            make_gate().drift(ref, cur), make_gate().drift(frame, current), sides
        )


def test_drift_on_dask_frames_bad_input_is_an_error(from_memory, frame):  # noqa: F811
    missing = make_gate().drift(from_memory, from_memory.drop(columns=["store"]))
    result = missing.expect_no_drift()
    assert result.status == "error" and "missing 'store'" in result.message
    typed = from_memory.assign(age=from_memory["age"].astype(str))
    changed = make_gate().drift(frame, typed).expect_no_drift()
    assert changed.status == "error" and "the dtype of column 'age' changed" in changed.message
    broken = from_memory.assign(
        income=from_memory["income"].map_partitions(_explode, meta=("income", "f8"))
    )
    failed = make_gate().drift(from_memory, broken).expect_no_drift()
    assert failed.status == "error" and failed.message.startswith("Dask could not compute")


def _explode(part: pd.Series) -> pd.Series:
    raise ValueError("corrupt partition")


def dask_computes(run):
    """``run()`` and the number of ``dask.base.compute`` calls it made."""
    import dask.base

    original, calls = dask.base.compute, []

    def counting(*args, **kwargs):
        calls.append(len(args))
        return original(*args, **kwargs)

    dask.base.compute = counting
    try:
        answer = run()
    finally:
        dask.base.compute = original
    return answer, len(calls)


def test_value_checks_are_answered_from_batched_aggregates(from_memory, frame):  # noqa: F811
    """A range that covers the first pass's min and max needs no compute; the first value
    check on a label column counts all of them in one compute, later ones need none."""
    engine, plain = make_gate().data(from_memory), make_gate().data(frame)
    _, first = dask_computes(lambda: engine.expect_row_count(min=1))
    assert first == 1
    text_range = [lambda d: d.expect_between("city", min=" ")]  # Dask orders text too
    ranges = answered_without_jobs(engine, plain, dask_computes, COVERED_RANGES + text_range)
    assert all(r.status == "passed" for r in ranges)
    _, batched = dask_computes(lambda: LABEL_CHECKS[0](engine))
    assert batched == 1
    labels = answered_without_jobs(engine, plain, dask_computes, LABEL_CHECKS)
    for got, call in zip(labels, LABEL_CHECKS, strict=True):
        assert got.details["examples"] == call(plain).details["examples"]
    outside, computes = dask_computes(lambda: engine.expect_between("age", min=18, max=90))
    want = plain.expect_between("age", min=18, max=90)
    assert computes == 1 and result_figures(outside) == result_figures(want)


# pyarrow's from_pandas of a tz-aware column (Dask's shuffle) on pandas 3.1: not ours
@pytest.mark.filterwarnings("ignore:Series.values returning an ndarray that drops timezone")
def test_profile_edges_as_pandas(dask_client, frame):  # noqa: F811
    """An empty Dask frame profiles as an empty pandas frame; infinities are refused with
    pandas' error; a tz-aware column is one family on both sides."""
    data = frame[["id", "age", "income", "city", "grade"]].head(400).copy()
    parts = dd.from_pandas(data, npartitions=2)
    empty = Profile.from_frame(parts[parts["id"] < 0])
    check_profile_edges(empty, data, lambda d: dd.from_pandas(d, npartitions=3))
    stamps = pd.DataFrame(
        {"t": pd.date_range("2024-01-01", periods=300, freq="h", tz="UTC"), "v": np.arange(300.0)}
    )
    aware = dd.from_pandas(stamps, npartitions=2)
    got = make_gate().drift(stamps, aware).expect_no_drift()
    want = make_gate().drift(stamps, stamps.copy()).expect_no_drift()
    assert got.status == want.status == "passed", got.message
    assert got.details["columns"]["t"]["statistic"] == pytest.approx(
        want.details["columns"]["t"]["statistic"], abs=1e-12
    )
