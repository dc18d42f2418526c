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

The aggregates are asked for many columns at once (:class:`Batches`): one moments pass, value
counts only where needed, one sketch query, one histogram pass; drift checks profile only the
columns under check (``profile_columns(table, only)``).

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


def profile_columns(
    table: Any, only: list[Any] | None = None
) -> tuple[int, dict[str, ColumnProfile]]:
    """The row count and column profiles of a table (a
    :class:`~pytest_mlgate.tables.base.Table` with the engine extras, see :class:`Batches`),
    from which ``Profile.from_frame`` builds the profile of an engine frame; ``only``: these
    columns (a drift check's), in the table's order.

    A few passes per table, not per column: the first pass (rows, nulls); one aggregation of
    every numeric column's moments and exact distinct count; exact value counts of the
    columns that need them (categorical ones, numeric ones with at most ``MAX_EXACT``
    distinct values); one sketch query of the other numeric columns (quantiles, and their
    exact tails in the same pass or one more); one pass of their bin counts."""
    columns = table.columns if only is None else [c for c in table.columns if c in set(only)]
    rows, nulls = _counts(table, columns)
    batch = Batches(table)
    profiles = {
        name: ColumnProfile(
            column_family(table, name),
            table.dtype(name),
            table.is_kind(name, "integer"),
            rows - nulls[name],
            0,
        )
        for name in columns
    }
    for name, col in profiles.items():
        col.nulls = nulls[name]
    if not rows:  # an empty table, described as pandas describes an empty frame
        for col in profiles.values():
            if col.family == "categorical":
                col.categories = {}
        return rows, {str(name): col for name, col in profiles.items()}
    numeric = [n for n, c in profiles.items() if c.family != "categorical" and c.count]
    moments = batch.moments(numeric)
    _refuse_infinities(table, numeric, moments)
    exact = [n for n in numeric if moments[n][3] <= MAX_EXACT]
    sketched = [n for n in numeric if moments[n][3] > MAX_EXACT]
    labels = [n for n, c in profiles.items() if c.family == "categorical"]
    counted = batch.value_counts(
        {**dict.fromkeys(labels, CATEGORY_LIMIT), **{n: MAX_EXACT for n in exact}}
    )
    for name in labels:
        _categories(table, name, profiles[name], counted[name])
    for name in exact:
        found = counted[name]
        assert found is not None  # at most MAX_EXACT distinct values
        profiles[name].numeric = _exact(found, profiles[name].count)
    probs = [*KNOT_PROBABILITIES, *BIN_PROBABILITIES]  # one sketch query for both
    tails = {n: min(TAIL_VALUES, profiles[n].count) for n in sketched}
    sketches = batch.sketches(sketched, probs, tails)
    edges = {
        n: list(np.unique(np.asarray(sketches[n][0][KNOT_PROBABILITIES.size :]))) for n in sketched
    }
    bins = batch.histograms(edges)
    for name in sketched:
        answers, low, high = sketches[name]
        profiles[name].numeric = _sketch(
            moments[name], answers, low, high, edges[name], bins[name], float(table.rank_error)
        )
    for col in profiles.values():
        if col.numeric is not None:
            col.identifier = col.integer and col.numeric.unique
    return rows, {str(name): col for name, col in profiles.items()}


def _counts(table: Any, columns: list[Any]) -> tuple[int, dict[Any, int]]:
    """The row count and the columns' nulls (0 rows without an error, when the table can)."""
    allowing = getattr(table, "counts_allowing_empty", None)
    if allowing is None:
        nulls: dict[Any, int] = table.null_counts(columns)
        return int(table.row_count()), nulls
    rows, every = allowing()
    return int(rows), {c: int(every[c]) for c in columns}


#: the largest finite float: a value beyond it is an infinity
_FINITE = float(np.finfo(np.float64).max)


def _refuse_infinities(
    table: Any, numeric: list[Any], moments: dict[Any, tuple[int, float, float, int]]
) -> None:
    """Infinite values are bad input, as in a pandas profile (the same error): a float column
    whose mean is not finite is asked how many values lie beyond the finite range."""
    for name in numeric:
        if not table.is_kind(name, "float") or np.isfinite(moments[name][1]):
            continue
        found = int(table.outside(name, -_FINITE, _FINITE, 0).count)
        if found:
            raise MlgateInputError(
                "df",
                f"column {name!r} holds {found:,} infinite values.",
                "Replace them with NaN (or clip them) before the drift check.",
            )


class Batches:
    """A table's profile aggregates over many columns at once: the table's own batched
    methods (``moments_of``, ``value_counts_of``, ``sketches_of``, ``histograms_of``), or
    one column at a time for a table that has none."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def moments(self, names: list[Any]) -> dict[Any, tuple[int, float, float, int]]:
        """Count, mean, m2 and exact distinct count of each column."""
        own = getattr(self.table, "moments_of", None)
        if not names:
            return {}
        found: dict[Any, tuple[int, float, float, int]] = (
            own(names) if own is not None else {n: self.table.moments(n) for n in names}
        )
        return found

    def value_counts(self, limits: dict[Any, int]) -> dict[Any, dict[Any, int] | None]:
        """Each column's exact value counts, None above its limit of distinct values."""
        own = getattr(self.table, "value_counts_of", None)
        if not limits:
            return {}
        found: dict[Any, dict[Any, int] | None] = (
            own(limits)
            if own is not None
            else {n: self.table.value_counts(n, k) for n, k in limits.items()}
        )
        return found

    def sketches(
        self, names: list[Any], probabilities: list[float], tails: dict[Any, int]
    ) -> dict[Any, tuple[list[float], list[float], list[float]]]:
        """Each column's sketch quantiles at ``probabilities`` and its ``tails[name]``
        smallest and largest values (exact, ascending)."""
        own = getattr(self.table, "sketches_of", None)
        if not names:
            return {}
        if own is not None:
            found: dict[Any, tuple[list[float], list[float], list[float]]] = own(
                names, probabilities, tails
            )
            return found
        return {
            n: (self.table.quantiles(n, probabilities), *self.table.extremes(n, tails[n]))
            for n in names
        }

    def histograms(self, edges: dict[Any, list[float]]) -> dict[Any, list[int]]:
        """Each column's counts in the bins of its ``edges``."""
        own = getattr(self.table, "histograms_of", None)
        if not edges:
            return {}
        found: dict[Any, list[int]] = (
            own(edges)
            if own is not None
            else {n: self.table.histogram(n, e) for n, e in edges.items()}
        )
        return found


def column_family(table: Any, name: Any) -> str:
    """``datetime`` (``datetime[UTC]`` and the like for a column that holds instants, as
    pandas names a tz-aware column), ``numeric`` or ``categorical``: a column's profile
    family, from the table's schema (no job)."""
    if table.is_kind(name, "datetime"):
        zone = getattr(table, "time_zone", None)
        tz = zone(name) if zone is not None else None
        return f"datetime[{tz}]" if tz else "datetime"
    if table.is_kind(name, "numeric"):
        return "numeric"
    return "categorical"


def _categories(table: Any, name: Any, col: ColumnProfile, counts: dict[Any, int] | None) -> None:
    """A categorical column's exact counts (an identifier, or an error, above the limit)."""
    plain = not table.is_kind(name, "category") and not table.is_kind(name, "bool")
    if counts is None:
        if plain and table.distinct_count(name) == col.count:
            col.identifier = col.count > 1
            return
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
    col.identifier = col.count > 1 and len(keyed) == col.count and plain


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


def _sketch(
    moments: tuple[int, float, float, int],
    answers: list[float],
    low: list[float],
    high: list[float],
    edges: list[float],
    bins: list[int],
    engine_error: float,
) -> NumericSummary:
    """Moments, sketch knots (ends set to the exact min and max, made non-decreasing), exact
    tails, and exact counts on the sketch's decile edges."""
    count, mean, m2, distinct = moments
    quantiles = np.asarray(answers, dtype=np.float64)
    knots = np.maximum.accumulate(quantiles[: KNOT_PROBABILITIES.size])
    knots[0], knots[-1] = low[0], high[-1]
    summary = NumericSummary(
        count,
        mean,
        m2,
        float(low[0]),
        float(high[-1]),
        np.asarray(edges, dtype=np.float64),
        np.asarray(bins, dtype=np.int64),
        knots=knots,
        rank_error=SKETCH_STEP + 1.0 / count + engine_error,
        low_tail=np.asarray(low, dtype=np.float64),
        high_tail=np.asarray(high, dtype=np.float64),
    )
    summary.unique = distinct == count and count > 1
    return summary
