"""The vectorised bootstrap: each resample's value equals scikit-learn's; intervals cover."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.metrics as skm

from pytest_mlgate.metrics import REGISTRY
from pytest_mlgate.stats.bootstrap import (
    DifferenceStatistic,
    bootstrap_many,
    bootstrap_values,
    draw_counts,
    iter_counts,
    jackknife_values,
    resample_rows,
)
from pytest_mlgate.stats.intervals import interval
from pytest_mlgate.stats.metric_statistics import statistic_for


@pytest.fixture(scope="module")
def scored(adult_test):
    a = adult_test.iloc[:4000]
    y = a["target"].to_numpy()
    s = (a["education_num"] / 32 + a["age"] / 200).to_numpy()  # in [0, 1], many ties
    w = np.random.default_rng(2).uniform(0.2, 3.0, len(y))
    return y, s, (s > 0.55).astype(int), w


CASES = {
    "roc_auc": lambda y, s, p, w: skm.roc_auc_score(y, s, sample_weight=w),
    "average_precision": lambda y, s, p, w: skm.average_precision_score(y, s, sample_weight=w),
    "brier": lambda y, s, p, w: skm.brier_score_loss(y, s, sample_weight=w),
    "log_loss": lambda y, s, p, w: skm.log_loss(y, s, sample_weight=w, labels=[0, 1]),
    "accuracy": lambda y, s, p, w: skm.accuracy_score(y, p, sample_weight=w),
    "recall": lambda y, s, p, w: skm.recall_score(y, p, sample_weight=w),
    "f1_macro": lambda y, s, p, w: skm.f1_score(y, p, average="macro", sample_weight=w),
    "balanced_accuracy": lambda y, s, p, w: skm.balanced_accuracy_score(y, p, sample_weight=w),
}


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name", sorted(CASES))
def test_each_resample_equals_sklearn(scored, name, weighted):
    y, s, p, w = scored
    w = w if weighted else None
    m = REGISTRY[name]
    stat = statistic_for(m, y, s if m.needs == "scores" else p, sample_weight=w)
    counts = draw_counts(len(y), 4, np.random.default_rng(7))
    values = stat.batch(counts)
    for r in range(3):
        rows = resample_rows(counts[r], stat.order)
        ww = None if w is None else w[rows]
        expected = CASES[name](y[rows], s[rows], p[rows], ww)
        assert values[r] == pytest.approx(expected, abs=1e-12)


def test_regression_resamples_equal_sklearn(adult_test):
    a = adult_test.iloc[:3000]
    y = a["hours_per_week"].to_numpy(float)
    pred = 30 + 0.2 * a["age"].to_numpy(float)
    counts = draw_counts(len(y), 3, np.random.default_rng(3))
    refs = {
        "mae": skm.mean_absolute_error,
        "mse": skm.mean_squared_error,
        "r2": skm.r2_score,
        "mape": skm.mean_absolute_percentage_error,
        "rmse": skm.root_mean_squared_error,
    }
    for name, ref in refs.items():
        stat = statistic_for(REGISTRY[name], y, pred)
        values = stat.batch(counts)
        for r in range(3):
            rows = resample_rows(counts[r], stat.order)
            assert values[r] == pytest.approx(ref(y[rows], pred[rows]), rel=1e-12, abs=1e-12)


def test_counts_are_resamples_of_n_rows():
    counts = draw_counts(1000, 5, np.random.default_rng(0))
    assert counts.shape == (5, 1000)
    assert (counts.sum(axis=1) == 1000).all()
    # roughly Poisson(1): about 36.8% of rows are not drawn
    assert 0.33 < (counts == 0).mean() < 0.41


def test_reproducible_and_thread_independent(scored):
    y, s, _, _ = scored
    stat = statistic_for(REGISTRY["roc_auc"], y, s)
    a = bootstrap_values(stat, 300, np.random.SeedSequence([0, 1, 2]), threads=1)
    b = bootstrap_values(stat, 300, np.random.SeedSequence([0, 1, 2]), threads=2)
    c = bootstrap_values(stat, 300, np.random.SeedSequence([0, 1, 3]), threads=1)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_paired_difference_uses_the_same_resamples(scored):
    y, s, _, _ = scored
    other = s + np.random.default_rng(0).normal(0, 0.05, len(s))
    ma = statistic_for(REGISTRY["roc_auc"], y, s)
    mb = statistic_for(REGISTRY["roc_auc"], y, other)
    seed = np.random.SeedSequence(5)
    va, vb = bootstrap_many([ma, mb], 50, seed)
    diff = bootstrap_values(DifferenceStatistic(ma, mb), 50, np.random.SeedSequence(5))
    assert np.allclose(diff, va - vb, atol=1e-12)
    counts = next(iter_counts(len(y), 50, np.random.SeedSequence(5)))
    rows = resample_rows(counts[0], ma.order)
    assert va[0] == pytest.approx(skm.roc_auc_score(y[rows], s[rows]), abs=1e-12)
    assert vb[0] == pytest.approx(skm.roc_auc_score(y[rows], other[rows]), abs=1e-12)


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_interval_coverage_of_a_known_mean(method):
    """200 simulated samples of n=60 from Bernoulli(0.3): the 95% interval of the accuracy-like
    mean covers 0.3 in roughly 95% of them."""
    rng = np.random.default_rng(11)
    truth, n, covered = 0.3, 60, 0
    for rep in range(200):
        y = (rng.random(n) < truth).astype(int)
        stat = statistic_for(REGISTRY["selection_rate"], y, y)
        seed = np.random.SeedSequence([rep])
        values = bootstrap_values(stat, 200, seed)
        jack = jackknife_values(stat, seed) if method == "bca" else None
        ci = interval(values, 0.95, method=method, estimate=float(y.mean()), jackknife=jack)
        covered += ci.low <= truth <= ci.high
    assert 0.88 <= covered / 200 <= 0.99


def test_interval_leaves_out_undefined_resamples():
    values = np.array([np.nan, 0.1, 0.2, 0.3, np.nan])
    ci = interval(values, 0.9)
    assert ci.defined == 3 and ci.low is not None and ci.low >= 0.1
    empty = interval(np.full(5, np.nan), 0.9)
    assert empty.low is None and empty.high is None and empty.defined == 0


def test_draws_in_pieces_into_a_reused_buffer_equal_one_bincount_of_one_draw():
    """The counts drawn DRAW_PIECE at a time into a reused buffer equal those of one
    ``integers`` call for the whole chunk counted by ``bincount`` (the earlier definition)."""
    from pytest_mlgate.stats import bootstrap as bs

    for n, size in [(bs.DRAW_PIECE * 2 + 17, 3), (50, 7), (1, 2)]:
        draws = np.random.Generator(np.random.PCG64(11)).integers(
            0, n, size=(size, n), dtype=np.int64
        )
        draws += (np.arange(size, dtype=np.int64) * n)[:, None]
        expected = np.bincount(draws.ravel(), minlength=size * n).reshape(size, n)
        buffer = np.full((size, n), -5, dtype=np.int64)  # stale contents are cleared
        got = bs.draw_counts(n, size, np.random.Generator(np.random.PCG64(11)), out=buffer)
        np.testing.assert_array_equal(got, expected)
        assert got is buffer


def test_reused_buffers_give_the_values_of_one_thread_and_of_a_second_call():
    from pytest_mlgate.stats import bootstrap as bs

    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 3000)
    s = rng.random(3000)
    stat = bs.AUCStatistic(y, s)
    one = bs.bootstrap_values(stat, 300, np.random.SeedSequence(4), threads=1)
    two = bs.bootstrap_values(stat, 300, np.random.SeedSequence(4), threads=2)
    again = bs.bootstrap_values(stat, 300, np.random.SeedSequence(4), threads=2)
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(one, again)
