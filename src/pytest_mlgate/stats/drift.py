"""Drift statistics between a reference and a current sample, computed from sorted samples.

Every numeric figure is derived from the two samples sorted once:

- KS statistic and p-value equal ``scipy.stats.ks_2samp`` with its defaults (two-sided,
  ``method="auto"``: exact when both samples have at most 10,000 values, else the asymptotic
  Kolmogorov distribution); the p-value comes from scipy's own function for the chosen mode.
- Wasserstein-1 equals ``scipy.stats.wasserstein_distance``; the drift effect size divides it
  by the reference standard deviation (``numpy.std``, ddof 0) floored at 0.001.
- PSI and Jensen-Shannon use 10 bins fixed by the reference quantiles (linear interpolation,
  duplicate edges merged, bins closed on the right, outer edges open). PSI floors empty bins
  at 1e-4 (fractions are not renormalised); Jensen-Shannon is the distance of
  ``scipy.spatial.distance.jensenshannon(p, q, base=2)`` on the raw fractions, in [0, 1].
- Chi-square is ``scipy.stats.chi2_contingency`` (defaults) on the 2 x k table of the
  categories seen in either sample.

Against a stored profile whose reference is a quantile sketch, KS and Wasserstein are computed
from the sketch's piecewise-linear CDF: the KS statistic is then within the sketch's rank error
of the exact figure.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

MAX_AUTO_N = 10_000  # scipy.stats.ks_2samp: exact p-value up to this many values per sample
N_BINS = 10
PSI_FLOOR = 1e-4
STD_FLOOR = 0.001
BIN_PROBABILITIES = np.arange(1, N_BINS) / N_BINS


@dataclass(frozen=True)
class KS:
    statistic: float
    p_value: float
    mode: str


def ks_p_value(d: float, n1: int, n2: int) -> tuple[float, float, str]:
    """(statistic, p-value, mode) exactly as ``ks_2samp`` turns its statistic into a p-value.

    In exact mode scipy rounds the statistic onto the lattice of ``1/lcm(n1, n2)``; the
    rounded statistic is returned so that both figures equal scipy's.
    """
    from scipy.stats import distributions

    mode = "exact" if max(n1, n2) <= MAX_AUTO_N else "asymp"
    if mode == "exact":
        from scipy.stats._stats_py import _attempt_exact_2kssamp

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            success, d_exact, prob = _attempt_exact_2kssamp(
                n1, n2, math.gcd(n1, n2), d, "two-sided"
            )
        if success:
            return float(d_exact), float(np.clip(prob, 0, 1)), mode
        d, mode = d_exact, "asymp"  # as scipy: the rounded statistic, asymptotic p-value
    m, n = sorted([float(n1), float(n2)], reverse=True)
    en = m * n / (m + n)
    prob = distributions.kstwo.sf(d, np.round(en))
    return float(d), float(np.clip(prob, 0, 1)), mode


def _d_from_diffs(diffs: np.ndarray) -> float:
    max_s = float(diffs.max())
    min_s = float(np.clip(-diffs.min(), 0, 1))
    return min_s if min_s > max_s else max_s


def ks_and_wasserstein(a: np.ndarray, b: np.ndarray) -> tuple[KS, float]:
    """KS (as ``ks_2samp``) and Wasserstein-1 (as ``wasserstein_distance``) of two sorted,
    non-empty float samples."""
    n1, n2 = a.size, b.size
    ua = _distinct(a)
    ub = _distinct(b)
    if ua.size + ub.size <= (n1 + n2) // 4:
        # Few distinct values: evaluate both ECDFs on the union of the distinct values.
        points = np.union1d(ua, ub)
        cdf1 = np.searchsorted(a, points, side="right") / n1
        cdf2 = np.searchsorted(b, points, side="right") / n2
        diffs = cdf1 - cdf2
        w = float(np.sum(np.abs(diffs[:-1]) * np.diff(points)))
    else:
        both = np.concatenate([a, b])
        order = np.argsort(both, kind="stable")
        merged = both[order]
        del both
        from_a = order < n1
        del order
        # Counts are exact in float64, so count / n equals scipy's searchsorted(...) / n.
        diffs = np.cumsum(from_a, dtype=np.float64)
        del from_a
        other = np.arange(1, n1 + n2 + 1, dtype=np.float64)
        other -= diffs
        diffs /= n1
        other /= n2
        diffs -= other
        steps = np.diff(merged)
        np.abs(diffs[:-1], out=other[:-1])
        other[:-1] *= steps
        w = float(np.sum(other[:-1]))
        del other
        last = np.empty(merged.size, dtype=bool)
        np.not_equal(steps, 0.0, out=last[:-1])
        last[-1] = True
        del steps, merged
        diffs = diffs[last]
    d, p, mode = ks_p_value(_d_from_diffs(diffs), n1, n2)
    return KS(d, p, mode), w


def ks_against_cdf(
    knots: np.ndarray, probs: np.ndarray, n1: int, b: np.ndarray
) -> tuple[KS, float]:
    """KS and Wasserstein-1 of a sorted sample ``b`` against a reference given as a
    piecewise-linear CDF through ``(knots, probs)`` (a quantile sketch of ``n1`` values)."""
    n2 = b.size
    points = _distinct(b)
    upper = np.searchsorted(b, points, side="right") / n2
    lower = np.searchsorted(b, points, side="left") / n2
    ref_at = np.interp(points, knots, probs, left=0.0, right=1.0)
    ref_before = np.interp(np.nextafter(points, -np.inf), knots, probs, left=0.0, right=1.0)
    d = max(float(np.max(upper - ref_at)), float(np.max(ref_before - lower)), 0.0)
    grid = (np.arange(max(4 * knots.size, min(n2, 200_000))) + 0.5) / max(
        4 * knots.size, min(n2, 200_000)
    )
    q_ref = np.interp(grid, probs, knots)
    q_cur = b[np.minimum((grid * n2).astype(np.int64), n2 - 1)]
    w = float(np.mean(np.abs(q_ref - q_cur)))
    stat, p, mode = ks_p_value(min(d, 1.0), n1, n2)
    return KS(stat, p, mode), w


def _distinct(sorted_values: np.ndarray) -> np.ndarray:
    if sorted_values.size == 0:
        return sorted_values
    keep = np.empty(sorted_values.size, dtype=bool)
    keep[0] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=keep[1:])
    return sorted_values[keep]


def sorted_quantiles(sorted_values: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """``numpy.quantile`` (linear method) of an already sorted sample."""
    n = sorted_values.size
    pos = probs * (n - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    frac = pos - lo
    a = sorted_values[lo]
    b = sorted_values[hi]
    return np.where(frac >= 0.5, b - (b - a) * (1 - frac), a + (b - a) * frac)


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
