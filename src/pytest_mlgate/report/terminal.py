"""The terminal summary section printed after the test results."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..results import STATUSES, is_blocking
from .formatting import format_observed, format_threshold, plain_text, plural

if TYPE_CHECKING:
    from ..results import CheckResult

MAX_LINES = 30
MARKUP = {
    "failed": {"red": True},
    "error": {"red": True, "bold": True},
    "insufficient": {"purple": True},
    "warned": {"yellow": True},
}


def headline(doc: dict[str, Any]) -> str:
    """The verdict in one line, as the terminal, the markdown and the page title say it."""
    summary = doc["summary"]
    gate = summary["gate"]
    if gate == "incomplete":
        text = "gate INCOMPLETE: " + "; ".join(summary.get("incomplete") or [])
    elif not summary.get("enforced", True) and summary.get("would_block"):
        n = summary["would_block"]
        text = f"WARN-ONLY RUN: {n} check{'s' if n != 1 else ''} would block the merge"
    else:
        text = f"gate {gate.upper()}"
    return text


def scope_line(doc: dict[str, Any]) -> str | None:
    """'subset: 12 of 20 tests (-m fairness)' for a run that covered part of the suite."""
    scope = doc.get("scope") or {}
    if not scope.get("subset"):
        return None
    selected = scope.get("selected", 0)
    total = selected + scope.get("deselected", 0)
    how = [f"-m {scope['markexpr']}" if scope.get("markexpr") else ""]
    how.append(f"-k {scope['keyword']}" if scope.get("keyword") else "")
    how += list(scope.get("flags") or [])
    how += list(scope.get("node_ids") or [])[:3]
    shown = ", ".join(h for h in how if h)
    return plain_text(
        f"subset: {selected} of {total} tests"
        + (f" ({shown})" if shown else "")
        + "; this is not the verdict of the full gate"
    )


def progress_line(check: dict[str, Any]) -> str:
    """One check as ``-v`` prints it: status, subject, name, figure and bar."""
    rule = format_threshold(check.get("threshold") or {})
    return plain_text(
        f"    mlgate {check['status'].upper():<12} {check['category']} · {check['subject']} · "
        f"{check['name']}: {format_observed(check)}" + (f" (rule: {rule})" if rule != "—" else "")
    )


def summary_lines(doc: dict[str, Any]) -> list[tuple[str, dict[str, bool]]]:
    summary = doc["summary"]
    counts = ", ".join(f"{summary['counts'][s]} {s}" for s in STATUSES if summary["counts"][s])
    head = f"{headline(doc)}: {plural(summary['total'], 'check')} ({counts or 'none'})"
    if summary["blocking"]:
        head += f", {summary['blocking']} blocking"
    good = summary["gate"] == "passed"
    lines: list[tuple[str, dict[str, bool]]] = [
        (head, {"green": True} if good else {"red": True, "bold": True})
    ]
    scope = scope_line(doc)
    if scope:
        lines.append((scope, {"yellow": True}))
    notable = [c for c in doc["checks"] if c["status"] != "passed"]
    notable.sort(key=lambda c: (not is_blocking(c["status"], c["severity"]), c["nodeid"]))
    for c in notable[:MAX_LINES]:
        lines.append(
            (
                plain_text(
                    f"{c['status'].upper():<12} {c['category']} · {c['subject']} · {c['name']}: "
                    f"{format_observed(c)}"
                ),
                MARKUP.get(c["status"], {}),
            )
        )
    if len(notable) > MAX_LINES:
        lines.append((f"... {len(notable) - MAX_LINES} more in audit.html", {}))
    lines += baseline_lines(doc)
    return lines


def baseline_lines(doc: dict[str, Any]) -> list[tuple[str, dict[str, bool]]]:
    """Every baseline an update run wrote or refused, with old -> new and why."""
    lines: list[tuple[str, dict[str, bool]]] = []
    for b in doc.get("baselines_written") or []:
        lines.append((plain_text("baseline written: " + baseline_text(b)), {"yellow": True}))
    for b in doc.get("baselines_refused") or []:
        lines.append(
            (
                plain_text(f"baseline NOT written: {baseline_text(b)}: {b.get('reason')}"),
                {"red": True},
            )
        )
    return lines


def baseline_text(b: dict[str, Any]) -> str:
    old = "none" if b.get("old") is None else f"{b['old']:.6g}"
    change = "" if b.get("change") is None else f" ({b['change'] or 0.0:+.4g})"
    commit = (b.get("commit") or "unknown")[:12]
    return f"{b.get('file')} {b['key']} {old} -> {b['value']:.6g}{change}, commit {commit}"


def failure_message(blocking: list[CheckResult]) -> str:
    """One readable message for every blocking check of a test phase."""
    n = len(blocking)
    lines = [f"mlgate: {n} blocking check{'s' if n > 1 else ''} did not pass"]
    for r in blocking:
        lines.append(
            plain_text(
                f"  {r.status.upper():<12} {r.category} · {r.subject} · {r.name}: "
                f"observed {format_observed(r.to_dict())} (rule: {format_threshold(r.threshold)})"
            )
        )
        lines.append("               " + plain_text(r.message))
    return "\n".join(lines)
