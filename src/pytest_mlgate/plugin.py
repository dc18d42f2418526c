"""pytest-mlgate's pytest plugin: options, markers, hooks and the ``mlgate`` fixture.

This module loads in every pytest run of the environment, so it imports nothing heavy: pandas,
numpy, scipy, scikit-learn, fairlearn and jinja2 load on first use, inside the checks and the
report writers.
"""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .crashes import crash_check
from .recording import TestRecord
from .results import CATEGORIES, SEVERITIES
from .session import PAYLOAD_VERSION, SESSION_KEY, MlgateSession, Settings

if TYPE_CHECKING:
    from .gate import Gate
    from .results import CheckResult

RECORD_KEY = pytest.StashKey[TestRecord]()
HOOKS_NAME = "mlgate-report-hooks"
MLFLOW_NAME = "mlgate-mlflow"
HTML_NAME = "mlgate-pytest-html"
# -v: a check computing longer than this says what it is doing
LONG_CHECK_S = 2.0
MLFLOW_MODES = {"": None, "false": None, "off": None, "true": "optional", "on": "optional"}
MLFLOW_MODES.update({"optional": "optional", "required": "required"})


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from . import hookspec

    pluginmanager.add_hookspecs(hookspec)


CATEGORY_HELP = {
    "data_quality": "data-quality checks (schema, nulls, ranges, keys, leakage)",
    "performance": "model performance thresholds, baselines and champion/challenger",
    "fairness": "fairness metrics across sensitive groups",
    "drift": "distribution drift between reference and current data",
    "governance": "model card and audit-trail checks",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mlgate", "ML quality & governance gate (pytest-mlgate)")
    group.addoption(
        "--mlgate-report-dir",
        dest="mlgate_report_dir",
        default=None,
        metavar="DIR",
        help="folder for audit.json, audit.html and summary.md (default: ini mlgate_report_dir, "
        "'mlgate-report' in the rootdir). Giving it writes a report even if no test used mlgate.",
    )
    group.addoption(
        "--mlgate-no-report",
        dest="mlgate_no_report",
        action="store_true",
        default=False,
        help="run the checks but write no report files.",
    )
    group.addoption(
        "--mlgate-update-baselines",
        dest="mlgate_update_baselines",
        action="store_true",
        default=False,
        help="write today's figures as the baselines that expect_no_regression compares with; "
        "a baseline is not moved when the gate fails or its new value breaks the check's rule "
        "against the committed one, unless given as --mlgate-update-baselines=force.",
    )
    group.addoption(
        # one option string, matched whole by argparse: a flag with an optional value would
        # swallow the path that follows it (`--mlgate-update-baselines tests/`)
        "--mlgate-update-baselines=force",
        dest="mlgate_force_baselines",
        action="store_true",
        default=False,
        help="write every baseline, even one worse than the committed value or in a run whose "
        "gate failed; each is listed as forced.",
    )
    group.addoption(
        "--mlgate-warn-only",
        dest="mlgate_warn_only",
        action="store_true",
        default=False,
        help="do not fail the build on blocking checks (bad input and crashed tests still "
        "fail it); the record keeps every check's status and says what would have blocked.",
    )
    group.addoption(
        "--mlgate-seed",
        dest="mlgate_seed",
        type=int,
        default=0,
        metavar="N",
        help="seed of every bootstrap (default 0: intervals are reproducible run to run).",
    )
    group.addoption(
        "--mlgate-mlflow",
        dest="mlgate_mlflow",
        action="store_true",
        default=False,
        help="log the report, the checks' figures and the verdict to MLflow (tracking URI from "
        "MLflow's settings; needs pytest-mlgate[mlflow]). A server that cannot be reached "
        "changes nothing but a line in the terminal, unless given as --mlgate-mlflow=required.",
    )
    group.addoption(
        # matched whole, like --mlgate-update-baselines=force: no optional value to swallow paths
        "--mlgate-mlflow=required",
        dest="mlgate_mlflow_required",
        action="store_true",
        default=False,
        help="as --mlgate-mlflow, and the run fails when anything could not be logged.",
    )
    group.addoption(
        "--mlgate-mlflow-model",
        dest="mlgate_mlflow_model",
        default=None,
        metavar="URI",
        help="the registered model version this run gates, e.g. models:/credit/3: tagged with "
        "the verdict and digest (default: ini mlgate_mlflow_model, or mlflow_model in [model] "
        "of the model card).",
    )
    group.addoption(
        "--mlgate-mlflow-alias",
        dest="mlgate_mlflow_alias",
        default=None,
        metavar="NAME",
        help="set this alias on the gated model version when the full gate passed.",
    )
    parser.addini(
        "mlgate_mlflow", "log to MLflow: true, required or false (default false)", default=""
    )
    parser.addini("mlgate_mlflow_experiment", "MLflow experiment of new runs", default="")
    parser.addini("mlgate_mlflow_model", "registered model version to gate", default="")
    parser.addini("mlgate_mlflow_alias", "alias set on the version when it passed", default="")
    parser.addini(
        "mlgate_report_dir", "folder for the mlgate report files", default="mlgate-report"
    )
    parser.addini(
        "mlgate_baseline_dir", "folder of the committed baselines", default="mlgate-baselines"
    )
    parser.addini("mlgate_card", "the model card TOML file (default model_card.toml)", default="")
    parser.addini(
        "mlgate_template_dir", "a folder of templates overriding the defaults", default=""
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mlgate(severity='block'|'warn', requirement=None, owner=None): default severity of the "
        "test's mlgate checks, and the governance requirement and owner they evidence.",
    )
    for name, text in CATEGORY_HELP.items():
        config.addinivalue_line("markers", f"{name}: {text}; select with -m {name}.")
    settings = _settings(config)
    facts: dict[str, Any] = {}
    if settings.card_path.is_file():
        from .card import load_card_facts
        from .errors import MlgateError

        try:
            facts = load_card_facts(settings.card_path)
        except MlgateError as exc:
            raise pytest.UsageError(str(exc)) from exc
    elif settings.card_path_given:
        raise pytest.UsageError(f"model card {settings.card_path}: no such file (ini mlgate_card).")
    is_worker = hasattr(config, "workerinput")
    mlflow = None if is_worker else _mlflow_plugin(config, facts)
    config.stash[SESSION_KEY] = MlgateSession(settings, facts, is_worker=is_worker)
    config.pluginmanager.register(ReportHooks(config), HOOKS_NAME)
    if config.get_verbosity() >= 1 and not is_worker:
        config.pluginmanager.register(ProgressHooks(config), HOOKS_NAME + "-progress")
    if mlflow is not None:
        config.pluginmanager.register(mlflow, MLFLOW_NAME)
    if not is_worker and config.pluginmanager.hasplugin("html") and _option(config, "htmlpath"):
        from .integrations.pytest_html import HtmlSummary

        config.pluginmanager.register(HtmlSummary(config), HTML_NAME)


def _option(config: pytest.Config, name: str) -> Any:
    try:
        return config.getoption(name)
    except ValueError:  # another plugin's option, when that plugin is not installed
        return None


def _mlflow_plugin(config: pytest.Config, facts: dict[str, Any]) -> Any:
    """The MLflow logger when it is asked for (nothing of MLflow is imported otherwise)."""
    ini = str(config.getini("mlgate_mlflow") or "").strip().lower()
    if ini not in MLFLOW_MODES:
        raise pytest.UsageError(
            f"ini mlgate_mlflow = {ini!r}: use true, required or false (or leave it out)."
        )
    mode = MLFLOW_MODES[ini]
    if config.getoption("mlgate_mlflow"):
        mode = "optional"
    if config.getoption("mlgate_mlflow_required"):
        mode = "required"
    if mode is None:
        return None
    from .integrations.mlflow import logger_from_config

    return logger_from_config(config, facts, required=mode == "required")


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> Any:
    """An unknown ``@pytest.mark.mlgate`` keyword is a collection error, not dropped evidence."""
    from .markers import check_collected

    return check_collected((yield))


def _settings(config: pytest.Config) -> Settings:
    root = config.rootpath

    def resolve(value: str) -> Path:
        path = Path(value).expanduser()
        # normalised (``a/../b`` as ``b``) so that every message shows the plain path
        return Path(os.path.normpath(path if path.is_absolute() else root / path))

    cli_report = config.getoption("mlgate_report_dir")
    card = str(config.getini("mlgate_card") or "")
    template = str(config.getini("mlgate_template_dir") or "")
    return Settings(
        rootdir=root,
        report_dir=resolve(cli_report or str(config.getini("mlgate_report_dir"))),
        report_dir_given=cli_report is not None,
        no_report=bool(config.getoption("mlgate_no_report")),
        update_baselines=bool(
            config.getoption("mlgate_update_baselines")
            or config.getoption("mlgate_force_baselines")
        ),
        force_baselines=bool(config.getoption("mlgate_force_baselines")),
        warn_only=bool(config.getoption("mlgate_warn_only")),
        seed=int(config.getoption("mlgate_seed")),
        baseline_dir=resolve(str(config.getini("mlgate_baseline_dir"))),
        card_path=resolve(card or "model_card.toml"),
        card_path_given=bool(card),
        template_dir=resolve(template) if template else None,
        pytest_args=tuple(str(a) for a in config.invocation_params.args),
    )


@pytest.fixture
def mlgate(request: pytest.FixtureRequest) -> Gate:
    """The ML quality gate of this test: data, performance, fairness and drift checks.

    Every ``expect_*`` call records one result and returns it. Checks are soft: when the test
    body ends, all failed blocking checks are reported together and the test fails.
    ``severity="warn"`` records a failure without failing the test.

        def test_gate(mlgate, train):
            dq = mlgate.data(train, name="train")
            dq.expect_columns(["age", "sex", "income"])
            dq.expect_not_null(["age"], max_fraction=0.0)
            dq.expect_between("age", min=17, max=90)
    """
    from .card import Card
    from .errors import MlgateInputError
    from .gate import Gate
    from .recording import GateSettings, Recorder

    session = request.config.stash[SESSION_KEY]
    item = request.node
    record = item.stash.get(RECORD_KEY, None)
    if record is None:
        record = TestRecord(nodeid=item.nodeid)
        item.stash[RECORD_KEY] = record
        session.live_records[item.nodeid] = record
    marker = item.get_closest_marker("mlgate")
    options = dict(marker.kwargs) if marker is not None else {}
    severity = options.get("severity", "block")
    if severity not in SEVERITIES:
        raise MlgateInputError(
            "@pytest.mark.mlgate(severity=...)", f"must be 'block' or 'warn', got {severity!r}."
        )
    markers: dict[str, Any] = {
        k: str(options[k]) for k in ("requirement", "owner", "model") if options.get(k) is not None
    }
    categories = [name for name in CATEGORIES if item.get_closest_marker(name) is not None]
    if categories:
        markers["categories"] = categories
    gate_settings = GateSettings(
        nodeid=item.nodeid,
        markers=markers,
        default_severity=severity,
        seed=session.settings.seed,
        rootdir=session.settings.rootdir,
        baseline_dir=session.settings.baseline_dir,
        update_baselines=session.settings.update_baselines,
        force_baselines=session.settings.force_baselines,
    )

    def add_property(result: CheckResult) -> None:
        from .junit import junit_property

        item.user_properties.append(junit_property(result))

    def drop_property(result: CheckResult) -> None:
        from .junit import junit_property

        prop = junit_property(result)
        if prop in item.user_properties:
            item.user_properties.remove(prop)

    recorder = Recorder(
        gate_settings,
        record,
        on_result=add_property,
        on_withdraw=drop_property,
        on_start=_long_check_notice(request.config),
    )
    card = Card(session.card_facts, recorder, session.settings.rootdir)
    return Gate(recorder, card)


def _long_check_notice(config: pytest.Config) -> Callable[[str], Callable[[], None]] | None:
    """With ``-v`` in a run without xdist workers: a check still computing after
    :data:`LONG_CHECK_S` seconds prints what it is doing (a large bootstrap, a big drift),
    so a quiet terminal is never mistaken for a hang."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or config.get_verbosity() < 1 or hasattr(config, "workerinput"):
        return None

    def start(what: str) -> Callable[[], None]:
        import threading

        from .report.formatting import plain_text

        def notice() -> None:
            # as pytest's live logging does: step out of output capture to write
            capture = config.pluginmanager.get_plugin("capturemanager")
            with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
                reporter.ensure_newline()
                reporter.write_line(
                    plain_text(
                        f"    mlgate …            computing {what} (over {LONG_CHECK_S:g} s)"
                    ),
                    cyan=True,
                )

        timer = threading.Timer(LONG_CHECK_S, notice)
        timer.daemon = True
        timer.start()
        return timer.cancel

    return start


def _guard_phase(item: pytest.Item, phase: str) -> Generator[None, Any, Any]:
    if phase == "setup":
        # a rerun (pytest-rerunfailures) starts a fresh record and fresh JUnit properties
        if RECORD_KEY in item.stash:
            del item.stash[RECORD_KEY]
        item.user_properties[:] = [
            p for p in item.user_properties if not str(p[0]).startswith("mlgate:")
        ]
    record = item.stash.get(RECORD_KEY, None)
    if record is not None:
        record.phase = phase
    result = yield
    record = item.stash.get(RECORD_KEY, None)
    if record is not None:
        enforced = not item.config.stash[SESSION_KEY].settings.warn_only
        blocking = [
            r for r in record.results_of(phase) if r.blocking and (enforced or r.status == "error")
        ]
        if blocking:
            record.guard_failed.add(phase)
            from .report.terminal import failure_message

            pytest.fail(failure_message(blocking), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, Any, Any]:
    return (yield from _guard_phase(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    return (yield from _guard_phase(item, "call"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, Any, Any]:
    return (yield from _guard_phase(item, "teardown"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    record = item.stash.get(RECORD_KEY, None)
    crash = None
    if report.failed and not (record is not None and call.when in record.guard_failed):
        crash = crash_check(item, call, report)
    if record is not None or crash is not None:
        from .recording import empty_payload

        payload = record.payload(call.when) if record is not None else empty_payload()
        if crash is not None:
            payload["checks"].append(crash)
        report.mlgate = payload  # type: ignore[attr-defined]
    return report


class ProgressHooks:
    """``-v``: each check on its own line as its test phase reports, under pytest's line for
    the test (serially and under xdist alike, from the records the report carries)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        payload = getattr(report, "mlgate", None)
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if not isinstance(payload, dict) or reporter is None or not payload.get("checks"):
            return
        from .report.terminal import MARKUP, progress_line

        reporter.ensure_newline()
        for check in payload["checks"]:
            reporter.write_line(progress_line(check), **MARKUP.get(check["status"], {}))


class ReportHooks:
    """Per-session hooks registered as a plugin object: state lives on it, not in globals."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @property
    def state(self) -> MlgateSession:
        return self.config.stash[SESSION_KEY]

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.state.is_worker:
            return
        if str(report.outcome) == "rerun":  # pytest-rerunfailures: this attempt is discarded
            self.state.rerunning.add(report.nodeid)
        if report.when == "teardown" and report.nodeid in self.state.rerunning:
            # before junitxml reads them: the discarded attempt's properties must not add up
            self.state.rerunning.discard(report.nodeid)
            report.user_properties = [
                p for p in report.user_properties if not str(p[0]).startswith("mlgate:")
            ]
            return
        payload = getattr(report, "mlgate", None)
        if isinstance(payload, dict):
            self.state.collector.add(report.nodeid, report.when or "call", payload)
        if report.when == "teardown":
            self.state.finished.add(report.nodeid)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed and not self.state.is_worker:
            lines = str(report.longrepr or "").strip().splitlines()
            self.state.collection_errors.append(
                (report.nodeid or "<collection>", lines[-1] if lines else "collection failed")
            )

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.state.deselected += len(items)

    def pytest_keyboard_interrupt(self) -> None:
        self.state.interrupted = True

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """xdist controller: merge a worker's session facts, or note that it crashed."""
        output = getattr(node, "workeroutput", {}) or {}
        facts = output.get("mlgate")
        if isinstance(facts, dict):
            self.state.collector.packages.update(facts.get("packages", {}))
            self.state.deselected = max(self.state.deselected, int(facts.get("deselected", 0)))
        if error is not None:
            self.state.collector.crashed_workers.append(
                str(output.get("workerid", node.gateway.id))
            )

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        state = self.state
        if state.is_worker:
            from .session import loaded_packages

            self.config.workeroutput["mlgate"] = {  # type: ignore[attr-defined]
                "v": PAYLOAD_VERSION,
                "packages": loaded_packages(),
                "deselected": state.deselected,
            }
            return
        if self.config.option.collectonly:
            return  # --co runs no test: there is no verdict to record
        for nodeid, record in state.live_records.items():
            for phase in sorted({p for p, _ in record.results} - record.reported):
                # an interrupted phase never reached makereport: keep what it recorded
                state.collector.add(nodeid, phase, record.payload(phase))
        state.finish(
            exitstatus=int(exitstatus),
            selected=int(session.testscollected),
            stopped=bool(session.shouldfail or session.shouldstop),
            config=self.config,
        )
        if state.written is not None and state.document is not None:
            self.hand_over(state.written, state.document)
        if state.blocks_exit() and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def hand_over(self, folder: Path, document: dict[str, Any]) -> None:
        """Call ``pytest_mlgate_audit_written`` once, on the controller, after the write."""
        from .report.files import ARTIFACTS

        paths = {name: (folder / name).resolve() for name in ARTIFACTS}
        try:
            self.config.hook.pytest_mlgate_audit_written(
                config=self.config, document=copy.deepcopy(document), paths=paths
            )
        except Exception as exc:
            self.state.notices.append(
                (f"pytest_mlgate_audit_written raised {type(exc).__name__}: {exc}", True)
            )

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        state = self.state
        if state.is_worker:
            return
        doc = state.document
        if doc is None and not state.write_error and not state.notices:
            return
        from .report.terminal import summary_lines

        summary = doc["summary"] if doc is not None else None
        if doc is None and not state.write_error:
            summary = state.summary  # no report written: the integrations' lines still show
        gate = summary["gate"] if summary is not None else "failed"
        terminalreporter.write_sep(
            "=", "mlgate", red=gate != "passed", green=gate == "passed", bold=True
        )
        if doc is not None:
            for line, markup in summary_lines(doc):
                terminalreporter.write_line(line, **markup)
        if state.write_error:
            terminalreporter.write_line(
                f"mlgate could not write its files: {state.write_error}", red=True, bold=True
            )
        if state.written is not None:
            terminalreporter.write_line(f"report: {state.written / 'audit.html'}")
        for text, is_error in state.notices:
            terminalreporter.write_line(text, red=is_error, bold=is_error)


def pytest_unconfigure(config: pytest.Config) -> None:
    for name in (HOOKS_NAME, HOOKS_NAME + "-progress", MLFLOW_NAME, HTML_NAME):
        hooks = config.pluginmanager.get_plugin(name)
        if hooks is not None:
            config.pluginmanager.unregister(hooks)
