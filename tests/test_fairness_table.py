"""The group table against fairlearn's MetricFrame, the per-group band, and the one interval
of bootstrap values against scipy (issue 9)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from fairlearn import metrics as fm

from pytest_mlgate.checks.fairness.inputs import prepare
from pytest_mlgate.checks.fairness.table import GroupTable, group_metric
from pytest_mlgate.families.fairness import FairnessChecks
from pytest_mlgate.recording import Recorder
from pytest_mlgate.stats.intervals import BCA_FALLBACK, interval

from .conftest import make_recorder

TOL = 1e-12
RATES = {
    "selection_rate": fm.selection_rate,
    "true_positive_rate": fm.true_positive_rate,
    "false_positive_rate": fm.false_positive_rate,
}


def recorder_for(nodeid: str = "tests/test_fairness_table.py::t") -> Recorder:
    return make_recorder(nodeid)


@pytest.fixture(scope="module")
def adult_labels(adult_test):
    """A fixed rule for predictions (no model needed): income predicted from education."""
    y = adult_test["target"].to_numpy()
    pred = ((adult_test["education_num"] >= 13) | (adult_test["capital_gain"] > 5000)).astype(int)
    return y, pred.to_numpy(), adult_test[["sex", "race"]]


@pytest.mark.parametrize("columns", [["race"], ["sex", "race"]])
def test_group_table_equals_metricframe(adult_labels, columns):
    y, pred, sf = adult_labels
    sf = sf[columns]
    groups = prepare(y, pred, None, sf, 1, None, None, "error")
    table = GroupTable(groups, [group_metric(groups, name) for name in RATES])
    mf = fm.MetricFrame(metrics=RATES, y_true=y, y_pred=pred, sensitive_features=sf)

    def label(key):
        key = key if isinstance(key, tuple) else (key,)
        if len(columns) == 1:
            return str(key[0])
        return ", ".join(f"{c}={v}" for c, v in zip(columns, key, strict=True))

    by_group = {label(k): row for k, row in mf.by_group.iterrows()}
    eligible = {table.labels[g] for g in table.eligible.tolist()}
    # the groups fairlearn has a defined value of every rate for are exactly the eligible ones
    defined = {g for g, row in by_group.items() if row.notna().all()}
    excluded = {e["group"] for e in table.excluded}
    assert eligible | excluded >= defined
    for i, name in enumerate(RATES):
        fig = table.metrics[i]
        assert fig.overall == pytest.approx(mf.overall[name], abs=TOL)
        for g in eligible:
            assert fig.values[table.labels.index(g)] == pytest.approx(by_group[g][name], abs=TOL)
    # the summaries, on the rows of the eligible groups, equal fairlearn's there
    keep = np.isin(
        np.array([label(k) for k in sf.itertuples(index=False, name=None)]), list(eligible)
    )
    sub = fm.MetricFrame(
        metrics=RATES, y_true=y[keep], y_pred=pred[keep], sensitive_features=sf[keep]
    )
    differences = table.disparities("difference", "between_groups")
    ratios = table.disparities("ratio", "between_groups")
    for i, name in enumerate(RATES):
        assert differences[i] == pytest.approx(sub.difference()[name], abs=TOL)
        assert ratios[i] == pytest.approx(sub.ratio()[name], abs=TOL)
        low, high = table.worst_pair(i, "difference", "between_groups")
        values = sub.by_group[name]
        assert by_group[low][name] == pytest.approx(values.min(), abs=TOL)
        assert by_group[high][name] == pytest.approx(values.max(), abs=TOL)
    assert table.binding("difference", "between_groups") == int(np.argmax(differences))


def test_exclusions_state_counts_and_reasons():
    y = np.array([0, 1] * 40 + [0] * 10)
    pred = np.array([1, 0, 0, 1] * 20 + [1] * 10)
    g = pd.Series(["a"] * 50 + ["b"] * 30 + ["c"] * 10, name="g")
    groups = prepare(y, pred, None, g, 12, None, None, "error")
    table = GroupTable(groups, [group_metric(groups, "true_positive_rate")])
    assert table.labels[table.eligible[0]] == "a" and len(table.eligible) == 2
    assert table.excluded == [
        {
            "group": "c",
            "n": 10,
            "denominator": 0,
            "reason": "no positives: true_positive_rate is undefined (0/0)",
        }
    ]
    # a rate of every row counts rows: c is under min_group_size, not undefined
    assert GroupTable(groups, [group_metric(groups, "selection_rate")]).excluded == [
        {
            "group": "c",
            "n": 10,
            "denominator": 10,
            "reason": "10 rows for selection_rate, under min_group_size=12",
        }
    ]


def test_group_metric_takes_a_band(adult_labels):
    y, pred, sf = adult_labels
    sex = sf["sex"]
    fair = FairnessChecks(recorder_for(), y, pred, sensitive_features=sex)
    by_group = fm.MetricFrame(
        metrics=fm.selection_rate, y_true=y, y_pred=pred, sensitive_features=sex
    ).by_group
    low, high = float(by_group.min()), float(by_group.max())
    inside = fair.expect_group_metric("selection_rate", min=low - 0.01, max=high + 0.01)
    assert inside.status == "passed", inside.message
    assert inside.threshold == {"min": low - 0.01, "max": high + 0.01}
    assert inside.name == f"{low - 0.01:g} <= selection_rate per group <= {high + 0.01:g}"
    assert inside.details["direction"] == "not needed (a band)"
    # the worst group is the one nearest an end of the band
    nearest = min(
        by_group.index, key=lambda g: min(by_group[g] - low + 0.01, high + 0.01 - by_group[g])
    )
    assert inside.details["worst_group"] == nearest
    assert inside.observed == pytest.approx(by_group[nearest], abs=TOL)
    above = fair.expect_group_metric("selection_rate", min=0.0, max=(low + high) / 2)
    assert above.status == "failed"
    assert above.details["worst_group"] == by_group.idxmax()
    assert above.observed == pytest.approx(high, abs=TOL)
    assert f"{by_group.idxmax()} {high:.4g}" in above.message
    below = fair.expect_group_metric("selection_rate", min=(low + high) / 2, max=1.0)
    assert below.status == "failed" and below.observed == pytest.approx(low, abs=TOL)
    # with confidence, each group's exact interval is judged on both ends
    both = fair.expect_group_metric(
        "selection_rate", min=low - 0.01, max=high + 0.01, confidence=0.95
    )
    for group, entry in both.details["groups"].items():
        n = int((sex == group).sum())
        k = int(pred[(sex == group).to_numpy()].sum())
        exact = scipy.stats.binomtest(k, n).proportion_ci(0.95, method="exact")
        assert entry["interval"] == pytest.approx([exact.low, exact.high], abs=1e-9)
    assert both.details["ci_method"] == "clopper_pearson"
    assert both.status == (
        "passed"
        if all(
            low - 0.01 <= e["interval"][0] and e["interval"][1] <= high + 0.01
            for e in both.details["groups"].values()
        )
        else "failed"
    )
    bad = fair.expect_group_metric("selection_rate", min=0.6, max=0.4)
    assert bad.status == "error" and bad.message.startswith("min/max: min=0.6 is above max=0.4")
    none = fair.expect_group_metric("selection_rate")
    assert none.status == "error" and none.message.startswith("min/max: give a bound")


def test_per_group_bootstrap_interval_equals_scipys():
    """A callable metric's per-group interval is the percentile bootstrap of the group's rows:
    against scipy.stats.bootstrap per group, within 0.01 (Monte-Carlo sd about 0.003)."""
    rng = np.random.default_rng(21)
    g = pd.Series(rng.choice(["a", "b"], 1200, p=[0.6, 0.4]), name="g")
    y = rng.integers(0, 2, 1200)
    pred = np.where(rng.random(1200) < np.where(g == "a", 0.8, 0.7), y, 1 - y)

    def hit_rate(y_true, y_pred):
        return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))

    fair = FairnessChecks(recorder_for(), y, pred, sensitive_features=g)
    result = fair.expect_group_metric(hit_rate, min=0.5, confidence=0.9, n_boot=3000)
    assert result.details["ci_method"] == "percentile"
    for group in ("a", "b"):
        rows = (g == group).to_numpy()
        hits = (y[rows] == pred[rows]).astype(float)
        ref = scipy.stats.bootstrap(
            (hits,),
            np.mean,
            n_resamples=3000,
            confidence_level=0.9,
            method="percentile",
            random_state=np.random.default_rng(1),
        ).confidence_interval
        low, high = result.details["groups"][group]["interval"]
        assert low == pytest.approx(ref.low, abs=0.01) and high == pytest.approx(ref.high, abs=0.01)
    worst = min(("a", "b"), key=lambda k: result.details["groups"][k]["value"])
    assert result.interval == result.details["groups"][worst]["interval"]


# -- the one interval ------------------------------------------------------------------------


def test_percentile_interval_is_the_quantiles_of_the_defined_values():
    values = np.r_[np.random.default_rng(2).normal(size=999), np.nan]
    ci = interval(values, 0.9)
    finite = values[np.isfinite(values)]
    assert ci.bounds == [np.quantile(finite, 0.05), np.quantile(finite, 0.95)]
    assert (ci.method, ci.n_boot, ci.defined) == ("percentile", 1000, 999)
    assert interval(np.array([1.0, np.nan]), 0.9).bounds is None


def test_bca_equals_scipys_and_states_its_fallback():
    """BCa of the mean of a skewed sample against scipy.stats.bootstrap(method="BCa"), each on
    its own 20,000 resamples: within 0.02 (the interval spans about 0.9)."""
    rng = np.random.default_rng(5)
    x = rng.exponential(size=60)
    idx = rng.integers(0, len(x), size=(20_000, len(x)))
    boots = x[idx].mean(axis=1)
    jack = (x.sum() - x) / (len(x) - 1)
    ours = interval(boots, 0.95, method="bca", estimate=float(x.mean()), jackknife=jack)
    ref = scipy.stats.bootstrap(
        (x,),
        np.mean,
        n_resamples=20_000,
        confidence_level=0.95,
        method="BCa",
        random_state=np.random.default_rng(6),
    ).confidence_interval
    assert ours.method == "bca"
    assert ours.low == pytest.approx(ref.low, abs=0.02) and ours.high == pytest.approx(
        ref.high, abs=0.02
    )
    # collapsed jackknife tables with weights give the same interval as the full jackknife
    values, weights = np.unique(jack, return_counts=True)
    weighted = interval(
        boots,
        0.95,
        method="bca",
        estimate=float(x.mean()),
        jackknife=values,
        jackknife_weights=weights,
    )
    assert weighted.bounds == pytest.approx(ours.bounds, abs=1e-12)
    # every resample above the estimate: no bias correction exists; the record says so
    above = interval(np.linspace(2.0, 3.0, 100), 0.9, method="bca", estimate=1.0, jackknife=jack)
    assert above.method == BCA_FALLBACK and above.method.startswith("percentile")
    assert above.bounds == interval(np.linspace(2.0, 3.0, 100), 0.9).bounds
