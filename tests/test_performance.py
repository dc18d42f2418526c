"""Performance checks: bands with intervals, champion/challenger, slices and bad input."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from pytest_mlgate.checks.performance import PerformanceChecks
from pytest_mlgate.recording import GateSettings, Recorder, TestRecord


def recorder(nodeid: str = "t.py::test") -> Recorder:
    return Recorder(GateSettings(nodeid=nodeid, markers={}), TestRecord(nodeid))


@pytest.fixture(scope="module")
def holdout(adult_test):
    a = adult_test.iloc[:5000].reset_index(drop=True)
    score = np.clip(a["education_num"].to_numpy() / 16 + a["capital_gain"].to_numpy() / 2e4, 0, 1)
    return a, a["target"].to_numpy(), score, (score >= 0.7).astype(int)


def perf(holdout, **kw):
    _a, y, s, p = holdout
    return PerformanceChecks(recorder(), None, y, y_pred=p, y_score=s, name="holdout", **kw)


def test_point_and_interval(holdout):
    _, y, s, _ = holdout
    checks = perf(holdout)
    point = checks.expect("roc_auc", min=0.6)
    assert point.status == "passed" and point.interval is None
    assert point.observed == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert point.details["task"] == "binary" and point.details["n"] == 5000
    ci = checks.expect("roc_auc", min=0.6, confidence=0.95, n_boot=300)
    low, high = ci.interval
    assert low < ci.observed < high
    # the default interval of a bootstrap metric (benchmarks/coverage.py): percentile from
    # 1,000 units of its denominator on (here the smaller class), BCa below
    assert ci.details["denominator"] >= 1000
    assert ci.details["n_boot"] == 300 and ci.details["method"] == "percentile"
    small = PerformanceChecks(recorder(), None, y[:400], y_score=s[:400])
    assert small.expect("roc_auc", min=0.6, confidence=0.95).details["method"] == "bca"
    # the verdict uses the unfavourable bound
    between = (low + ci.observed) / 2
    assert checks.expect("roc_auc", min=between).status == "passed"
    assert checks.expect("roc_auc", min=between, confidence=0.95, n_boot=300).status == "failed"
    loss = checks.expect("brier", max=1.0, confidence=0.9, n_boot=200, ci_method="bca")
    assert loss.status == "passed" and loss.details["method"].startswith(("bca", "percentile"))


def test_intervals_are_reproducible(holdout):
    a = perf(holdout).expect("recall", min=0.1, confidence=0.95, n_boot=200)
    b = perf(holdout).expect("recall", min=0.1, confidence=0.95, n_boot=200)
    assert a.interval == b.interval


def test_undefined_is_insufficient(holdout):
    y = np.zeros(100, dtype=int)
    checks = PerformanceChecks(recorder(), None, y, y_pred=y, y_score=np.linspace(0, 1, 100))
    r = checks.expect("roc_auc", min=0.5)
    assert r.status == "insufficient" and r.observed is None
    assert "one class" in r.message
    r = checks.expect("precision", min=0.5)
    assert r.status == "insufficient" and r.observed is None
    warned = checks.expect("recall", min=0.5, on_insufficient="warn")
    assert warned.status == "insufficient" and warned.severity == "warn"


def test_champion_challenger(holdout):
    _, y, s, _ = holdout
    checks = perf(holdout)
    worse = np.clip(s + np.random.default_rng(0).normal(0, 0.3, len(s)), 0, 1)
    r = checks.expect_not_worse_than(worse, "roc_auc", n_boot=300)
    assert r.status == "passed" and r.interval[0] > 0
    assert r.observed == pytest.approx(roc_auc_score(y, s) - roc_auc_score(y, worse))
    # margin 0 is a superiority test (issue 12): a model identical to its champion is not
    # shown better, so it fails; with a margin it is shown not worse, so it passes
    r = perf(holdout).expect_not_worse_than(s, "roc_auc", n_boot=200, other_name="itself")
    assert r.observed == 0 and r.status == "failed" and "superiority" in r.message
    assert r.threshold["test"] == "superiority"
    r = perf(holdout).expect_not_worse_than(s, "roc_auc", margin=0.01, n_boot=200)
    assert r.status == "passed" and r.threshold["test"] == "non-inferiority"
    loses = perf(holdout).expect_not_worse_than(
        np.clip(s + 0.0, 0, 1) * 0 + (y * 0.9 + 0.05), "roc_auc", n_boot=200
    )
    assert loses.status == "failed"
    # lower is better: brier difference is flipped so that positive means better
    r = perf(holdout).expect_not_worse_than(worse, "brier", n_boot=200)
    assert r.observed > 0


def test_slices(holdout):
    a, _y, _s, _p = holdout
    checks = perf(holdout)
    r = checks.by(a["sex"]).expect("accuracy", min=0.5)
    slices = r.details["slices"]
    assert set(slices) == {"Female", "Male"}
    assert r.observed == min(v["value"] for v in slices.values())
    assert all(v["n"] > 1000 for v in slices.values())
    thin = checks.by(a["race"], min_size=100).expect("accuracy", min=0.0)
    assert thin.status == "insufficient"
    assert any(v["status"] == "insufficient" for v in thin.details["slices"].values())
    failing = checks.by(a["race"], min_size=100).expect("accuracy", min=0.99)
    assert failing.status == "failed"
    both = checks.by(a[["sex", "race"]], min_size=1).expect("accuracy", min=0.0)
    assert "sex=Male, race=White" in both.details["slices"]
    ci = checks.by(a["sex"]).expect("accuracy", min=0.5, confidence=0.9, n_boot=200)
    assert all("interval" in v for v in ci.details["slices"].values())


def test_regression_and_pos_label(adult_test):
    y = adult_test["hours_per_week"].to_numpy(float)[:2000]
    pred = np.full(len(y), y.mean())
    checks = PerformanceChecks(recorder(), None, y, y_pred=pred)
    r = checks.expect("mae", max=20, confidence=0.95, n_boot=200)
    assert r.status == "passed" and r.details["task"] == "regression"
    labels = adult_test["income"].iloc[:2000]
    guess = np.where(adult_test["education_num"].iloc[:2000] > 12, ">50K", "<=50K")
    bad = PerformanceChecks(recorder(), None, labels, y_pred=guess)
    r = bad.expect("recall", min=0.1)
    assert r.status == "error" and "'<=50K'" in r.message and "pos_label" in r.message
    good = PerformanceChecks(recorder(), None, labels, y_pred=guess, pos_label=">50K")
    assert good.expect("recall", min=0.1).status == "passed"


@pytest.mark.parametrize(
    ("kwargs", "metric", "argument"),
    [
        ({"y_pred": np.zeros(9, int)}, "accuracy", "y_pred"),
        ({"y_score": np.array([0.1, np.nan] * 5)}, "roc_auc", "y_score"),
        ({"y_score": np.array([0.1, np.inf] * 5)}, "roc_auc", "y_score"),
        ({"y_score": np.linspace(-1, 2, 10)}, "log_loss", "y_score"),
        ({"y_score": np.linspace(-1, 2, 10)}, "brier", "y_score"),
        ({"y_pred": np.ones(10, int)}, "roc_auc", "y_score"),
        ({"y_score": np.linspace(0, 1, 10)}, "no_such_metric", "metric"),
        ({"y_score": np.linspace(0, 1, 10)}, "recall", "y_pred"),
    ],
)
def test_bad_input_is_an_error_naming_the_argument(kwargs, metric, argument):
    y = np.array([0, 1] * 5)
    checks = PerformanceChecks(recorder(), None, y, **kwargs)
    r = checks.expect(metric, min=0.5)
    assert r.status == "error"
    assert argument in r.message
    if metric == "no_such_metric":
        assert "roc_auc" in r.message  # the known names are listed


def test_nan_in_y_true_fails_the_factory_and_every_check():
    rec = recorder()
    checks = PerformanceChecks(rec, None, np.array([0, 1, np.nan]), y_pred=np.array([0, 1, 1]))
    r = checks.expect("accuracy", min=0.5)
    results = [res for _, res in rec.record.results]
    # the factory's error is taken over by the first check: one mistake, one result
    assert [(x.name, x.status) for x in results] == [("accuracy >= 0.5", "error")]
    assert "y_true" in results[0].message and r is results[0]
    assert checks.by(np.array(["a", "b", "c"])).expect("accuracy", min=0).status == "error"
    missing = PerformanceChecks(recorder(), None, pd.Series([0, None, 1]), y_pred=[0, 1, 1])
    assert missing.expect("accuracy", min=0).status == "error"


def test_callable_metric(holdout):
    checks = perf(holdout)
    r = checks.expect(
        lambda t, p: float(np.mean(t == p)),
        min=0.5,
        greater_is_better=True,
        confidence=0.9,
        n_boot=50,
    )
    assert r.status == "passed" and r.interval is not None
    r = checks.expect(lambda t, p: 1.0, min=0.5)  # the bound says which side passes
    assert r.status == "passed" and r.details["direction"] == "greater_is_better"
    r = checks.expect(lambda t, p: 1.0, max=0.5)
    assert r.status == "failed" and r.details["direction"] == "lower_is_better"


def test_no_regression_outside_pytest(tmp_path, holdout):
    _a, y, s, p = holdout
    settings = SimpleNamespace(
        update_baselines=True, force_baselines=False, baseline_dir=tmp_path, rootdir=tmp_path
    )
    checks = PerformanceChecks(recorder(), settings, y, y_pred=p, y_score=s, name="holdout")
    r = checks.expect_no_regression("roc_auc", baseline="credit", max_drop=0.01)
    # an update run never records a regression check as passed: written, not judged
    assert r.status == "insufficient" and r.severity == "warn"
    assert "Baseline update requested" in r.message
    update = r.details["baseline_update"]
    assert update["key"] == "holdout.roc_auc" and update["baseline"] == "credit"
    assert not list(tmp_path.iterdir())  # a check never writes a file
    from pytest_mlgate.baselines import read_baseline, write_updates

    write_updates(tmp_path, [update], commit="abc")
    settings.update_baselines = False
    checks = PerformanceChecks(recorder(), settings, y, y_pred=p, y_score=s, name="holdout")
    same = checks.expect_no_regression("roc_auc", baseline="credit", max_drop=0.0)
    assert same.status == "passed" and same.threshold["baseline"] == update["value"]
    assert not same.details["fingerprint_changed"]
    gain = checks.expect_no_regression("roc_auc", baseline="credit", min_gain=0.01)
    assert gain.status == "failed"
    # different rows: flagged in the message
    other = PerformanceChecks(recorder(), settings, y[:4000], y_score=s[:4000], name="holdout")
    flagged = other.expect_no_regression("roc_auc", baseline="credit", max_drop=0.5)
    assert flagged.details["rows_changed"] and "evaluation rows differ" in flagged.message
    assert "worse by" in flagged.message and "favourable" not in flagged.message
    # the same rows, another model: the predictions changed, the data did not
    noisy = np.clip(s + np.random.default_rng(1).normal(0, 0.3, len(s)), 0, 1)
    new_model = PerformanceChecks(recorder(), settings, y, y_score=noisy, name="holdout")
    dropped = new_model.expect_no_regression("roc_auc", baseline="credit", max_drop=0.5)
    assert dropped.details["fingerprint_changed"] and dropped.details["rows_changed"] is False
    assert "differ" not in dropped.message and "worse by" in dropped.message
    assert dropped.details["rows_fingerprint"] == same.details["rows_fingerprint"]
    assert dropped.details["predictions_fingerprint"] != same.details["predictions_fingerprint"]
    # a zero baseline with a relative rule is reported, not divided by
    write_updates(
        tmp_path, [{**update, "key": "holdout.false_positive_rate", "value": 0.0}], commit=None
    )
    assert read_baseline(tmp_path, "credit")["holdout.roc_auc"]["commit"] == "abc"
    zero = checks.expect_no_regression(
        "false_positive_rate", baseline="credit", max_relative_drop=0.1
    )
    assert "baseline is 0" in zero.message and zero.status == "failed"
    missing = checks.expect_no_regression("roc_auc", baseline="nope", max_drop=0.01)
    assert missing.status == "failed" and "pytest --mlgate-update-baselines" in missing.message
    two = checks.expect_no_regression("roc_auc", baseline="credit", max_drop=0.1, min_gain=0.1)
    assert two.status == "error"
