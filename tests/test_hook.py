"""The public hook ``pytest_mlgate_audit_written``: once, on the controller, after the write,
with the record as written and the artifacts' paths; serially and under xdist."""

from __future__ import annotations

import json

import pytest
import scipy.stats  # noqa: F401  (see IN_PROCESS)
import sklearn.metrics  # noqa: F401

import pytest_mlgate.checks.performance  # noqa: F401

# IN_PROCESS: the inner runs are in this process, so what a check loads is loaded before
# pytester's snapshot of sys.modules (a second import of numpy's extensions would fail).

GATE = """
import pytest

@pytest.mark.parametrize("i", range(4))
def test_gate(mlgate, i):
    mlgate.performance([0, 1, 0, 1] * 10, y_pred=[0, 1, 0, 1] * 10, name=f"m{i}").expect(
        "accuracy", min=0.5
    )
"""

CONFTEST = """
import json, os


def pytest_mlgate_audit_written(config, document, paths):
    line = {
        "worker": hasattr(config, "workerinput"),
        "pid": os.getpid(),
        "gate": document["summary"]["gate"],
        "digest": document["digest"],
        "paths": {k: str(v) for k, v in paths.items()},
        "exists": all(p.is_file() for p in paths.values()),
        "report_dir": config.getoption("mlgate_report_dir"),
    }
    document["digest"] = "mutated"  # the copy is the hook's own
    with open(os.environ["HOOK_LOG"], "a") as handle:
        handle.write(json.dumps(line) + "\\n")
"""


def calls(path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_called_once_on_the_controller_with_the_record_as_written(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, workers: tuple[str, ...]
) -> None:
    log = pytester.path / "hook.log"
    monkeypatch.setenv("HOOK_LOG", str(log))
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_gate=GATE)
    run = pytester.runpytest_subprocess if workers else pytester.runpytest
    result = run("-p", "no:cacheprovider", *workers, "--mlgate-report-dir", "out/gate")
    result.assert_outcomes(passed=4)
    [call] = calls(log)
    assert call["worker"] is False
    assert call["exists"] is True
    assert call["report_dir"] == "out/gate"
    folder = pytester.path / "out" / "gate"
    assert call["paths"] == {
        name: str((folder / name).resolve())
        for name in ("audit.json", "audit.html", "model_card.html", "summary.md")
    }
    doc = json.loads((folder / "audit.json").read_text())
    assert call["digest"] == doc["digest"]  # the hook's mutation did not reach the file
    assert call["gate"] == doc["summary"]["gate"] == "passed"


def test_not_called_without_a_report(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = pytester.path / "hook.log"
    monkeypatch.setenv("HOOK_LOG", str(log))
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_gate=GATE, test_plain="def test_plain():\n    pass\n")
    pytester.runpytest("-p", "no:cacheprovider", "--mlgate-no-report").assert_outcomes(passed=5)
    pytester.runpytest("-p", "no:cacheprovider", "test_plain.py").assert_outcomes(passed=1)
    pytester.runpytest("-p", "no:cacheprovider", "--co")
    assert calls(log) == []


def test_a_hook_that_raises_is_reported_and_changes_nothing(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        "def pytest_mlgate_audit_written(config, document, paths):\n"
        "    raise RuntimeError('upload refused')\n"
    )
    pytester.makepyfile(test_gate=GATE)
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        ["*gate PASSED*", "*pytest_mlgate_audit_written raised RuntimeError: upload refused*"]
    )
    assert (pytester.path / "mlgate-report" / "audit.json").is_file()


def test_a_failed_gate_is_handed_over_too(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = pytester.path / "hook.log"
    monkeypatch.setenv("HOOK_LOG", str(log))
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_gate="def test_gate(mlgate):\n"
        "    mlgate.performance([0, 1] * 20, y_pred=[1, 0] * 20).expect('accuracy', min=0.9)\n"
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == 1
    [call] = calls(log)
    assert call["gate"] == "failed"


def test_the_hook_is_a_registered_hookspec(pytester: pytest.Pytester) -> None:
    """A typo in a conftest hook name is caught by pytest, as for its own hooks."""
    pytester.makeconftest("def pytest_mlgate_audit_writen(config, document, paths):\n    pass\n")
    pytester.makepyfile(test_gate=GATE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret != 0
    assert "pytest_mlgate_audit_writen" in result.stdout.str() + result.stderr.str()


def test_the_readme_conftest_example_runs(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's hook example, verbatim, posting to a webhook on loopback."""
    import re
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    [example] = [
        block
        for block in re.findall(r"```python\n(# conftest\.py\n.*?)```", readme, flags=re.S)
        if "pytest_mlgate_audit_written" in block
    ]
    received: list[dict] = []

    class Webhook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("CHAT_WEBHOOK", f"http://127.0.0.1:{server.server_address[1]}/hook")
        pytester.makeconftest(example)
        pytester.makepyfile(test_gate=GATE)
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    finally:
        server.shutdown()
        server.server_close()
    result.assert_outcomes(passed=4)
    assert "raised" not in result.stdout.str()
    [message] = received
    assert message["text"].startswith("gate passed: 4 checks, 0 blocking (")
    assert message["text"].endswith("audit.html)")
