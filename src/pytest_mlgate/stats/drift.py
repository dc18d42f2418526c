"""Drift statistics between a reference and a current sample, computed from sorted samples
(or, for large float samples where sorting is slow, from buckets: :mod:`.buckets`, which
gives the same figures).

Every numeric figure is derived from the two samples sorted once:

- KS statistic and p-value equal ``scipy.stats.ks_2samp`` with its defaults (two-sided,
  ``method="auto"``: exact when both samples have at most 10,000 values, else the asymptotic
  Kolmogorov distribution); the p-value comes from scipy's own function for the chosen mode.
  The statistic needs no merge of the two samples: scipy's maximum of ``cdf_a - cdf_b`` is
  reached at a value of ``a``, its minimum at a value of ``b``, and a bounded search
  evaluates the other sample's CDF (a binary search) at a small share of the values only
  (:func:`ks_statistic`); the same floating-point numbers as scipy's, ties included.
- Wasserstein-1 equals ``scipy.stats.wasserstein_distance`` up to rounding (relative 1e-12):
  it is computed as the area between the two quantile functions (for equal sizes the mean of
  ``|a[i] - b[i]|``), scipy's as the area between the CDFs. The drift effect size divides it
  by the reference standard deviation (``numpy.std``, ddof 0) floored at 0.001.
- PSI and Jensen-Shannon use 10 bins fixed by the reference quantiles (linear interpolation,
  duplicate edges merged, bins closed on the right, outer edges open). PSI floors empty bins
  at 1e-4 (fractions are not renormalised); Jensen-Shannon is the distance of
  ``scipy.spatial.distance.jensenshannon(p, q, base=2)`` on the raw fractions, in [0, 1].
- Chi-square is ``scipy.stats.chi2_contingency`` (defaults) on the 2 x k table of the
  categories seen in either sample.

Against a stored profile whose reference is a quantile sketch, KS and Wasserstein are computed
from the sketch's piecewise-linear CDF: the KS statistic is then within the sketch's rank error
of the exact figure. When the current side is a profile's sketch too, both CDFs are compared
(:func:`ks_between_cdfs`), within the sum of the two rank errors.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .ks import KS, MAX_AUTO_N, ks_p_value

__all__ = ["KS", "MAX_AUTO_N", "ks_p_value"]  # with the statistics below, for callers

N_BINS = 10
PSI_FLOOR = 1e-4
STD_FLOOR = 0.001
BIN_PROBABILITIES = np.arange(1, N_BINS) / N_BINS


MIN_BLOCK = 16  # grid step of the bounded search for the KS statistic: about sqrt(n) / 16


def max_monotone_gap(
    n: int,
    rising: Callable[[np.ndarray], np.ndarray],
    falling: Callable[[np.ndarray], np.ndarray],
    slack: float = 0.0,
) -> float:
    """``max(rising(i) - falling(i))`` over i in [0, n), both nondecreasing in i.

    Both functions are evaluated on index arrays. The maximum is found without evaluating
    every index: on the grid 0, B, 2B, ..., n - 1 (B about sqrt(n) / 16, well below the
    scale on which an empirical CDF difference moves) the values give a lower bound of the
    maximum, and ``rising(next grid point) - falling(grid point)`` an upper bound of every
    value between two grid points (floating-point rounding is monotone too; ``slack``
    covers functions that are monotone only up to rounding). Only the stretches whose upper
    bound reaches the lower bound are evaluated in full, so the result is the
    exact maximum of the element-wise values.
    """
    block = max(MIN_BLOCK, math.isqrt(n) // 16)
    if n <= 4 * block:
        idx = np.arange(n)
        return float(np.max(rising(idx) - falling(idx)))
    grid = np.arange(0, n + block - 1, block)
    grid[-1] = n - 1
    up = rising(grid)
    down = falling(grid)
    best = float(np.max(up - down))
    bound = up[1:] - down[:-1]
    todo = np.flatnonzero(bound >= best - slack)
    if todo.size * 4 > bound.size:  # most stretches are close: evaluate every index
        idx = np.arange(n)
    else:
        idx = (grid[todo, None] + np.arange(block + 1)).ravel()
        np.minimum(idx, n - 1, out=idx)
    return float(max(best, float(np.max(rising(idx) - falling(idx)))))


def ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    """The two-sided KS statistic of ``ks_2samp`` for two sorted, non-empty samples.

    scipy evaluates ``cdf_a(x) - cdf_b(x)`` at every value x of either sample (counts / n)
    and takes the larger of its maximum and minus its minimum. The maximum is reached at a
    value of ``a`` and the minimum at a value of ``b`` (between values the difference is
    constant; it only rises at values of ``a`` and only falls at values of ``b``). At
    ``a[i]``, ``(i + 1) / n1`` is ``cdf_a`` at the last of equal values and less before it,
    so the maximum over all i of ``(i + 1) / n1 - cdf_b(a[i])`` is scipy's maximum, the
    same floating-point numbers; symmetrically for the minimum. No merge of the samples
    and no tie handling are needed, and :func:`max_monotone_gap` evaluates ``cdf_b`` by
    binary search at a small share of the values only.
    """
    n1, n2 = a.size, b.size
    if n1 == n2 and np.array_equal(a, b):
        return 0.0  # scipy's differences are all 0.0 (the same counts over the same n)

    def max_s() -> float:
        return max_monotone_gap(
            n1, lambda i: (i + 1) / n1, lambda i: np.searchsorted(b, a[i], side="right") / n2
        )

    def min_s() -> float:  # minus the minimum: -(x - y) == y - x in floating point
        return max_monotone_gap(
            n2, lambda j: (j + 1) / n2, lambda j: np.searchsorted(a, b[j], side="right") / n1
        )

    high = max_s()
    low = float(np.clip(min_s(), 0, 1))
    return low if low > high else high


def wasserstein_sorted(a: np.ndarray, b: np.ndarray) -> float:
    """Wasserstein-1 of two sorted, non-empty samples, as the area between their quantile
    functions (equal to ``scipy.stats.wasserstein_distance``, the area between the CDFs, up
    to rounding).

    Equal sizes: the mean of ``|a[i] - b[i]|``. Otherwise the probability axis is cut at
    every ``i / n1`` and ``j / n2`` (in integer units of ``1 / (n1 n2)``); each piece ends at
    a cut of ``a`` or of ``b`` and its length and the two quantiles on it follow from
    integer arithmetic, with no merge.
    """
    n1, n2 = a.size, b.size
    if n1 == n2:
        gap = np.subtract(a, b)
        np.abs(gap, out=gap)
        return float(np.sum(gap)) / n1
    total = _staircase(a, b) + _staircase(b, a, ties_first=False)
    return total / (float(n1) * float(n2))


def _staircase(a: np.ndarray, b: np.ndarray, ties_first: bool = True) -> float:
    """Sum over the pieces of the probability axis that end at a cut of ``a`` of
    ``|a - b| * length`` (lengths in units of ``1 / (n1 n2)``). Where cuts of both samples
    coincide, the piece is counted once, on the side with ``ties_first``."""
    n1, n2 = a.size, b.size
    cut = np.arange(1, n1 + 1, dtype=np.int64)
    cut *= n2  # the cuts of a: i * n2
    if ties_first:
        ib = cut + (n1 - 1)
        ib //= n1
        ib -= 1  # b's piece holding the cut: ceil(cut / n1) - 1; earlier b cut: ib * n1
        start = ib * n1
    else:
        start = cut // n1
        start *= n1  # the last b cut at or before this one (coinciding cuts: length 0)
        ib = cut + (n1 - 1)
        ib //= n1
        ib -= 1
    np.maximum(start, cut - n2, out=start)
    np.subtract(cut, start, out=start)  # piece length
    del cut
    gap = np.take(b, ib)
    del ib
    np.subtract(a, gap, out=gap)
    np.abs(gap, out=gap)
    gap *= start
    return float(np.sum(gap))


def ks_and_wasserstein(a: np.ndarray, b: np.ndarray) -> tuple[KS, float]:
    """KS (as ``ks_2samp``) and Wasserstein-1 (as ``wasserstein_distance``) of two sorted,
    non-empty float samples."""
    n1, n2 = a.size, b.size
    try:
        d, p, mode = ks_p_value(ks_statistic(a, b), n1, n2)
    except (ImportError, AttributeError):  # scipy moved a private helper: ask scipy itself
        from scipy.stats import ks_2samp

        result = ks_2samp(a, b)
        d, p, mode = float(result.statistic), float(result.pvalue), "scipy"
    return KS(d, p, mode), wasserstein_sorted(a, b)


def ks_against_cdf(
    knots: np.ndarray,
    probs: np.ndarray,
    n1: int,
    b: np.ndarray,
    *,
    cdf: Callable[[np.ndarray], np.ndarray] | None = None,
    quantile: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[KS, float]:
    """KS and Wasserstein-1 of a sorted sample ``b`` against a reference given as a
    piecewise-linear CDF through ``(knots, probs)`` (a quantile sketch of ``n1`` values).

    The statistic is the largest of ``cdf_b(x) - ref(x)`` and ``ref(x-) - cdf_b(x-)`` over
    the values x of ``b`` (``cdf``/``quantile`` replace the piecewise-linear reference, e.g.
    a sketch whose tails are exact); as in :func:`ks_statistic`, ``(j + 1) / n2`` and ``j / n2`` at
    ``b[j]`` equal the counts at the last and first of equal values and are on the safe side
    elsewhere, so the bounded search of :func:`max_monotone_gap` gives the same numbers.
    """
    n2 = b.size
    if cdf is None:

        def cdf(x: np.ndarray) -> np.ndarray:
            return np.asarray(np.interp(x, knots, probs, left=0.0, right=1.0))

    if quantile is None:

        def quantile(p: np.ndarray) -> np.ndarray:
            return np.asarray(np.interp(p, probs, knots))

    def ref_at(j: np.ndarray) -> np.ndarray:
        return cdf(b[j])

    def ref_before(j: np.ndarray) -> np.ndarray:
        return cdf(np.nextafter(b[j], -np.inf))

    slack = 1e-12  # interpolation is monotone only up to rounding
    upper = max_monotone_gap(n2, lambda j: (j + 1) / n2, ref_at, slack)
    lower = max_monotone_gap(n2, ref_before, lambda j: j / n2, slack)
    d = max(upper, lower, 0.0)
    grid = (np.arange(max(4 * knots.size, min(n2, 200_000))) + 0.5) / max(
        4 * knots.size, min(n2, 200_000)
    )
    q_ref = quantile(grid)
    q_cur = b[np.minimum((grid * n2).astype(np.int64), n2 - 1)]
    w = float(np.mean(np.abs(q_ref - q_cur)))
    stat, p, mode = ks_p_value(min(d, 1.0), n1, n2)
    return KS(stat, p, mode), w


def ks_between_cdfs(
    points: np.ndarray,
    cdf_a: Callable[[np.ndarray], np.ndarray],
    cdf_b: Callable[[np.ndarray], np.ndarray],
    quantile_a: Callable[[np.ndarray], np.ndarray],
    quantile_b: Callable[[np.ndarray], np.ndarray],
    n1: int,
    n2: int,
) -> tuple[KS, float]:
    """KS and Wasserstein-1 of two samples known only by their CDFs (a profile's exact
    distribution or quantile sketch on each side), ``points`` holding every point where
    either CDF jumps or changes slope.

    Both CDFs are step or piecewise-linear functions between those points, so their
    difference is too, and its largest absolute value is reached at a point or just before
    one (the left limit, at ``nextafter(x, -inf)``). The statistic is then exact for the two
    CDFs, i.e. within the sum of their rank errors of the exact two-sample statistic; the
    p-value is ``ks_2samp``'s for that statistic and the two sample sizes. Wasserstein-1 is
    the mean of ``|Q_a - Q_b|`` on a midpoint grid of the probability axis.
    """
    before = np.nextafter(points, -np.inf)
    d = max(
        float(np.max(np.abs(cdf_a(points) - cdf_b(points)), initial=0.0)),
        float(np.max(np.abs(cdf_a(before) - cdf_b(before)), initial=0.0)),
    )
    m = max(4 * 1001, min(max(n1, n2), 200_000))
    grid = (np.arange(m) + 0.5) / m
    w = float(np.mean(np.abs(quantile_a(grid) - quantile_b(grid))))
    stat, p, mode = ks_p_value(min(d, 1.0), n1, n2)
    return KS(stat, p, mode), w


def sorted_quantiles(sorted_values: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """``numpy.quantile`` (linear method) of an already sorted sample."""
    return quantiles_at(sorted_values.__getitem__, sorted_values.size, probs)


def quantile_ranks(n: int, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two ranks (0-based, in the sorted sample of ``n`` values) between which
    :func:`sorted_quantiles` interpolates each probability."""
    lo = np.floor(probs * (n - 1)).astype(np.int64)
    return lo, np.minimum(lo + 1, n - 1)


def quantiles_at(
    values_at: Callable[[np.ndarray], np.ndarray], n: int, probs: np.ndarray
) -> np.ndarray:
    """``numpy.quantile`` (linear method) of a sample of ``n`` values given by its sorted
    values at ranks (``values_at(ranks)``)."""
    pos = probs * (n - 1)
    lo, hi = quantile_ranks(n, probs)
    frac = pos - lo
    a = values_at(lo)
    b = values_at(hi)
    out: np.ndarray = np.where(frac >= 0.5, b - (b - a) * (1 - frac), a + (b - a) * frac)
    return out


def quantile_edges(sorted_values: np.ndarray) -> np.ndarray:
    """The inner edges of the 10 reference-quantile bins, duplicates merged."""
    return np.unique(sorted_quantiles(sorted_values, BIN_PROBABILITIES))


def bin_counts(sorted_values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts of a sorted sample in the bins (-inf, e1], (e1, e2], ..., (ek, inf)."""
    cum = np.searchsorted(sorted_values, edges, side="right")
    return np.diff(np.concatenate([[0], cum, [sorted_values.size]])).astype(np.int64)


def fractions(counts: np.ndarray) -> np.ndarray:
    total = counts.sum()
    return counts / total if total else np.zeros(counts.size)


def psi(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """Population stability index; empty bins are floored at 1e-4 (no renormalisation)."""
    r = fractions(np.asarray(ref_counts, dtype=float))
    c = fractions(np.asarray(cur_counts, dtype=float))
    r = np.where(r == 0, PSI_FLOOR, r)
    c = np.where(c == 0, PSI_FLOOR, c)
    return float(np.sum((c - r) * np.log(c / r)))


def jensen_shannon(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """Jensen-Shannon distance, base 2 (as ``scipy.spatial.distance.jensenshannon``)."""
    p = fractions(np.asarray(ref_counts, dtype=float))
    q = fractions(np.asarray(cur_counts, dtype=float))
    m = (p + q) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.where(p > 0, p * np.log(p / m), 0.0)
        right = np.where(q > 0, q * np.log(q / m), 0.0)
    js = (left.sum() + right.sum()) / 2.0 / np.log(2.0)
    return float(np.sqrt(max(js, 0.0)))


def normalised_wasserstein(w: float, ref_std: float) -> float:
    """Wasserstein-1 divided by the reference standard deviation floored at 0.001."""
    return float(w / max(ref_std, STD_FLOOR))


def chi_square(ref_counts: np.ndarray, cur_counts: np.ndarray) -> tuple[float, float]:
    """``scipy.stats.chi2_contingency`` (defaults) on the 2 x k table; categories absent from
    both samples must already be removed."""
    from scipy.stats import chi2_contingency

    table = np.vstack([ref_counts, cur_counts]).astype(np.int64)
    result = chi2_contingency(table)
    return float(result.statistic), float(result.pvalue)


def standardised_shift(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """The categorical effect size of ``auto``: the largest shift of a category's share, in
    standard deviations of that category's indicator, ``max_c |q_c - p_c| / sqrt(pbar_c (1 -
    pbar_c))`` with ``pbar_c`` the share pooled over both samples.

    This is the numeric effect (Wasserstein-1 over the standard deviation) of the category's
    0/1 indicator, with the pooled standard deviation: a location shift of d standard
    deviations of a numeric column and a shift of d standard deviations of a category's share
    get the same figure. A binary column going from 0.6 to 0.7 gives 0.21.
    """
    r = np.asarray(ref_counts, dtype=np.float64)
    c = np.asarray(cur_counts, dtype=np.float64)
    if not r.sum() > 0 or not c.sum() > 0:
        return 0.0
    p, q = r / r.sum(), c / c.sum()
    pooled = (r + c) / (r.sum() + c.sum())
    spread = np.sqrt(pooled * (1.0 - pooled))
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = np.where(spread > 0, np.abs(q - p) / np.where(spread > 0, spread, 1.0), 0.0)
    return float(shift.max())


def bridge_mean(quantiles: np.ndarray, probs: np.ndarray) -> float:
    """``sqrt(2/pi) * integral of sqrt(u (1 - u)) dQ(u)``: the mean of ``integral |B(u)| dQ(u)``
    for a Brownian bridge B, i.e. ``sqrt(n_eff)`` times the mean null Wasserstein-1 distance
    between two samples of a distribution with quantile function Q (del Barrio, Gine and Matran
    1999), from Q on a grid (a Riemann-Stieltjes sum at the midpoints)."""
    mid = (probs[1:] + probs[:-1]) / 2.0
    return float(np.sqrt(2.0 / np.pi) * np.sum(np.sqrt(mid * (1.0 - mid)) * np.diff(quantiles)))


def distance_null_quantile(
    method: str,
    n_ref: int,
    n_cur: int,
    alpha: float,
    *,
    bins: int,
    bridge: float | None = None,
    std: float = 1.0,
) -> float:
    """An upper ``1 - alpha`` quantile of a distance between two samples of one distribution.

    With ``h = 1/n_ref + 1/n_cur`` and ``k`` bins (categories or quantile bins holding
    reference rows), the bin shares' chi-square statistic ``sum (q - p)**2 / p`` is close to
    ``h * chi2(k - 1)``. To second order PSI equals that statistic and the Jensen-Shannon
    divergence (base 2) equals it divided by ``8 ln 2``, so PSI's quantile is ``h *
    chi2.ppf(1 - alpha, k - 1)`` and the JS distance's is the square root of that over ``8 ln
    2``. The normalised Wasserstein distance is ``sqrt(h) * integral |B| dQ / std`` in the
    limit; ``integral |B| dQ`` is a Lipschitz function of a Gaussian process whose largest
    linear direction has standard deviation ``std`` (the bridge's covariance is non-negative,
    so the constant sign is the largest one), so by the Gaussian concentration inequality
    (Tsirelson-Ibragimov-Sudakov) its ``1 - alpha`` quantile is at most its mean plus ``std *
    sqrt(2 ln(1/alpha))``. The benchmark measures the false alarms these give.
    """
    from scipy.stats import chi2

    h = 1.0 / max(n_ref, 1) + 1.0 / max(n_cur, 1)
    if method == "wasserstein":
        scale = max(std, STD_FLOOR)
        mean = (bridge or 0.0) / scale
        return float(math.sqrt(h) * (mean + math.sqrt(2.0 * math.log(1.0 / alpha))))
    q = float(chi2.ppf(1.0 - alpha, max(bins - 1, 1)))
    if method == "psi":
        return h * q
    return math.sqrt(h * q / (8.0 * math.log(2.0)))


def distance_rows_needed(
    method: str,
    threshold: float,
    n_ref: int,
    alpha: float,
    *,
    bins: int,
    bridge: float | None = None,
    std: float = 1.0,
) -> int | None:
    """The fewest current rows for which :func:`distance_null_quantile` stays under
    ``threshold`` with this reference (None when no number of current rows is enough: the
    reference itself is too small)."""
    from scipy.stats import chi2

    if method == "wasserstein":
        scale = max(std, STD_FLOOR)
        unit = (bridge or 0.0) / scale + math.sqrt(2.0 * math.log(1.0 / alpha))
        h_max = (threshold / unit) ** 2
    else:
        q = float(chi2.ppf(1.0 - alpha, max(bins - 1, 1)))
        h_max = threshold / q if method == "psi" else threshold**2 * 8.0 * math.log(2.0) / q
    room = h_max - 1.0 / max(n_ref, 1)
    if room <= 0:
        return None
    return math.ceil(1.0 / room)
