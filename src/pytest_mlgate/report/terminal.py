"""The terminal summary section printed after the test results."""

from __future__ import annotations

from typing import Any

from ..results import STATUSES, is_blocking
from .formatting import format_observed

MAX_LINES = 30
MARKUP = {
    "failed": {"red": True},
    "error": {"red": True, "bold": True},
    "insufficient": {"purple": True},
    "warned": {"yellow": True},
}


def summary_lines(doc: dict[str, Any]) -> list[tuple[str, dict[str, bool]]]:
    summary = doc["summary"]
    counts = ", ".join(f"{summary['counts'][s]} {s}" for s in STATUSES if summary["counts"][s])
    head = f"gate {summary['gate'].upper()}: {summary['total']} checks ({counts or 'none'})"
    if summary["blocking"]:
        head += f", {summary['blocking']} blocking"
    if doc.get("partial"):
        head += " [partial run]"
    lines: list[tuple[str, dict[str, bool]]] = [
        (head, {"red": True, "bold": True} if summary["gate"] == "failed" else {"green": True})
    ]
    notable = [c for c in doc["checks"] if c["status"] != "passed"]
    notable.sort(key=lambda c: (not is_blocking(c["status"], c["severity"]), c["nodeid"]))
    for c in notable[:MAX_LINES]:
        lines.append(
            (
                f"{c['status'].upper():<12} {c['category']} · {c['subject']} · {c['name']}: "
                f"{format_observed(c)}",
                MARKUP.get(c["status"], {}),
            )
        )
    if len(notable) > MAX_LINES:
        lines.append((f"... {len(notable) - MAX_LINES} more in audit.html", {}))
    return lines
