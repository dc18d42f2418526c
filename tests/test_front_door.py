"""What a new user meets first (issue 13): names and messages that read right, ``-v``
progress, normalised paths."""

from __future__ import annotations

import pytest

GATE = """
import numpy as np
import pandas as pd


def test_gate(mlgate):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    pred = rng.integers(0, 2, 400)
    sex = pd.Series(np.where(rng.random(400) < 0.5, "female", "male"), name="sex")
    fair = mlgate.fairness(y, pred, sensitive_features=pd.DataFrame({"sex": sex}))
    fair.expect_difference("selection_rate", max=1.0)
    three = rng.integers(0, 3, 300)
    scores = rng.dirichlet([1, 1, 1], 300)
    auc = mlgate.performance(three, y_score=scores, name="three").expect("roc_auc", min=0.5)
    assert auc.status == "error" and "roc_auc_ovr or roc_auc_ovo" in auc.message
"""


@pytest.fixture
def gate(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_gate=GATE)
    (pytester.path / "run").mkdir()
    return pytester


def test_names_progress_and_paths_read_right(gate: pytest.Pytester) -> None:
    result = gate.runpytest("-p", "no:cacheprovider", "-v", "--mlgate-report-dir", "x/../run")
    result.assert_outcomes(failed=1)
    # -v: every check on its own line under the test's, with status, subject, figure and rule
    result.stdout.fnmatch_lines(
        [
            "*test_gate.py::test_gate FAILED*",
            "*mlgate PASSED*fairness · by sex · selection_rate difference <= 1: *(rule: max 1*",
            "*mlgate ERROR*performance · three · roc_auc >= 0.5: —*",
        ]
    )
    text = result.stdout.str()
    assert "fairness · fairness" not in text  # an unnamed fairness family is named by column
    assert "report: " + str(gate.path / "run" / "audit.html") in text  # no "x/../run"
    assert "2 checks (" in text


def test_one_check_is_one_check_and_no_progress_without_v(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pandas as pd

        def test_one(mlgate):
            mlgate.data(pd.DataFrame({"a": [1]})).expect_row_count(min=1)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    text = result.stdout.str()
    assert "gate PASSED: 1 check (1 passed)" in text and "1 checks" not in text
    assert "mlgate PASSED" not in text
    summary = (pytester.path / "mlgate-report" / "summary.md").read_text(encoding="utf-8")
    assert "1 check, 0 blocking" in summary
