"""A verdict that never overstates: crashes, interruptions, subsets, warn-only runs, baseline
updates, the audit trail and hostile text, each tried end to end as a user or an attacker
would (issue 10)."""

from __future__ import annotations

import json
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pytest_mlgate.cli import main
from pytest_mlgate.report.audit import compute_digest
from pytest_mlgate.report.markdown import md

PLAIN = ("-p", "no:cacheprovider")

THREE_TESTS = """
import pandas as pd
import pytest

FRAME = pd.DataFrame({"x": [1, 2, 3]})

@pytest.mark.data_quality
def test_a(mlgate):
    mlgate.data(FRAME, name="frame").expect_row_count(min=1)

@pytest.mark.fairness
def test_b(mlgate):
    mlgate.data(FRAME, name="frame").expect_between("x", min=0)

@pytest.mark.drift
def test_c(mlgate):
    mlgate.data(FRAME, name="frame").expect_between("x", max=10)
"""


def audit(pytester: pytest.Pytester, folder: str = "mlgate-report") -> dict:
    return json.loads((pytester.path / folder / "audit.json").read_text(encoding="utf-8"))


def html(pytester: pytest.Pytester, folder: str = "mlgate-report") -> str:
    return (pytester.path / folder / "audit.html").read_text(encoding="utf-8")


# -- 1. the verdict covers the run ---------------------------------------------------------


@pytest.mark.parametrize("workers", [(), ("-n", "2")])
def test_a_test_that_raises_after_a_passing_check_fails_the_gate(
    pytester: pytest.Pytester, workers: tuple[str, ...]
) -> None:
    pytester.makepyfile(
        test_gate="""
        import pandas as pd
        import pytest

        @pytest.mark.performance
        def test_crash(mlgate):
            mlgate.data(pd.DataFrame({"x": [1]}), name="f").expect_row_count(min=1)
            raise RuntimeError("the model file is corrupt")

        def test_fine(mlgate):
            mlgate.data(pd.DataFrame({"x": [1]}), name="f").expect_row_count(min=1)
        """
    )
    result = pytester.runpytest(*PLAIN, *workers)
    result.assert_outcomes(passed=1, failed=1)
    doc = audit(pytester)
    assert doc["summary"]["gate"] == "failed" and doc["summary"]["blocking"] == 1
    crash = [c for c in doc["checks"] if c["status"] == "error"]
    assert len(crash) == 1
    (c,) = crash
    assert c["category"] == "performance" and c["severity"] == "block"
    assert c["nodeid"] == "test_gate.py::test_crash"
    assert "RuntimeError: the model file is corrupt" in c["message"]
    assert "at test_gate.py:7" in c["message"]
    assert "GATE FAILED" in html(pytester) and "the model file is corrupt" in html(pytester)
    result.stdout.fnmatch_lines(["*gate FAILED*", "*ERROR*performance · test · the test body*"])
    assert main(["verify", str(pytester.path / "mlgate-report" / "audit.json")]) == 0


def test_fixture_and_teardown_errors_are_recorded(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_gate="""
        import pandas as pd
        import pytest

        @pytest.fixture
        def broken():
            raise ValueError("no data")

        @pytest.fixture
        def leaky():
            yield
            raise OSError("cleanup failed")

        def test_setup(mlgate, broken):
            pass

        def test_teardown(mlgate, leaky):
            mlgate.data(pd.DataFrame({"x": [1]})).expect_row_count(min=1)

        def test_plain_failure():
            assert 1 == 2
        """
    )
    result = pytester.runpytest(*PLAIN)
    result.assert_outcomes(passed=1, failed=1, errors=2)
    doc = audit(pytester)
    errors = {c["nodeid"]: c for c in doc["checks"] if c["status"] == "error"}
    assert set(errors) == {
        "test_gate.py::test_setup",
        "test_gate.py::test_teardown",
        "test_gate.py::test_plain_failure",
    }
    assert errors["test_gate.py::test_setup"]["details"]["phase"] == "setup"
    assert "ValueError: no data" in errors["test_gate.py::test_setup"]["message"]
    assert errors["test_gate.py::test_teardown"]["details"]["phase"] == "teardown"
    assert "AssertionError" in errors["test_gate.py::test_plain_failure"]["message"]
    assert all(c["category"] == "session" for c in errors.values())
    assert doc["summary"]["gate"] == "failed"


def test_a_gate_failure_is_not_also_recorded_as_a_crash(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_gate="""
        import pandas as pd

        def test_bad(mlgate):
            mlgate.data(pd.DataFrame({"x": [1]})).expect_row_count(min=5)
        """
    )
    pytester.runpytest(*PLAIN).assert_outcomes(failed=1)
    assert [c["status"] for c in audit(pytester)["checks"]] == ["failed"]


def test_a_collection_error_makes_the_run_incomplete(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_ok=THREE_TESTS, test_broken="import no_such_module_here\n")
    result = pytester.runpytest(*PLAIN, "--mlgate-report-dir", "mlgate-report")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    doc = audit(pytester)
    assert doc["summary"]["gate"] == "incomplete"
    assert any("collection error" in r for r in doc["summary"]["incomplete"])
    (err,) = [c for c in doc["checks"] if c["status"] == "error"]
    assert err["nodeid"] == "test_broken.py" and "ModuleNotFoundError" in err["message"]
    assert "GATE INCOMPLETE" in html(pytester)


def test_ctrl_c_keeps_the_checks_of_the_interrupted_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_gate="""
        import pandas as pd

        def test_a(mlgate):
            dq = mlgate.data(pd.DataFrame({"x": [1]}), name="f")
            dq.expect_row_count(min=5)
            raise KeyboardInterrupt

        def test_b(mlgate):
            pass
        """
    )
    result = pytester.runpytest_subprocess(*PLAIN)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    doc = audit(pytester)
    assert [c["status"] for c in doc["checks"]] == ["failed"]
    assert doc["summary"]["gate"] == "incomplete" and doc["partial"] is True
    assert any("interrupted" in r for r in doc["summary"]["incomplete"])
    result.stdout.fnmatch_lines(["*gate INCOMPLETE*interrupted*"])


def test_x_stopping_early_is_incomplete_but_on_the_last_test_it_is_failed(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_gate="""
        import pandas as pd

        def test_1_bad(mlgate):
            mlgate.data(pd.DataFrame({"x": [1]})).expect_row_count(min=5)

        def test_2_good(mlgate):
            mlgate.data(pd.DataFrame({"x": [1]})).expect_row_count(min=1)
        """
    )
    pytester.runpytest(*PLAIN, "-x")
    summary = audit(pytester)["summary"]
    assert summary["gate"] == "incomplete"
    assert "1 of 2 selected tests did not run" in summary["incomplete"][0]
    pytester.runpytest(*PLAIN, "-x", "-k", "2_good or 1_bad", "-p", "no:randomly")
    pytester.makepyfile(
        test_gate="""
        import pandas as pd

        def test_1_good(mlgate):
            mlgate.data(pd.DataFrame({"x": [1]})).expect_row_count(min=1)

        def test_2_bad(mlgate):
            mlgate.data(pd.DataFrame({"x": [1]})).expect_row_count(min=5)
        """
    )
    pytester.runpytest(*PLAIN, "-x")
    summary = audit(pytester)["summary"]
    assert summary["gate"] == "failed" and summary["incomplete"] == []


def test_collect_only_writes_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gate=THREE_TESTS)
    pytester.runpytest(*PLAIN, "--co", "--mlgate-report-dir", "rep")
    assert not (pytester.path / "rep").exists()


# -- subsets -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "selected", "shown"),
    [
        (("-m", "fairness"), 1, "-m fairness"),
        (("-k", "test_a or test_c"), 2, "-k test_a or test_c"),
        (("-n", "2", "-m", "fairness"), 1, "-m fairness"),
    ],
)
def test_a_subset_run_says_so_everywhere(
    pytester: pytest.Pytester, args: tuple[str, ...], selected: int, shown: str
) -> None:
    pytester.makepyfile(test_gate=THREE_TESTS)
    pytester.runpytest(*PLAIN).assert_outcomes(passed=3)
    full = pytester.path / "full.json"
    full.write_bytes((pytester.path / "mlgate-report" / "audit.json").read_bytes())
    result = pytester.runpytest(*PLAIN, *args)
    result.assert_outcomes(passed=selected)
    doc = audit(pytester)
    assert doc["scope"]["subset"] is True and doc["summary"]["subset"] is True
    assert doc["scope"]["selected"] == selected and doc["scope"]["deselected"] == 3 - selected
    banner = f"subset: {selected} of 3 tests ({shown})"
    assert banner in html(pytester)
    result.stdout.fnmatch_lines([f"*{banner}*"])
    summary_md = (pytester.path / "mlgate-report" / "summary.md").read_text(encoding="utf-8")
    assert md(banner) in summary_md
    # the full run's record is not lost: it is in history/, and diff says subset
    assert (pytester.path / "mlgate-report" / "history").is_dir()
    out = pytester.run("mlgate", "diff", str(full), "mlgate-report/audit.json")
    assert "subset run" in out.stdout.str()


def test_last_failed_is_a_subset(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_gate=THREE_TESTS.replace('expect_between("x", max=10)', 'expect_between("x", max=1)')
    )
    pytester.runpytest()
    pytester.runpytest("--lf")
    scope = audit(pytester)["scope"]
    assert scope["subset"] is True and "--lf" in scope["flags"]


# -- 2. warn-only keeps the truth ------------------------------------------------------------


def test_warn_only_run_banner_and_diff(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gate=THREE_TESTS.replace("max=10", "max=1"))
    pytester.runpytest(*PLAIN).assert_outcomes(passed=2, failed=1)
    enforced = pytester.path / "enforced.json"
    enforced.write_bytes((pytester.path / "mlgate-report" / "audit.json").read_bytes())
    result = pytester.runpytest(*PLAIN, "--mlgate-warn-only")
    assert result.ret == 0
    doc = audit(pytester)
    (failed,) = [c for c in doc["checks"] if c["status"] == "failed"]
    assert failed["severity"] == "block"
    assert doc["summary"]["enforced"] is False and doc["summary"]["would_block"] == 1
    assert "WARN-ONLY RUN" in html(pytester)
    out = pytester.run("mlgate", "diff", str(enforced), "mlgate-report/audit.json")
    text = out.stdout.str()
    assert "no check changed" in text and "warn-only run (1 would block)" in text


# -- 3. baselines never move silently ---------------------------------------------------------

BASELINE_GATE = """
import numpy as np

def test_perf(mlgate):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    score = np.clip(y * {signal} + rng.normal(0, 1, 2000), -5, 5)
    perf = mlgate.performance(y, y_score=score, name="holdout")
    perf.expect_no_regression("roc_auc", baseline="model", max_drop=0.01)

def test_other(mlgate):
    import pandas as pd
    mlgate.data(pd.DataFrame({{"x": [1]}})).expect_row_count(min={rows})
"""


def baseline_value(pytester: pytest.Pytester) -> float:
    text = (pytester.path / "mlgate-baselines" / "model.json").read_text(encoding="utf-8")
    return float(json.loads(text)["metrics"]["holdout.roc_auc"]["value"])


def test_baseline_updates_are_listed_never_passed_and_never_silently_worse(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_gate=BASELINE_GATE.format(signal=1.5, rows=1))
    result = pytester.runpytest_subprocess(*PLAIN, "--mlgate-update-baselines")
    assert result.ret == 0
    first = baseline_value(pytester)
    doc = audit(pytester)
    (check,) = [c for c in doc["checks"] if "regression" in c["name"]]
    assert check["status"] == "insufficient" and check["severity"] == "warn"
    assert check["message"].startswith("Baseline written, not judged")
    (written,) = doc["baselines_written"]
    assert written["old"] is None and written["value"] == pytest.approx(first)
    assert written["file"] == "mlgate-baselines/model.json"
    result.stdout.fnmatch_lines(["*baseline written: mlgate-baselines/model.json*none ->*"])

    # a worse model: the update is refused, the check fails, the file keeps the old value
    pytester.makepyfile(test_gate=BASELINE_GATE.format(signal=0.5, rows=1))
    result = pytester.runpytest_subprocess(*PLAIN, "--mlgate-update-baselines")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert baseline_value(pytester) == first
    doc = audit(pytester)
    (check,) = [c for c in doc["checks"] if "regression" in c["name"]]
    assert check["status"] == "failed"
    (refused,) = doc["baselines_refused"]
    assert refused["old"] == pytest.approx(first) and refused["change"] < -0.01
    result.stdout.fnmatch_lines(["*baseline NOT written*breaks the check's rule*"])

    # forced: written, and listed as forced
    result = pytester.runpytest_subprocess(*PLAIN, "--mlgate-update-baselines=force")
    assert result.ret == 0
    assert baseline_value(pytester) < first
    assert audit(pytester)["baselines_written"][0]["forced"] is True


def test_no_baseline_moves_in_a_run_whose_gate_failed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gate=BASELINE_GATE.format(signal=1.5, rows=1))
    pytester.runpytest_subprocess(*PLAIN, "--mlgate-update-baselines")
    first = baseline_value(pytester)
    pytester.makepyfile(test_gate=BASELINE_GATE.format(signal=1.6, rows=5))  # better, other fails
    result = pytester.runpytest_subprocess(*PLAIN, "--mlgate-update-baselines")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert baseline_value(pytester) == first
    doc = audit(pytester)
    (refused,) = doc["baselines_refused"]
    assert "the gate failed (1 other blocking check)" in refused["reason"]
    (check,) = [c for c in doc["checks"] if "regression" in c["name"]]
    assert check["status"] == "passed" and "NOT written" in check["message"]


# -- 4. the audit trail ------------------------------------------------------------------------


def test_reruns_keep_history_and_the_chain_verifies(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gate=THREE_TESTS)
    for _ in range(3):
        pytester.runpytest(*PLAIN)
    folder = pytester.path / "mlgate-report"
    doc = audit(pytester)
    history = sorted((folder / "history").iterdir())
    assert len(history) == 2
    assert (folder / "history" / (doc["previous_digest"].replace(":", "-") + ".json")).is_file()
    assert main(["verify", "--chain", str(folder)]) == 0
    # editing an old record breaks the chain there
    older = json.loads(history[0].read_text(encoding="utf-8"))
    older["checks"][0]["status"] = "failed"
    history[0].write_text(json.dumps(older), encoding="utf-8")
    assert main(["verify", "--chain", str(folder)]) == 1
    history[0].unlink()
    assert main(["verify", "--chain", str(folder)]) == 1


def test_leftover_temporary_files_are_cleaned(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gate=THREE_TESTS)
    folder = pytester.path / "mlgate-report"
    folder.mkdir()
    (folder / ".audit.json.abc123.tmp").write_text("half", encoding="utf-8")
    (folder / "notes.tmp").write_text("not ours", encoding="utf-8")
    pytester.runpytest(*PLAIN)
    assert not (folder / ".audit.json.abc123.tmp").exists()
    assert (folder / "notes.tmp").exists()


def _signed_with_approvals(tmp_path: Path, pytester: pytest.Pytester, key: str | None) -> Path:
    pytester.makepyfile(test_gate=THREE_TESTS)
    pytester.runpytest(*PLAIN)
    path = pytester.path / "mlgate-report" / "audit.json"
    for who in ("Ada", "Grace", "Edsger"):
        assert main(["sign", str(path), "--by", who, "--note", "ok"]) == 0
    return path


@pytest.mark.parametrize("key", [None, "k1"])
@pytest.mark.parametrize("attack", ["delete_last", "delete_middle", "edit", "forge"])
def test_approvals_are_chained_and_sealed(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    key: str | None,
    attack: str,
) -> None:
    if key:
        monkeypatch.setenv("MLGATE_SIGNING_KEY", key)
    path = _signed_with_approvals(tmp_path, pytester, key)
    assert main(["verify", str(path), "--min-approvals", "3"]) == 0
    doc = json.loads(path.read_text(encoding="utf-8"))
    approvals = doc["approvals"]
    if attack == "delete_last":
        approvals.pop()
    elif attack == "delete_middle":
        approvals.pop(1)
    elif attack == "edit":
        approvals[0]["note"] = "not ok"
    else:  # an approval added by hand, without the key (or the chain)
        approvals.append({**approvals[-1], "by": "Mallory", "signature": "hmac-sha256:" + "0" * 64})
    path.write_text(json.dumps(doc), encoding="utf-8")
    code = main(["verify", str(path)])
    if key is None and attack in ("edit",):
        # unsigned approvals: an edit of a note is only caught by the next one's chain link
        assert code == 1
    else:
        assert code == 1, attack


def test_unsigned_approvals_are_reported_as_unsigned(
    pytester: pytest.Pytester, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _signed_with_approvals(tmp_path, pytester, None)
    capsys.readouterr()
    assert main(["verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert "approval 1 by Ada at" in out and ": unsigned" in out


def test_approver_names_cannot_forge_output_lines(
    pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    pytester.makepyfile(test_gate=THREE_TESTS)
    pytester.runpytest(*PLAIN)
    path = pytester.path / "mlgate-report" / "audit.json"
    assert main(["sign", str(path), "--by", "Eve\nintact"]) == 2
    assert main(["sign", str(path), "--by", "Eve", "--note", "x\n\x1b[2Kaudit.json: intact"]) == 0
    capsys.readouterr()
    main(["verify", str(path)])
    out = capsys.readouterr().out
    assert "\x1b" not in out and all(
        not line.startswith("audit.json: intact") for line in out.splitlines()
    )


# -- 5. one consistent set ---------------------------------------------------------------------


def test_a_second_session_waits_for_the_folder_lock_then_fails_clearly(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_mlgate.report.files import folder_lock

    pytester.makepyfile(test_gate=THREE_TESTS)
    monkeypatch.setenv("MLGATE_LOCK_TIMEOUT", "0.3")
    with folder_lock(pytester.path / "mlgate-report", 1.0):
        result = pytester.runpytest_subprocess(*PLAIN)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*being written by another session*"])
    assert not (pytester.path / "mlgate-report" / "audit.json").exists()
    assert pytester.runpytest_subprocess(*PLAIN).ret == 0


def test_a_failed_write_names_the_stale_files_and_verify_detects_them(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_gate=THREE_TESTS)
    pytester.runpytest_subprocess(*PLAIN)
    pytester.makeconftest(
        """
        import pytest_mlgate.report.files as files

        real = files.atomic_write

        def failing(path, text):
            if path.name == "model_card.html":
                raise OSError(28, "No space left on device")
            real(path, text)

        def pytest_configure(config):
            files.atomic_write = failing
        """
    )
    result = pytester.runpytest_subprocess(*PLAIN)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["*model_card.html could not be written*stale files*model_card.html, summary.md*"]
    )
    folder = pytester.path / "mlgate-report"
    assert main(["verify", str(folder / "audit.json")]) == 1
    assert main(["verify", str(folder / "audit.json")]) == 1


def test_same_run_in_two_checkouts_gives_byte_identical_artifacts(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    texts = []
    for checkout in ("one", "two"):
        root = pytester.mkdir(checkout)
        (root / "test_gate.py").write_text(BASELINE_GATE.format(signal=1.5, rows=1), "utf-8")
        (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        os.chdir(root)
        # plain subprocesses: pytester's own --basetemp would differ between the two runs
        pytest_cmd = (sys.executable, "-m", "pytest", *PLAIN, "--rootdir", str(root))
        pytester.run(*pytest_cmd, "--mlgate-update-baselines")
        pytester.run(*pytest_cmd, "--mlgate-report-dir", str(root / "report"))
        texts.append({n: (root / "report" / n).read_bytes() for n in ("audit.json", "audit.html")})
    assert texts[0] == texts[1]
    assert b"/one/" not in texts[0]["audit.json"]


# -- 6. render and diff are honest ------------------------------------------------------------


def test_render_refuses_a_tampered_record_and_matches_the_session_pages(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.makepyfile(test_gate=THREE_TESTS.replace("max=10", "max=1"))
    pytester.runpytest(*PLAIN)
    folder = pytester.path / "mlgate-report"
    assert main(["render", str(folder / "audit.json"), "-o", str(tmp_path / "a")]) == 0
    assert (tmp_path / "a" / "audit.html").read_bytes() == (folder / "audit.html").read_bytes()
    assert (tmp_path / "a" / "model_card.html").read_bytes() == (
        folder / "model_card.html"
    ).read_bytes()
    doc = json.loads((folder / "audit.json").read_text(encoding="utf-8"))
    doc["summary"]["gate"] = "passed"
    for c in doc["checks"]:
        c["status"] = "passed"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["render", str(tampered), "-o", str(tmp_path / "b")]) == 1
    assert not (tmp_path / "b").exists()
    assert main(["render", str(tampered), "-o", str(tmp_path / "c"), "--force"]) == 0
    page = (tmp_path / "c" / "audit.html").read_text(encoding="utf-8")
    assert "NOT INTACT" in page and "digest mismatch" in page


def test_diff_keys_repeated_checks_apart_and_warns_of_tampering(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_report import document, make_check

    old = document([make_check(name="r", observed=0.78), make_check(name="r", observed=0.5)])
    new = document([make_check(name="r", observed=0.78), make_check(name="r", observed=0.75)])
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    new["checks"][0]["observed"] = 0.1  # tampered after sealing
    (tmp_path / "new.json").write_text(json.dumps(new), encoding="utf-8")
    assert main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 0
    out = capsys.readouterr().out
    assert "new.json is NOT INTACT" in out
    assert "r #2 (test_gate.py::test_x): 0.5 -> 0.75 (+0.25)" in out
    assert "r (test_gate.py::test_x): 0.78 -> 0.1" in out
    assert compute_digest(old) == old["digest"]


# -- 7. the verdict reaches CI tools intact ----------------------------------------------------

HOSTILE = "a\x0bb\x1b[2Kc\nd ![x](http://evil.example/x.png) <i>e</i>"


def test_hostile_names_reach_no_artifact_raw(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_gate=f"""
        import pandas as pd

        def test_hostile(mlgate):
            dq = mlgate.data(pd.DataFrame({{"x": [1, 2]}}), name={HOSTILE!r})
            dq.expect_row_count(min=5)
        """
    )
    result = pytester.runpytest(*PLAIN, "--junitxml=junit.xml")
    out = result.stdout.str()
    assert "\x1b[2K" not in out and "\x0b" not in out
    assert "a\\x0bb\\x1b[2Kc\\nd" in out
    tree = ET.parse(pytester.path / "junit.xml")  # parses: no control characters
    names = [p.get("name") for p in tree.iter("property")]
    assert any("a\\x0bb" in n for n in names)
    summary = (pytester.path / "mlgate-report" / "summary.md").read_text(encoding="utf-8")
    assert "![x](" not in summary and "\\!\\[x\\]\\(http\\://evil" in summary
    assert "<i>" not in summary
    page = html(pytester)
    assert "<i>e</i>" not in page and "\x1b" not in page


def test_summary_md_always_holds_a_table(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gate=THREE_TESTS)
    pytester.runpytest(*PLAIN)
    text = (pytester.path / "mlgate-report" / "summary.md").read_text(encoding="utf-8")
    assert "| category | checks | passed |" in text
    assert "| data\\_quality | 3 | 3 |" in text


def test_junit_properties_are_not_duplicated_by_reruns(pytester: pytest.Pytester) -> None:
    pytest.importorskip("pytest_rerunfailures")
    pytester.makepyfile(
        test_gate="""
        import pandas as pd

        RUNS = []

        def test_flaky(mlgate):
            RUNS.append(1)
            mlgate.data(pd.DataFrame({"x": [1]}), name="f").expect_row_count(min=1)
            assert len(RUNS) > 1
        """
    )
    result = pytester.runpytest(*PLAIN, "--reruns", "1", "--junitxml=junit.xml")
    assert result.parseoutcomes() == {"passed": 1, "rerun": 1}
    tree = ET.parse(pytester.path / "junit.xml")
    names = [p.get("name") for p in tree.iter("property")]
    assert names.count("mlgate:data_quality:f:row count >= 1") == 1
    doc = audit(pytester)
    assert doc["summary"]["gate"] == "passed"
    assert [c["status"] for c in doc["checks"]] == ["passed"]
