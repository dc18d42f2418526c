"""Performance checks: bands with intervals, champion/challenger, slices and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from sklearn.metrics import accuracy_score, roc_auc_score

from pytest_mlgate.families.performance import PerformanceChecks
from pytest_mlgate.recording import Recorder

from .conftest import make_recorder

#: interval bounds are compared with an independent reference bootstrap within this many
#: bootstrap standard errors: the check's 2,000 resamples put each quantile within about 0.1
#: SE of the ideal one (Monte-Carlo error), so 0.3 SE is three times that, and still a tenth
#: of the interval's half-width (about 2 SE at 95%)
SE_TOLERANCE = 0.3


def recorder(nodeid: str = "t.py::test", **settings) -> Recorder:
    return make_recorder(nodeid, **settings)


def auc_by_ranks(positive: np.ndarray, score: np.ndarray) -> np.ndarray:
    """ROC AUC of each row of ``score`` (Mann-Whitney U from mid-ranks): an independent
    reference, vectorised over resamples."""
    ranks = scipy.stats.rankdata(score, axis=-1)
    n_pos = positive.sum(axis=-1)
    n_neg = positive.shape[-1] - n_pos
    return ((ranks * positive).sum(axis=-1) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def reference_percentile(y, s, confidence, n_boot=4000, seed=12345):
    """A seeded percentile bootstrap of ROC AUC written from the definition: resample rows,
    AUC by ranks, quantiles. Returns the interval and the bootstrap standard error."""
    rng = np.random.default_rng(seed)
    positive = (np.asarray(y) == 1).astype(float)
    values = []
    for _ in range(n_boot // 500):
        rows = rng.integers(0, len(y), size=(500, len(y)))
        values.append(auc_by_ranks(positive[rows], s[rows]))
    values = np.concatenate(values)
    alpha = (1 - confidence) / 2
    return np.quantile(values, [alpha, 1 - alpha]), values.std()


@pytest.fixture(scope="module")
def holdout(adult_test):
    a = adult_test.iloc[:5000].reset_index(drop=True)
    score = np.clip(a["education_num"].to_numpy() / 16 + a["capital_gain"].to_numpy() / 2e4, 0, 1)
    return a, a["target"].to_numpy(), score, (score >= 0.7).astype(int)


def perf(holdout, **kw):
    _a, y, s, p = holdout
    return PerformanceChecks(recorder(), y, y_pred=p, y_score=s, name="holdout", **kw)


def test_point_and_interval(holdout):
    _, y, s, _ = holdout
    checks = perf(holdout)
    point = checks.expect("roc_auc", min=0.6)
    assert point.status == "passed" and point.interval is None
    assert point.observed == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert point.details["task"] == "binary" and point.details["n"] == 5000
    assert auc_by_ranks((y == 1).astype(float), s) == pytest.approx(point.observed, abs=1e-12)
    # from 1,000 units of its denominator on (here the smaller class) the default interval of a
    # bootstrap metric is the percentile one (benchmarks/coverage.py): equal to a reference
    # percentile bootstrap within SE_TOLERANCE bootstrap standard errors
    ci = checks.expect("roc_auc", min=0.6, confidence=0.95, n_boot=2000)
    assert ci.details["denominator"] >= 1000
    assert ci.details["n_boot"] == 2000 and ci.details["ci_method"] == "percentile"
    assert "method" not in ci.details
    reference, se = reference_percentile(y, s, 0.95)
    assert np.abs(np.array(ci.interval) - reference).max() < SE_TOLERANCE * se
    # below 1,000 units: BCa at Hesterberg's expanded level (docs/statistics.md), against
    # scipy's BCa at that level computed here from the formula
    small = PerformanceChecks(recorder(), y[:400], y_score=s[:400])
    bca = small.expect("roc_auc", min=0.6, confidence=0.95, n_boot=2000)
    assert bca.details["ci_method"] == "bca"
    m = bca.details["denominator"]
    assert m == min((y[:400] == 1).sum(), (y[:400] != 1).sum())
    level = 1 - 2 * scipy.stats.norm.cdf(-np.sqrt(m / (m - 1)) * scipy.stats.t.ppf(0.975, m - 1))
    ref = scipy.stats.bootstrap(
        ((y[:400] == 1).astype(float), s[:400]),
        auc_by_ranks,
        paired=True,
        confidence_level=level,
        method="BCa",
        n_resamples=4000,
        random_state=0,
    )
    gap = np.array(bca.interval) - np.array(ref.confidence_interval)
    assert np.abs(gap).max() < SE_TOLERANCE * ref.standard_error
    # the verdict uses the unfavourable bound
    low = ci.interval[0]
    between = (low + ci.observed) / 2
    assert checks.expect("roc_auc", min=between).status == "passed"
    assert checks.expect("roc_auc", min=between, confidence=0.95, n_boot=300).status == "failed"
    # BCa asked for a loss: BCa used (stated as such), equal to scipy's BCa of the mean of the
    # per-row squared errors
    loss = checks.expect("brier", max=1.0, confidence=0.9, n_boot=2000, ci_method="bca")
    assert loss.status == "passed" and loss.details["ci_method"] == "bca"
    errors = (s - (y == 1)) ** 2
    ref = scipy.stats.bootstrap(
        (errors,), np.mean, confidence_level=0.9, method="BCa", n_resamples=4000, random_state=0
    )
    gap = np.array(loss.interval) - np.array(ref.confidence_interval)
    assert np.abs(gap).max() < SE_TOLERANCE * errors.std() / np.sqrt(len(errors))


def test_a_proportion_has_the_exact_binomial_interval(holdout):
    _, y, _, p = holdout
    r = perf(holdout).expect("recall", min=0.1, confidence=0.9)
    k, n = int(((p == 1) & (y == 1)).sum()), int((y == 1).sum())
    exact = scipy.stats.binomtest(k, n).proportion_ci(confidence_level=0.9, method="exact")
    assert r.interval == pytest.approx([exact.low, exact.high], abs=1e-12)
    assert r.details["ci_method"] == "clopper_pearson" and r.details["denominator"] == n


def test_no_interval_states_no_method(holdout):
    y = np.array([0, 1] * 150)
    refused = PerformanceChecks(recorder(), y, y_score=np.where(y == 1, 0.9, 0.1)).expect(
        "roc_auc", min=0.5, confidence=0.95, ci_method="percentile"
    )
    # the percentile bootstrap is refused on 150 units: no interval, so no method used
    assert refused.status == "insufficient" and refused.interval is None
    assert refused.details["ci_method"] is None and "percentile" in refused.message


def test_intervals_are_reproducible(holdout):
    a = perf(holdout).expect("recall", min=0.1, confidence=0.95, n_boot=200)
    b = perf(holdout).expect("recall", min=0.1, confidence=0.95, n_boot=200)
    assert a.interval == b.interval


def test_undefined_is_insufficient(holdout):
    y = np.zeros(100, dtype=int)
    checks = PerformanceChecks(recorder(), y, y_pred=y, y_score=np.linspace(0, 1, 100))
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
    a, y, _s, p = holdout
    checks = perf(holdout)
    r = checks.by(a["sex"]).expect("accuracy", min=0.5)
    slices = r.details["slices"]
    reference = {
        name: accuracy_score(y[(a["sex"] == name).to_numpy()], p[(a["sex"] == name).to_numpy()])
        for name in ("Female", "Male")
    }
    assert set(slices) == set(reference)
    for name, value in reference.items():
        assert slices[name]["value"] == pytest.approx(value, abs=1e-12)
        assert slices[name]["n"] == int((a["sex"] == name).sum())
    assert r.observed == pytest.approx(min(reference.values()), abs=1e-12)
    assert r.details["worst_slice"] == min(reference, key=reference.get)
    # race: the slices under min_size rows cannot be judged, the others are judged
    sizes = a["race"].value_counts()
    thin = checks.by(a["race"], min_size=100).expect("accuracy", min=0.0)
    assert thin.status == "insufficient" and thin.observed is None
    assert sorted(thin.details["insufficient"]) == sorted(sizes[sizes < 100].index)
    failing = checks.by(a["race"], min_size=100).expect("accuracy", min=0.99)
    judged = {
        race: accuracy_score(y[(a["race"] == race).to_numpy()], p[(a["race"] == race).to_numpy()])
        for race in sizes[sizes >= 100].index
    }
    assert failing.status == "failed"
    assert sorted(failing.details["failed"]) == sorted(k for k, v in judged.items() if v < 0.99)
    both = checks.by(a[["sex", "race"]], min_size=1).expect("accuracy", min=0.0)
    assert "sex=Male, race=White" in both.details["slices"]
    assert both.details["slices"]["sex=Male, race=White"]["n"] == int(
        ((a["sex"] == "Male") & (a["race"] == "White")).sum()
    )
    # each slice's interval is the exact binomial one on its rows; the method used is stated
    ci = checks.by(a["sex"]).expect("accuracy", min=0.5, confidence=0.9, n_boot=200)
    assert ci.details["ci_method"] == "clopper_pearson"
    for name, entry in ci.details["slices"].items():
        rows = (a["sex"] == name).to_numpy()
        k = int((y[rows] == p[rows]).sum())
        exact = scipy.stats.binomtest(k, int(rows.sum())).proportion_ci(0.9, method="exact")
        assert entry["interval"] == pytest.approx([exact.low, exact.high], abs=1e-12)
        assert entry["ci_method"] == "clopper_pearson"
    # slices of different sizes may get different methods: the record lists those used
    mixed = checks.by(a["sex"]).expect("roc_auc", min=0.5, confidence=0.9, n_boot=200)
    used = {e["ci_method"] for e in mixed.details["slices"].values()}
    assert mixed.details["ci_method"] == ", ".join(sorted(used))


def test_regression_and_pos_label(adult_test):
    y = adult_test["hours_per_week"].to_numpy(float)[:2000]
    pred = np.full(len(y), y.mean())
    checks = PerformanceChecks(recorder(), y, y_pred=pred)
    r = checks.expect("mae", max=20, confidence=0.95, n_boot=200)
    assert r.status == "passed" and r.details["task"] == "regression"
    labels = adult_test["income"].iloc[:2000]
    guess = np.where(adult_test["education_num"].iloc[:2000] > 12, ">50K", "<=50K")
    bad = PerformanceChecks(recorder(), labels, y_pred=guess)
    r = bad.expect("recall", min=0.1)
    assert r.status == "error" and "'<=50K'" in r.message and "pos_label" in r.message
    good = PerformanceChecks(recorder(), labels, y_pred=guess, pos_label=">50K")
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
    checks = PerformanceChecks(recorder(), y, **kwargs)
    r = checks.expect(metric, min=0.5)
    assert r.status == "error"
    assert argument in r.message
    if metric == "no_such_metric":
        assert "roc_auc" in r.message  # the known names are listed


def test_nan_in_y_true_fails_the_factory_and_every_check():
    rec = recorder()
    checks = PerformanceChecks(rec, np.array([0, 1, np.nan]), y_pred=np.array([0, 1, 1]))
    r = checks.expect("accuracy", min=0.5)
    results = [res for _, res in rec.record.results]
    # the factory's error is taken over by the first check: one mistake, one result
    assert [(x.name, x.status) for x in results] == [("accuracy >= 0.5", "error")]
    assert "y_true" in results[0].message and r is results[0]
    assert checks.by(np.array(["a", "b", "c"])).expect("accuracy", min=0).status == "error"
    missing = PerformanceChecks(recorder(), pd.Series([0, None, 1]), y_pred=[0, 1, 1])
    assert missing.expect("accuracy", min=0).status == "error"


def test_callable_metric(holdout):
    _, y, _, p = holdout
    checks = perf(holdout)
    r = checks.expect(
        lambda t, q: float(np.mean(t == q)),
        min=0.5,
        greater_is_better=True,
        confidence=0.9,
        n_boot=1000,
    )
    assert r.status == "passed"
    assert r.observed == pytest.approx(accuracy_score(y, p), abs=1e-12)
    # a callable is a bootstrap metric: on 5,000 rows its interval is the percentile one, equal
    # to scipy's percentile bootstrap of the mean of the per-row hits
    assert r.details["ci_method"] == "percentile"
    hits = (y == p).astype(float)
    ref = scipy.stats.bootstrap(
        (hits,),
        np.mean,
        confidence_level=0.9,
        method="percentile",
        n_resamples=10000,
        random_state=0,
    )
    gap = np.array(r.interval) - np.array(ref.confidence_interval)
    # 1,000 resamples: each quantile within about 0.07 SE of the ideal one
    assert np.abs(gap).max() < SE_TOLERANCE * hits.std() / np.sqrt(len(hits))
    r = checks.expect(lambda t, q: 1.0, min=0.5)  # the bound says which side passes
    assert r.status == "passed" and r.details["direction"] == "greater_is_better"
    r = checks.expect(lambda t, q: 1.0, max=0.5)
    assert r.status == "failed" and r.details["direction"] == "lower_is_better"


def test_roc_auc_on_several_classes_names_the_variants():
    y = np.array([0, 1, 2] * 20)
    scores = np.random.default_rng(0).dirichlet([1, 1, 1], len(y))
    r = PerformanceChecks(recorder(), y, y_score=scores).expect("roc_auc", min=0.5)
    assert r.status == "error" and r.message.startswith("metric: ")
    assert "roc_auc_ovr" in r.message and "roc_auc_ovo" in r.message
    ovr = PerformanceChecks(recorder(), y, y_score=scores).expect("roc_auc_ovr", min=0.0)
    assert ovr.observed == pytest.approx(roc_auc_score(y, scores, multi_class="ovr"), abs=1e-12)


def test_text_labels_of_several_classes_need_no_positive_class():
    y = np.array(["a", "b", "c"] * 20)
    pred = np.roll(y, 1)
    r = PerformanceChecks(recorder(), y, y_pred=pred).expect("accuracy", max=1.0)
    assert r.status == "passed" and r.observed == accuracy_score(y, pred)
    assert "pos_label" not in r.details


def test_no_regression_outside_pytest(tmp_path, holdout):
    _a, y, s, p = holdout
    settings = {"update_baselines": True, "baseline_dir": tmp_path, "rootdir": tmp_path}
    checks = PerformanceChecks(recorder(**settings), y, y_pred=p, y_score=s, name="holdout")
    r = checks.expect_no_regression("roc_auc", baseline="credit", max_drop=0.01)
    # an update run never records a regression check as passed: written, not judged
    assert r.status == "insufficient" and r.severity == "warn"
    assert "Baseline update requested" in r.message
    update = r.details["baseline_update"]
    assert update["key"] == "holdout.roc_auc" and update["baseline"] == "credit"
    assert not list(tmp_path.iterdir())  # a check never writes a file
    from pytest_mlgate.baselines import read_baseline, write_updates

    write_updates(tmp_path, [update], commit="abc")
    settings["update_baselines"] = False
    checks = PerformanceChecks(recorder(**settings), y, y_pred=p, y_score=s, name="holdout")
    same = checks.expect_no_regression("roc_auc", baseline="credit", max_drop=0.0)
    assert same.status == "passed" and same.threshold["baseline"] == update["value"]
    assert not same.details["fingerprint_changed"]
    gain = checks.expect_no_regression("roc_auc", baseline="credit", min_gain=0.01)
    assert gain.status == "failed"
    # different rows: flagged in the message
    other = PerformanceChecks(recorder(**settings), y[:4000], y_score=s[:4000], name="holdout")
    flagged = other.expect_no_regression("roc_auc", baseline="credit", max_drop=0.5)
    assert flagged.details["rows_changed"] and "evaluation rows differ" in flagged.message
    assert "worse by" in flagged.message and "favourable" not in flagged.message
    # the same rows, another model: the predictions changed, the data did not
    noisy = np.clip(s + np.random.default_rng(1).normal(0, 0.3, len(s)), 0, 1)
    new_model = PerformanceChecks(recorder(**settings), y, y_score=noisy, name="holdout")
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
