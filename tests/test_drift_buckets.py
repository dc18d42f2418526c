"""Issue 14: the sort-free drift path (``stats/buckets.py``) gives the sorting path's figures.

The KS statistic, the reference quantiles and the bin counts are equal bit for bit (so the
p-value, PSI, Jensen-Shannon and the null bridge are too); Wasserstein-1 equals
``scipy.stats.wasserstein_distance`` within 1e-12 relative, as the sorting path does. When the
buckets do not split the data, the path declines (None) and the column is sorted as before.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ks_2samp, wasserstein_distance

from pytest_mlgate.checks.drift import figures as checks_drift
from pytest_mlgate.checks.drift.inputs import compare
from pytest_mlgate.errors import MlgateInputError
from pytest_mlgate.families.drift import DriftChecks
from pytest_mlgate.stats import buckets as bk
from pytest_mlgate.stats import drift as sd

from .conftest import make_recorder


def sample(rng: np.random.Generator, kind: str, n: int) -> np.ndarray:
    if kind == "normal":
        return rng.normal(50, 4.5, n)
    if kind == "lognormal":
        return rng.lognormal(1.0, 1.0, n)
    if kind == "heavy":  # Pareto-like: a few values far out, the bulk near 1
        return 1.0 / rng.random(n) ** 1.5
    if kind == "rounded":  # ties
        return np.round(rng.normal(size=n), 1)
    if kind == "spike":  # zero-inflated
        x = rng.normal(size=n)
        x[rng.random(n) < 0.3] = 0.0
        return x
    if kind == "wide":  # signs and magnitudes from 1e-300 to 1e300
        return rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-300, 300, n)
    if kind == "tiny":  # subnormal scale
        return rng.normal(size=n) * 1e-310
    return rng.uniform(-1.0, 1.0, n)


KINDS = ["normal", "lognormal", "heavy", "rounded", "spike", "wide", "tiny", "uniform"]


def sorted_figures(a: np.ndarray, b: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray]:
    sa, sb = np.sort(a), np.sort(b)
    return sd.ks_statistic(sa, sb), sd.wasserstein_sorted(sa, sb), sa, sb


def assert_equals_sorting(a: np.ndarray, b: np.ndarray, share: float | None = None) -> bool:
    """The bucket figures of (a, b) equal the sorting path's and scipy's; False when the
    bucket path declined."""
    n1 = a.size
    probs = np.linspace(0.0, 1.0, 1001)
    lo, hi = sd.quantile_ranks(n1, sd.BIN_PROBABILITIES)
    q_lo, q_hi = sd.quantile_ranks(n1, probs)
    ranks = np.unique(np.concatenate([lo, hi, q_lo, q_hi]))
    found = bk.bucket_figures(a, b, ranks, np.stack([lo, hi], axis=1))
    if found is None:
        return False
    d, w, sa, sb = sorted_figures(a, b)
    assert found.statistic == d
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert found.statistic == pytest.approx(ks_2samp(a, b).statistic, rel=1e-12, abs=0)
        w_scipy = wasserstein_distance(a, b)
    np.testing.assert_allclose(found.wasserstein, w, rtol=1e-12, atol=0)
    if np.isfinite(w_scipy):
        np.testing.assert_allclose(found.wasserstein, w_scipy, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(found.ref_at(ranks), sa[ranks])
    edges = np.unique(sd.quantiles_at(found.ref_at, n1, sd.BIN_PROBABILITIES))
    np.testing.assert_array_equal(edges, sd.quantile_edges(sa))
    counted = found.counts_le(edges)
    if counted is not None:
        np.testing.assert_array_equal(counted[0], np.searchsorted(sa, edges, side="right"))
        np.testing.assert_array_equal(counted[1], np.searchsorted(sb, edges, side="right"))
    return True


@settings(max_examples=120, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    kind_a=st.sampled_from(KINDS),
    kind_b=st.sampled_from(KINDS),
    n1=st.integers(2, 6000),
    n2=st.integers(1, 6000),
    shift=st.sampled_from([0.0, 0.0, 0.01, 0.3]),
    scale=st.sampled_from([1.0, 1.0, 1.5]),
)
def test_bucket_figures_equal_the_sorting_path_and_scipy(
    seed, kind_a, kind_b, n1, n2, shift, scale
):
    rng = np.random.default_rng(seed)
    a = sample(rng, kind_a, n1)
    b = sample(rng, kind_b, n2) * scale + shift
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return
    assert_equals_sorting(a, b)


@pytest.mark.parametrize(
    ("kind", "n1", "n2", "shift"),
    [
        ("normal", 300_000, 300_000, 0.0),
        ("normal", 300_000, 123_457, 0.05),
        ("lognormal", 250_000, 250_000, 0.0),
        ("lognormal", 200_000, 300_000, 0.2),
        ("uniform", 200_000, 200_000, 0.0),
    ],
)
def test_large_samples_take_the_bucket_path(kind, n1, n2, shift):
    rng = np.random.default_rng(n1 + n2)
    a, b = sample(rng, kind, n1), sample(rng, kind, n2) + shift
    assert assert_equals_sorting(a, b), "the bucket path declined a well-spread sample"


def test_ties_across_both_samples_and_one_sided_buckets():
    rng = np.random.default_rng(5)
    a = np.round(rng.normal(size=50_000), 3)
    assert_equals_sorting(a, a[rng.integers(0, a.size, 30_000)])
    assert_equals_sorting(a, a + 1e-3)
    assert_equals_sorting(a, np.r_[a, a[:10]])
    x = rng.normal(size=40_000)
    assert_equals_sorting(x, x + 100.0)  # disjoint: statistic 1
    assert_equals_sorting(x + 100.0, x)
    assert_equals_sorting(x, np.r_[x[:1], x[:1]])  # one value repeated on one side


def test_the_bucket_path_declines_what_it_cannot_split():
    rng = np.random.default_rng(8)
    x = rng.normal(size=20_000)
    ranks, spans = np.array([0]), np.zeros((0, 2))
    assert bk.bucket_figures(x, x.copy(), ranks, spans) is None  # every bucket ambiguous
    assert bk.bucket_figures(x, rng.permutation(x), ranks, spans) is None
    huge = np.r_[x, -1.5e308, 1.5e308]  # the span overflows
    assert bk.bucket_figures(huge, x, ranks, spans) is None
    assert bk.bucket_figures(np.ones(10), np.ones(5), ranks, spans) is None  # no span
    # a Pareto-like tail (maximum ~1e8, bulk within 1..10): the bulk shares one cell of the
    # linear grid, a known limit of two levels; the column is sorted
    heavy = 1.0 / rng.random(200_000) ** 1.5
    assert bk.bucket_figures(heavy, 1.0 / rng.random(200_000) ** 1.5, ranks, spans) is None


def test_sort_is_slow_reads_the_cpu_once():
    assert bk.sort_is_slow() in (True, False)
    assert bk.sort_is_slow() is bk.sort_is_slow()


def test_moments_equal_the_sorted_summary():
    rng = np.random.default_rng(2)
    x = rng.lognormal(size=300_001)
    mean, m2 = bk.moments(x)
    s = np.sort(x)
    assert mean == pytest.approx(float(s.mean()), rel=1e-14)
    assert m2 == pytest.approx(float(np.sum((s - s.mean()) ** 2)), rel=1e-12)


# --- through the drift check: the same figures as the sorting path ---------------------


def frames(n: int, seed: int, with_nan: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    out = []
    for shift in (0.0, 0.1):
        df = pd.DataFrame(
            {
                "normal": rng.normal(shift, 1, n),
                "logn": rng.lognormal(0.0, 1.0 + shift, n),
                "ties": np.round(rng.normal(size=n), 1),  # declines: sorted as before
                "spiky": np.where(rng.random(n) < 0.4, 0.0, rng.normal(size=n)),
                "whole": rng.poisson(4, n).astype(float),  # counted, never bucketed
                "k": rng.integers(0, 3, n),
                "c": np.array(["u", "v"], dtype=object)[rng.integers(0, 2, n)],
            }
        )
        if with_nan:
            df.loc[rng.random(n) < 0.05, ["normal", "logn"]] = np.nan
        out.append(df)
    return out[0], out[1]


def all_figures(ref, cur, minimum, monkeypatch, **kwargs):
    monkeypatch.setattr(checks_drift, "BUCKETS", True)
    monkeypatch.setattr(checks_drift, "BUCKET_MIN_ROWS", minimum)
    comparison = compare(ref, cur, None, kwargs.get("categorical"))
    return {c: checks_drift.column_figures(comparison, c) for c in ref.columns}


@pytest.mark.parametrize("with_nan", [False, True])
def test_check_figures_equal_the_sorting_path(monkeypatch, with_nan):
    ref, cur = frames(30_000, seed=3, with_nan=with_nan)
    cur = cur.iloc[:25_000]
    sorting = all_figures(ref, cur, 10**12, monkeypatch)
    buckets = all_figures(ref, cur, 1000, monkeypatch)
    for column, old in sorting.items():
        new = buckets[column]
        assert (new.statistic, new.p_value, new.kind, new.skipped) == (
            old.statistic,
            old.p_value,
            old.kind,
            old.skipped,
        ), column
        assert (new.psi, new.jensen_shannon, new.bins, new.bridge) == (
            old.psi,
            old.jensen_shannon,
            old.bins,
            old.bridge,
        ), column
        if old.kind == "numeric":
            assert new.histogram == old.histogram, column
            for name in ("wasserstein", "effect", "ref_std"):
                assert getattr(new, name) == pytest.approx(getattr(old, name), rel=1e-12)
        else:
            assert new.histogram == old.histogram, column


def test_check_verdicts_equal_the_sorting_path(monkeypatch):
    ref, cur = frames(20_000, seed=4)
    monkeypatch.setattr(checks_drift, "BUCKETS", True)
    monkeypatch.setattr(checks_drift, "BUCKET_MIN_ROWS", 10**12)
    old = DriftChecks(make_recorder("t"), ref, cur).expect_no_drift()
    monkeypatch.setattr(checks_drift, "BUCKET_MIN_ROWS", 1000)
    new = DriftChecks(make_recorder("t"), ref, cur).expect_no_drift()
    assert new.status == old.status
    assert new.details["drifted"] == old.details["drifted"]
    assert new.observed == pytest.approx(old.observed, rel=1e-12)


def test_constant_and_categorical_float_columns(monkeypatch):
    n = 5000
    rng = np.random.default_rng(1)
    ref = pd.DataFrame({"const": np.full(n, 2.5), "half": np.full(n, 0.5), "f": rng.random(n)})
    cur = pd.DataFrame(
        {"const": np.full(n, 2.5), "half": rng.random(n) + 0.5, "f": np.round(rng.random(n), 1)}
    )
    sorting = all_figures(ref, cur, 10**12, monkeypatch, categorical=["f"])
    buckets = all_figures(ref, cur, 100, monkeypatch, categorical=["f"])
    assert buckets["const"].skipped == sorting["const"].skipped == "constant in both"
    for column in ("half", "f"):
        assert buckets[column].statistic == sorting[column].statistic
        assert buckets[column].histogram == sorting[column].histogram


def test_infinite_values_are_named_as_before(monkeypatch):
    n = 3000
    rng = np.random.default_rng(1)
    ref = pd.DataFrame({"x": rng.normal(size=n)})
    cur = ref.copy()
    cur.loc[[3, 7], "x"] = [np.inf, -np.inf]
    messages = []
    monkeypatch.setattr(checks_drift, "BUCKETS", True)
    for minimum in (10**12, 100):
        monkeypatch.setattr(checks_drift, "BUCKET_MIN_ROWS", minimum)
        with pytest.raises(MlgateInputError) as info:
            checks_drift.column_figures(compare(ref, cur, None, None), "x")
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert "2 infinite values" in messages[1]
