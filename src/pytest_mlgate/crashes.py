"""Results for what failed outside any check: a crashed test (its body, a fixture, a
teardown, a strict xpass), a collection error, a lost xdist worker. Each is one blocking
``error`` result in the record, so a crash can never read as a passed gate."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .results import BLOCK, CATEGORIES

if TYPE_CHECKING:
    import pytest

PHASE_WORDS = {
    "setup": "setting up the test (a fixture)",
    "call": "the test body",
    "teardown": "tearing the test down",
}


def crash_result(
    *,
    nodeid: str,
    phase: str,
    category: str,
    what: str,
    where: str | None,
    markers: dict[str, Any],
) -> dict[str, Any]:
    """The record of a test that failed outside any check: a blocking ``error``."""
    at = f" at {where}" if where else ""
    return _run_error(
        nodeid=nodeid,
        phase=phase,
        category=category,
        subject="test",
        name=f"{PHASE_WORDS.get(phase, phase)} ran without an exception",
        message=f"{_one_line(what)}{at}. The test failed outside any mlgate check, so the gate "
        "cannot pass: fix the test or its fixtures.",
        markers=markers,
    )


def collection_error_result(nodeid: str, text: str) -> dict[str, Any]:
    """A module or test that could not be collected: its checks never ran."""
    return _run_error(
        nodeid=nodeid,
        phase="collect",
        category="session",
        subject="collection",
        name="collected without errors",
        message=f"{_one_line(text)}. The tests of {nodeid or 'this run'} were not collected, so "
        "their checks never ran.",
    )


def _one_line(text: str) -> str:
    from .report.formatting import plain_text

    return plain_text(text)[:500]


def _run_error(
    *,
    nodeid: str,
    phase: str,
    category: str,
    subject: str,
    name: str,
    message: str,
    markers: dict[str, Any] | None = None,
) -> dict[str, Any]:
    from .results import ERROR, CheckResult

    return CheckResult(
        category=category,
        name=name,
        subject=subject,
        nodeid=nodeid,
        status=ERROR,
        severity=BLOCK,
        observed=None,
        threshold={},
        message=message,
        markers=markers or {},
        details={"phase": phase},
    ).to_dict()


def crashed_worker_check(workers: list[str]) -> dict[str, Any]:
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


def crash_check(
    item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport
) -> dict[str, Any]:
    """A test that failed outside any check (an exception in its body, a fixture, a teardown,
    a strict xpass) as one blocking ``error`` result: the crash belongs in the record."""
    marker = item.get_closest_marker("mlgate")
    options = dict(marker.kwargs) if marker is not None else {}
    markers: dict[str, Any] = {
        k: str(options[k]) for k in ("requirement", "owner") if options.get(k) is not None
    }
    categories = [name for name in CATEGORIES if item.get_closest_marker(name) is not None]
    if categories:
        markers["categories"] = categories
    excinfo = call.excinfo
    if excinfo is not None:
        root = item.config.rootpath
        entries = list(excinfo.traceback)
        inside = [e for e in entries if _is_within(Path(str(e.path)), root)] or entries
        where = None
        if inside:
            entry = inside[-1]
            where = f"{_relative(Path(str(entry.path)), root)}:{entry.lineno + 1}"
        text = str(excinfo.value).strip().splitlines()
        what = f"{excinfo.typename}: {text[0] if text else ''}".rstrip(": ")
    else:
        where = None
        lines = str(report.longrepr or "").strip().splitlines()
        what = lines[-1] if lines else "the test failed"
    return crash_result(
        nodeid=item.nodeid,
        phase=call.when,
        category=categories[0] if categories else "session",
        what=what,
        where=where,
        markers=markers,
    )


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return "site-packages" not in path.parts


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return path.name
