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


def test_wheel_and_sdist_pass_twine_check_and_ship_what_they_promise(tmp_path):
    """``twine check`` accepts both (hatchling >= 1.27 writes the License-Expression metadata
    it validates); the license ships; the sdist carries the benchmarks its README runs."""
    import subprocess
    import sys
    import tarfile
    import zipfile
    from pathlib import Path

    pytest.importorskip("hatchling")
    pytest.importorskip("twine")
    root = Path(__file__).resolve().parent.parent
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-d", str(dist)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheel = next(dist.glob("pytest_mlgate-*.whl"))
    sdist = next(dist.glob("pytest_mlgate-*.tar.gz"))
    checked = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-1000:]
    assert checked.stdout.count("PASSED") == 2, checked.stdout
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "License-Expression: Apache-2.0" in meta
    for line in (
        "Classifier: Development Status :: 3 - Alpha",
        "Classifier: Operating System :: OS Independent",
        "Project-URL: Source, ",
        "Project-URL: Issues, ",
        "Project-URL: Changelog, ",
    ):
        assert line in meta, line
    assert "Requires-Dist: scipy>=1.11.1" in meta  # 1.11.0 was yanked
    with tarfile.open(sdist) as t:
        members = {m.split("/", 1)[1] for m in t.getnames() if "/" in m}
    for path in ("LICENSE", "benchmarks/README.md", "benchmarks/bench_example.py", "README.md"):
        assert path in members, path
    assert not any("mlgate-report" in m for m in members)  # generated reports stay out


def test_cli_help_has_no_markup(capsys):
    from pytest_mlgate.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "``" not in text and "mlgate: verify, diff, render and sign" in text
    assert "mlgate verify --chain DIR" in text  # the commands, laid out as written
