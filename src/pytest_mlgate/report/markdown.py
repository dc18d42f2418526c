"""``summary.md``: a short markdown verdict for pull requests and ``$GITHUB_STEP_SUMMARY``."""

from __future__ import annotations

from typing import Any

from ..results import STATUSES
from .formatting import format_observed, format_threshold

ICONS = {"passed": "✅", "failed": "❌", "warned": "⚠️", "insufficient": "❔", "error": "💥"}
MAX_ROWS = 50


def render_summary(doc: dict[str, Any]) -> str:
    summary = doc["summary"]
    gate = summary["gate"]
    lines = [
        f"## mlgate: gate {gate.upper()}" + (" (partial run)" if doc.get("partial") else ""),
        "",
        f"{summary['total']} checks, {summary['blocking']} blocking. "
        + ", ".join(f"{summary['counts'][s]} {s}" for s in STATUSES if summary["counts"][s]),
        "",
    ]
    notable = [c for c in doc["checks"] if c["status"] != "passed"]
    if notable:
        order = {"error": 0, "failed": 1, "insufficient": 2, "warned": 3}
        notable.sort(key=lambda c: (order.get(c["status"], 9), c["category"], c["nodeid"]))
        lines += [
            "| status | category | check | subject | observed | threshold | message |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in notable[:MAX_ROWS]:
            cells = [
                f"{ICONS.get(c['status'], '')} {c['status']}"
                + (" (warn)" if c["severity"] == "warn" and c["status"] != "warned" else ""),
                c["category"],
                c["name"],
                c["subject"],
                format_observed(c),
                format_threshold(c["threshold"]),
                c["message"],
            ]
            lines.append("| " + " | ".join(_cell(x) for x in cells) + " |")
        if len(notable) > MAX_ROWS:
            lines.append(f"\n{len(notable) - MAX_ROWS} more in audit.html.")
        lines.append("")
    git = doc["run"].get("git") or {}
    commit = (git.get("commit") or "unknown")[:12]
    lines.append(
        f"Commit `{commit}`{' (dirty)' if git.get('dirty') else ''} · digest `{doc['digest']}`"
    )
    return "\n".join(lines) + "\n"


def _cell(text: Any) -> str:
    """A table cell: pipes escaped, and no HTML (GitHub renders HTML in step summaries)."""
    value = str(text).replace("\\", "\\\\").replace("|", "\\|")
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(value.split())
