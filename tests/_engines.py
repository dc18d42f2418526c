"""What the Spark and Dask tests share: one engine per test session (per xdist worker), the
same data in pandas and in a parquet folder the engines read, and the data-quality calls
whose results must equal the pandas path's.

Spark runs ``local[2]`` with 1 GiB of driver memory, no UI and 2 shuffle partitions; Dask a
``distributed.LocalCluster`` of 2 single-threaded workers in this process (``processes=False``:
starts in about a second, nothing to pickle across processes).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pytest_mlgate.profile import Profile, numeric_values

ROWS = 30_000
README = Path(__file__).resolve().parent.parent / "README.md"


def readme_blocks() -> list[str]:
    """The python blocks of the README's "Spark and Dask" section, verbatim."""
    section = README.read_text(encoding="utf-8").split("\n## Spark and Dask\n", 1)[1]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def make_frame(rows: int = ROWS, seed: int = 16) -> pd.DataFrame:
    """Tens of thousands of rows: nulls, missing-value tokens, a categorical with an unused
    category, timestamps, repeated rows and keys."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "id": np.arange(rows, dtype=np.int64),
            "age": rng.integers(15, 95, rows).astype(np.int64),
            "income": np.round(rng.lognormal(10, 1, rows), 2),
            "score": rng.normal(0.0, 1.0, rows),
            "city": pd.Series(
                rng.choice(
                    ["Lyon", "Paris", "Nice", " NA ", "?", "Oslo"],
                    rows,
                    p=[0.4, 0.3, 0.15, 0.08, 0.05, 0.02],
                ),
                dtype=object,
            ),
            "grade": pd.Categorical(
                rng.choice(["a", "b", "c"], rows, p=[0.6, 0.3, 0.1]),
                categories=["a", "b", "c", "unused"],
            ),
            "seen": pd.to_datetime("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 400, rows), unit="D"),
            "store": rng.integers(0, 40, rows).astype(np.int64),
            "target": rng.integers(0, 2, rows).astype(np.int64),
        }
    )
    df.loc[rng.random(rows) < 0.07, "income"] = np.nan
    df.loc[rng.random(rows) < 0.03, "city"] = None
    df.loc[rng.random(rows) < 0.05, "seen"] = pd.NaT
    df.loc[::97, "income"] = -999.0
    dupes = df.sample(400, random_state=1)
    return pd.concat([df, dupes], ignore_index=True)


def write_parquet(frame: pd.DataFrame, folder: Path, parts: int = 3) -> Path:
    """``frame`` as a parquet folder of ``parts`` files (what a lake holds)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, chunk in enumerate(np.array_split(np.arange(len(frame)), parts)):
        frame.iloc[chunk].to_parquet(folder / f"part-{i}.parquet", index=False)
    return folder


@pytest.fixture(scope="session")
def frame() -> pd.DataFrame:
    return make_frame()


@pytest.fixture(scope="session")
def lake(frame: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_parquet(frame, tmp_path_factory.mktemp("lake") / "train")


@pytest.fixture(scope="session")
def spark() -> Any:
    """One SparkSession per test session (per xdist worker)."""
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("pytest-mlgate-tests")
        .config("spark.driver.memory", "1g")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def dask_client() -> Any:
    """One Dask LocalCluster (2 workers, 1 thread each, in this process) per test session."""
    pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def gate_with_record() -> tuple[Any, Any]:
    """A gate as the fixture builds one, and the record its datasets go to."""
    from pytest_mlgate.card import Card
    from pytest_mlgate.gate import Gate
    from pytest_mlgate.recording import GateSettings, Recorder, TestRecord

    record = TestRecord("engines.py::test")
    recorder = Recorder(GateSettings(nodeid="engines.py::test", markers={}), record)
    return Gate(recorder, Card({}, recorder)), record


#: the data-quality calls compared between an engine and pandas (label, call)
CALLS: list[tuple[str, Callable[[Any], Any]]] = [
    ("columns", lambda d: d.expect_columns(["id", "age", "city", "nope"])),
    (
        "dtypes",
        lambda d: d.expect_dtypes({"age": "integer", "income": "float", "seen": "datetime"}),
    ),
    ("row_count", lambda d: d.expect_row_count(min=10_000, max=20_000)),
    ("not_null", lambda d: d.expect_not_null(max_fraction=0.05)),
    ("not_null_some", lambda d: d.expect_not_null(["age", "city"])),
    ("missing", lambda d: d.expect_consistent_missing()),
    ("missing_tokens", lambda d: d.expect_consistent_missing(["city"], tokens=["?"])),
    ("between", lambda d: d.expect_between("age", min=18, max=90, max_fraction=0.01)),
    ("between_float", lambda d: d.expect_between("income", min=0)),
    ("between_dates", lambda d: d.expect_between("seen", min="2024-03-01", max_fraction=1.0)),
    ("values_in", lambda d: d.expect_values_in("city", ["Lyon", "Paris", "Nice", "Oslo"])),
    ("values_in_grade", lambda d: d.expect_values_in("grade", ["a", "b"], max_fraction=0.2)),
    ("unique_id", lambda d: d.expect_unique("id")),
    ("unique_pair", lambda d: d.expect_unique(["store", "age"], max_count=10**6)),
    ("duplicate_rows", lambda d: d.expect_no_duplicate_rows()),
    ("duplicate_some", lambda d: d.expect_no_duplicate_rows(["store", "target"], max_count=10**6)),
    ("no_null_key", lambda d: d.expect_unique("income")),
    ("bad_column", lambda d: d.expect_not_null(["nope"])),
]


def figures(result: Any) -> tuple[Any, ...]:
    """What must equal the pandas path: verdict, observed figure, and every detail except the
    examples (an engine names the most frequent offenders, pandas the first; an engine has
    no row labels)."""
    details = {k: v for k, v in result.details.items() if k not in ("examples",)}
    return result.status, result.observed, details


#: range checks whose bounds cover the first pass's min and max (answered with no engine job)
COVERED_RANGES: list[Callable[[Any], Any]] = [
    lambda d: d.expect_between("age", min=15, max=95),
    lambda d: d.expect_between("income", min=-1e4),
    lambda d: d.expect_between("seen", min="2023-01-01", max="2026-01-01"),
]
#: value checks on label columns (the first counts every label column at once)
LABEL_CHECKS: list[Callable[[Any], Any]] = [
    lambda d: d.expect_values_in("city", ["Lyon", "Paris", "Nice", "Oslo"]),
    lambda d: d.expect_values_in("grade", ["a", "b"], max_fraction=0.2),
    lambda d: d.expect_consistent_missing(["city", "grade"]),
]


def answered_without_jobs(
    engine_dq: Any,
    pandas_dq: Any,
    counted: Callable[[Callable[[], Any]], tuple[Any, int]],
    calls: list[Callable[[Any], Any]],
) -> list[Any]:
    """Each call on the engine launches no job (``counted(run)`` gives the answer and the
    jobs or computes it launched) and gives the pandas path's figures."""
    results = []
    for call in calls:
        got, jobs = counted(lambda call=call: call(engine_dq))
        assert jobs == 0 and figures(got) == figures(call(pandas_dq)), got.message
        results.append(got)
    return results


def compare_with_pandas(engine_dq: Any, pandas_dq: Any, skip: tuple[str, ...] = ()) -> None:
    """Every call of :data:`CALLS` gives the pandas path's figures and verdict."""
    for label, call in CALLS:
        if label in skip:
            continue
        got, want = call(engine_dq), call(pandas_dq)
        assert figures(got) == figures(want), (label, got.message, want.message)
        if got.status != "error":
            assert len(got.details.get("examples", [])) <= 5
        else:
            assert got.message == want.message, label


def rank_error(sorted_values: np.ndarray, value: float, p: float) -> float:
    """How far (in rank, as a fraction of n) ``value`` is from being the ``p`` quantile."""
    n = sorted_values.size
    below = np.searchsorted(sorted_values, value, side="left") / n
    upto = np.searchsorted(sorted_values, value, side="right") / n
    return float(max(0.0, below - p, p - upto))


def check_profiles(engine: Profile, plain: Profile, data: pd.DataFrame) -> None:
    """Counts and categories exact; exact numeric summaries equal; sketch knots within their
    stated rank error of the data's exact CDF; tails exact."""
    assert engine.rows == plain.rows and list(engine.columns) == list(plain.columns)
    for name, want in plain.columns.items():
        got = engine.columns[name]
        assert (got.count, got.nulls, got.identifier) == (want.count, want.nulls, want.identifier)
        if want.categories is not None and not want.identifier:
            assert got.categories == want.categories, name
        if want.numeric is None:
            continue
        g, w = got.numeric, want.numeric
        assert g.count == w.count and (g.minimum, g.maximum) == (w.minimum, w.maximum), name
        assert g.mean == pytest.approx(w.mean, rel=1e-9) and g.m2 == pytest.approx(w.m2, rel=1e-6)
        if w.exact:
            assert g.exact and np.array_equal(g.values, w.values), name
            assert np.array_equal(g.counts, w.counts)
            continue
        series = data[name]
        values = np.sort(numeric_values(series, "df"))
        probs = np.linspace(0, 1, g.knots.size)
        worst = max(rank_error(values, k, p) for k, p in zip(g.knots, probs, strict=True))
        assert worst <= g.rank_error, (name, worst, g.rank_error)
        if g.low_tail is not None and w.low_tail is not None:
            assert np.array_equal(g.low_tail, w.low_tail)
            assert np.array_equal(g.high_tail, w.high_tail)
        assert int(g.bins.sum()) == g.count


def drifted_frame(rows: int = ROWS) -> pd.DataFrame:
    """A production window against :func:`make_frame`: other draws of the same columns, with
    ``score`` shifted by 0.3 sd and a fifth of ``Lyon`` gone to ``Paris``."""
    current = make_frame(rows, seed=17)
    current["score"] += 0.3
    lyon = current.index[current["city"] == "Lyon"]
    current.loc[lyon[::5], "city"] = "Paris"
    return current


#: the drift calls compared between engine sides and pandas (label, call)
DRIFT_CALLS: list[tuple[str, Callable[[Any], Any]]] = [
    ("auto", lambda d: d.expect_no_drift()),
    ("psi", lambda d: d.expect_no_drift(method="psi")),
    ("score_ks", lambda d: d.expect_column("score", "ks")),
    ("income_wasserstein", lambda d: d.expect_column("income", "wasserstein")),
    ("city_chi2", lambda d: d.expect_column("city", "chi2")),
    ("age_psi", lambda d: d.expect_column("age", "psi")),
]


def compare_drift_with_pandas(engine: Any, plain: Any, sides: tuple[str, ...]) -> None:
    """Every call of :data:`DRIFT_CALLS` gives the pandas path's verdicts: the same status,
    the same drifted columns and tests; the figures equal where both sides are exact and
    within the sketches' bounds elsewhere; the record says which sides are engine profiles."""
    for label, call in DRIFT_CALLS:
        got, want = call(engine), call(plain)
        assert got.status == want.status, (label, got.message, want.message)
        assert got.details.get("drifted") == want.details.get("drifted"), label
        assert sorted(got.details["engine_profiles"]) == sorted(sides), label
        assert "profiled inside" in got.details["engine_profiles"][sides[0]]
        approximate = got.details.get("approximation", {})
        for column, fig in want.details.get("columns", {}).items():
            mine = got.details["columns"][column]
            assert mine.get("test") == fig.get("test"), (label, column)
            for key in ("statistic", "effect"):
                if fig.get(key) is None:
                    continue
                tolerance = 5e-3 if column in approximate else 1e-9
                assert mine[key] == pytest.approx(fig[key], rel=tolerance, abs=tolerance), (
                    label,
                    column,
                    key,
                )
        if not approximate:
            assert got.observed == pytest.approx(want.observed, rel=1e-9), label


def check_profile_edges(
    empty: Profile, data: pd.DataFrame, to_engine: Callable[[Any], Any]
) -> None:
    """An empty engine frame's profile is an empty pandas frame's (``empty``, of ``data``'s
    columns); infinities in ``data`` are refused by the engine with pandas' error."""
    plain = Profile.from_frame(data.head(0))
    assert empty.rows == 0 and list(empty.columns) == list(plain.columns)
    for name, want in plain.columns.items():
        got = empty.columns[name]
        assert (got.family, got.count, got.nulls, got.categories, got.numeric) == (
            want.family,
            want.count,
            want.nulls,
            want.categories,
            want.numeric,
        ), name
    infinite = data.assign(income=data["income"].where(data["id"] % 50 != 3, np.inf))
    with pytest.raises(Exception) as want_error:
        Profile.from_frame(infinite)
    with pytest.raises(type(want_error.value)) as got_error:
        Profile.from_frame(to_engine(infinite))
    assert str(got_error.value) == str(want_error.value) and "infinite" in str(got_error.value)
