"""MLflow: a real tracking server on loopback (SQLite backend, local artifact root, a free port,
started and stopped here), gates run serially and under xdist, read back through MlflowClient;
a file-store URI; a server killed mid-session; and nothing of MLflow imported unless asked."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_mlgate.integrations.mlflow import check_metric_base, metric_key, metrics_of

START_TIMEOUT_S = 180.0
RUN_TIMEOUT_S = 300.0

GATE = """
import pytest

Y = [0, 1, 0, 1, 1, 0, 1, 0] * 15
SCORE = [0.2, 0.8, 0.3, 0.7, 0.4, 0.6, 0.9, 0.1] * 15

@pytest.mark.parametrize("part", ["a", "b"])
def test_gate(mlgate, part):
    perf = mlgate.performance(Y, y_pred=[int(s > 0.5) for s in SCORE], y_score=SCORE,
                              name=f"holdout {part}")
    perf.expect("roc_auc", min=0.8, confidence=0.9, n_boot=200)
    perf.expect("accuracy", min=MIN_ACCURACY)
    perf.expect("recall", min=0.5, severity="warn")
"""


def gate(min_accuracy: float = 0.5) -> str:
    return GATE.replace("MIN_ACCURACY", repr(min_accuracy))


def mlflow_client(uri: str):  # type: ignore[no-untyped-def]
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    def kill(self) -> None:
        """The whole process group (mlflow's CLI and its uvicorn worker)."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@contextmanager
def tracking_server(folder: Path) -> Iterator[Server]:
    pytest.importorskip("mlflow", reason="MLflow is not installed: pip install -e '.[mlflow]'")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    with open(folder / "server.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "mlflow", "server",
             "--backend-store-uri", f"sqlite:///{folder / 'mlflow.db'}",
             "--artifacts-destination", str(folder / "artifacts"),
             "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            stdout=log, stderr=subprocess.STDOUT, cwd=folder, env=env,
            start_new_session=True,
        )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail("mlflow server exited:\n" + (folder / "server.log").read_text())
            try:
                with urllib.request.urlopen(server.url + "/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"mlflow server not up after {START_TIMEOUT_S:.0f} s")
            time.sleep(0.5)
        yield server
    finally:
        server.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with tracking_server(tmp_path_factory.mktemp("mlflow-server")) as running:
        yield running


def registered_version(uri: str, name: str) -> str:
    client = mlflow_client(uri)
    client.create_registered_model(name)
    run = client.create_run("0", run_name="training")
    source = f"runs:/{run.info.run_id}/model"
    return str(client.create_model_version(name, source, run_id=run.info.run_id).version)


def run_by_digest(uri: str, experiment: str, digest: str):  # type: ignore[no-untyped-def]
    client = mlflow_client(uri)
    found = client.get_experiment_by_name(experiment)
    assert found is not None, f"no experiment {experiment!r}"
    [run] = client.search_runs(
        [found.experiment_id], filter_string=f"tags.`mlgate.digest` = '{digest}'"
    )
    return run


def read_audit(pytester: pytest.Pytester) -> dict:
    return json.loads((pytester.path / "mlgate-report" / "audit.json").read_text())


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_run_metrics_tags_artifacts_and_the_gated_version(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    server: Server,
    workers: tuple[str, ...],
    tmp_path: Path,
) -> None:
    model = f"credit-{uuid.uuid4().hex[:8]}"
    experiment = f"gate-{uuid.uuid4().hex[:8]}"
    version = registered_version(server.url, model)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server.url)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", experiment)
    pytester.makepyfile(test_gate=gate())
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", *workers, "--mlgate-mlflow",
        "--mlgate-mlflow-model", f"models:/{model}/{version}", "--mlgate-mlflow-alias", "validated",
        timeout=RUN_TIMEOUT_S,
    )  # fmt: skip
    result.assert_outcomes(passed=2)
    doc = read_audit(pytester)
    assert doc["summary"]["gate"] == "passed"
    run = run_by_digest(server.url, experiment, doc["digest"])
    result.stdout.fnmatch_lines(
        [
            f"mlflow: run {run.info.run_id}: * metrics, 5 tags, 4 artifacts under mlgate/*",
            f"mlflow: model {model} version {version} tagged mlgate.gate=passed;"
            " alias 'validated' set",
        ]
    )
    # metrics: every observed value and interval bound, equal to the audit's
    metrics = run.data.metrics
    assert metrics == metrics_of(doc)
    auc = [c for c in doc["checks"] if c["name"].startswith("roc_auc")]
    assert len(auc) == 2
    for check in auc:
        base = f"mlgate.performance.{check['subject'].replace(' ', '_')}.roc_auc"
        assert metrics[base] == check["observed"]
        assert [metrics[f"{base}.ci_low"], metrics[f"{base}.ci_high"]] == check["interval"]
    assert metrics["mlgate.checks.passed"] == doc["summary"]["counts"]["passed"]
    assert metrics["mlgate.checks.warned"] == doc["summary"]["counts"]["warned"]
    # tags
    assert run.data.tags["mlgate.gate"] == "passed"
    assert run.data.tags["mlgate.digest"] == doc["digest"]
    assert run.data.tags["mlgate.commit"] == str(doc["run"]["git"]["commit"] or "unknown")
    assert run.data.tags["mlgate.enforced"] == "true"
    assert run.info.status == "FINISHED"
    # artifacts: the four files, byte for byte
    client = mlflow_client(server.url)
    listed = sorted(a.path for a in client.list_artifacts(run.info.run_id, "mlgate"))
    assert listed == [f"mlgate/{n}" for n in sorted(doc_files())]
    local = client.download_artifacts(run.info.run_id, "mlgate/audit.json", str(tmp_path))
    assert Path(local).read_bytes() == (pytester.path / "mlgate-report/audit.json").read_bytes()
    # the gated version: tags, and the alias (the gate passed)
    tagged = client.get_model_version(model, version)
    assert tagged.tags["mlgate.gate"] == "passed"
    assert tagged.tags["mlgate.digest"] == doc["digest"]
    assert tagged.tags["mlgate.run_id"] == run.info.run_id
    assert client.get_model_version_by_alias(model, "validated").version == version
    # the model card names the version it gates
    assert doc["model"]["facts"]["model"]["mlflow_model"] == f"models:/{model}/{version}"
    card = (pytester.path / "mlgate-report" / "model_card.html").read_text()
    assert f"models:/{model}/{version}" in card


def doc_files() -> tuple[str, ...]:
    return ("audit.json", "audit.html", "model_card.html", "summary.md")


def test_a_failed_gate_tags_the_version_and_sets_no_alias(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, server: Server
) -> None:
    model = f"credit-{uuid.uuid4().hex[:8]}"
    version = registered_version(server.url, model)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server.url)
    pytester.makeini(
        "[pytest]\nmlgate_mlflow = true\nmlgate_mlflow_experiment = failing\n"
        f"mlgate_mlflow_model = models:/{model}/{version}\nmlgate_mlflow_alias = validated\n"
    )
    pytester.makepyfile(test_gate=gate(min_accuracy=0.99))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=RUN_TIMEOUT_S)
    assert result.ret == 1  # the gate's verdict, not MLflow's
    result.stdout.fnmatch_lines(
        [f"mlflow: model {model} version {version} tagged mlgate.gate=failed; "
         "alias 'validated' NOT set: the gate failed"]
    )  # fmt: skip
    doc = read_audit(pytester)
    client = mlflow_client(server.url)
    assert client.get_model_version(model, version).tags["mlgate.gate"] == "failed"
    assert client.get_registered_model(model).aliases == {}
    run = run_by_digest(server.url, "failing", doc["digest"])
    assert run.data.tags["mlgate.gate"] == "failed"


def test_the_active_run_is_logged_into(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, server: Server
) -> None:
    client = mlflow_client(server.url)
    run = client.create_run("0", run_name="training pipeline")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server.url)
    monkeypatch.setenv("MLFLOW_RUN_ID", run.info.run_id)
    pytester.makepyfile(test_gate=gate())
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--mlgate-mlflow", timeout=RUN_TIMEOUT_S
    )
    result.assert_outcomes(passed=2)
    logged = client.get_run(run.info.run_id)
    assert logged.data.tags["mlgate.digest"] == read_audit(pytester)["digest"]
    assert logged.info.status == "RUNNING"  # the pipeline's run is the pipeline's to end


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_a_file_store_uri(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("mlflow", reason="MLflow is not installed: pip install -e '.[mlflow]'")
    uri = (tmp_path / "mlruns").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "file-store")
    pytester.makepyfile(test_gate=gate())
    args = ("-p", "no:cacheprovider", "--mlgate-mlflow=required", "test_gate.py")
    # MLflow 3 refuses the file store unless MLFLOW_ALLOW_FILE_STORE is set: a refusal
    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE", raising=False)
    result = pytester.runpytest_subprocess(*args, timeout=RUN_TIMEOUT_S)
    result.assert_outcomes(passed=2)
    if "maintenance mode" in result.stdout.str():
        assert result.ret == 1
        result.stdout.fnmatch_lines(["*mlflow: NOT logged: *", "*the run fails*"])
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    result = pytester.runpytest_subprocess(*args, timeout=RUN_TIMEOUT_S)
    result.assert_outcomes(passed=2)
    assert result.ret == 0
    doc = read_audit(pytester)
    run = run_by_digest(uri, "file-store", doc["digest"])
    assert run.data.metrics == metrics_of(doc)
    artifacts = Path(run.info.artifact_uri.removeprefix("file://")) / "mlgate"
    assert (artifacts / "audit.json").read_bytes() == (
        pytester.path / "mlgate-report" / "audit.json"
    ).read_bytes()


KILLER = """
import os, signal, socket, time

def test_zz_kill_the_tracking_server():
    os.killpg(int(os.environ["KILL_PGID"]), signal.SIGKILL)
    host, port = os.environ["MLFLOW_TRACKING_URI"].rsplit(":", 1)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", int(port)), timeout=1).close()
        except OSError:
            return
        time.sleep(0.1)
    raise AssertionError("the server still answers")
"""


def test_a_server_killed_mid_session(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with tracking_server(tmp_path / "doomed") as doomed:
        monkeypatch.setenv("MLFLOW_TRACKING_URI", doomed.url)
        monkeypatch.setenv("KILL_PGID", str(doomed.process.pid))
        pytester.makepyfile(test_gate=gate(), test_zz_killer=KILLER)
        started = time.monotonic()
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "--mlgate-mlflow", "--mlgate-mlflow-model",
            "models:/credit/1", "--mlgate-mlflow-alias", "validated", timeout=RUN_TIMEOUT_S,
        )  # fmt: skip
        elapsed = time.monotonic() - started
    result.assert_outcomes(passed=3)
    assert result.ret == 0  # the verdict is the gate's
    result.stdout.fnmatch_lines(
        [
            "*gate PASSED*",
            "*mlflow: NOT logged: the run, its metrics, tags and artifacts (*",
            "*mlflow: NOT logged: the tags of model credit version 1 (*",
            "*the gate's verdict and the files on disk are unaffected*",
        ]
    )
    assert elapsed < 120, f"a dead server held the session for {elapsed:.0f} s"
    for name in doc_files():
        assert (pytester.path / "mlgate-report" / name).is_file()
    assert read_audit(pytester)["summary"]["gate"] == "passed"
    # required: the same dead server fails the run; the path after the flag is still a path
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--mlgate-mlflow=required", "test_gate.py",
        timeout=RUN_TIMEOUT_S,
    )  # fmt: skip
    result.assert_outcomes(passed=2)
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        ["*mlflow: NOT logged: the run*", "*--mlgate-mlflow=required: the run fails*"]
    )
    assert read_audit(pytester)["summary"]["gate"] == "passed"


def test_mlflow_is_not_imported_unless_asked(pytester: pytest.Pytester) -> None:
    code = "import sys, pytest_mlgate.plugin; assert 'mlflow' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
    pytester.makeconftest(
        "import sys\n"
        "def pytest_mlgate_audit_written(config, document, paths):\n"
        "    assert 'mlflow' not in sys.modules\n"
        "    assert 'pytest_mlgate.integrations.mlflow' not in sys.modules\n"
        "    print('MLFLOW ABSENT')\n"
    )
    pytester.makepyfile(test_gate=gate())
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*MLFLOW ABSENT*"])


@pytest.mark.parametrize(
    ("args", "ini", "message"),
    [
        (("--mlgate-mlflow", "--mlgate-mlflow-model", "credit/3"), "", "*not a registered*"),
        (("--mlgate-mlflow", "--mlgate-mlflow-alias", "ok"), "", "*needs the model version*"),
        ((), "mlgate_mlflow = maybe", "*use true, required or false*"),
    ],
)
def test_usage_errors(
    pytester: pytest.Pytester, args: tuple[str, ...], ini: str, message: str
) -> None:
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile(test_gate=gate())
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


@pytest.mark.parametrize(
    "subject", ["holdout", "prod vs train/2026", "ünïcode · 名前", "a..b", "/lead", ""]
)
def test_metric_names_are_valid_for_mlflow(subject: str) -> None:
    mlflow_validation = pytest.importorskip("mlflow.utils.validation")
    check = {
        "category": "performance",
        "subject": subject,
        "name": "roc_auc >= 0.80",
        "details": {"metric": "roc_auc"},
    }
    base = check_metric_base(check)
    for key in (base, f"{base}.ci_low", metric_key("mlgate", subject)):
        mlflow_validation._validate_metric_name(key)
    assert base.startswith("mlgate.performance.") and base.endswith(".roc_auc")


def test_required_with_no_report_fails_and_says_why(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gate=gate())
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--mlgate-no-report", "--mlgate-mlflow=required"
    )
    result.assert_outcomes(passed=2)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*mlflow: nothing logged: no report was written*"])
    optional = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--mlgate-no-report")
    assert optional.ret == 0
