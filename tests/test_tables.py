"""The data-access seam: the pandas Table's aggregates against independent computations, and
the data-quality checks run through a Table that has no rows (what an engine table will be)."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pytest_mlgate.tables import Table, Violations, as_table, needs_rows
from pytest_mlgate.tables.pandas import PandasTable

from .conftest import make_gate


@pytest.fixture
def mixed():
    rng = np.random.default_rng(3)
    n = 2000
    df = pd.DataFrame(
        {
            "i": rng.integers(-5, 40, n),
            "f": rng.normal(10, 5, n),
            "s": pd.Series(rng.choice(["a", "b", " NA ", "?", None], n), dtype=object),
            "c": pd.Categorical(rng.choice(["p", "q", None], n), categories=["p", "q", "unused"]),
            "t": pd.to_datetime(rng.choice(["2024-01-01", "2024-02-01", None], n)),
            "k": rng.integers(0, 300, n),
        }
    )
    df.loc[rng.random(n) < 0.1, "f"] = np.nan
    df.loc[::11, "f"] = -999.0
    return df


def test_as_table_wraps_frames_and_keeps_tables(mixed):
    table = as_table(mixed, "df")
    assert isinstance(table, PandasTable) and isinstance(table, Table)
    assert as_table(table, "df") is table
    assert table.dataset() is mixed and table.rows(["i"], "x") is mixed
    assert not isinstance(mixed, Table)
    pa = pytest.importorskip("pyarrow")
    arrow = as_table(pa.table({"x": [1, 2]}), "df")
    assert arrow.columns == ["x"] and arrow.row_count() == 2


def test_counts_match_plain_python(mixed):
    table = PandasTable(mixed)
    records = mixed.to_dict("records")
    assert table.row_count() == len(records)
    nulls = table.null_counts(list(mixed.columns))
    for col in mixed.columns:
        assert nulls[col] == sum(pd.isna(r[col]) for r in records), col
    first = [i for i, r in enumerate(records) if pd.isna(r["f"])][:5]
    assert table.null_rows("f", 5) == first

    values = [r["f"] for r in records if not pd.isna(r["f"])]
    bad = [v for v in values if v < 0 or v > 20]
    out = table.outside("f", 0, 20, 3)
    assert (out.count, out.among) == (len(bad), len(values))
    assert out.examples[0] == -999.0 and len(out.examples) == 3
    assert set(out.examples) <= set(bad)

    strings = [r["s"] for r in records if r["s"] is not None]
    not_in = table.not_in("s", ["a", "b"], 5)
    assert (not_in.count, not_in.among) == (sum(v not in ("a", "b") for v in strings), len(strings))
    top = Counter(v for v in strings if v not in ("a", "b")).most_common()
    assert not_in.examples == [v for v, _ in top]


def test_token_counts_per_distinct_value(mixed):
    table = PandasTable(mixed)
    text, numbers = frozenset({"na", "?"}), frozenset({-999.0})
    expected = Counter(v for v in mixed["s"] if isinstance(v, str) and v.strip().lower() in text)
    assert table.token_counts("s", text, numbers) == dict(expected.most_common())
    assert table.token_counts("f", text, numbers) == {-999.0: int((mixed["f"] == -999).sum())}
    assert table.token_counts("f", text, frozenset()) == {}
    assert PandasTable(pd.DataFrame({"b": [True, False]})).token_counts("b", text, numbers) == {}


def test_duplicates_and_keys_match_pandas(mixed):
    table = PandasTable(mixed)
    rows = table.duplicate_rows(None, 5)
    assert rows.count == int(mixed.duplicated().sum()) and rows.among == len(mixed)
    assert rows.examples == mixed.index[mixed.duplicated()][:5].tolist()
    single = table.duplicate_keys(["k"], 5)
    assert single.count == int(mixed["k"].duplicated().sum())
    repeated = mixed["k"][mixed["k"].duplicated()].tolist()
    assert single.examples == list(dict.fromkeys(repeated))[:5]
    pair = table.duplicate_keys(["k", "i"], 5)
    assert pair.count == int(mixed.duplicated(subset=["k", "i"]).sum())
    assert all(isinstance(e, tuple) and len(e) == 2 for e in pair.examples)

    other = PandasTable(mixed.sample(300, random_state=0).assign(k=lambda d: d["k"] + 150))
    hits = table.keys_in(["k"], other, 5)
    theirs = set(other.frame["k"])
    assert hits.count == sum(k in theirs for k in mixed["k"])
    assert set(hits.examples) <= theirs
    both = table.keys_in(["k", "i"], other, 5)
    pairs = set(zip(other.frame["k"], other.frame["i"], strict=True))
    assert both.count == sum(p in pairs for p in zip(mixed["k"], mixed["i"], strict=True))


def test_profile_aggregates(mixed):
    table = PandasTable(mixed)
    f = mixed["f"].dropna()
    assert table.min_max("f") == (f.min(), f.max())
    assert table.min_max("f") == (-999.0, pytest.approx(f[f > -999].max()))
    assert PandasTable(pd.DataFrame({"x": [None, None]})).min_max("x") == (None, None)
    counts = table.value_counts("c", 10)
    assert counts == dict(Counter(v for v in mixed["c"] if isinstance(v, str)).most_common())
    assert "unused" not in counts
    assert table.value_counts("k", 10) is None  # more distinct values than the limit

    probs = [0.0, 0.1, 0.5, 0.9, 1.0]
    expected = f.quantile(probs, interpolation="linear").tolist()
    np.testing.assert_allclose(table.quantiles("f", probs), expected, rtol=1e-12)
    stamps = mixed["t"].dropna().dt.as_unit("ns").astype("int64")  # ns since the epoch
    assert table.quantiles("t", [0.5]) == [float(stamps.quantile(0.5))]

    edges = [-100.0, 0.0, 10.0, 20.0]
    counts = table.histogram("f", edges)
    bounds = [-np.inf, *edges, np.inf]
    manual = [sum(lo < v <= hi for v in f) for lo, hi in pairwise(bounds)]
    assert counts == manual and sum(counts) == len(f) and len(counts) == len(edges) + 1


class RowlessTable:
    """A Table answering aggregates only, as an engine table does: rows raise."""

    engine = "Spark"

    def __init__(self, frame: pd.DataFrame) -> None:
        self._inner = PandasTable(frame)
        self.asked: list[str] = []

    @property
    def columns(self) -> list[Any]:
        return self._inner.columns

    def rows(self, columns: Any, check: str) -> pd.DataFrame:
        raise needs_rows(self.engine, check, "1,000,000 rows")


def _forward(name: str) -> Any:
    def method(self: RowlessTable, *args: Any, **kwargs: Any) -> Any:
        self.asked.append(name)
        return getattr(self._inner, name)(*args, **kwargs)

    return method


# Real methods, not __getattr__: from Python 3.12 a runtime-checkable Protocol's isinstance looks
# attributes up statically, so a table that forwards through __getattr__ is no Table.
for _name, _member in vars(Table).items():
    if callable(_member) and not _name.startswith("_") and _name != "rows":
        setattr(RowlessTable, _name, _forward(_name))


def test_every_check_but_leakage_runs_on_aggregates_alone(adult):
    table = RowlessTable(adult)
    assert isinstance(table, Table)
    gate = make_gate()
    dq = gate.data(table, name="lake")
    plain = make_gate().data(adult, name="lake")
    calls = [
        lambda d: d.expect_columns(["age", "sex"]),
        lambda d: d.expect_dtypes({"age": "integer", "sex": "string"}),
        lambda d: d.expect_row_count(min=10),
        lambda d: d.expect_not_null(max_fraction=0.1),
        lambda d: d.expect_consistent_missing(),
        lambda d: d.expect_between("age", min=20, max=60, max_fraction=1.0),
        lambda d: d.expect_values_in("sex", ["Male"], max_fraction=1.0),
        lambda d: d.expect_unique(["age", "fnlwgt"], max_count=10**6),
        lambda d: d.expect_no_duplicate_rows(max_count=10**6),
        lambda d: d.expect_no_overlap(adult.head(100), columns=["fnlwgt"], max_count=10**6),
    ]
    for call in calls:
        got, want = call(dq), call(plain)
        assert got.status == want.status != "error", got.message
        assert (got.observed, got.details, got.message) == (
            want.observed,
            want.details,
            want.message,
        )
    assert {"null_counts", "outside", "not_in", "duplicate_rows", "keys_in"} <= set(table.asked)

    leak = dq.expect_no_leakage("target")
    assert leak.status == "error"
    assert leak.message == (
        "expect_no_leakage: needs the rows themselves, and the gate does not collect a Spark "
        "table (1,000,000 rows). Gate a sample (e.g. a Spark sample converted to pandas) for "
        "expect_no_leakage, or collect the table to pandas first if it fits in memory."
    )
    # a pandas frame checked against keys held in an engine: the engine's rows are needed
    other = make_gate().data(adult.head(50), name="x").expect_no_overlap(table, columns=["age"])
    assert other.status == "error" and other.message.startswith("expect_no_overlap: needs the rows")


def test_model_names_the_model_the_data_belongs_to(adult):
    gate = make_gate()
    result = gate.data(adult, name="train", model="churn-v2").expect_row_count(min=1)
    assert result.markers["model"] == "churn-v2"
    unusable = make_gate()
    bad = unusable.data([1, 2], name="broken", model="churn-v2")
    assert bad.expect_row_count(min=1).markers["model"] == "churn-v2"
    assert "model" not in make_gate().data(adult).expect_row_count(min=1).markers


def test_violations_default_to_no_examples():
    assert Violations(0, 10).examples == []


def test_the_spark_tables_exact_limit_is_the_profiles():
    """tables.spark keeps its own copy of summaries.MAX_EXACT (a lower layer cannot import
    it): the columns it counts exactly with their moments are those a profile needs."""
    from pytest_mlgate.summaries import MAX_EXACT
    from pytest_mlgate.tables import spark

    assert spark.MAX_EXACT == MAX_EXACT
