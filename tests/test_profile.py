"""Profiles: stable file format, exact round trip, merge within its stated bound, same verdicts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pytest_mlgate import Profile
from pytest_mlgate.errors import MlgateInputError
from pytest_mlgate.families.drift import DriftChecks

from .conftest import make_recorder


def run_drift(reference, current, **kwargs):
    return DriftChecks(make_recorder("test_profile.py::t"), reference, current).expect_no_drift(
        **kwargs
    )


def older(frame, n, seed):
    weights = np.exp((frame["age"] - frame["age"].mean()) / 12.0)
    return frame.sample(n, weights=weights, random_state=seed, replace=True)


def test_round_trip_gives_identical_figures(adult, adult_test, tmp_path):
    profile = Profile.from_frame(adult)
    path = profile.save(tmp_path / "adult.json")
    text = path.read_text()
    doc = json.loads(text)
    assert doc["format"] == "pytest-mlgate-profile" and doc["version"] == 1
    assert doc["sha256"] == profile.sha256
    assert list(doc) == sorted(doc) and "\n" in text  # sorted, indented: diff-friendly
    loaded = Profile.load(path)
    assert loaded.sha256 == profile.sha256
    assert loaded.save(tmp_path / "again.json").read_text() == text
    before = run_drift(profile, adult_test)
    after = run_drift(loaded, adult_test)
    assert before.details == after.details and before.observed == after.observed
    assert after.details["reference_profile"] == profile.sha256


def test_no_raw_rows_and_identifier_kept_out():
    df = pd.DataFrame(
        {"id": [f"user-{i}" for i in range(3000)], "x": np.random.default_rng(0).normal(size=3000)}
    )
    doc = Profile.from_frame(df).to_json()
    assert doc["columns"]["id"]["kind"] == "identifier"
    assert "categories" not in doc["columns"]["id"]
    assert len(doc["columns"]["x"]["distribution"]["sketch"]["knots"]) == 1001


def test_profile_verdicts_equal_raw_verdicts(adult, adult_test):
    profile = Profile.from_frame(adult)
    for current in (adult_test, older(adult_test, 5000, seed=0)):
        raw = run_drift(adult, current)
        prof = run_drift(profile, current)
        assert raw.status == prof.status
        assert raw.details["drifted"] == prof.details["drifted"]
        for col, figures in raw.details["columns"].items():
            other = prof.details["columns"][col]
            if col == "fnlwgt":  # > 1,000 distinct values: a quantile sketch
                bound = prof.details["approximation"]["fnlwgt"]["ks_statistic_error_bound"]
                assert abs(other["statistic"] - figures["statistic"]) <= bound
                assert other["effect"] == pytest.approx(figures["effect"], rel=0.02, abs=0.002)
            else:  # exact value counts: identical figures
                assert other == figures


def test_merge_of_batches_equals_whole_within_bound(adult):
    whole = Profile.from_frame(adult)
    batches = Profile.from_batches(adult.iloc[i : i + 5000] for i in range(0, len(adult), 5000))
    assert batches.rows == whole.rows
    for name, col in whole.columns.items():
        part = batches.columns[name]
        assert (part.count, part.nulls) == (col.count, col.nulls)
        if col.categories is not None:
            assert part.categories == col.categories
            continue
        a, b = col.numeric, part.numeric
        assert (a.minimum, a.maximum) == (b.minimum, b.maximum)
        assert b.mean == pytest.approx(a.mean, rel=1e-12)
        assert b.std == pytest.approx(a.std, rel=1e-9)
        values = np.sort(adult[name].dropna().to_numpy(dtype=float))
        grid = np.unique(values)
        exact = np.searchsorted(values, grid, side="right") / values.size
        assert np.max(np.abs(b.cdf(grid) - exact)) <= b.rank_error + 1e-12
        assert b.bins.sum() == a.bins.sum()
    merged = whole.merge(whole)
    assert merged.rows == 2 * whole.rows and merged.sha256 != whole.sha256


def test_merge_keeps_a_sketch_within_its_bound():
    rng = np.random.default_rng(5)
    parts = [pd.DataFrame({"x": rng.lognormal(size=20_000)}) for _ in range(4)]
    merged = Profile.from_batches(parts).columns["x"].numeric
    values = np.sort(np.concatenate([p["x"].to_numpy() for p in parts]))
    grid = values[::97]
    exact = np.searchsorted(values, grid, side="right") / values.size
    assert np.max(np.abs(merged.cdf(grid) - exact)) <= merged.rank_error
    assert merged.rank_error < 0.005


def test_bad_profiles(tmp_path, adult):
    path = Profile.from_frame(adult.iloc[:200]).save(tmp_path / "p.json")
    doc = json.loads(path.read_text())
    doc["rows"] = 1
    (tmp_path / "edited.json").write_text(json.dumps(doc))
    with pytest.raises(MlgateInputError, match="sha256"):
        Profile.load(tmp_path / "edited.json")
    (tmp_path / "junk.json").write_text("[1, 2]")
    with pytest.raises(MlgateInputError, match="not a pytest-mlgate profile"):
        Profile.load(tmp_path / "junk.json")
    with pytest.raises(MlgateInputError, match="batches"):
        Profile.from_batches([])
    with pytest.raises(MlgateInputError, match="different columns"):
        Profile.from_frame(adult[["age"]]).merge(Profile.from_frame(adult[["sex"]]))


def test_mlgate_profile_records_the_reference(pytester):
    pytester.makepyfile(
        """
        import pandas as pd
        from pytest_mlgate import Profile

        def test_profile(mlgate, tmp_path):
            df = pd.DataFrame({"x": range(100), "c": ["a", "b"] * 50})
            profile = mlgate.profile(df, name="ref")
            assert isinstance(profile, Profile)
            loaded = Profile.load(profile.save(tmp_path / "ref.json"))
            result = mlgate.drift(loaded, df).expect_no_drift()
            assert result.status == "passed", result.message
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
