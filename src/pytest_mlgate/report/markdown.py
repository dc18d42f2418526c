"""``summary.md``: a short markdown verdict for pull requests and ``$GITHUB_STEP_SUMMARY``."""

from __future__ import annotations

import re
from typing import Any

from ..results import STATUS_ORDER, STATUSES
from .formatting import format_observed, format_threshold, plural
from .terminal import baseline_text, headline, scope_line

ICONS = {"passed": "✅", "failed": "❌", "warned": "⚠️", "insufficient": "❔", "error": "💥"}
MAX_ROWS = 50
# characters that markdown (or GitHub's HTML and autolinks) would act on
_ACTIVE = re.compile(r"([\\`*_\[\]<>!|~&#:@(){}])")


def render_summary(doc: dict[str, Any]) -> str:
    summary = doc["summary"]
    lines = [f"## mlgate: {md(headline(doc))}", ""]
    scope = scope_line(doc)
    if scope:
        lines += [f"**{md(scope)}**", ""]
    lines += [
        f"{plural(summary['total'], 'check')}, {summary['blocking']} blocking. "
        + ", ".join(f"{summary['counts'][s]} {s}" for s in STATUSES if summary["counts"][s]),
        "",
    ]
    notable = [c for c in doc["checks"] if c["status"] != "passed"]
    if notable:
        notable.sort(key=lambda c: (STATUS_ORDER[c["status"]], c["category"], c["nodeid"]))
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
            lines.append("| " + " | ".join(md(x) for x in cells) + " |")
        if len(notable) > MAX_ROWS:
            lines.append(f"\n{len(notable) - MAX_ROWS} more in audit.html.")
    else:
        lines += ["| category | checks | passed |", "|---|---|---|"]
        for category, counts in summary["by_category"].items():
            total = sum(counts.values())
            lines.append(f"| {md(category)} | {total} | {counts.get('passed', 0)} |")
        if not summary["by_category"]:
            lines.append("| (no checks) | 0 | 0 |")
    lines.append("")
    for title, key in (
        ("Baselines written", "baselines_written"),
        ("Baselines NOT written", "baselines_refused"),
    ):
        entries = doc.get(key) or []
        if entries:
            lines.append(f"**{title}**")
            lines.append("")
            for b in entries:
                reason = f": {b.get('reason')}" if b.get("reason") else ""
                lines.append(f"- {md(baseline_text(b) + reason)}")
            lines.append("")
    git = doc["run"].get("git") or {}
    commit = (git.get("commit") or "unknown")[:12]
    lines.append(
        f"Commit `{commit}`{' (dirty)' if git.get('dirty') else ''} · digest `{doc['digest']}`"
    )
    return "\n".join(lines) + "\n"


def md(text: Any) -> str:
    """Text shown as it is: every character markdown would act on is backslash-escaped, so a
    data value never becomes a link, an image, HTML or an entity; whitespace runs (newlines
    too) become one space."""
    escaped = _ACTIVE.sub(r"\\\1", " ".join(str(text).split()))
    return _WWW.sub(r"\1\\.", escaped)  # GitHub links a bare www.example.com too


_WWW = re.compile(r"(www)\.", re.IGNORECASE)
