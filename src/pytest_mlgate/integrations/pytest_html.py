"""pytest-html: its report shows the gate line and links to ``audit.html``.

Registered on the controller only when pytest-html writes a report (``--html``); it answers
pytest-html's own ``pytest_html_results_summary`` hook, which runs after mlgate wrote its files.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

import pytest


class HtmlSummary:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(
        self, prefix: list[str], summary: list[str], postfix: list[str], session: Any
    ) -> None:
        from ..session import SESSION_KEY

        line = gate_line(self.config.stash[SESSION_KEY], self.config.getoption("htmlpath"))
        if line is not None:
            prefix.append(line)


def gate_line(state: Any, html_path: str | None) -> str | None:
    """The paragraph shown in pytest-html's summary (escaped; the link is relative to it)."""
    doc = state.document
    summary = doc["summary"] if doc is not None else state.summary
    if summary is None:
        return None
    gate = str(summary["gate"])
    total = int(summary["total"])
    text = f"mlgate: gate {gate} ({total} check{'' if total == 1 else 's'}, "
    text += f"{summary['blocking']} blocking)"
    if not summary.get("enforced", True):
        text += f", warn-only: {summary.get('would_block', 0)} would block"
    if state.written is None or doc is None:
        return f'<p class="mlgate-gate">{html.escape(text)}; no report was written.</p>'
    audit = (Path(state.written) / "audit.html").resolve()
    base = (Path.cwd() / os.path.expandvars(str(html_path or "report.html"))).expanduser()
    try:
        href = Path(os.path.relpath(audit, base.resolve().parent)).as_posix()
    except ValueError:  # another drive on Windows
        href = audit.as_uri()
    return (
        f'<p class="mlgate-gate" data-gate="{html.escape(gate)}">{html.escape(text)} · '
        f'<a href="{html.escape(href)}">audit.html</a> · digest '
        f"<code>{html.escape(str(doc['digest'])[:23])}…</code></p>"
    )
