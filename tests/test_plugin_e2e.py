"""End-to-end pytest sessions through ``pytester``: the fixture, soft failures, severity, the
collector under xdist, and the report files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from pytest_mlgate.report.audit import compute_digest, compute_signature

GATE = """
import pandas as pd
import pytest

FRAME = pd.DataFrame({"id": [1, 2, 3, 3], "age": [20, 35, 150, None],
                      "sex": ["F", "M", "M", "X"]})

@pytest.mark.data_quality
@pytest.mark.mlgate(requirement="REQ-1", owner="team-a")
def test_bad_data(mlgate):
    dq = mlgate.data(FRAME, name="people")
    dq.expect_columns(["id", "age", "sex"])
    dq.expect_between("age", min=0, max=120)
    dq.expect_unique(["id"])
    dq.expect_values_in("sex", ["F", "M"], severity="warn")

def test_good_data(mlgate):
    dq = mlgate.data(FRAME, name="people")
    dq.expect_row_count(min=2)
    dq.expect_not_null(["id", "sex"])

def test_without_gate():
    assert True
"""


def read_audit(pytester: pytest.Pytester, folder: str = "mlgate-report") -> dict:
    return json.loads((pytester.path / folder / "audit.json").read_text(encoding="utf-8"))


def test_soft_failures_are_reported_together_in_the_call_phase(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gate=GATE)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*mlgate: 2 blocking checks did not pass*",
            "*FAILED*data_quality · people · age in ?0, 120?*",
            "*FAILED*data_quality · people · unique id*",
            "*= mlgate =*",
            "*gate FAILED: 6 checks (3 passed, 2 failed, 1 warned), 2 blocking*",
        ]
    )
    # the failure is the call phase's, not a teardown error
    assert "error" not in result.parseoutcomes()
    doc = read_audit(pytester)
    assert doc["summary"]["gate"] == "failed"
    assert doc["summary"]["counts"] == {
        "passed": 3,
        "failed": 2,
        "warned": 1,
        "insufficient": 0,
        "error": 0,
    }
    by_name = {c["name"]: c for c in doc["checks"]}
    between = by_name["age in [0, 120]"]
    assert between["observed"] == pytest.approx(1 / 3)
    assert between["details"]["violations"] == 1
    assert between["details"]["examples"] == [150.0]
    assert between["markers"] == {
        "requirement": "REQ-1",
        "owner": "team-a",
        "categories": ["data_quality"],
    }
    assert by_name["sex in {F, M}"]["status"] == "warned"
    assert by_name["row count >= 2"]["markers"] == {}
    assert doc["datasets"] == [
        {
            "name": "people",
            "role": "data",
            "rows": 4,
            "columns": 3,
            "sha256": doc["datasets"][0]["sha256"],
        }
    ]
    assert doc["datasets"][0]["sha256"].startswith("sha256:")
    assert doc["digest"] == compute_digest(doc)
    assert "signature" not in doc
    assert doc["previous_digest"] is None
    assert (pytester.path / "mlgate-report" / "audit.html").is_file()
    summary = (pytester.path / "mlgate-report" / "summary.md").read_text(encoding="utf-8")
    assert "gate FAILED" in summary and "unique id" in summary


def test_marker_severity_warn_only_and_explicit_argument(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pandas as pd
        import pytest

        FRAME = pd.DataFrame({"x": [1, 2, 200]})

        @pytest.mark.mlgate(severity="warn")
        def test_marker_warns(mlgate):
            r = mlgate.data(FRAME).expect_between("x", max=10)
            assert r.status == "warned" and r.severity == "warn"

        @pytest.mark.mlgate(severity="warn")
        def test_argument_wins(mlgate):
            r = mlgate.data(FRAME).expect_between("x", max=10, severity="block")
            assert r.status == "failed"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result = pytester.runpytest("-p", "no:cacheprovider", "--mlgate-warn-only")
    # warn-only changes no record: the declared "block" failure is still "failed", but the
    # build is not failed for it, and the record says what would have blocked
    result.assert_outcomes(passed=2)
    assert result.ret == 0
    doc = read_audit(pytester)
    assert sorted(c["status"] for c in doc["checks"]) == ["failed", "warned"]
    summary = doc["summary"]
    assert summary["gate"] == "failed" and summary["enforced"] is False
    assert summary["would_block"] == 1 and summary["blocking"] == 0
    result.stdout.fnmatch_lines(["*WARN-ONLY RUN: 1 check would block the merge*"])


def test_warn_only_keeps_errors_and_insufficient_statuses(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pandas as pd

        def test_statuses(mlgate):
            dq = mlgate.data(pd.DataFrame({"x": [None, None]}, dtype="float"))
            assert dq.expect_between("x", min=0).status == "insufficient"
            assert dq.expect_between("nope", min=0).status == "error"

        def test_insufficient_can_warn(mlgate):
            dq = mlgate.data(pd.DataFrame({"x": [None, None]}, dtype="float"))
            r = dq.expect_between("x", min=0, on_insufficient="warn")
            assert r.status == "insufficient" and r.severity == "warn" and not r.blocking
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--mlgate-warn-only")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*ERROR*nope*", "*column: no such column 'nope'*"])
    doc = read_audit(pytester)
    statuses = [c["status"] for c in doc["checks"]]
    assert statuses.count("insufficient") == 2 and statuses.count("error") == 1
    assert doc["summary"]["blocking"] == 1  # only the error fails a warn-only build
    assert doc["summary"]["would_block"] == 2  # the blocking insufficient would, enforced


def test_bad_factory_input_counts_once_and_errors_every_check(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pandas as pd

        def test_non_frame(mlgate):
            dq = mlgate.data(42, name="answer")
            r = dq.expect_row_count(min=1)
            assert r.status == "error"
            assert "expected a pandas DataFrame" in r.message and "got int" in r.message

        def test_empty_frame(mlgate):
            dq = mlgate.data(pd.DataFrame(), name="nothing")
            dq.expect_columns(["a"])

        def test_zz_no_check(mlgate):
            mlgate.performance([1, 0], y_pred=[1], name="short")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--junitxml=junit.xml")
    result.assert_outcomes(failed=3)
    junit = (pytester.path / "junit.xml").read_text(encoding="utf-8")
    assert junit.count("mlgate:data_quality:") == 2  # the withdrawn result left no property
    doc = read_audit(pytester)
    names = [(c["subject"], c["name"], c["status"]) for c in doc["checks"]]
    # one mistake counts once: the first check on the family takes the factory's place
    assert names == [
        ("nothing", "has columns a", "error"),
        ("answer", "row count >= 1", "error"),
        ("short", "usable predictions", "error"),  # a family without checks still shows it
    ]
    assert "the frame is empty" in doc["checks"][0]["message"]
    assert doc["summary"]["counts"]["error"] == 3


def test_teardown_check_is_a_teardown_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pandas as pd
        import pytest

        @pytest.fixture
        def checked(mlgate):
            yield
            mlgate.data(pd.DataFrame({"x": [1, 1]})).expect_unique("x")

        def test_body(checked):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_body*", "*unique x*"])


def test_test_exception_is_kept_and_checks_still_recorded(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pandas as pd

        def test_raises(mlgate):
            mlgate.data(pd.DataFrame({"x": [1, 1]})).expect_unique("x")
            raise RuntimeError("the test's own failure")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*RuntimeError: the test's own failure*"])
    assert read_audit(pytester)["checks"][0]["status"] == "failed"


def test_strict_markers_and_marker_help(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mlgate(severity="warn", requirement="R", owner="o")
        @pytest.mark.data_quality
        @pytest.mark.performance
        @pytest.mark.fairness
        @pytest.mark.drift
        @pytest.mark.governance
        def test_marked():
            pass
        """
    )
    result = pytester.runpytest("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    # no test used the fixture: no report
    assert not (pytester.path / "mlgate-report").exists()
    markers = pytester.runpytest("--markers")
    markers.stdout.fnmatch_lines(["*@pytest.mark.mlgate(severity=*", "*@pytest.mark.drift:*"])


def test_invalid_marker_severity_names_the_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mlgate(severity="loud")
        def test_x(mlgate):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.mlgate(severity=...): must be 'block' or 'warn'*"])


def test_report_dir_options_and_no_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gate=GATE)
    pytester.runpytest("-p", "no:cacheprovider", "--mlgate-no-report")
    assert not (pytester.path / "mlgate-report").exists()
    pytester.makeini("[pytest]\nmlgate_report_dir = out/ini-report\n")
    pytester.runpytest("-p", "no:cacheprovider")
    assert (pytester.path / "out" / "ini-report" / "audit.json").is_file()
    pytester.runpytest("-p", "no:cacheprovider", "--mlgate-report-dir", "cli-report")
    assert (pytester.path / "cli-report" / "audit.json").is_file()


def test_report_dir_given_writes_a_report_without_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    pass\n")
    pytester.runpytest("-p", "no:cacheprovider", "--mlgate-report-dir", "rep")
    doc = read_audit(pytester, "rep")
    assert doc["checks"] == [] and doc["summary"]["gate"] == "passed"
    html = (pytester.path / "rep" / "audit.html").read_bytes()
    assert len(html) < 100_000


def test_junit_properties(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gate=GATE)
    pytester.runpytest("-p", "no:cacheprovider", "--junitxml=junit.xml")
    tree = ET.parse(pytester.path / "junit.xml")
    props = {
        p.get("name"): p.get("value")
        for case in tree.iter("testcase")
        if case.get("name") == "test_bad_data"
        for p in case.iter("property")
    }
    assert props["mlgate:data_quality:people:unique id"] == "failed observed=1.0"
    assert props["mlgate:data_quality:people:sex in {F, M}"] == "warned observed=0.25"
    assert len(props) == 4


def test_github_step_summary_is_appended(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = pytester.path / "step-summary.md"
    target.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    pytester.makepyfile(test_gate=GATE)
    pytester.runpytest("-p", "no:cacheprovider")
    text = target.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n")
    assert text.endswith((pytester.path / "mlgate-report" / "summary.md").read_text("utf-8"))


def test_signature_and_hash_chain(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_gate=GATE)
    pytester.runpytest("-p", "no:cacheprovider")
    first = read_audit(pytester)
    monkeypatch.setenv("MLGATE_SIGNING_KEY", "s3cret-ключ")
    pytester.runpytest("-p", "no:cacheprovider")
    second = read_audit(pytester)
    assert second["previous_digest"] == first["digest"]
    assert second["signature"] == compute_signature(second, "s3cret-ключ")
    assert second["digest"] == compute_digest(second)
    pytester.runpytest("-p", "no:cacheprovider")
    assert read_audit(pytester)["previous_digest"] == second["digest"]


def test_source_date_epoch_gives_byte_identical_artifacts(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pytester.makepyfile(test_gate=GATE)
    outputs = []
    for folder in ("a", "b"):
        pytester.runpytest("-p", "no:cacheprovider")
        (pytester.path / "mlgate-report").rename(pytester.path / folder)
        outputs.append(
            {
                name: (pytester.path / folder / name).read_bytes()
                for name in ("audit.json", "audit.html", "summary.md")
            }
        )
    assert outputs[0] == outputs[1]
    doc = json.loads(outputs[0]["audit.json"])
    assert doc["run"]["time"] == "2023-11-14T22:13:20+00:00"
    assert "duration_s" not in doc["run"]


def test_interrupted_run_leaves_a_partial_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gate=GATE)
    result = pytester.runpytest("-p", "no:cacheprovider", "-x")
    result.assert_outcomes(failed=1)
    doc = read_audit(pytester)
    assert doc["partial"] is True and doc["summary"]["gate"] == "incomplete"
    assert "GATE INCOMPLETE" in (pytester.path / "mlgate-report" / "audit.html").read_text("utf-8")


def test_keyboard_interrupt_leaves_a_partial_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pandas as pd

        def test_a(mlgate):
            mlgate.data(pd.DataFrame({"x": [1]})).expect_row_count(min=1)

        def test_b():
            raise KeyboardInterrupt
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    doc = read_audit(pytester)
    assert doc["partial"] is True and doc["checks"][0]["status"] == "passed"


def test_model_card_syntax_error_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x():\n    pass\n")
    (pytester.path / "model_card.toml").write_text(
        '[model]\nname = "m"\nversion = \n', encoding="utf-8"
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*model_card.toml: invalid TOML*line 3*"])


def test_model_card_facts_and_notes_reach_the_audit(pytester: pytest.Pytester) -> None:
    (pytester.path / "model_card.toml").write_text(
        '[model]\nname = "credit-model"\nversion = "2.1"\n', encoding="utf-8"
    )
    pytester.makepyfile(
        """
        import pandas as pd

        def test_card(mlgate):
            mlgate.card.note("caveats_and_recommendations", "Not validated under 21.")
            mlgate.card.dataset("evaluation", pd.DataFrame({"a": [1, 2]}), description="holdout")
        """
    )
    pytester.runpytest("-p", "no:cacheprovider")
    doc = read_audit(pytester)
    assert doc["model"]["facts"]["model"] == {"name": "credit-model", "version": "2.1"}
    assert doc["model"]["notes"] == {"caveats_and_recommendations": ["Not validated under 21."]}
    assert doc["datasets"][0]["role"] == "evaluation"
    assert doc["datasets"][0]["description"] == "holdout"


XDIST_GATE = """
import pandas as pd
import pytest

FRAME = pd.DataFrame({"k": list(range(50)) + [3], "v": [0.5] * 51})

@pytest.mark.parametrize("limit", [10, 20, 30, 40, 60, 70])
def test_param(mlgate, limit):
    dq = mlgate.data(FRAME, name=f"frame-{limit}")
    dq.expect_between("k", max=limit)
    dq.expect_unique("k", severity="warn")
    dq.expect_row_count(min=limit - 20)
"""


def _stable(doc: dict) -> list[dict]:
    return doc["checks"]


def test_xdist_gives_the_same_records_as_a_serial_run(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(test_x=XDIST_GATE)
    serial = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--mlgate-report-dir", "s")
    serial.assert_outcomes(passed=2, failed=4)
    parallel = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "2", "--mlgate-report-dir", "p"
    )
    parallel.assert_outcomes(passed=2, failed=4)
    parallel.stdout.fnmatch_lines(["*= mlgate =*", "*gate FAILED*"])
    s, p = read_audit(pytester, "s"), read_audit(pytester, "p")
    assert _stable(s) == _stable(p)
    assert s["datasets"] == p["datasets"]
    assert s["summary"] == p["summary"]
    # the workers' libraries are reported by the controller
    assert "pandas" in p["run"]["packages"]


def test_plugin_loads_without_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gate=GATE)
    result = pytester.runpytest_subprocess("-p", "no:xdist", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)


def test_numpy_values_in_rules_survive_xdist(pytester: pytest.Pytester) -> None:
    """Thresholds and allowed values taken straight from numpy must travel as plain JSON."""
    pytest.importorskip("xdist")
    pytester.makepyfile(
        """
        import numpy as np
        import pandas as pd

        FRAME = pd.DataFrame({"x": np.arange(100.0), "c": ["a", "b"] * 50})

        def test_numpy_rules(mlgate):
            dq = mlgate.data(FRAME)
            dq.expect_between("x", min=FRAME["x"].quantile(0.0), max=np.float64(50))
            dq.expect_values_in("c", np.unique(FRAME["c"]))
            dq.expect_row_count(min=np.int64(10))
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(failed=1)
    doc = read_audit(pytester)
    assert [c["status"] for c in doc["checks"]] == ["failed", "passed", "passed"]
    assert doc["checks"][1]["threshold"]["values"] == ["a", "b"]
    assert doc["summary"]["gate"] == "failed"


def test_unusable_arguments_are_recorded_not_raised(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pandas as pd

        def test_bad_calls(mlgate):
            dq = mlgate.data(pd.DataFrame({"x": [1, 2]}))
            assert dq.expect_not_null(max_fraction="0.1").message.startswith("max_fraction:")
            assert dq.expect_unique([]).status == "error"
            perf = mlgate.performance([0, 2] * 10, y_pred=[0, 2] * 10)
            assert "classes seen: 0, 2" in perf.expect("recall", min=0.5).message
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    # the unusable performance input counts once: its check took the factory's place
    result.stdout.fnmatch_lines(["*mlgate: 3 blocking checks did not pass*"])
    assert [c["status"] for c in read_audit(pytester)["checks"]] == ["error"] * 3


def test_verbose_says_what_a_long_check_is_doing(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("import pytest_mlgate.plugin as plugin\n\nplugin.LONG_CHECK_S = 0.2\n")
    pytester.makepyfile(
        test_slow="""
        import time
        import numpy as np

        def slow_accuracy(y_true, y_pred):
            time.sleep(1.0)
            return float(np.mean(y_true == y_pred))

        def test_slow(mlgate):
            y = np.array([0, 1] * 50)
            mlgate.performance(y, y_pred=y, name="slow model").expect(slow_accuracy, min=0.9)

        """
    )
    result = pytester.runpytest_subprocess("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*mlgate …*computing performance · slow model · *(over 0.2 s)*"])
    quiet = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert "computing" not in quiet.stdout.str()
