"""Profiles of engine tables: the same mergeable :class:`~pytest_mlgate.profile.Profile` as
``Profile.from_frame(pandas)``, built from a table's aggregates (:mod:`pytest_mlgate.tables`)
so that only the summary leaves the engine.

Per column, from the table:

- row count and nulls: the table's first pass (one pass for every column);
- categorical columns (bool, text, category): exact value counts (keys as text), up to
  :data:`CATEGORY_LIMIT` distinct values; above it a column whose values are all distinct is
  an identifier (nothing but the counts, as in pandas), any other is an error naming it;
- numeric and datetime columns (datetimes as nanoseconds): with at most ``MAX_EXACT``
  distinct values, their exact counts (everything else derived from them exactly, as pandas
  does); otherwise the moments, the ``SKETCH_KNOTS`` knots from the engine's quantile sketch
  (ends set to the exact minimum and maximum), the ``TAIL_VALUES`` smallest and largest values
  exactly, the decile edges from the sketch and exact bin counts on those edges. The knots'
  ``rank_error`` is pandas' (``SKETCH_STEP + 1/n``) plus the engine's sketch error
  (``table.rank_error``: 1e-4 for Spark's ``percentile_approx`` at accuracy 10,000 and for the
  Dask table's merged knots), so a merge of such profiles keeps an honest bound.

>>> Profile.from_frame(spark.read.parquet("lake/prod/2026-12-01"))   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import MlgateInputError
from .stats.drift import BIN_PROBABILITIES
from .summaries import (
    KNOT_PROBABILITIES,
    MAX_EXACT,
    SKETCH_STEP,
    TAIL_VALUES,
    ColumnProfile,
    NumericSummary,
)

#: distinct values of a categorical column an engine profile counts exactly
CATEGORY_LIMIT = 100_000


def profile_columns(table: Any) -> tuple[int, dict[str, ColumnProfile]]:
    """The row count and column profiles of a table (a
    :class:`~pytest_mlgate.tables.base.Table` with the engine extras ``moments`` (count, mean,
    m2, distinct), ``extremes``, ``distinct_count`` and ``rank_error``), from which
    ``Profile.from_frame`` builds the profile of an engine frame."""
    columns = table.columns
    nulls = table.null_counts(columns)
    rows = table.row_count()
    return rows, {str(name): _column(table, name, rows - nulls[name]) for name in columns}


def _family(table: Any, name: Any) -> str:
    if table.is_kind(name, "datetime"):
        return "datetime"
    if table.is_kind(name, "numeric"):
        return "numeric"
    return "categorical"


def _column(table: Any, name: Any, count: int) -> ColumnProfile:
    fam = _family(table, name)
    col = ColumnProfile(fam, table.dtype(name), table.is_kind(name, "integer"), count, 0)
    col.nulls = table.row_count() - count
    if fam == "categorical":
        counts = table.value_counts(name, CATEGORY_LIMIT)
        plain = not table.is_kind(name, "category") and not table.is_kind(name, "bool")
        if counts is None:
            if plain and table.distinct_count(name) == count:
                col.identifier = count > 1
                return col
            raise MlgateInputError(
                "df",
                f"column {name!r} has more than {CATEGORY_LIMIT:,} distinct values, and not all "
                "distinct: too many to count exactly in a profile.",
                "Bucket or drop the column before profiling it.",
            )
        keyed: dict[str, int] = {}
        for value, n in counts.items():
            keyed[str(value)] = keyed.get(str(value), 0) + int(n)
        col.categories = keyed
        col.identifier = count > 1 and len(keyed) == count and plain
        return col
    if count == 0:
        return col
    counts = table.value_counts(name, MAX_EXACT)
    col.numeric = _exact(counts, count) if counts is not None else _sketch(table, name, count)
    col.identifier = col.integer and col.numeric.unique
    return col


def _as_number(value: Any) -> float:
    """A value the table returned, as the profile's float (datetimes in nanoseconds)."""
    import pandas as pd

    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return float(value)
    return float(pd.Timestamp(value).as_unit("ns").value)


def _exact(counts: dict[Any, int], n: int) -> NumericSummary:
    """The summary pandas builds from the sorted values, derived from their exact counts."""
    pairs = sorted((_as_number(v), int(c)) for v, c in counts.items())
    values = np.array([v for v, _ in pairs], dtype=np.float64)
    weights = np.array([c for _, c in pairs], dtype=np.int64)
    mean = float(np.dot(values, weights) / n)
    m2 = float(np.dot(weights, (values - mean) ** 2))
    cum = np.cumsum(weights)

    def at(k: np.ndarray) -> np.ndarray:
        out: np.ndarray = values[np.searchsorted(cum, k, side="right")]
        return out

    pos = BIN_PROBABILITIES * (n - 1)
    lo = np.floor(pos).astype(np.int64)
    frac = pos - lo
    a, b = at(lo), at(np.minimum(lo + 1, n - 1))
    edges = np.unique(np.where(frac >= 0.5, b - (b - a) * (1 - frac), a + (b - a) * frac))
    below = np.concatenate([[0], cum])[np.searchsorted(values, edges, side="right")]
    bins = np.diff(np.concatenate([[0], below, [n]])).astype(np.int64)
    summary = NumericSummary(
        n, mean, m2, float(values[0]), float(values[-1]), edges, bins, values=values, counts=weights
    )
    summary.unique = bool(values.size == n and n > 1)
    return summary


def _sketch(table: Any, name: Any, n: int) -> NumericSummary:
    """Moments, sketch knots, exact tails and exact counts on the sketch's decile edges."""
    count, mean, m2, distinct = table.moments(name)
    low_tail, high_tail = table.extremes(name, min(TAIL_VALUES, n))
    probs = [*KNOT_PROBABILITIES, *BIN_PROBABILITIES]  # one sketch query for both
    answers = np.asarray(table.quantiles(name, probs), dtype=np.float64)
    knots = np.maximum.accumulate(answers[: KNOT_PROBABILITIES.size])
    knots[0], knots[-1] = low_tail[0], high_tail[-1]
    edges = np.unique(answers[KNOT_PROBABILITIES.size :])
    bins = np.asarray(table.histogram(name, list(edges)), dtype=np.int64)
    summary = NumericSummary(
        count,
        mean,
        m2,
        float(low_tail[0]),
        float(high_tail[-1]),
        edges,
        bins,
        knots=knots,
        rank_error=SKETCH_STEP + 1.0 / n + float(table.rank_error),
        low_tail=np.asarray(low_tail, dtype=np.float64),
        high_tail=np.asarray(high_tail, dtype=np.float64),
    )
    summary.unique = distinct == n and n > 1
    return summary
