"""Hypothesis strategies and assertions shared by the fuzz tests (``test_fuzz_*.py``).

Frames and arrays are drawn across the dtypes users hand to the gate: numpy ints, floats and
bools, nullable ``Int64``/``Float64``/``boolean``, ``string[python]``, ``string[pyarrow]``,
``pd.ArrowDtype``, categoricals with unused categories, naive and tz-aware datetimes, object
columns mixing types, NaN/None/inf, empty and one-row frames, duplicate and non-string column
names, and pyarrow (and polars, when installed) tables.

Fast by default (a few seconds per family, derandomised so CI is repeatable); run deep with
``pytest tests/test_fuzz_*.py --hypothesis-profile=long``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from pytest_mlgate.results import CheckResult

STATUSES = {"passed", "failed", "warned", "insufficient", "error"}
KINDS = (
    "int64",
    "float64",
    "bool",
    "Int64",
    "Float64",
    "boolean",
    "string[python]",
    "string[pyarrow]",
    "arrow-int",
    "arrow-string",
    "category",
    "datetime",
    "datetime-tz",
    "object-mixed",
    "object-text",
)
WORDS = ["a", "b", "c", "", "NA", "?", "é", "<script>x</script>"]


def fuzz_settings(quick: int) -> settings:
    """``quick`` examples, derandomised, unless a deeper profile is loaded
    (``--hypothesis-profile=long``), whose own example count then applies at random."""
    deep = settings.default.max_examples > 100
    return settings(
        max_examples=settings.default.max_examples if deep else quick,
        derandomize=not deep,
        # CI reports the first failing example as found: shrinking it can take minutes
        phases=list(Phase) if deep else [Phase.explicit, Phase.reuse, Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )


def _column(kind: str, values: list[Any]) -> pd.Series:
    """One column of ``kind`` built from raw drawn values (numbers, None, NaN, inf, text)."""
    numbers = [v if isinstance(v, int | float) else None for v in values]
    finite_ints = [
        int(max(min(v, 2**40), -(2**40))) if v is not None and math.isfinite(v) else None
        for v in numbers
    ]
    if kind == "int64":
        return pd.Series([v if v is not None else 0 for v in finite_ints], dtype="int64")
    if kind == "float64":
        return pd.Series([np.nan if v is None else float(v) for v in numbers], dtype="float64")
    if kind == "bool":
        return pd.Series([bool(v) for v in finite_ints], dtype="bool")
    if kind == "Int64":
        return pd.Series(finite_ints, dtype="Int64")
    if kind == "Float64":
        return pd.Series(
            [None if v is None or not math.isfinite(v) else float(v) for v in numbers],
            dtype="Float64",
        )
    if kind == "boolean":
        return pd.Series([None if v is None else bool(v % 2) for v in finite_ints], dtype="boolean")
    text = [None if v is None else str(v) for v in values]
    if kind in ("string[python]", "string[pyarrow]"):
        return pd.Series(text, dtype=kind)
    if kind == "arrow-int":
        return pd.Series(finite_ints, dtype=pd.ArrowDtype(pa.int64()))
    if kind == "arrow-string":
        return pd.Series(text, dtype=pd.ArrowDtype(pa.string()))
    if kind == "category":
        levels = sorted({t for t in text if t is not None} | {"unused-1", "unused-2"})
        return pd.Series(pd.Categorical(text, categories=levels))
    if kind in ("datetime", "datetime-tz"):
        stamps = pd.to_datetime(
            [None if v is None else 1_700_000_000 + 86_400 * (v % 1000) for v in finite_ints],
            unit="s",
        )
        series = pd.Series(stamps)
        return series.dt.tz_localize("Europe/Paris") if kind == "datetime-tz" else series
    if kind == "object-text":
        return pd.Series(text, dtype=object)
    return pd.Series(list(values), dtype=object)  # numbers, text, None, NaN, inf, tuples mixed


RAW = st.one_of(
    st.integers(-5, 5),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from(WORDS),
    st.none(),
    st.just((1, 2)),
)
NAMES = st.one_of(st.sampled_from(["x", "y", "z", "age", "0"]), st.integers(0, 3))


@st.composite
def frames(draw: Any, min_rows: int = 0, max_rows: int = 40, max_columns: int = 4) -> Any:
    """A pandas frame (sometimes a pyarrow or polars table) of mixed dtypes."""
    n = draw(st.integers(min_rows, max_rows))
    k = draw(st.integers(1, max_columns))
    unique = st.lists(NAMES, min_size=k, max_size=k, unique_by=str)
    names = draw(st.one_of(unique, unique, unique, st.lists(NAMES, min_size=k, max_size=k)))
    columns = []
    for name in names:
        kind = draw(st.sampled_from(KINDS))
        values = draw(st.lists(RAW, min_size=n, max_size=n))
        columns.append(_column(kind, values).rename(name))
    frame = pd.concat(columns, axis=1)
    frame.index = pd.RangeIndex(n)
    return draw(st.sampled_from(["pandas", "pandas", "pandas", "arrow", "polars"])), frame


def convert(form: str, frame: pd.DataFrame) -> Any:
    """The frame as ``form`` (pyarrow or polars when it converts, else pandas)."""
    if form == "arrow":
        try:
            return pa.Table.from_pandas(frame, preserve_index=False)
        except Exception:  # mixed objects, duplicate names: hand over the pandas frame
            return frame
    if form == "polars":
        try:
            import polars as pl

            return pl.from_pandas(frame)
        except Exception:  # polars not installed, or the frame does not convert
            return frame
    return frame


@st.composite
def arrays(draw: Any, n: int, kinds: tuple[str, ...] = KINDS) -> Any:
    """One label/score vector of length ``n`` (sometimes a numpy array, a list or a Series)."""
    kind = draw(st.sampled_from(kinds))
    values = draw(st.lists(RAW, min_size=n, max_size=n))
    series = _column(kind, values)
    form = draw(st.sampled_from(["series", "numpy", "list"]))
    if form == "numpy":
        return series.to_numpy()
    if form == "list":
        return series.tolist()
    return series


def labels(n: int) -> Any:
    """Mostly well-formed binary labels, sometimes anything."""
    good = st.lists(st.integers(0, 1), min_size=n, max_size=n).map(np.asarray)
    return st.one_of(good, good, arrays(n))


def scores(n: int) -> Any:
    good = st.lists(st.floats(0, 1), min_size=n, max_size=n).map(np.asarray)
    return st.one_of(good, good, arrays(n))


def check_result(result: Any) -> None:
    """What every answer must be: a CheckResult with one of the five statuses, a plain JSON
    record, and no number when the figure is undefined."""
    assert isinstance(result, CheckResult), result
    assert result.status in STATUSES, result.status
    if result.status == "error":
        assert result.observed is None, (result.observed, result.message)
    if result.status == "insufficient" and result.observed is not None:
        # only a defined point estimate whose requested interval is undefined
        assert result.interval is None and result.details.get("confidence"), result.message
    if result.observed is not None:
        assert isinstance(result.observed, float) and math.isfinite(result.observed)
    assert result.message and isinstance(result.message, str)
    json.dumps(result.to_dict(), allow_nan=False)


def run_all(calls: list[tuple[str, Callable[[], Any]]]) -> list[CheckResult]:
    """Run each call; any exception escaping a check fails the test, naming the call."""
    out = []
    for label, call in calls:
        try:
            result = call()
        except Exception as exc:  # pragma: no cover - a finding of the fuzz test
            raise AssertionError(f"{label} raised {type(exc).__name__}: {exc}") from exc
        check_result(result)
        out.append(result)
    return out


def check_artifacts(results: list[CheckResult]) -> None:
    """The results render into a JSON document and HTML pages without a script or a URL."""
    from pytest_mlgate.report.audit import dumps
    from pytest_mlgate.report.html import render_audit, render_model_card
    from pytest_mlgate.report.markdown import render_summary

    from .test_report import EXTERNAL, document

    doc = document([r.to_dict() for r in results])
    assert json.loads(dumps(doc))["summary"]["total"] == len(results)
    for html in (render_audit(doc), render_model_card(doc)):
        assert "<script" not in html.lower() and not EXTERNAL.search(html)
    render_summary(doc)
