"""Drift between two saved profiles (a monitoring job profiles each window; the gate keeps no
rows), the one boundary rule of both drift checks, the ``test`` key and ``model=``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from example_datasets import ADULT_CATEGORICAL, ADULT_NUMERIC
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp, wasserstein_distance

from pytest_mlgate import Profile
from pytest_mlgate.card import Card
from pytest_mlgate.families.drift import DriftChecks
from pytest_mlgate.gate import Gate

from .conftest import make_recorder


def make_drift(reference, current, **kwargs):
    recorder = make_recorder("t.py::t")
    return DriftChecks(recorder, reference, current, **kwargs), recorder


def older(frame, n, seed):
    weights = np.exp((frame["age"] - frame["age"].mean()) / 12.0)
    return frame.sample(n, weights=weights, random_state=seed, replace=True)


def without_profiles(details):
    return {k: v for k, v in details.items() if not k.endswith("_profile")}


# -- profile against profile -------------------------------------------------------------------


def test_exact_profiles_give_the_figures_of_the_raw_frames():
    """Columns with at most 1,000 distinct values keep their exact distribution: every figure
    between two such profiles is the raw frames' one."""
    rng = np.random.default_rng(0)
    n = 4000

    def frame(shift):
        return pd.DataFrame(
            {
                "rounded": np.round(rng.normal(shift, 1, n), 1),
                "count": rng.poisson(4 + shift, n),
                "label": rng.choice(
                    ["a", "b", "c"], n, p=[0.5, 0.3 + shift / 10, 0.2 - shift / 10]
                ),
            }
        )

    ref, cur = frame(0.0), frame(0.5)
    raw = make_drift(ref, cur)[0]
    prof, _ = make_drift(Profile.from_frame(ref), Profile.from_frame(cur))
    for check in ("expect_no_drift", "expect_column"):
        args = () if check == "expect_no_drift" else ("rounded",)
        a, b = getattr(raw, check)(*args), getattr(prof, check)(*args)
        assert without_profiles(b.details) == a.details
        assert (a.status, a.observed, a.message) == (b.status, b.observed, b.message)
    for test in ("psi", "jensen_shannon", "wasserstein", "ks"):
        a, b = raw.expect_column("rounded", test), prof.expect_column("rounded", test)
        assert (a.status, a.observed) == (b.status, b.observed)
    result = prof.expect_no_drift()
    assert result.details["current_profile"] == Profile.from_frame(cur).sha256
    assert "approximation" not in result.details


def test_sketch_profiles_stay_within_their_stated_bound_of_scipy(adult, adult_test, tmp_path):
    """Continuous columns keep a 1,001-knot sketch on both sides: the KS statistic is within
    the stated bound (the two rank errors) of scipy's, the other figures close to the raw
    ones, and the verdicts those of the raw frames."""
    reference = Profile.load(Profile.from_frame(adult).save(tmp_path / "train.json"))
    for current in (adult_test, older(adult_test, 5000, seed=0)):
        window = Profile.load(Profile.from_frame(current).save(tmp_path / "window.json"))
        raw = make_drift(adult, current)[0].expect_no_drift()
        prof = make_drift(reference, window)[0].expect_no_drift()
        assert prof.status == raw.status
        assert prof.details["drifted"] == raw.details["drifted"]
        for col in ADULT_NUMERIC:
            got = prof.details["columns"][col]
            assert got["test"] == "ks"
            exact = ks_2samp(adult[col], current[col]).statistic
            note = prof.details.get("approximation", {}).get(col)
            bound = note["ks_statistic_error_bound"] if note else 0.0
            assert abs(got["statistic"] - exact) <= bound + 1e-12, col
            w = wasserstein_distance(adult[col], current[col]) / np.std(adult[col])
            assert got["effect"] == pytest.approx(w, rel=0.02, abs=2e-3), col
        for col in ADULT_CATEGORICAL:  # exact counts: chi-square equals scipy's
            a, b = adult[col].value_counts(), current[col].value_counts()
            cats = sorted(set(a.index) | set(b.index))
            table = np.array([[a.get(c, 0) for c in cats], [b.get(c, 0) for c in cats]])
            expected = chi2_contingency(table)
            got = prof.details["columns"][col]
            assert got["test"] == "chi2"
            np.testing.assert_allclose(got["statistic"], expected.statistic, rtol=1e-12)
            np.testing.assert_allclose(got["p_value"], expected.pvalue, rtol=1e-9)


def test_sketch_distances_against_the_raw_ones():
    rng = np.random.default_rng(1)
    ref = pd.DataFrame({"x": rng.lognormal(0, 1, 200_000)})
    cur = pd.DataFrame({"x": rng.lognormal(0.1, 1.1, 150_000)})
    raw = make_drift(ref, cur)[0]
    prof = make_drift(Profile.from_frame(ref), Profile.from_frame(cur))[0]
    a, b = raw.figures("x"), prof.figures("x")
    assert b.approximation is not None and "current is a quantile sketch" in b.approximation["note"]
    assert b.approximation["ks_statistic_error_bound"] == pytest.approx(
        2 * (1e-3) + 1 / 200_000 + 1 / 150_000
    )
    assert (
        abs(b.statistic - ks_2samp(ref["x"], cur["x"]).statistic)
        <= b.approximation["ks_statistic_error_bound"]
    )
    # PSI and JS on the reference's bins, the current counts read off its sketch's CDF: each
    # bin share within the sketch's rank error of the exact one
    edges = np.asarray(a.histogram["edges"])
    exact_counts = np.diff(np.r_[0, np.searchsorted(np.sort(cur["x"]), edges, "right"), len(cur)])
    np.testing.assert_allclose(b.histogram["current"], exact_counts / len(cur), atol=2.1e-3)
    assert b.psi == pytest.approx(a.psi, rel=0.05)
    ref_share = np.asarray(a.histogram["reference"])
    assert b.jensen_shannon == pytest.approx(
        jensenshannon(ref_share, b.histogram["current"], base=2), rel=1e-9
    )
    assert b.wasserstein == pytest.approx(
        wasserstein_distance(ref["x"], cur["x"]) / np.std(ref["x"]), rel=0.01
    )
    for test in ("auto", "ks", "psi", "jensen_shannon", "wasserstein"):
        assert prof.expect_column("x", test).status == raw.expect_column("x", test).status


def test_a_raw_reference_against_a_current_profile():
    rng = np.random.default_rng(2)
    ref = pd.DataFrame({"x": rng.normal(size=30_000), "c": rng.choice(["u", "v"], 30_000)})
    cur = pd.DataFrame({"x": rng.normal(0.5, 1, 20_000), "c": rng.choice(["u", "v"], 20_000)})
    drift, recorder = make_drift(ref, Profile.from_frame(cur))
    result = drift.expect_no_drift()
    assert result.status == "failed" and result.details["drifted"] == ["x"]
    x = result.details["columns"]["x"]
    bound = result.details["approximation"]["x"]["ks_statistic_error_bound"]
    assert bound == pytest.approx(1e-3 + 1 / 20_000)  # the reference rows are exact
    assert abs(x["statistic"] - ks_2samp(ref["x"], cur["x"]).statistic) <= bound
    roles = {u.role for _, u in recorder.record.datasets}
    assert roles == {"reference"}  # a profile is no dataset; its sha256 is in the details
    assert "reference_profile" not in result.details and "current_profile" in result.details


def test_what_a_current_profile_cannot_answer_is_a_clear_error(tmp_path):
    rng = np.random.default_rng(3)
    ref = pd.DataFrame({"n": rng.integers(0, 50, 3000), "y": rng.normal(size=3000)})
    cur = pd.DataFrame({"n": np.arange(3000), "y": rng.normal(size=3000)})
    window = Profile.load(Profile.from_frame(cur).save(tmp_path / "w.json"))
    assert window.columns["n"].identifier  # saved without values
    drift = make_drift(ref, window)[0]
    result = drift.expect_column("n")
    assert result.status == "error"
    assert "current profile keeps no values of column 'n'" in result.message
    assert drift.expect_column("y").status == "passed"
    # a number compared as a category needs the current value counts
    sketch = make_drift(ref, Profile.from_frame(cur), categorical=["n"])[0].expect_column("n")
    assert sketch.status == "error"
    assert "more than 1,000 distinct values in the current profile" in sketch.message


# -- one boundary rule ----------------------------------------------------------------------


def test_a_distance_equal_to_its_threshold_passes_in_both_checks():
    ref = pd.DataFrame({"c": ["a"] * 5000 + ["b"] * 5000})
    cur = pd.DataFrame({"c": ["a"] * 6000 + ["b"] * 4000})
    drift = make_drift(ref, cur)[0]
    p, q = np.array([0.5, 0.5]), np.array([0.6, 0.4])
    for test, expected in (
        ("psi", float(np.sum((q - p) * np.log(q / p)))),
        ("jensen_shannon", float(jensenshannon(p, q, base=2))),
    ):
        stat = drift.figures("c").figure(test)[0]
        assert stat == pytest.approx(expected, rel=1e-12)
        at = (
            drift.expect_no_drift(method=test, threshold=stat),
            drift.expect_column("c", test, max=stat),
        )
        assert [r.status for r in at] == ["passed", "passed"], [r.message for r in at]
        assert at[0].details["columns"]["c"]["drifted"] is False
        below = np.nextafter(stat, 0.0)
        under = (
            drift.expect_no_drift(method=test, threshold=below),
            drift.expect_column("c", test, max=below),
        )
        assert [r.status for r in under] == ["failed", "failed"], [r.message for r in under]


# -- details keys and model= ---------------------------------------------------------------


def _keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def test_the_drift_test_is_recorded_as_test_never_method(adult, adult_test):
    drift = make_drift(adult, adult_test)[0]
    whole = drift.expect_no_drift()
    assert whole.details["test"] == "auto"
    assert whole.details["columns"]["age"]["test"] == "ks"
    assert whole.details["columns"]["sex"]["test"] == "chi2"
    psi = drift.expect_no_drift(method="psi")
    assert psi.details["test"] == "psi" and psi.details["columns"]["age"]["test"] == "psi"
    one = drift.expect_column("age", "wasserstein")
    assert one.details["columns"]["age"]["test"] == "wasserstein"
    for result in (whole, psi, one):
        assert "method" not in set(_keys(result.details))
        assert result.threshold["method"] in ("auto", "psi", "wasserstein")  # the argument


def test_model_names_the_model_of_a_drift_family():
    recorder = make_recorder("t.py::t")
    gate = Gate(recorder, Card({}, recorder))
    frame = pd.DataFrame({"x": np.arange(100.0) % 7})
    named = gate.drift(frame, frame, name="inputs", model="churn-v2").expect_no_drift()
    plain = gate.drift(frame, frame, name="other").expect_no_drift()
    assert named.markers["model"] == "churn-v2"
    assert "model" not in plain.markers
