"""Baseline files: format, merge, and the update flow end to end through pytest."""

from __future__ import annotations

import json

import pytest
import scipy.special  # noqa: F401  (loaded once: pytester's in-process runs cannot reload it)
import sklearn.metrics  # noqa: F401

from pytest_mlgate.baselines import read_baseline, render, write_updates
from pytest_mlgate.errors import MlgateInputError


def test_write_merge_and_format(tmp_path):
    first = {
        "baseline": "credit",
        "key": "holdout.roc_auc",
        "value": 0.9,
        "fingerprint": "f",
        "n": 10,
    }
    write_updates(tmp_path, [first], commit="c1")
    second = {**first, "key": "holdout.recall", "value": 0.5}
    paths = write_updates(tmp_path, [second], commit="c2")
    assert paths == [tmp_path / "credit.json"]
    text = paths[0].read_text()
    assert json.loads(text)["schema_version"] == 1
    lines = text.splitlines()
    assert lines[2].lstrip().startswith('"holdout.recall"')  # sorted, one metric per line
    assert lines[3].lstrip().startswith('"holdout.roc_auc"')
    stored = read_baseline(tmp_path, "credit")
    assert stored["holdout.roc_auc"] == {"commit": "c1", "fingerprint": "f", "n": 10, "value": 0.9}
    assert stored["holdout.recall"]["commit"] == "c2"
    assert read_baseline(tmp_path, "absent") is None
    assert render({}).count("\n") == 5


def test_unreadable_or_unsafe_baselines(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(MlgateInputError, match="not valid JSON"):
        read_baseline(tmp_path, "bad")
    with pytest.raises(MlgateInputError, match="plain file name"):
        read_baseline(tmp_path, "../etc")


GATE = """
import numpy as np

def test_gate(mlgate):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    score = np.clip(y * 0.3 + rng.random(400) * 0.7, 0, 1)
    perf = mlgate.performance(y, y_score=score, name="holdout")
    perf.expect_no_regression("roc_auc", baseline="credit", max_drop=0.01)
    perf.expect_no_regression("average_precision", baseline="credit", max_relative_drop=0.02)

def test_other(mlgate):
    y = np.array([0, 1] * 50)
    perf = mlgate.performance(y, y_pred=y, name="other")
    perf.expect_no_regression("accuracy", baseline="other", max_drop=0.0)
"""


def test_update_under_xdist_is_written_by_the_controller(pytester):
    pytester.makeini("[pytest]\nmlgate_baseline_dir = baselines\n")
    pytester.makepyfile(test_gate=GATE)
    pytester.runpytest("--mlgate-update-baselines", "-n", "2").assert_outcomes(passed=2)
    credit = json.loads((pytester.path / "baselines" / "credit.json").read_text())
    assert sorted(credit["metrics"]) == ["holdout.average_precision", "holdout.roc_auc"]
    assert (pytester.path / "baselines" / "other.json").exists()


def test_round_trip_through_pytest(pytester):
    pytester.makeini("[pytest]\nmlgate_baseline_dir = baselines\n")
    pytester.makepyfile(test_gate=GATE)
    extra = ["-p", "no:xdist"]
    missing = pytester.runpytest(*extra)
    missing.assert_outcomes(failed=2)
    assert "pytest --mlgate-update-baselines" in missing.stdout.str()
    assert not (pytester.path / "baselines").exists()

    update = pytester.runpytest("--mlgate-update-baselines", *extra)
    update.assert_outcomes(passed=2)
    credit = json.loads((pytester.path / "baselines" / "credit.json").read_text())
    assert sorted(credit["metrics"]) == ["holdout.average_precision", "holdout.roc_auc"]
    entry = credit["metrics"]["holdout.roc_auc"]
    assert entry["fingerprint"].startswith("sha256:") and entry["n"] == 400
    assert (pytester.path / "baselines" / "other.json").exists()

    compare = pytester.runpytest(*extra)
    compare.assert_outcomes(passed=2)

    # a stored value above today's: the regression fails and the message shows both figures
    stored = entry["value"] + 0.05
    credit["metrics"]["holdout.roc_auc"]["value"] = stored
    (pytester.path / "baselines" / "credit.json").write_text(json.dumps(credit))
    regressed = pytester.runpytest(*extra)
    regressed.assert_outcomes(passed=1, failed=1)
    regressed.stdout.fnmatch_lines([f"*vs baseline {stored:.4g}*"])
