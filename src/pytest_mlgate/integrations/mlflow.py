"""Log the verdict to MLflow: the report as run artifacts, the figures as metrics, the verdict
as tags, and the gated model version's tags and alias in the registry.

Built on the ``pytest_mlgate_audit_written`` hook. MLflow is imported only when the hook runs,
so ``--mlgate-mlflow`` costs nothing at start-up. A server that is down or refuses never
changes the gate's verdict nor the files on disk: what was not logged is said in the terminal,
and with ``--mlgate-mlflow=required`` the run fails.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ARTIFACT_PATH = "mlgate"
# bounded network: without these MLflow retries a dead server for minutes
HTTP_DEFAULTS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "20",
}
MAX_KEY = 250
MODEL_URI = re.compile(r"^models:/(?P<name>[^/@]+)(?:/(?P<version>\d+)|@(?P<alias>[\w\-]+))$")


def parse_model_uri(uri: str) -> tuple[str, str | None, str | None]:
    """``models:/NAME/VERSION`` or ``models:/NAME@ALIAS`` as (name, version, alias)."""
    match = MODEL_URI.match(uri.strip())
    if match is None:
        raise ValueError(
            f"{uri!r} is not a registered model version: give models:/NAME/VERSION "
            "(e.g. models:/credit/3) or models:/NAME@ALIAS."
        )
    return match["name"], match["version"], match["alias"]


def metric_key(*parts: str) -> str:
    """An MLflow-valid metric name: words joined by dots, other characters as underscores."""
    clean = [re.sub(r"[^A-Za-z0-9_\-]+", "_", p).strip("_") or "_" for p in parts]
    return ".".join(clean)[:MAX_KEY]


def check_metric_base(check: dict[str, Any]) -> str:
    """``mlgate.<category>.<subject>.<figure>``; the figure is the metric a performance or
    fairness check names, else the check's name without its threshold."""
    details = check.get("details") or {}
    figure = details.get("metric") if isinstance(details.get("metric"), str) else None
    if figure is None:
        figure = re.split(r"\s(?:>=|<=|>|<|==)\s", str(check["name"]))[0]
    return metric_key("mlgate", str(check["category"]), str(check["subject"]), figure)


def metrics_of(document: dict[str, Any]) -> dict[str, float]:
    """Every check's observed value and interval bounds, and the counts per status.

    Keys are stable from run to run; a key that two checks would share gets ``.2``, ``.3``
    in the record's check order (which does not depend on test order or xdist)."""
    out: dict[str, float] = {}
    seen: dict[str, int] = {}
    for check in document.get("checks", []):
        base = check_metric_base(check)
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            base = f"{base}.{seen[base]}"[:MAX_KEY]
        observed = check.get("observed")
        if isinstance(observed, int | float) and math.isfinite(observed):
            out[base] = float(observed)
        interval = check.get("interval")
        if isinstance(interval, list) and len(interval) == 2:
            for suffix, bound in zip(("ci_low", "ci_high"), interval, strict=True):
                if isinstance(bound, int | float) and math.isfinite(bound):
                    out[f"{base}.{suffix}"] = float(bound)
    summary = document.get("summary", {})
    for status, count in summary.get("counts", {}).items():
        out[f"mlgate.checks.{status}"] = float(count)
    out["mlgate.checks.total"] = float(summary.get("total", 0))
    out["mlgate.checks.blocking"] = float(summary.get("blocking", 0))
    return out


def tags_of(document: dict[str, Any]) -> dict[str, str]:
    summary = document.get("summary", {})
    commit = ((document.get("run") or {}).get("git") or {}).get("commit")
    return {
        "mlgate.gate": str(summary.get("gate")),
        "mlgate.digest": str(document.get("digest")),
        "mlgate.commit": str(commit or "unknown"),
        "mlgate.enforced": str(bool(summary.get("enforced", True))).lower(),
        "mlgate.subset": str(bool(summary.get("subset", False))).lower(),
    }


@contextmanager
def bounded_http() -> Iterator[None]:
    """MLflow's retries and timeout bounded for our calls, unless the user set them."""
    added = [k for k in HTTP_DEFAULTS if k not in os.environ]
    for key in added:
        os.environ[key] = HTTP_DEFAULTS[key]
    try:
        yield
    finally:
        for key in added:
            os.environ.pop(key, None)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}"


def logger_from_config(
    config: pytest.Config, facts: dict[str, Any], *, required: bool
) -> MlflowLogger:
    """The logger with the gated model version and alias resolved (CLI > ini > model card)."""
    found = facts.get("model")
    model_facts: dict[str, Any] = found if isinstance(found, dict) else {}
    model = (
        config.getoption("mlgate_mlflow_model")
        or str(config.getini("mlgate_mlflow_model") or "")
        or str(model_facts.get("mlflow_model") or "")
        or None
    )
    if model is not None:
        try:
            parse_model_uri(model)
        except ValueError as exc:
            raise pytest.UsageError(f"--mlgate-mlflow-model: {exc}") from exc
        # the model card names the registry version it gates
        facts.setdefault("model", {})["mlflow_model"] = model
    alias = config.getoption("mlgate_mlflow_alias") or str(config.getini("mlgate_mlflow_alias"))
    if alias and model is None:
        raise pytest.UsageError(
            "--mlgate-mlflow-alias needs the model version to set it on: give "
            "--mlgate-mlflow-model models:/NAME/VERSION (or mlflow_model in [model] of the card)."
        )
    return MlflowLogger(
        config,
        required=required,
        model=model,
        alias=alias or None,
        experiment=str(config.getini("mlgate_mlflow_experiment") or "") or None,
    )


class MlflowLogger:
    """Registered on the controller when ``--mlgate-mlflow`` (or ini ``mlgate_mlflow``) is on."""

    def __init__(
        self,
        config: pytest.Config,
        *,
        required: bool,
        model: str | None,
        alias: str | None,
        experiment: str | None,
    ) -> None:
        self.config = config
        self.required = required
        self.model = model
        self.alias = alias
        self.experiment = experiment
        self.attempted = False
        self.created_run = False
        self.lines: list[tuple[str, bool]] = []
        self.not_logged: list[str] = []

    @pytest.hookimpl(tryfirst=True)
    def pytest_mlgate_audit_written(
        self, config: pytest.Config, document: dict[str, Any], paths: dict[str, Path]
    ) -> None:
        self.attempted = True
        with bounded_http():
            self.log(document, paths)
        self._publish()

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        from ..session import SESSION_KEY

        state = self.config.stash[SESSION_KEY]
        if self.attempted or state.summary is None:
            return
        self.not_logged.append("everything")
        self.lines.append(
            (
                "mlflow: nothing logged: no report was written to log (--mlgate-no-report, or "
                "the write failed)",
                self.required,
            )
        )
        self._publish()
        if self.required and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def _publish(self) -> None:
        from ..session import SESSION_KEY

        state = self.config.stash[SESSION_KEY]
        state.notices.extend(self.lines)
        self.lines = []
        if self.not_logged:
            if self.required:
                state.integration_error = "mlflow: not logged: " + ", ".join(self.not_logged)
                state.notices.append(
                    (
                        "mlflow: --mlgate-mlflow=required: the run fails because MLflow did not "
                        "get everything",
                        True,
                    )
                )
            else:
                state.notices.append(
                    (
                        "mlflow: the gate's verdict and the files on disk are unaffected; "
                        "rerun with the server up, or log the report folder by hand",
                        False,
                    )
                )

    def _step(self, what: str, action: Callable[[], Any]) -> tuple[bool, Any]:
        """Run one call to MLflow; a failure is noted (what was not logged, and why)."""
        try:
            return True, action()
        except Exception as exc:
            self.not_logged.append(what)
            self.lines.append((f"mlflow: NOT logged: {what} ({_short(exc)})", True))
            return False, None

    def log(self, document: dict[str, Any], paths: dict[str, Path]) -> None:
        try:
            from mlflow.entities import Metric, RunTag
            from mlflow.tracking import MlflowClient
        except ImportError:
            self.not_logged.append("everything")
            self.lines.append(
                (
                    "mlflow: NOT logged: MLflow is not installed; pip install "
                    "'pytest-mlgate[mlflow]'",
                    True,
                )
            )
            return
        ok, client = self._step("everything (no client)", MlflowClient)
        if not ok:
            return
        uri = client.tracking_uri
        ok, run_id = self._step(
            "the run, its metrics, tags and artifacts", self._open_run_of(client)
        )
        if ok:
            import time

            now = int(time.time() * 1000)
            metrics = [Metric(k, v, now, 0) for k, v in metrics_of(document).items()]
            tags = [RunTag(k, v) for k, v in tags_of(document).items()]

            def batch() -> None:
                for i in range(0, max(len(metrics), 1), 1000):
                    client.log_batch(run_id, metrics=metrics[i : i + 1000])
                client.log_batch(run_id, tags=tags)

            logged, _ = self._step("metrics and tags", batch)

            def artifacts() -> None:
                for path in paths.values():
                    if Path(path).is_file():
                        client.log_artifact(run_id, str(path), ARTIFACT_PATH)

            stored, _ = self._step("artifacts", artifacts)
            if self.created_run:  # FAILED: what the run should hold did not all get there
                status = "FINISHED" if logged and stored else "FAILED"
                self._step("the run's end", lambda: client.set_terminated(run_id, status))
            if logged and stored:
                self.lines.append(
                    (
                        f"mlflow: run {run_id}: {len(metrics)} metrics, {len(tags)} tags, "
                        f"{len(paths)} artifacts under {ARTIFACT_PATH}/ ({uri})",
                        False,
                    )
                )
        if self.model is not None:
            self._gate_model(client, document, run_id)

    def _open_run_of(self, client: Any) -> Callable[[], str]:
        def open_run() -> str:
            active = os.environ.get("MLFLOW_RUN_ID")
            if active:
                client.get_run(active)  # it must exist: fail here rather than log nowhere
                return active
            name = os.environ.get("MLFLOW_EXPERIMENT_NAME") or self.experiment
            experiment_id = os.environ.get("MLFLOW_EXPERIMENT_ID") if not name else None
            if name:
                found = client.get_experiment_by_name(name)
                experiment_id = found.experiment_id if found else client.create_experiment(name)
            run = client.create_run(experiment_id or "0", run_name="mlgate")
            self.created_run = True
            return str(run.info.run_id)

        return open_run

    def _gate_model(self, client: Any, document: dict[str, Any], run_id: str | None) -> None:
        name, version, alias_in_uri = parse_model_uri(str(self.model))
        if version is None:
            ok, found = self._step(
                f"model {self.model} (the alias could not be resolved)",
                lambda: client.get_model_version_by_alias(name, alias_in_uri),
            )
            if not ok:
                return
            version = str(found.version)
        tags = tags_of(document)
        if run_id is not None:
            tags["mlgate.run_id"] = run_id

        def tag() -> None:
            for key, value in tags.items():
                client.set_model_version_tag(name, version, key, value)

        where = f"model {name} version {version}"
        if not self._step(f"the tags of {where}", tag)[0]:
            return
        gate = document["summary"]["gate"]
        line = f"mlflow: {where} tagged mlgate.gate={gate}"
        if self.alias:
            refusal = alias_refusal(document)
            if refusal is not None:
                line += f"; alias {self.alias!r} NOT set: {refusal}"
            elif self._step(
                f"the alias {self.alias!r} of {where}",
                lambda: client.set_registered_model_alias(name, self.alias, version),
            )[0]:
                line += f"; alias {self.alias!r} set"
        self.lines.append((line, False))


def alias_refusal(document: dict[str, Any]) -> str | None:
    """Why the alias may not be set (``None`` when it may): promotion needs the whole gate
    (not a subset) to have passed."""
    summary = document.get("summary", {})
    if summary.get("gate") != "passed":
        return f"the gate {summary.get('gate')}"
    if summary.get("subset"):
        return "this run covered a subset of the gate"
    return None
