"""The two-sample Kolmogorov-Smirnov p-value, as ``scipy.stats.ks_2samp`` gives it with its
defaults (two-sided, ``method="auto"``): exact when both samples have at most 10,000 values,
else the asymptotic Kolmogorov distribution; scipy's own functions for the chosen mode."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_AUTO_N = 10_000  # scipy.stats.ks_2samp: exact p-value up to this many values per sample


@dataclass(frozen=True)
class KS:
    statistic: float
    p_value: float
    mode: str


def ks_p_value(d: float, n1: int, n2: int) -> tuple[float, float, str]:
    """(statistic, p-value, mode) exactly as ``ks_2samp`` turns its statistic into a p-value.

    In exact mode scipy rounds the statistic onto the lattice of ``1/lcm(n1, n2)``; the
    rounded statistic is returned so that both figures equal scipy's. For equal sample sizes
    the exact probability is scipy's own recurrence evaluated for all its terms at once
    (:func:`_prob_outside_square`, the same floating-point operations in the same order).
    """
    from scipy.stats import distributions

    mode = "exact" if max(n1, n2) <= MAX_AUTO_N else "asymp"
    if mode == "exact":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            success, d_exact, prob = _attempt_exact(n1, n2, d)
        if success:
            return float(d_exact), float(np.clip(prob, 0, 1)), mode
        d, mode = d_exact, "asymp"  # as scipy: the rounded statistic, asymptotic p-value
    m, n = sorted([float(n1), float(n2)], reverse=True)
    en = m * n / (m + n)
    prob = distributions.kstwo.sf(d, np.round(en))
    return float(d), float(np.clip(prob, 0, 1)), mode


def _attempt_exact(n1: int, n2: int, d: float) -> tuple[bool, float, float]:
    """``scipy.stats._stats_py._attempt_exact_2kssamp`` (two-sided).

    scipy's function is private: when a release moves, renames or re-signs it, the exact
    probability for unequal sizes comes from :func:`_prob_outside_band` instead (equal to
    scipy's within 1e-12 relative, tested).
    """
    if n1 != n2:
        g = math.gcd(n1, n2)
        scipy_exact = _private_scipy("_attempt_exact_2kssamp")
        if scipy_exact is not None:
            try:
                success, d_exact, prob = scipy_exact(n1, n2, g, d, "two-sided")
                return bool(success), float(d_exact), float(prob)
            except TypeError:  # a changed signature: use the fallback
                pass
        lcm = (n1 // g) * n2
    else:
        lcm = n1
    h = int(np.round(d * lcm))
    d = h * 1.0 / lcm
    if h == 0:
        return True, d, 1.0
    with np.errstate(invalid="raise", over="raise"):
        try:
            prob = _prob_outside_square(n1, h) if n1 == n2 else _prob_outside_band(n1, n2, h)
        except (FloatingPointError, OverflowError):
            return False, d, np.nan
    if not (0 <= prob <= 1):
        return False, d, prob
    return True, d, prob


def _prob_outside_square(n: int, h: int) -> float:
    """``scipy.stats._stats_py._compute_prob_outside_square(n, h)``, bit for bit.

    scipy runs ``p1 = (n - k*h - j) * p1 / (n + k*h + j + 1)`` for j < h inside a loop over
    k = n // h .. 0 (a Python loop of about n steps). The j-recurrence of every k is
    independent of the others, so it runs here on the vector of all k at once (h vector
    steps of the same IEEE operations), and the Horner sum over k stays a scalar loop.
    """
    k_max = n // h
    scipy_square = _private_scipy("_compute_prob_outside_square")
    if (k_max + 1) < 24 and scipy_square is not None:  # few terms: scipy's loop is as fast
        return float(scipy_square(n, h))
    kh = np.arange(k_max + 1, dtype=np.float64) * h  # exact: integers below 2**53
    num = n - kh
    den = n + kh + 1.0
    p1 = np.ones(k_max + 1)
    tmp = np.empty_like(p1)
    tmp2 = np.empty_like(p1)
    for j in range(h):
        np.subtract(num, j, out=tmp)
        np.multiply(tmp, p1, out=tmp)
        np.add(den, j, out=tmp2)
        np.divide(tmp, tmp2, out=p1)
    total = 0.0
    for term in reversed(p1.tolist()):
        total = term * (1.0 - total)
    return 2 * total


def _private_scipy(name: str) -> Callable[..., Any] | None:
    """A private function of ``scipy.stats._stats_py``, or None when this scipy lacks it."""
    try:
        from scipy.stats import _stats_py
    except ImportError:
        return None
    found = getattr(_stats_py, name, None)
    return found if callable(found) else None


def _prob_outside_band(n1: int, n2: int, h: int) -> float:
    """P(D >= h / lcm(n1, n2)) for the two-sided two-sample KS statistic, exactly.

    A uniformly random monotone lattice path from (0, 0) to (n1, n2) is walked one
    anti-diagonal at a time: the mass at (x, y) moves right with probability
    (n1 - x) / (n1 + n2 - x - y) and up otherwise, and the mass that steps onto a point
    with ``|x * n2/g - y * n1/g| >= h`` (g = gcd) has left the band: the p-value is the
    sum of that mass. Every term is positive, so small p-values keep their relative
    precision; about n1 + n2 vector steps of at most min(n1, n2) + 1 values.
    """
    g = math.gcd(n1, n2)
    a, b = n2 // g, n1 // g
    total = n1 + n2
    xs = np.zeros(1, dtype=np.int64)  # x of each state on the current anti-diagonal
    mass = np.ones(1)
    outside = 0.0
    for t in range(total):
        share_right = (n1 - xs) / float(total - t)
        right = mass * share_right
        up = mass - right
        lo = max(0, t + 1 - n2)
        new_xs = np.arange(lo, min(n1, t + 1) + 1, dtype=np.int64)
        new_mass = np.zeros(new_xs.size)
        moves_right = xs < n1
        new_mass[xs[moves_right] + 1 - lo] += right[moves_right]
        moves_up = (t - xs) < n2
        new_mass[xs[moves_up] - lo] += up[moves_up]
        gone = np.abs(new_xs * a - (t + 1 - new_xs) * b) >= h
        outside += float(new_mass[gone].sum())
        keep = ~gone & (new_mass > 0)
        xs, mass = new_xs[keep], new_mass[keep]
    return outside
