"""Every figure of one column, computed once per drift object and shared by its checks.

Each column is typed once (numeric, categorical, or skipped with a reason). Its figures come
from the two samples sorted once: KS and chi-square equal scipy's; Wasserstein (normalised by
the reference std), PSI and Jensen-Shannon use bins fixed by the reference. A side given as a
saved :class:`Profile` gives its exact values when the column has at most 1,000 distinct ones
(every figure is then the raw one); a quantile sketch gives CDF-based figures within a stated
bound (``approximation``). Infinite values are bad input (``error``).

Large float columns of two frames skip the full sort where numpy's sort is slow (its AVX-512
kernel on AMD CPUs): :func:`bucket_path` takes KS, Wasserstein, the reference quantiles and
the bin counts from arithmetic buckets (:mod:`~pytest_mlgate.stats.buckets`), the same
figures (Wasserstein up to rounding), and sorts when the buckets do not split the data.
"""

from __future__ import annotations

import collections
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...errors import MlgateInputError
from ...profile import (
    KNOT_PROBABILITIES,
    NumericSummary,
    category_counts,
    identifier_dtype,
    is_integer,
    number_key,
    sorted_numeric,
)
from ...stats import drift as st
from ...stats.buckets import bucket_figures, moments, sort_is_slow
from ...stats.parallel import map_threads, threads_for
from ...summaries import float_values
from .inputs import Comparison, Side

LOW_CARDINALITY = 5
UNSEEN = "<unseen>"
TOP_CATEGORIES = 20
PARALLEL_MIN_ROWS = 50_000  # below this many current rows one thread is as fast
#: float columns with at least this many values on both sides skip the full sort (KS,
#: Wasserstein and the reference quantiles from buckets: ``stats/buckets.py``) ...
BUCKET_MIN_ROWS = 200_000
#: ... where numpy's sort is slow (None: ``sort_is_slow()``, AVX-512 on AMD); True/False force
BUCKETS: bool | None = None


@dataclass
class ColumnFigures:
    """Every figure of one column, computed once."""

    kind: str
    n_ref: int
    n_cur: int
    skipped: str | None = None
    test: str = ""
    statistic: float | None = None
    p_value: float | None = None
    effect: float | None = None
    psi: float | None = None
    jensen_shannon: float | None = None
    wasserstein: float | None = None
    histogram: dict[str, Any] = field(default_factory=dict)
    approximation: dict[str, Any] | None = None
    bins: int = 0  # bins (or categories) holding reference rows: PSI/JS null's degrees
    bridge: float | None = None  # sqrt(n) x mean null Wasserstein (numeric only)
    ref_std: float = 1.0

    def rows_needed(self, test: str, threshold: float, alpha: float) -> int | None:
        """Current rows needed for a distance to stay under ``threshold`` on identically
        distributed data with probability ``1 - alpha`` (None: no number is enough)."""
        return st.distance_rows_needed(
            test, threshold, self.n_ref, alpha, bins=self.bins, bridge=self.bridge, std=self.ref_std
        )

    def figure(self, test: str) -> tuple[float | None, float | None]:
        """(statistic, p-value) of a test on this column."""
        if test in ("auto", "ks", "chi2"):
            return self.statistic, self.p_value
        value = {
            "psi": self.psi,
            "jensen_shannon": self.jensen_shannon,
            "wasserstein": self.wasserstein,
        }[test]
        return value, None


@dataclass
class Values:
    """What one side holds of one column: its sorted values (a frame, or a profile's exact
    distribution), its unsorted values (a large float column: sorted only when needed), a
    profile's summary, or category counts."""

    count: int
    sorted: np.ndarray | None = None
    unsorted: np.ndarray | None = None
    summary: NumericSummary | None = None
    categories: dict[str, int] | None = None
    identifier: bool = False
    integer: bool = False
    distinct: int | None = None


class Figures:
    """The figures of every column of one comparison, computed on first use."""

    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self._done: dict[Any, ColumnFigures] = {}

    def __call__(self, column: Any) -> ColumnFigures:
        if column not in self._done:
            self._done[column] = column_figures(self.comparison, column)
        return self._done[column]

    def prefetch(self, columns: list[Any]) -> None:
        """Compute the figures of many columns on two threads (numpy's sorts, binary
        searches and arithmetic, and Arrow's counting, release the GIL).

        Each column's figures come from that column alone, so they do not depend on the
        threads; they are stored, and the first error raised, in column order, as the
        one-thread loop would. Label columns held as Python objects count under the GIL, so
        one thread starts on them while the other starts on the numbers.
        """
        todo = [c for c in dict.fromkeys(columns) if c not in self._done]
        current = self.comparison.current
        threads = threads_for(current.rows, PARALLEL_MIN_ROWS)
        if threads < 2 or len(todo) < 2:
            return
        labels = collections.deque(c for c in todo if current.dtype(c)[0] == "categorical")
        numbers = collections.deque(c for c in todo if c not in set(labels))
        results: dict[Any, ColumnFigures | Exception] = {}
        lock = threading.Lock()

        def work(queues: tuple[collections.deque[Any], collections.deque[Any]]) -> None:
            first, then = queues
            while True:
                with lock:
                    if first:
                        column = first.popleft()
                    elif then:
                        column = then.popleft()
                    else:
                        return
                try:
                    results[column] = column_figures(self.comparison, column)
                except Exception as exc:  # raised below, in column order
                    results[column] = exc

        map_threads(work, [(labels, numbers), (numbers, labels)], threads)
        for column in todo:
            outcome = results[column]
            if isinstance(outcome, Exception):
                raise outcome
            self._done[column] = outcome


def column_figures(comparison: Comparison, column: Any) -> ColumnFigures:
    """Type one column and compute its figures."""
    fam = comparison.current.dtype(column)[0]
    ref = side_values(comparison.reference, column, fam, reference=True)
    kind = column_kind(column, fam, ref, comparison.categorical)
    cur = side_values(comparison.current, column, fam, reference=False)
    fig = ColumnFigures(kind, ref.count, cur.count)
    if (
        kind == "numeric"
        and ref.unsorted is not None
        and cur.unsorted is not None
        and ref.count
        and cur.count
        and bucket_path(fig, ref.unsorted, cur.unsorted)
    ):
        return fig
    _sort(ref)
    _sort(cur)
    if ref.count == 0 and comparison.reference.rows > 0:
        fig.skipped = "all null in the reference"
        return fig
    if ref.identifier:
        fig.skipped = "identifier (every reference value is unique)"
        return fig
    if kind == "numeric" and fam == "categorical":
        raise MlgateInputError("categorical", f"column {column!r} holds labels, not numbers.")
    if kind == "categorical":
        ref_cats = _categories(ref, column, "reference")
        cur_cats = _categories(cur, column, "current")
        if ref.count == 0 or cur.count == 0:
            return fig
        if len(ref_cats) == 1 and set(cur_cats) == set(ref_cats):
            fig.skipped = "constant in both"
            return fig
        categorical_figures(fig, ref_cats, cur_cats)
        return fig
    if ref.count == 0 or cur.count == 0:
        return fig
    summary = ref.summary
    if summary is None:
        assert ref.sorted is not None
        summary = NumericSummary.from_sorted(ref.sorted, distribution=False)
    if cur.sorted is not None:
        low, high = float(cur.sorted[0]), float(cur.sorted[-1])
    elif cur.summary is not None:
        low, high = cur.summary.minimum, cur.summary.maximum
    else:
        raise _no_values(column)
    if summary.minimum == summary.maximum and low == high == summary.minimum:
        fig.skipped = "constant in both"
        return fig
    if cur.sorted is not None:
        numeric_figures(fig, summary, ref.sorted, cur.sorted)
    else:
        assert cur.summary is not None
        sketch_figures(fig, summary, ref.sorted, cur.summary)
    return fig


def side_values(side: Side, column: Any, fam: str, *, reference: bool) -> Values:
    """What ``side`` holds of ``column``. Only the reference's identifier flag and distinct
    count are worked out (they type the column)."""
    if side.profile is not None:
        prof = side.column_profile(column)
        summary = prof.numeric
        values = Values(
            prof.count,
            summary=summary,
            categories=prof.categories,
            identifier=prof.identifier,
            integer=prof.integer,
        )
        if summary is not None and summary.exact:
            values.sorted = summary.expanded()
            values.distinct = summary.distinct
        elif prof.categories is not None:
            values.distinct = len(prof.categories)
        return values
    assert side.frame is not None
    series = side.frame[column]
    integer = is_integer(series.dtype)
    if fam == "categorical":
        cats = category_counts(series)
        n = sum(cats.values())
        identifier = reference and n > 1 and len(cats) == n and identifier_dtype(series)
        return Values(
            n, categories=cats, identifier=identifier, integer=integer, distinct=len(cats)
        )
    if series.size >= BUCKET_MIN_ROWS and (sort_is_slow() if BUCKETS is None else BUCKETS):
        found = float_values(series, side.argument)
        if found is not None and found.size >= BUCKET_MIN_ROWS:
            return Values(int(found.size), unsorted=found)
    ordered = sorted_numeric(series, side.argument)
    values = Values(int(ordered.size), sorted=ordered, integer=integer)
    if reference and integer:  # only integer columns need the count (identifier, kind)
        values.distinct = _distinct_count(ordered)
        values.identifier = values.count > 1 and values.distinct == values.count
    return values


def _sort(values: Values) -> None:
    """Sort the values of a side that kept them unsorted (the sorting path)."""
    if values.unsorted is not None:
        values.sorted = np.sort(values.unsorted)
        values.unsorted = None


def bucket_path(fig: ColumnFigures, a: np.ndarray, b: np.ndarray) -> bool:
    """The figures of a numeric column from two unsorted, finite, non-empty samples without
    sorting them (:func:`~pytest_mlgate.stats.buckets.bucket_figures`): the same KS
    statistic and p-value, reference quantiles and bin counts as the sorting path, and
    Wasserstein-1 equal up to rounding; False (nothing filled) when the buckets do not
    split the data and the caller should sort."""
    n1, n2 = a.size, b.size
    low_a, high_a = float(a.min()), float(a.max())
    low_b, high_b = float(b.min()), float(b.max())
    if low_a == high_a and low_b == high_b == low_a:
        fig.skipped = "constant in both"
        return True
    probs = np.linspace(0.0, 1.0, 1001)
    bin_lo, bin_hi = st.quantile_ranks(n1, st.BIN_PROBABILITIES)
    bridge_lo, bridge_hi = st.quantile_ranks(n1, probs)
    ranks = np.unique(np.concatenate([bin_lo, bin_hi, bridge_lo, bridge_hi]))
    found = bucket_figures(a, b, ranks, np.stack([bin_lo, bin_hi], axis=1))
    if found is None:
        return False
    edges = np.unique(st.quantiles_at(found.ref_at, n1, st.BIN_PROBABILITIES))
    counted = found.counts_le(edges)
    if counted is None:
        return False
    ref_bins, cur_bins = (
        np.diff(np.concatenate([[0], c, [n]])).astype(np.int64)
        for c, n in zip(counted, (n1, n2), strict=True)
    )
    mean, m2 = moments(a)
    summary = NumericSummary(n1, mean, m2, low_a, high_a, edges, ref_bins)
    try:
        d, p, mode = st.ks_p_value(found.statistic, n1, n2)
    except (ImportError, AttributeError):  # scipy moved a private helper: ask scipy itself
        from scipy.stats import ks_2samp

        result = ks_2samp(a, b)
        d, p, mode = float(result.statistic), float(result.pvalue), "scipy"
    ref_q = st.quantiles_at(found.ref_at, n1, probs)
    _fill_numeric(fig, summary, None, st.KS(d, p, mode), found.wasserstein, cur_bins, ref_q)
    fig.histogram["range"] = [min(low_a, low_b), max(high_a, high_b)]
    return True


def column_kind(column: Any, fam: str, ref: Values, categorical: set[Any] | None) -> str:
    """``categorical`` for labels, the columns named in ``categorical=`` and (without it)
    integer columns with at most 5 distinct reference values; else ``numeric``."""
    if fam == "categorical":
        return "categorical"
    if categorical is not None:
        return "categorical" if column in categorical else "numeric"
    if ref.integer and ref.distinct is not None and ref.distinct <= LOW_CARDINALITY:
        return "categorical"
    return "numeric"


def _categories(values: Values, column: Any, argument: str) -> dict[str, int]:
    """Category counts of one side: its labels, or its numbers as text."""
    if values.categories is not None:
        return values.categories
    if values.sorted is not None:
        return _number_counts(values.sorted)
    if values.summary is not None:
        raise MlgateInputError(
            "categorical",
            f"column {column!r} has more than 1,000 distinct values in the {argument} "
            "profile; it cannot be compared as categorical.",
        )
    if values.count == 0:
        return {}
    raise _no_values(column)


def _no_values(column: Any) -> MlgateInputError:
    return MlgateInputError(
        "current",
        f"the current profile keeps no values of column {column!r} (every value was unique: "
        "an identifier), so it cannot be compared.",
        "Compare the current frame itself, or leave the column out with columns=[...].",
    )


def numeric_figures(
    fig: ColumnFigures, summary: NumericSummary, ref_sorted: np.ndarray | None, cur: np.ndarray
) -> None:
    """Figures of a numeric column whose current values are known (sorted)."""
    if ref_sorted is not None:
        ks, w = st.ks_and_wasserstein(ref_sorted, cur)
    else:
        assert summary.knots is not None
        ks, w = st.ks_against_cdf(
            summary.knots,
            KNOT_PROBABILITIES,
            summary.count,
            cur,
            cdf=summary.cdf,
            quantile=summary.quantile,
        )
        fig.approximation = {
            "ks_statistic_error_bound": summary.rank_error,
            "tails_exact": summary.low_tail is not None,
            "bins_exact": summary.bins_exact,
            "note": f"reference is a quantile sketch: KS and Wasserstein use its CDF, "
            f"{_tails_text(summary)}; the KS statistic is within the bound of the exact figure; "
            f"PSI and Jensen-Shannon use the profile's {_bins_text(summary)}.",
        }
    _fill_numeric(fig, summary, ref_sorted, ks, w, st.bin_counts(cur, summary.edges))
    fig.histogram["range"] = [
        min(summary.minimum, float(cur[0])),
        max(summary.maximum, float(cur[-1])),
    ]


def sketch_figures(
    fig: ColumnFigures,
    summary: NumericSummary,
    ref_sorted: np.ndarray | None,
    cur: NumericSummary,
) -> None:
    """Figures of a numeric column whose current side is a profile's quantile sketch: KS
    and Wasserstein compare the two CDFs, PSI and Jensen-Shannon use the current counts in
    the reference's bins interpolated from its sketch."""
    ref_cdf: Callable[[np.ndarray], np.ndarray] = summary.cdf
    ref_quantile: Callable[[np.ndarray], np.ndarray] = summary.quantile
    if ref_sorted is not None:
        ref_cdf = functools.partial(_empirical_cdf, ref_sorted)
        ref_quantile = functools.partial(st.sorted_quantiles, ref_sorted)
        ref_points, ref_error = np.unique(ref_sorted), 0.0
    else:
        ref_points, ref_error = summary.breakpoints(), summary.rank_error
    ks, w = st.ks_between_cdfs(
        np.union1d(ref_points, cur.breakpoints()),
        ref_cdf,
        cur.cdf,
        ref_quantile,
        cur.quantile,
        summary.count,
        cur.count,
    )
    cum = np.rint(cur.cdf(summary.edges) * cur.count).astype(np.int64)
    cur_bins = np.diff(np.concatenate([[0], cum, [cur.count]]))
    reference = (
        "reference rows" if ref_sorted is not None else f"reference sketch ({_tails_text(summary)})"
    )
    fig.approximation = {
        "ks_statistic_error_bound": ref_error + cur.rank_error,
        "tails_exact": (ref_sorted is not None or summary.low_tail is not None)
        and cur.low_tail is not None,
        "bins_exact": False,
        "note": f"current is a quantile sketch ({_tails_text(cur)}): KS and Wasserstein "
        f"compare its CDF with the {reference}; the KS statistic is within the bound of the "
        "exact figure; PSI and Jensen-Shannon use current bin counts interpolated from its "
        "sketch at the reference's bin edges.",
    }
    _fill_numeric(fig, summary, ref_sorted, ks, w, cur_bins)
    fig.histogram["range"] = [min(summary.minimum, cur.minimum), max(summary.maximum, cur.maximum)]


def _empirical_cdf(sorted_values: np.ndarray, x: np.ndarray) -> np.ndarray:
    found: np.ndarray = np.searchsorted(sorted_values, x, side="right") / sorted_values.size
    return found


def _tails_text(summary: NumericSummary) -> str:
    return (
        f"exact for the {summary.low_tail.size:,} smallest and largest values "
        "(the tails) and piecewise-linear between 1,001 knots in between"
        if summary.low_tail is not None
        else "piecewise-linear between 1,001 knots (this profile keeps no exact tails: "
        "rebuild it to get them)"
    )


def _bins_text(summary: NumericSummary) -> str:
    return (
        "exact bin counts"
        if summary.bins_exact
        else "bin edges and counts interpolated from the merged sketch (within the bound "
        "of each edge's share)"
    )


def _fill_numeric(
    fig: ColumnFigures,
    summary: NumericSummary,
    ref_sorted: np.ndarray | None,
    ks: st.KS,
    w: float,
    cur_bins: np.ndarray,
    ref_q: np.ndarray | None = None,
) -> None:
    ref_bins = summary.bins
    fig.test = "ks"
    fig.statistic, fig.p_value = ks.statistic, ks.p_value
    fig.wasserstein = st.normalised_wasserstein(w, summary.std)
    fig.effect = fig.wasserstein
    fig.psi = st.psi(ref_bins, cur_bins)
    fig.jensen_shannon = st.jensen_shannon(ref_bins, cur_bins)
    fig.bins = int(np.count_nonzero(ref_bins))
    fig.ref_std = summary.std
    probs = np.linspace(0.0, 1.0, 1001)
    if ref_q is None:
        ref_q = (
            st.sorted_quantiles(ref_sorted, probs)
            if ref_sorted is not None
            else summary.quantile(probs)
        )
    fig.bridge = st.bridge_mean(ref_q, probs)
    fig.histogram = {
        "edges": [float(e) for e in summary.edges],
        "range": [],
        "reference": st.fractions(ref_bins).tolist(),
        "current": st.fractions(cur_bins).tolist(),
    }
    if fig.approximation:
        fig.approximation = {**fig.approximation, "ks_mode": ks.mode}


def categorical_figures(fig: ColumnFigures, ref: dict[str, int], cur: dict[str, int]) -> None:
    """Chi-square on the categories of either sample; PSI and Jensen-Shannon on the
    reference's categories plus one bin of the unseen ones; the standardised shift."""
    order = sorted(set(ref) | set(cur), key=lambda k: (-ref.get(k, 0), -cur.get(k, 0), k))
    ref_union = np.array([ref.get(k, 0) for k in order])
    cur_union = np.array([cur.get(k, 0) for k in order])
    fig.test = "chi2"
    fig.statistic, fig.p_value = st.chi_square(ref_union, cur_union)
    seen = [k for k in order if k in ref]
    unseen = sum(v for k, v in cur.items() if k not in ref)
    ref_bins = np.array([ref[k] for k in seen] + [0])
    cur_bins = np.array([cur.get(k, 0) for k in seen] + [unseen])
    fig.psi = st.psi(ref_bins, cur_bins)
    fig.jensen_shannon = st.jensen_shannon(ref_bins, cur_bins)
    fig.effect = st.standardised_shift(ref_union, cur_union)
    fig.bins = int(np.count_nonzero(ref_bins))
    top = order[:TOP_CATEGORIES]
    ref_f = st.fractions(ref_union.astype(float))
    cur_f = st.fractions(cur_union.astype(float))
    categories: list[str] = [str(k) if k in ref else f"{k} {UNSEEN}" for k in top]
    ref_shares: list[float] = ref_f[:TOP_CATEGORIES].tolist()
    cur_shares: list[float] = cur_f[:TOP_CATEGORIES].tolist()
    if len(order) > TOP_CATEGORIES:
        categories.append("(other)")
        ref_shares.append(float(ref_f[TOP_CATEGORIES:].sum()))
        cur_shares.append(float(cur_f[TOP_CATEGORIES:].sum()))
    fig.histogram = {"categories": categories, "reference": ref_shares, "current": cur_shares}


def _distinct_count(sorted_values: np.ndarray) -> int:
    if sorted_values.size == 0:
        return 0
    return int(np.count_nonzero(sorted_values[1:] != sorted_values[:-1]) + 1)


def _number_counts(sorted_values: np.ndarray) -> dict[str, int]:
    values, counts = np.unique(sorted_values, return_counts=True)
    out: dict[str, int] = {}
    for v, c in zip(values.tolist(), counts.tolist(), strict=True):
        key = number_key(v)
        out[key] = out.get(key, 0) + int(c)
    return out
