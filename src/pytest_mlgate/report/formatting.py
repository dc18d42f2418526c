"""Number and rule formatting shared by the terminal, markdown and HTML writers."""

from __future__ import annotations

import re
from typing import Any

from ..text import plural

__all__ = [
    "format_number",
    "format_observed",
    "format_threshold",
    "plain_text",
    "plural",
    "short_number",
]

# C0/C1 controls, DEL, the line/paragraph separators (they forge lines or move the cursor in
# a terminal), and what XML 1.0 forbids besides (lone surrogates, U+FFFE, U+FFFF)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def plain_text(value: Any) -> str:
    """User-supplied text made safe for one line of a terminal, a JUnit attribute or a CLI
    message: every control character (escape sequences, newlines, tabs) shown escaped."""
    return _CONTROL.sub(lambda m: ascii(m.group(0))[1:-1], str(value))


def format_number(value: Any) -> str:
    """A figure for people: integers with separators, floats with four significant digits."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value == 0:
        value = 0.0  # never "-0": a negative zero is a zero to a reader
    if isinstance(value, int) or (
        isinstance(value, float) and value.is_integer() and abs(value) < 1e15
    ):
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def short_number(value: float) -> str:
    """Three significant digits for chart labels, without a negative zero."""
    text = f"{value:.3g}"
    return "0" if text in ("-0", "-0.0") else text


def format_observed(check: dict[str, Any]) -> str:
    text = format_number(check.get("observed"))
    interval = check.get("interval")
    if interval:
        text += f" [{format_number(interval[0])}, {format_number(interval[1])}]"
    return text


def format_threshold(threshold: dict[str, Any]) -> str:
    """``{"min": 0.8, "max_fraction": 0}`` as ``min 0.8, max_fraction 0``."""
    parts = []
    for key, value in threshold.items():
        if isinstance(value, list | tuple):
            shown = ", ".join(str(v) for v in value[:4]) + (", …" if len(value) > 4 else "")
            parts.append(f"{key} [{shown}]")
        elif isinstance(value, dict):
            shown = ", ".join(f"{k}={v}" for k, v in list(value.items())[:4])
            parts.append(f"{key} {{{shown}{', …' if len(value) > 4 else ''}}}")
        else:
            parts.append(
                f"{key} {format_number(value) if isinstance(value, int | float) else value}"
            )
    return ", ".join(parts) if parts else "—"
