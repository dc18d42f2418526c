"""Statistics that keep their promise at every n (issue 12).

Each test below failed before issue 12. The simulations are seeded, reduced versions of
``benchmarks/coverage.py`` (the full tables are in ``docs/statistics.md``); their bounds sit
between the old figures and the nominal level, with the Monte-Carlo error in the comments.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from pytest_mlgate.families.drift import DriftChecks
from pytest_mlgate.families.fairness import FairnessChecks
from pytest_mlgate.families.performance import PerformanceChecks
from pytest_mlgate.profile import Profile
from pytest_mlgate.recording import Recorder

from .conftest import make_recorder

ROOT = Path(__file__).resolve().parent.parent


def recorder(nodeid: str = "t.py::test") -> Recorder:
    return make_recorder(nodeid)


@pytest.fixture(scope="module")
def coverage():
    spec = importlib.util.spec_from_file_location("coverage_bench", ROOT / "benchmarks/coverage.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def rows_by_method(rows):
    return {row["method"]: row for row in rows}


# -- 1. proportions: intervals valid at the boundary; by() counts the denominator ----------


def test_one_positive_found_is_not_a_certain_recall():
    y = np.r_[1, np.zeros(299)].astype(int)
    result = PerformanceChecks(recorder(), y, y_pred=y).expect("recall", min=0.9, confidence=0.95)
    assert result.status == "failed"
    low, high = result.interval
    assert low == pytest.approx(scipy.stats.beta.ppf(0.025, 1, 1)) and high == 1.0
    assert result.details["ci_method"] == "clopper_pearson"
    assert result.details["denominator"] == 1


@pytest.mark.parametrize("x,n", [(0, 10), (3, 10), (10, 10), (17, 23), (500, 1000)])
def test_clopper_pearson_equals_the_beta_quantiles(x, n):
    from pytest_mlgate.stats.intervals import clopper_pearson

    low, high = clopper_pearson(x, n, 0.9)
    ref_low = 0.0 if x == 0 else scipy.stats.beta.ppf(0.05, x, n - x + 1)
    ref_high = 1.0 if x == n else scipy.stats.beta.ppf(0.95, x + 1, n - x)
    assert low == pytest.approx(ref_low, abs=1e-12) and high == pytest.approx(ref_high, abs=1e-12)
    # and the exact one-sided error of the lower bound is at most 5% at every true value
    for p in np.linspace(0.01, 0.99, 25):
        k = np.arange(n + 1)
        lows = np.array([clopper_pearson(int(i), n, 0.9)[0] for i in k])
        assert scipy.stats.binom.pmf(k, n, p)[lows > p].sum() <= 0.05 + 1e-12


def test_recall_near_one_on_few_positives_keeps_its_level(coverage):
    """Recall 0.92 on about 20 positives: 18.6% gate false passes before (percentile)."""
    rows = coverage.performance_table(
        ["recall near 1"],
        (100,),
        {100: 200},
        seed=1,
        methods=("default", "percentile", "bca"),
        raw=("percentile",),
    )
    judged = rows_by_method(rows)
    assert judged["default -> clopper_pearson"]["false_pass"] <= 0.035  # exact: <= 2.5%
    assert judged["percentile (refused)"]["refused"] == 1.0
    assert judged["bca (refused)"]["refused"] == 1.0
    assert judged["raw percentile"]["false_pass"] > 0.1  # what the gate did before


def test_slice_size_counts_the_metric_denominator():
    y = np.r_[1, np.zeros(39), np.tile([0, 1], 100)].astype(int)
    slices = np.r_[np.zeros(40), np.ones(200)]
    result = (
        PerformanceChecks(recorder(), y, y_pred=y).by(slices, min_size=30).expect("recall", min=0.6)
    )
    assert result.status == "insufficient"
    small = result.details["slices"]["0.0"]
    assert small["n"] == 40 and small["denominator"] == 1 and "positives" in small["reason"]
    assert result.details["slices"]["1.0"]["status"] == "passed"


# -- 2 and 7. fairness: BCa refused on disparities, signed intervals -----------------------


def test_bca_is_refused_on_disparities_and_the_default_keeps_its_level(coverage):
    """Four groups, true difference 0.10: BCa gave 13-16% gate false passes at n=200."""
    rows = coverage.fairness_table((200,), {200: 150}, seed=2)
    table = {(r["scenario"], r["method"]): r for r in rows}
    for kind in ("difference", "ratio"):
        assert table[kind, "bca (refused)"]["refused"] == 1.0
        assert table[kind, "auto"]["false_pass"] <= 0.035  # MC sd 1.3% at 2.5%
        assert table[kind, "auto"]["refused"] == 0.0
    assert table["difference", "raw bca"]["false_pass"] > 0.05  # what the gate did before


def test_disparity_interval_is_signed_and_covers_zero_for_equal_groups():
    rng = np.random.default_rng(4)
    covered = 0
    for rep in range(20):
        g = pd.Series(np.repeat(["a", "b"], 1000), name="g")
        pred = (rng.random(2000) < 0.3).astype(int)
        y = rng.integers(0, 2, 2000)
        fair = FairnessChecks(recorder(f"t::{rep}"), y, pred, sensitive_features=g)
        result = fair.expect_difference("selection_rate", max=0.2, confidence=0.95, n_boot=400)
        low, high = result.interval
        assert low <= result.observed <= high
        assert result.details["judged_bound"] == high
        covered += low <= 0.0
    assert covered >= 16  # about 95% of 20; the interval of |d| never covers 0


# -- 3. bootstrap families at small n -------------------------------------------------------


def test_default_interval_keeps_its_level_at_100_rows(coverage):
    """Average precision on about 30 positives: the old default (percentile) gave 6.6% gate
    false passes in 1,500 replications, 5.3% in these 400."""
    rows = coverage.performance_table(
        ["average_precision"], (100,), {100: 400}, seed=5, methods=("default",), raw=()
    )
    (row,) = rows
    assert row["method"] == "default -> bca"
    assert row["false_pass"] <= 0.035  # 3.0% here; MC sd 0.8%
    y = coverage._binary(np.random.default_rng(3), 100)["y_true"]
    refused = PerformanceChecks(recorder(), y, y_score=np.full(100, 0.4)).expect(
        "log_loss", max=1.0, confidence=0.95, ci_method="percentile"
    )
    assert refused.status == "insufficient" and "refused" in refused.message


def test_expanded_level_is_hesterbergs():
    from pytest_mlgate.stats.intervals import expanded_confidence

    level = expanded_confidence(0.95, 30)
    z = np.sqrt(30 / 29) * scipy.stats.t.ppf(0.975, 29)
    assert level == pytest.approx(1 - 2 * scipy.stats.norm.sf(z))
    assert expanded_confidence(0.95, 10**6) == pytest.approx(0.95, abs=1e-5)


def test_a_perfect_figure_has_no_bootstrap_interval():
    y = np.tile([0, 1], 20)
    result = PerformanceChecks(recorder(), y, y_score=y * 0.9 + 0.05).expect(
        "roc_auc", min=0.9, confidence=0.95
    )
    assert result.status == "insufficient" and "bootstrap cannot bound" in result.message


# -- 4. profiles keep the tails ---------------------------------------------------------------


@pytest.mark.parametrize("dist", ["lognormal", "pareto"])
def test_profile_verdicts_equal_raw_on_heavy_tails(dist):
    rng = np.random.default_rng(6)

    def draw(n):
        return rng.lognormal(0.0, 2.0, n) if dist == "lognormal" else rng.pareto(2.5, n) + 1.0

    n = 1_000_000
    ref, cur = pd.DataFrame({"x": draw(n)}), pd.DataFrame({"x": draw(n)})
    whole = Profile.from_frame(ref)
    merged = Profile.from_batches(ref.iloc[i : i + n // 4] for i in range(0, n, n // 4))
    raw = DriftChecks(recorder(), ref, cur)
    base = raw.expect_no_drift().details["columns"]["x"]["effect"]
    for reference in (whole, merged):
        drift = DriftChecks(recorder(), reference, cur)
        effect = drift.expect_no_drift().details["columns"]["x"]["effect"]
        assert effect == pytest.approx(base, abs=5e-4)  # before: 0.12-0.21 against ~0.002
        w_raw = raw.expect_column("x", "wasserstein")
        w_prof = drift.expect_column("x", "wasserstein")
        assert w_raw.status == w_prof.status == "passed"
        note = drift.expect_column("x").details["approximation"]["x"]
        assert note["tails_exact"] and "exact for the 1,000 smallest" in note["note"]
        assert note["bins_exact"] == (reference is whole)
        assert ("interpolated" in note["note"]) == (reference is merged)


# -- 5. distances are n-aware -------------------------------------------------------------------


@pytest.mark.parametrize("method", ["psi", "jensen_shannon"])
def test_distances_do_not_alarm_on_small_identical_samples(method):
    rng = np.random.default_rng(7)
    statuses = []
    for rep in range(30):
        ref = pd.DataFrame({"x": rng.normal(size=50)})
        cur = pd.DataFrame({"x": rng.normal(size=50)})
        result = DriftChecks(recorder(f"t::{rep}"), ref, cur).expect_no_drift(method=method)
        statuses.append(result.status)
    assert statuses.count("failed") <= 3  # before: 30 of 30
    result = DriftChecks(recorder(), ref, cur).expect_column("x", method)
    assert result.status == "insufficient" and "Too few rows" in result.message


def test_distance_false_alarms_stay_under_alpha_where_judged(coverage):
    rows = coverage.drift_table((500, 5000), {500: 60, 5000: 30}, seed=8)
    for row in rows:
        assert row["failed"] <= 0.05 + 0.06, row  # 60 reps: MC sd 2.8% at 5%


# -- 6. one scale for effect sizes -------------------------------------------------------------


def test_a_ten_point_change_of_a_binary_column_is_drift():
    rng = np.random.default_rng(9)
    for n in (20_000, 200_000):
        ref = pd.DataFrame({"b": rng.random(n) < 0.6})
        cur = pd.DataFrame({"b": rng.random(n) < 0.7})
        result = DriftChecks(recorder(), ref, cur).expect_no_drift()
        col = result.details["columns"]["b"]
        assert result.status == "failed" and col["drifted"]
        assert col["effect"] == pytest.approx(0.1 / np.sqrt(0.65 * 0.35), abs=0.01)


# -- 8. superiority vs non-inferiority --------------------------------------------------------


def test_margin_zero_is_named_a_superiority_test():
    rng = np.random.default_rng(10)
    y = rng.integers(0, 2, 500)
    s = np.clip(y * 0.3 + rng.random(500) * 0.7, 0, 1)
    perf = PerformanceChecks(recorder(), y, y_score=s)
    same = perf.expect_not_worse_than(s, "roc_auc")
    assert same.status == "failed" and "superiority" in same.message
    assert "margin=" in same.message
    kept = perf.expect_not_worse_than(s, "roc_auc", margin=0.01)
    assert kept.status == "passed" and "non-inferiority" in kept.message


# -- 9. BH wording -------------------------------------------------------------------------------


def test_bh_message_says_it_bounds_the_false_discovery_rate():
    rng = np.random.default_rng(11)
    ref = pd.DataFrame({c: rng.normal(size=500) for c in "abc"})
    cur = pd.DataFrame({c: rng.normal(size=500) for c in "abc"})
    drift = DriftChecks(recorder(), ref, cur)
    result = drift.expect_no_drift()
    assert "false discovery rate" in result.message and "holm" in result.message
    holm = drift.expect_no_drift(correction="holm")
    assert holm.details["correction_controls"].startswith("family-wise")


# -- edges of the new rules ---------------------------------------------------------------------


def test_weighted_proportion_uses_kishs_effective_denominator():
    rng = np.random.default_rng(12)
    y = rng.integers(0, 2, 300)
    pred = np.where(rng.random(300) < 0.8, y, 1 - y)
    plain = PerformanceChecks(recorder(), y, y_pred=pred).expect(
        "accuracy", min=0.5, confidence=0.9
    )
    doubled = PerformanceChecks(recorder(), y, y_pred=pred, sample_weight=np.full(300, 2.0))
    same = doubled.expect("accuracy", min=0.5, confidence=0.9)
    assert same.interval == pytest.approx(plain.interval, abs=1e-12)  # n_eff = n
    x = int((y == pred).sum())
    assert plain.interval[0] == pytest.approx(scipy.stats.beta.ppf(0.05, x, 300 - x + 1))
    assert "Kish" in same.details["interval_note"]


@pytest.mark.parametrize("method", ["between_groups", "to_overall"])
@pytest.mark.parametrize("agg", ["worst_case", "mean"])
def test_every_disparity_interval_holds_its_estimate(method, agg):
    rng = np.random.default_rng(13)
    g = pd.Series(rng.choice(["a", "b", "c"], 3000), name="g")
    y = rng.integers(0, 2, 3000)
    pred = (rng.random(3000) < np.where(g == "a", 0.35, 0.3)).astype(int)
    fair = FairnessChecks(recorder(), y, pred, sensitive_features=g)
    for result in (
        fair.expect_equalized_odds(
            max_difference=0.2, agg=agg, method=method, confidence=0.9, n_boot=300
        ),
        fair.expect_demographic_parity(min_ratio=0.5, method=method, confidence=0.9, n_boot=300),
    ):
        low, high = result.interval
        assert low <= result.observed <= high, result.details["interval_meaning"]
        assert result.details["judged_bound"] in (low, high)


def test_a_profile_saved_without_tails_says_so_and_merges(tmp_path):
    rng = np.random.default_rng(14)
    frame = pd.DataFrame({"x": rng.lognormal(size=5000)})
    doc = Profile.from_frame(frame).to_json()
    del doc["columns"]["x"]["distribution"]["sketch"]["tails"]
    from pytest_mlgate.profile import NumericSummary

    old = NumericSummary.from_json(doc["columns"]["x"], 5000)
    assert old.low_tail is None and not old.tails_exact
    new = Profile.from_frame(frame).columns["x"].numeric
    merged = new.merge(old)
    assert merged.low_tail is None and not merged.bins_exact
    assert (
        new.merge(new).low_tail.tolist()
        == np.sort(np.r_[new.low_tail, new.low_tail])[:1000].tolist()
    )
