"""Exact KS p-values without scipy's private functions (issue 11, item 16).

``stats/ks.py`` calls ``scipy.stats._stats_py._attempt_exact_2kssamp`` and
``_compute_prob_outside_square`` when this scipy has them; each has a fallback of our own,
checked here against exact rational arithmetic and against the public ``ks_2samp``.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from scipy.stats import ks_2samp

from pytest_mlgate.stats import drift as sd
from pytest_mlgate.stats import ks as sk


def exact_outside(n1: int, n2: int, h: int) -> Fraction:
    """P(D >= h / lcm) by counting lattice paths with Python integers."""
    g = math.gcd(n1, n2)
    a, b = n2 // g, n1 // g
    inside = [[0] * (n2 + 1) for _ in range(n1 + 1)]
    for x in range(n1 + 1):
        for y in range(n2 + 1):
            if abs(x * a - y * b) >= h:
                continue
            if x == 0 and y == 0:
                inside[x][y] = 1
            else:
                inside[x][y] = (inside[x - 1][y] if x else 0) + (inside[x][y - 1] if y else 0)
    return 1 - Fraction(inside[n1][n2], math.comb(n1 + n2, n1))


SIZES = [(1, 2), (3, 5), (5, 3), (4, 4), (7, 21), (10, 7), (12, 12), (30, 45), (41, 40)]


@pytest.mark.parametrize(("n1", "n2"), SIZES)
def test_band_fallback_equals_exact_path_counts(n1: int, n2: int) -> None:
    lcm = n1 * n2 // math.gcd(n1, n2)
    for h in range(1, lcm + 1, max(1, lcm // 60)):
        expected = float(exact_outside(n1, n2, h))
        assert sk._prob_outside_band(n1, n2, h) == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize("n", [1, 2, 5, 12, 40])
def test_square_fallback_equals_exact_path_counts(n: int) -> None:
    for h in range(1, n + 1):
        expected = float(exact_outside(n, n, h))
        assert sk._prob_outside_square(n, h) == pytest.approx(expected, rel=1e-12, abs=0)


def _without_private_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sk, "_private_scipy", lambda name: None)


@pytest.mark.parametrize(("n1", "n2"), [(30, 50), (333, 1000), (2500, 3000), (5, 5), (700, 700)])
def test_p_values_equal_scipy_without_its_private_functions(
    monkeypatch: pytest.MonkeyPatch, n1: int, n2: int
) -> None:
    _without_private_scipy(monkeypatch)
    rng = np.random.default_rng(n1 * 7 + n2)
    for shift in (0.0, 0.1, 0.3, 1.0):
        a = np.sort(rng.normal(size=n1))
        b = np.sort(np.round(rng.normal(shift, size=n2), 2))
        ks, _ = sd.ks_and_wasserstein(a, b)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            ref = ks_2samp(a, b)
        assert ks.mode == "exact"
        assert ks.statistic == pytest.approx(ref.statistic, rel=1e-12, abs=0)
        assert ks.p_value == pytest.approx(ref.pvalue, rel=1e-12, abs=1e-300)


def test_a_changed_private_signature_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def moved(*args: object) -> None:
        raise TypeError("takes 4 positional arguments")

    monkeypatch.setattr(sk, "_private_scipy", lambda name: moved)
    success, d, p = sk._attempt_exact(30, 50, 0.3)
    lcm = 150
    h = round(0.3 * lcm)
    assert success and d == h / lcm
    assert p == pytest.approx(float(exact_outside(30, 50, h)), rel=1e-12)
