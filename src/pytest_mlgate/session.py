"""Per-run state: settings, the collected records, run metadata and writing the artifacts.

Only the controller (or a session without xdist) collects and writes. Per-test records arrive as
plain dicts on test reports; session facts of workers arrive through ``workeroutput``.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .results import BLOCK

PAYLOAD_VERSION = 1
PHASES = ("setup", "call", "teardown")
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
    """State of one pytest run: settings, card facts, and (on the controller) the collector."""

    def __init__(self, settings: Settings, card_facts: dict[str, Any], *, is_worker: bool) -> None:
        self.settings = settings
        self.card_facts = card_facts
        self.is_worker = is_worker
        self.collector = Collector()
        self.started = time.time()
        self.written: Path | None = None
        self.document: dict[str, Any] | None = None
        self.write_error: str | None = None

    def should_write(self) -> bool:
        if self.is_worker or self.settings.no_report:
            return False
        return self.collector.fixture_used or self.settings.report_dir_given

    def run_metadata(self) -> dict[str, Any]:
        import platform
        from datetime import UTC, datetime

        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        reproducible = epoch is not None and epoch.strip().isdigit()
        moment = float(epoch) if reproducible and epoch else self.started
        run: dict[str, Any] = {
            "time": datetime.fromtimestamp(moment, tz=UTC).isoformat(timespec="seconds"),
            "git": git_state(self.settings.rootdir),
            "python": platform.python_version(),
            "platform": platform.platform(terse=True),
            "packages": dict(sorted({**loaded_packages(), **self.collector.packages}.items())),
            "pytest_args": list(self.settings.pytest_args),
            "seed": self.settings.seed,
        }
        if not reproducible:
            run["duration_s"] = round(time.time() - self.started, 3)
        if self.collector.crashed_workers:
            run["crashed_workers"] = sorted(self.collector.crashed_workers)
        return run

    def write_baselines(self) -> list[Path]:
        """Under ``--mlgate-update-baselines``: write the figures that checks asked to store
        (``details["baseline_update"]``). Only the controller writes, once per session."""
        updates = [
            c["details"]["baseline_update"]
            for c in self.collector.ordered_checks()
            if isinstance(c.get("details", {}).get("baseline_update"), dict)
        ]
        if not updates or not self.settings.update_baselines:
            return []
        from .baselines import write_updates

        return write_updates(
            self.settings.baseline_dir, updates, commit=git_state(self.settings.rootdir)["commit"]
        )

    def write_report(self, *, partial: bool) -> Path:
        """Build ``audit.json``, ``audit.html`` and ``summary.md`` and write them atomically."""
        from .report.audit import build_document, dumps
        from .report.files import atomic_write, read_previous_digest
        from .report.html import render_audit, render_model_card
        from .report.markdown import render_summary

        out = self.settings.report_dir
        checks = self.collector.ordered_checks()
        if self.collector.crashed_workers:
            checks.append(_crashed_worker_check(self.collector.crashed_workers))
        doc = build_document(
            run=self.run_metadata(),
            model={"facts": self.card_facts, "notes": self.collector.ordered_notes()},
            datasets=self.collector.ordered_datasets(),
            checks=checks,
            partial=partial,
            previous_digest=read_previous_digest(out / "audit.json"),
            signing_key=os.environ.get("MLGATE_SIGNING_KEY") or None,
        )
        # Render everything before writing anything: a template error leaves no half report.
        html = render_audit(doc, self.settings.template_dir)
        card = render_model_card(doc, self.settings.template_dir)
        summary = render_summary(doc)
        atomic_write(out / "audit.html", html)
        atomic_write(out / "model_card.html", card)
        atomic_write(out / "summary.md", summary)
        atomic_write(out / "audit.json", dumps(doc))
        step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if step_summary:
            with open(step_summary, "a", encoding="utf-8") as handle:
                handle.write(summary)
        self.document = doc
        self.written = out
        return out


def _crashed_worker_check(workers: list[str]) -> dict[str, Any]:
    """A crashed xdist worker may have taken results with it: that never passes silently."""
    from .results import ERROR, CheckResult

    return CheckResult(
        category="governance",
        name="all workers reported",
        subject="session",
        nodeid="<session>",
        status=ERROR,
        severity=BLOCK,
        observed=float(len(workers)),
        threshold={"max": 0},
        message=f"xdist worker(s) {', '.join(sorted(workers))} ended without reporting; "
        "results of the tests they ran may be missing.",
    ).to_dict()
