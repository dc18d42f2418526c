"""polars frames: a ``LazyFrame`` (and an eager ``DataFrame``, through the same queries) gives
every data-quality figure and verdict of the pandas path on the same data, exact aggregates,
a profile equal to pandas' within its stated error, and failures as ``error`` results."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pytest_mlgate.profile import Profile
from pytest_mlgate.tables import as_table
from pytest_mlgate.tables.engines import engine_of

from ._engines import (  # noqa: F401
    check_profiles,
    compare_with_pandas,
    figures,
    frame,
    gate_with_record,
    write_parquet,
)
from .conftest import make_gate

pl = pytest.importorskip("polars")
README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(scope="module")
def lazy(frame):  # noqa: F811
    return pl.from_pandas(frame).lazy()


@pytest.fixture(scope="module")
def native():
    """Built in polars: NaN beside nulls in a float column, an Enum with an unused level, a
    Categorical, dates, time-zone-aware datetimes, text with tokens, repeated rows."""
    rng = np.random.default_rng(7)
    n = 3000
    x = rng.normal(5, 2, n)
    x[rng.random(n) < 0.05] = np.nan
    floats = [None if i % 37 == 0 else float(v) for i, v in enumerate(x)]
    base = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    df = pl.DataFrame(
        {
            "k": rng.integers(0, 500, n),
            "x": pl.Series(floats, dtype=pl.Float64),
            "e": pl.Series(
                rng.choice(["lo", "hi"], n).tolist(), dtype=pl.Enum(["lo", "hi", "never"])
            ),
            "c": pl.Series(rng.choice(["u", "v", "w"], n).tolist(), dtype=pl.Categorical),
            "d": [dt.date(2024, 1, 1) + dt.timedelta(days=int(v)) for v in rng.integers(0, 90, n)],
            "t": [base + dt.timedelta(hours=int(v)) for v in rng.integers(0, 2000, n)],
            "s": [None if v == "none" else v for v in rng.choice(["a", "b", " N/A", "none"], n)],
            "b": rng.random(n) < 0.3,
        }
    )
    return pl.concat([df, df.head(50)]).lazy()


NATIVE_CALLS = [
    lambda d: d.expect_not_null(max_fraction=0.01),
    lambda d: d.expect_consistent_missing(),
    lambda d: d.expect_between("x", min=0, max=9, max_fraction=0.2),
    lambda d: d.expect_between("d", min="2024-02-01", max_fraction=1.0),
    lambda d: d.expect_between("t", max=pd.Timestamp("2024-02-01", tz="UTC"), max_fraction=1.0),
    lambda d: d.expect_values_in("e", ["lo"], max_fraction=1.0),
    lambda d: d.expect_values_in("c", ["u", "v"], max_fraction=1.0),
    lambda d: d.expect_values_in("k", [1, 2.0, "3"], max_fraction=1.0),
    lambda d: d.expect_values_in("b", [True], max_fraction=1.0),
    lambda d: d.expect_unique(["k", "e"], max_count=10**6),
    lambda d: d.expect_no_duplicate_rows(max_count=10),
    lambda d: d.expect_no_duplicate_rows(["k", "c"], max_count=10**6),
    lambda d: d.expect_unique("x"),
    lambda d: d.expect_dtypes({"e": "category", "d": "datetime", "t": "datetime", "b": "bool"}),
]


def outcome(result):
    return result.status, result.observed, result.details, result.message


def test_as_table_recognises_polars_frames(lazy, frame):  # noqa: F811
    from pytest_mlgate.tables.polars import PolarsTable

    for obj in (lazy, lazy.collect()):
        table = as_table(obj, "df")
        assert isinstance(table, PolarsTable) and table.columns == list(frame.columns)
        assert engine_of(obj) == "polars"
    table = as_table(lazy, "df")
    assert table.is_kind("grade", "category") and not table.is_kind("grade", "string")
    assert table.is_kind("seen", "datetime") and table.is_kind("city", "string")
    assert table.is_kind("age", "integer") and table.is_kind("income", "float")
    assert engine_of(frame) is None


def test_polars_is_imported_only_for_a_polars_frame():
    code = (
        "import sys, pandas as pd\n"
        "from pytest_mlgate.profile import Profile\n"
        "from pytest_mlgate.tables import as_table\n"
        "df = pd.DataFrame({'x': [1, 2]})\n"
        "as_table(df, 'df').null_counts(['x']); Profile.from_frame(df)\n"
        "assert 'polars' not in sys.modules, 'polars imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_data_quality_equals_pandas(lazy, frame):  # noqa: F811
    plain = make_gate().data(frame, name="lake")
    compare_with_pandas(make_gate().data(lazy, name="lake"), plain)
    compare_with_pandas(make_gate().data(lazy.collect(), name="lake"), plain)
    # polars keeps its row order: row examples are positions, pandas' RangeIndex labels
    for call in (
        lambda d: d.expect_not_null(["income"], max_fraction=1.0),
        lambda d: d.expect_no_duplicate_rows(),
        lambda d: d.expect_unique(["store", "age"], max_count=10**6),
    ):
        assert outcome(call(make_gate().data(lazy))) == outcome(call(make_gate().data(frame)))


def test_polars_native_types_equal_the_pandas_conversion(native):
    """What ``to_pandas()`` gave before: the same figures and verdicts (examples of a polars
    ``Date`` column stay dates; pandas reads them as timestamps)."""
    converted = native.collect().to_pandas()
    assert converted["x"].isna().sum() == as_table(native, "df").null_counts(["x"])["x"]
    for call in NATIVE_CALLS:
        got = call(make_gate().data(native))
        want = call(make_gate().data(converted))
        assert figures(got) == figures(want), (got.message, want.message)
        if got.status == "error":  # a null key (x): the same error
            assert got.message == want.message


def test_aggregates_are_exact(lazy, frame):  # noqa: F811
    table, plain = as_table(lazy, "df"), as_table(frame, "df")
    assert table.rank_error == 0.0
    probs = [0.0, 0.001, 0.1, 0.25, 0.5, 0.77, 0.9, 0.999, 1.0]
    for column in ("score", "income", "age", "seen"):
        np.testing.assert_allclose(
            table.quantiles(column, probs), plain.quantiles(column, probs), rtol=1e-12
        )
        edges = list(np.unique(plain.quantiles(column, [0.1, 0.5, 0.9])))
        assert table.histogram(column, edges) == plain.histogram(column, edges)
    assert table.value_counts("grade", 10) == plain.value_counts("grade", 10)
    assert table.value_counts("city", 10) == plain.value_counts("city", 10)
    assert table.value_counts("age", 10) is None
    assert table.min_max("income") == plain.min_max("income")
    tokens = (frozenset({"na", "?"}), frozenset({-999.0}))
    for column in ("city", "income", "grade", "seen"):
        assert table.token_counts(column, *tokens) == plain.token_counts(column, *tokens)
    n, mean, m2, distinct = table.moments("income")
    values = frame["income"].dropna().to_numpy()
    assert (n, distinct) == (values.size, np.unique(values).size)
    assert mean == pytest.approx(values.mean(), rel=1e-12)
    assert m2 == pytest.approx(((values - values.mean()) ** 2).sum(), rel=1e-9)
    low, high = table.extremes("score", 4)
    ordered = np.sort(frame["score"].to_numpy())
    assert low == list(ordered[:4]) and high == list(ordered[-4:])


def test_overlap_and_leakage(lazy, frame):  # noqa: F811
    test = frame.sample(500, random_state=2)
    want = make_gate().data(frame).expect_no_overlap(test, columns=["store", "age"])
    for other in (test, pl.from_pandas(test).lazy(), pl.from_pandas(test)):
        got = make_gate().data(lazy).expect_no_overlap(other, columns=["store", "age"])
        assert (got.status, got.observed, got.details["examples"]) == (
            want.status,
            want.observed,
            want.details["examples"],
        )
    # keys that no value can match (text against integers): none found, as on pandas
    texts = pd.DataFrame({"store": ["1", "2"]})
    got = make_gate().data(lazy).expect_no_overlap(texts, columns=["store"])
    want = make_gate().data(frame).expect_no_overlap(texts, columns=["store"])
    assert (got.status, got.observed) == (want.status, want.observed) == ("passed", 0)
    # a pandas frame against a LazyFrame: the LazyFrame's rows would be needed
    other = make_gate().data(frame).expect_no_overlap(lazy, columns=["store"])
    assert other.status == "error" and "does not collect a polars table" in other.message

    leak = make_gate().data(lazy).expect_no_leakage("target")
    assert leak.status == "error"
    assert "does not collect a polars table (30,400 rows)" in leak.message
    eager = make_gate().data(lazy.collect()).expect_no_leakage("target")
    assert outcome(eager) == outcome(make_gate().data(frame).expect_no_leakage("target"))


def test_bad_input_is_an_error(lazy, frame):  # noqa: F811
    failing = lazy.with_columns(pl.col("city").cast(pl.Int64))
    result = make_gate().data(failing, name="b").expect_not_null(["age"])
    assert result.status == "error"
    assert result.message.startswith("polars could not compute the row count and null counts:")
    assert "Traceback" not in result.message

    missing = make_gate().data(lazy.select("nope"), name="m").expect_row_count(min=1)
    assert missing.status == "error" and "polars could not compute the schema" in missing.message

    empty = make_gate().data(lazy.filter(pl.col("id") < 0)).expect_row_count(min=1)
    assert empty.status == "error" and "the polars frame is empty" in empty.message
    eager_empty = make_gate().data(lazy.collect().head(0)).expect_row_count(min=1)
    pandas_empty = make_gate().data(frame.head(0)).expect_row_count(min=1)
    assert (eager_empty.status, eager_empty.message) == (pandas_empty.status, pandas_empty.message)

    typed = make_gate().data(lazy).expect_between("city", min=0)
    assert typed.status == "error" and "cannot be compared" in typed.message
    column = make_gate().data(lazy).expect_values_in("nope", ["a"])
    assert column.status == "error" and "no such column 'nope'" in column.message
    with pytest.raises(Exception, match="polars could not compute"):
        Profile.from_frame(failing)


def test_dataset_fingerprint_is_order_independent(lazy, frame):  # noqa: F811
    gate, record = gate_with_record()
    gate.data(lazy, name="a").expect_row_count(min=1)
    shuffled = pl.from_pandas(frame.sample(frac=1.0, random_state=5)).lazy()
    gate.data(shuffled, name="b").expect_row_count(min=1)
    gate.data(lazy.collect(), name="eager").expect_row_count(min=1)
    gate.data(lazy.filter(pl.col("id") > 0), name="c").expect_row_count(min=1)
    entries = {d["name"]: d for d in record.payload("setup")["datasets"]}
    assert (entries["a"]["rows"], entries["a"]["columns"]) == (30_400, frame.shape[1])
    assert entries["a"]["sha256"] == entries["b"]["sha256"] == entries["eager"]["sha256"]
    assert entries["c"]["sha256"] != entries["a"]["sha256"]
    assert entries["a"]["sha256"].startswith("sha256:")


def test_fingerprint_is_the_same_in_another_process():
    code = (
        "import polars as pl\n"
        "from pytest_mlgate.tables import as_table\n"
        "lf = pl.LazyFrame({'a': [1, None], 'c': pl.Series(['p', 'q'], dtype=pl.Categorical),"
        " 'f': [float('nan'), 0.5]})\n"
        "print(as_table(lf, 'df').dataset().mlgate_fingerprint())\n"
    )
    first, second = (
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        for _ in range(2)
    )
    assert first.stdout == second.stdout and first.stdout.startswith("sha256:")


def test_profile_equals_pandas_and_merges(lazy, frame):  # noqa: F811
    plain = Profile.from_frame(frame)
    built = Profile.from_frame(lazy)
    check_profiles(built, plain, frame)
    for name, want in plain.columns.items():  # exact quantiles: pandas' edges and bins
        got = built.columns[name]
        if want.numeric is not None:
            assert np.array_equal(got.numeric.edges, want.numeric.edges), name
            assert np.array_equal(got.numeric.bins, want.numeric.bins), name
            assert got.numeric.rank_error == want.numeric.rank_error, name
    even = lazy.filter(pl.col("id") % 2 == 0)
    odd = lazy.filter(pl.col("id") % 2 == 1)
    check_profiles(Profile.from_frame(even).merge(Profile.from_frame(odd)), plain, frame)


def test_drift_between_two_polars_profiles_equals_pandas(lazy, frame):  # noqa: F811
    even, odd = lazy.filter(pl.col("id") % 2 == 0), lazy.filter(pl.col("id") % 2 == 1)
    mine = make_gate().drift(Profile.from_frame(even), Profile.from_frame(odd)).expect_no_drift()
    theirs = (
        make_gate()
        .drift(
            Profile.from_frame(frame[frame["id"] % 2 == 0]),
            Profile.from_frame(frame[frame["id"] % 2 == 1]),
        )
        .expect_no_drift()
    )
    assert mine.status == theirs.status and mine.status in ("passed", "failed"), mine.message
    for column, want in theirs.details["columns"].items():
        got = mine.details["columns"][column]
        assert got.get("test") == want.get("test"), column
        if want.get("statistic") is not None:
            # both sides within their knots' stated rank error (pandas' own, 1e-3 + 1/n)
            assert got["statistic"] == pytest.approx(want["statistic"], abs=2e-3), column


def test_drift_on_a_lazyframe_is_profiled_inside_polars(lazy, frame):  # noqa: F811
    """A LazyFrame side is profiled as polars queries (the engine-frame path), never
    collected; the verdict equals the pandas path's."""
    result = make_gate().drift(frame, lazy).expect_no_drift()
    local = make_gate().drift(frame, frame.copy()).expect_no_drift()
    assert result.status == local.status == "passed", result.message
    assert "current" in str(result.details.get("engine_profiles")), result.details.keys()
    eager = make_gate().drift(frame, lazy.collect()).expect_no_drift()
    assert eager.status == "passed", eager.message


def test_readme_gate_on_a_lazyframe(pytester, frame):  # noqa: F811
    section = README.read_text(encoding="utf-8").split("\n### polars\n", 1)[1]
    (block,) = re.findall(r"```python\n(.*?)```", section, re.S)
    pytester.makepyfile(test_lake=block)
    write_parquet(frame, pytester.path / "lake" / "train")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def profile_facts(profile):
    """What an engine profile of an empty or odd frame must share with pandas' profile."""
    return profile.rows, {
        name: (col.family, col.count, col.nulls, col.categories, col.numeric, col.identifier)
        for name, col in profile.columns.items()
    }


def test_an_empty_polars_frame_profiles_as_an_empty_pandas_frame():
    """An empty frame (eager or lazy) is profiled as pandas profiles one (0 rows, empty
    columns); mlgate.data still refuses an empty eager frame at the factory, with pandas'
    message."""
    data = pl.DataFrame(
        {
            "x": pl.Series([], dtype=pl.Float64),
            "k": pl.Series([], dtype=pl.Int64),
            "s": pl.Series([], dtype=pl.String),
            "b": pl.Series([], dtype=pl.Boolean),
        }
    )
    want = profile_facts(Profile.from_frame(data.to_pandas()))
    assert want[0] == 0
    assert profile_facts(Profile.from_frame(data)) == want
    assert profile_facts(Profile.from_frame(data.lazy())) == want
    assert profile_facts(Profile.from_frame(pl.LazyFrame({"x": [1.0]}).head(0))) == (
        profile_facts(Profile.from_frame(pd.DataFrame({"x": pd.Series([], dtype=float)})))
    )
    gate = make_gate()
    eager = gate.data(data).expect_row_count(min=1)
    plain = make_gate().data(data.to_pandas()).expect_row_count(min=1)
    assert (eager.status, eager.message) == (plain.status, plain.message)
    assert "the frame is empty (0 rows x 4 columns)" in eager.message


def test_infinities_are_refused_by_a_polars_profile_as_by_pandas():
    data = pl.DataFrame({"ok": [1.0, 2.0, 3.0, 4.0], "x": [1.0, float("inf"), -float("inf"), 2.0]})
    with pytest.raises(Exception) as plain:
        Profile.from_frame(data.to_pandas())
    for frame_ in (data, data.lazy()):
        with pytest.raises(type(plain.value)) as got:
            Profile.from_frame(frame_)
        assert str(got.value) == str(plain.value)
    assert "column 'x' holds 2 infinite values" in str(plain.value)
    drift = make_gate().drift(data.to_pandas().fillna(0), data.lazy()).expect_no_drift()
    assert drift.status == "error" and "holds 2 infinite values" in drift.message


def test_a_tz_aware_column_is_no_type_change_against_polars():
    """The same instants in pandas (tz-aware) and polars (Datetime with a time zone) are one
    dtype family, so drift compares them (no 'dtype changed' error); the figures are those
    of pandas against itself."""
    stamps = pd.date_range("2024-01-01", periods=500, freq="h", tz="UTC")
    plain = pd.DataFrame({"t": stamps, "v": np.arange(500.0)})
    # built in polars (from_pandas of a tz-aware column warns on pandas 3.1)
    lazy_ = pl.LazyFrame({"t": list(stamps.to_pydatetime()), "v": np.arange(500.0)})
    assert as_table(lazy_, "df").time_zone("t") == "UTC"
    got = make_gate().drift(plain, lazy_).expect_no_drift()
    want = make_gate().drift(plain, plain.copy()).expect_no_drift()
    assert got.status == want.status == "passed", got.message
    assert got.details["columns"]["t"]["statistic"] == pytest.approx(
        want.details["columns"]["t"]["statistic"], abs=1e-12
    )
    naive = pl.from_pandas(plain.assign(t=plain["t"].dt.tz_localize(None))).lazy()
    changed = make_gate().drift(plain, naive).expect_no_drift()
    assert changed.status == "error" and "the dtype of column 't' changed" in changed.message


def test_is_complex_reads_engine_type_names_as_not_complex():
    """A profile stores an engine's type name (``Datetime[us, UTC]``), which numpy reads as a
    format string and refuses with ValueError (not TypeError): not complex, no crash."""
    from pytest_mlgate.checks.drift.inputs import is_complex

    for name in ("Datetime[us, UTC]", "Decimal[10, 2]", "timestamp", "string", "Enum"):
        assert is_complex(name) is False
    assert is_complex("complex128") and is_complex(np.dtype("complex64"))
