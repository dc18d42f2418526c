"""Per-run state: settings, the collected records, run metadata and writing the artifacts.

Only the controller (or a session without xdist) collects and writes. Per-test records arrive as
plain dicts on test reports; session facts of workers arrive through ``workeroutput``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .paths import display_path
from .recording import PAYLOAD_VERSION

__all__ = ["PAYLOAD_VERSION", "SESSION_KEY", "MlgateSession", "Settings"]

PHASES = ("collect", "setup", "call", "teardown")
LOCK_TIMEOUT_S = 60.0
# module imported -> distribution name, for the libraries that compute figures
FIGURE_LIBRARIES = {
    "pandas": "pandas",
    "numpy": "numpy",
    "scipy": "scipy",
    "sklearn": "scikit-learn",
    "fairlearn": "fairlearn",
    "pyarrow": "pyarrow",
}


@dataclass(frozen=True)
class Settings:
    """Options and ini values, resolved once (relative paths against the rootdir)."""

    rootdir: Path
    report_dir: Path
    report_dir_given: bool
    no_report: bool
    update_baselines: bool
    force_baselines: bool
    warn_only: bool
    seed: int
    baseline_dir: Path
    card_path: Path
    card_path_given: bool
    template_dir: Path | None
    pytest_args: tuple[str, ...]


@dataclass
class Collector:
    """Records of every test, keyed so that a rerun of a phase replaces its first try."""

    checks: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    datasets: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    notes: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    packages: dict[str, str] = field(default_factory=dict)
    fixture_used: bool = False
    crashed_workers: list[str] = field(default_factory=list)

    def add(self, nodeid: str, when: str, payload: dict[str, Any]) -> None:
        if payload.get("gate", True):
            self.fixture_used = True
        key = (nodeid, when)
        self.checks[key] = list(payload.get("checks", []))
        self.datasets[key] = list(payload.get("datasets", []))
        self.notes[key] = list(payload.get("notes", []))

    def ordered_checks(self) -> list[dict[str, Any]]:
        """Checks sorted by test node id, then phase, then position: the same order whatever
        the test order or the xdist worker."""
        return [c for key in self._keys() for c in self.checks[key]]

    def ordered_datasets(self) -> list[dict[str, Any]]:
        seen: dict[tuple[str, str, str], dict[str, Any]] = {}
        for key in self._keys():
            for d in self.datasets.get(key, []):
                seen.setdefault((d["name"], d["role"], d["sha256"]), d)
        return list(seen.values())

    def ordered_notes(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key in self._keys():
            for note in self.notes.get(key, []):
                texts = out.setdefault(note["section"], [])
                if note["text"] not in texts:
                    texts.append(note["text"])
        return out

    def _keys(self) -> list[tuple[str, str]]:
        return sorted(self.checks, key=lambda k: (k[0], PHASES.index(k[1])))


def loaded_packages() -> dict[str, str]:
    """Versions of pytest-mlgate, pytest and every figure library loaded in this process."""
    from importlib.metadata import PackageNotFoundError, version

    names = ["pytest-mlgate", "pytest"] + [
        dist for module, dist in FIGURE_LIBRARIES.items() if module in sys.modules
    ]
    out = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "unknown"
    return out


def git_state(cwd: Path) -> dict[str, Any]:
    """Commit, branch and whether tracked files have changes (untracked files do not count)."""
    import subprocess

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "branch": None, "dirty": None}
    branch = git("rev-parse", "--abbrev-ref", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": commit,
        "branch": None if branch in (None, "HEAD") else branch,
        "dirty": bool(status) if status is not None else None,
    }


class MlgateSession:
    """State of one pytest run: settings, card facts, and (on the controller) the collector and
    what it learns about the run itself: how many tests were selected and finished, collection
    errors, interruptions, deselection."""

    def __init__(self, settings: Settings, card_facts: dict[str, Any], *, is_worker: bool) -> None:
        self.settings = settings
        self.card_facts = card_facts
        self.is_worker = is_worker
        self.collector = Collector()
        self.started = time.time()
        self.live_records: dict[str, Any] = {}
        self.finished: set[str] = set()
        self.rerunning: set[str] = set()
        self.collection_errors: list[tuple[str, str]] = []
        self.deselected = 0
        self.interrupted = False
        self.written: Path | None = None
        self.document: dict[str, Any] | None = None
        self.summary: dict[str, Any] | None = None
        self.baselines: list[dict[str, Any]] = []
        self.write_error: str | None = None
        # lines the integrations (the audit hook, MLflow) add to the terminal summary, with
        # whether each is an error; an integration that was required and failed fails the run
        self.notices: list[tuple[str, bool]] = []
        self.integration_error: str | None = None

    def gate_used(self) -> bool:
        return self.collector.fixture_used or self.settings.report_dir_given

    def should_write(self) -> bool:
        if self.is_worker or self.settings.no_report:
            return False
        return self.gate_used()

    def blocks_exit(self) -> bool:
        """Whether the session must exit non-zero for mlgate's own reasons (a baseline update
        refused at the end, a report that could not be written)."""
        if self.write_error or self.integration_error:
            return True
        summary = self.summary
        return summary is not None and (summary["blocking"] > 0 or summary["gate"] == "incomplete")

    def incomplete_reasons(self, exitstatus: int, selected: int, stopped: bool) -> list[str]:
        """Why the run did not run to its end, in words (empty when it did)."""
        reasons = []
        if exitstatus == 4:
            reasons.append("a usage error stopped the run")
        if exitstatus == 3:
            reasons.append("an internal error stopped the run")
        if self.interrupted:
            reasons.append("the run was interrupted (Ctrl-C)")
        if self.collection_errors:
            n = len(self.collection_errors)
            reasons.append(f"{n} collection error{'s' if n > 1 else ''}: tests were not collected")
        missing = selected - len(self.finished)
        if missing > 0 and not self.interrupted:
            why = " (-x/--maxfail)" if stopped else ""
            reasons.append(
                f"stopped early{why}: {missing} of {selected} selected tests did not run"
            )
        elif missing > 0:
            reasons.append(f"{missing} of {selected} selected tests did not run")
        if self.collector.crashed_workers:
            workers = ", ".join(sorted(self.collector.crashed_workers))
            reasons.append(f"xdist worker(s) {workers} were lost")
        return reasons

    def finish(self, *, exitstatus: int, selected: int, stopped: bool, config: Any) -> None:
        """Decide the run's verdict, move baselines if allowed, write the artifacts."""
        if not self.gate_used() and not self.settings.update_baselines:
            return
        incomplete = self.incomplete_reasons(exitstatus, selected, stopped)
        scope = run_scope(config, selected, self.deselected)
        checks = self.collector.ordered_checks()
        from .crashes import collection_error_result, crashed_worker_check

        checks += [collection_error_result(nodeid, text) for nodeid, text in self.collection_errors]
        if self.collector.crashed_workers:
            checks.append(crashed_worker_check(self.collector.crashed_workers))
        if self.settings.update_baselines:
            checks = self._update_baselines(checks, incomplete)
        from .report.audit import summarize

        enforced = not self.settings.warn_only
        self.summary = summarize(checks, enforced=enforced, incomplete=incomplete, scope=scope)
        if not self.should_write():
            return
        try:
            self.write_report(checks, enforced=enforced, incomplete=incomplete, scope=scope)
        except Exception as exc:
            self.write_error = self.write_error or f"report: {type(exc).__name__}: {exc}"

    def _update_baselines(
        self, checks: list[dict[str, Any]], incomplete: list[str]
    ) -> list[dict[str, Any]]:
        from .baselines import decide_updates, write_updates

        commit = git_state(self.settings.rootdir)["commit"]
        checks, decisions = decide_updates(
            checks, force=self.settings.force_baselines, incomplete=incomplete, commit=commit
        )
        accepted = [d for d in decisions if d["written"]]
        try:
            write_updates(self.settings.baseline_dir, accepted, commit=commit)
        except Exception as exc:
            self.write_error = f"baselines: {type(exc).__name__}: {exc}"
            for d in accepted:
                d["written"] = False
                d["reason"] = f"the file could not be written ({type(exc).__name__}: {exc})"
        for d in decisions:
            d["file"] = display_path(
                self.settings.baseline_dir / f"{d['baseline']}.json", self.settings.rootdir
            )
        self.baselines = decisions
        return checks

    def run_metadata(self) -> dict[str, Any]:
        import platform

        from .clock import source_date_epoch, timestamp

        epoch = source_date_epoch()
        reproducible = epoch is not None
        run: dict[str, Any] = {
            "time": timestamp(epoch if epoch is not None else self.started),
            "git": git_state(self.settings.rootdir),
            "python": platform.python_version(),
            "platform": platform.platform(terse=True),
            "packages": dict(sorted({**loaded_packages(), **self.collector.packages}.items())),
            "pytest_args": relative_args(self.settings.pytest_args, self.settings.rootdir),
            "seed": self.settings.seed,
        }
        if not reproducible:
            run["duration_s"] = round(time.time() - self.started, 3)
        if self.collector.crashed_workers:
            run["crashed_workers"] = sorted(self.collector.crashed_workers)
        return run

    def write_report(
        self,
        checks: list[dict[str, Any]],
        *,
        enforced: bool,
        incomplete: list[str],
        scope: dict[str, Any],
    ) -> Path:
        """Build the four artifacts and write them as one set, under the folder's lock:
        the previous ``audit.json`` goes to ``history/`` first, then ``audit.json``, then the
        pages and the summary, each naming the new digest. A failed write names the files that
        still describe the previous record."""
        from .report.audit import build_document, dumps
        from .report.files import ARTIFACTS, atomic_write, folder_lock, keep_history
        from .report.html import render_pages
        from .report.markdown import render_summary

        out = self.settings.report_dir
        timeout = float(os.environ.get("MLGATE_LOCK_TIMEOUT", LOCK_TIMEOUT_S))
        with folder_lock(out, timeout):
            previous = keep_history(out)
            doc = build_document(
                run=self.run_metadata(),
                model={"facts": self.card_facts, "notes": self.collector.ordered_notes()},
                datasets=self.collector.ordered_datasets(),
                checks=checks,
                previous_digest=previous,
                signing_key=os.environ.get("MLGATE_SIGNING_KEY") or None,
                enforced=enforced,
                incomplete=incomplete,
                scope=scope,
                baselines=self.baselines,
            )
            # Render everything before writing anything: a template error leaves no half set.
            # The pages are rendered from the record as written (keys sorted), so that
            # `mlgate render audit.json` gives the same bytes.
            record = dumps(doc)
            doc = json.loads(record)
            pages = render_pages(doc, self.settings.template_dir)
            texts = {"audit.json": record, **pages, "summary.md": render_summary(doc)}
            self.document = doc
            for i, name in enumerate(ARTIFACTS):
                try:
                    atomic_write(out / name, texts[name])
                except OSError as exc:
                    stale = [n for n in ARTIFACTS[i:] if (out / n).exists()]
                    self.write_error = f"{name} could not be written ({exc})" + (
                        f"; stale files (they describe an earlier record): {', '.join(stale)}"
                        if stale
                        else ""
                    )
                    return out
            self.write_error = write_model_cards(out, texts) or self.write_error
        step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if step_summary:
            with open(step_summary, "a", encoding="utf-8") as handle:
                handle.write(texts["summary.md"])
        self.written = out
        return out


# the run's state, in config.stash (pytest's public way to keep plugin state)
SESSION_KEY = pytest.StashKey[MlgateSession]()


def write_model_cards(out: Path, texts: dict[str, str]) -> str | None:
    """One card per named model under ``model_cards/``; cards of models this run did not
    gate are removed, so the folder never shows a card of an earlier record."""
    from .report.files import atomic_write

    folder = out / "model_cards"
    wanted = {name for name in texts if name.startswith("model_cards/")}
    try:
        for name in sorted(wanted):
            atomic_write(out / name, texts[name])
        if folder.is_dir():
            for old in folder.glob("*.html"):
                if f"model_cards/{old.name}" not in wanted:
                    old.unlink()
            if not any(folder.iterdir()):
                folder.rmdir()
    except OSError as exc:
        return f"model_cards could not be written ({exc})"
    return None


def run_scope(config: Any, selected: int, deselected: int) -> dict[str, Any]:
    """What part of the suite this run covered: a subset (deselection by -m/-k/--deselect or
    any plugin, --lf/--sw, node ids) is recorded as such, never as the full gate."""
    option = config.option
    node_ids = [str(a) for a in config.args if "::" in str(a)]
    expressions = {
        "markexpr": getattr(option, "markexpr", "") or "",
        "keyword": getattr(option, "keyword", "") or "",
    }
    flags = [
        flag
        for flag, on in (
            ("--lf", getattr(option, "lf", False)),
            ("--sw", getattr(option, "stepwise", False)),
        )
        if on
    ]
    subset = bool(deselected or node_ids or flags)
    scope: dict[str, Any] = {
        "subset": subset,
        "selected": selected,
        "deselected": deselected,
        "node_ids": node_ids,
        "flags": flags,
    }
    scope.update({k: v for k, v in expressions.items() if v})
    return scope


def relative_args(args: tuple[str, ...], root: Path) -> list[str]:
    """pytest's arguments with absolute paths inside the rootdir made relative, so the same
    run in two checkouts records the same arguments."""
    out = []
    for arg in args:
        head, sep, tail = arg.partition("=") if arg.startswith("-") else ("", "", arg)
        if Path(tail).is_absolute():
            tail = display_path(Path(tail), root)
        out.append(f"{head}{sep}{tail}")
    return out
