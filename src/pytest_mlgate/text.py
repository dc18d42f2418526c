"""How numbers and lists are written in check names and messages: one formatter for every
family (the pages format figures for display in ``report/formatting``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def number(value: Any) -> str:
    """A threshold or setting as written in a check's name or message: ``0.8``, ``1e-05``,
    ``30``; never ``-0``. Anything that is not a number is its text (names are built before
    arguments are validated)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = f"{value:g}"
        return "0" if text == "-0" else text
    return str(value)


def figure(value: Any, missing: str = "undefined") -> str:
    """A computed figure in a message, four significant digits: ``0.8123``; ``missing`` for
    ``None`` (an undefined metric); never ``-0``."""
    if value is None:
        return missing
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = f"{value:.4g}"
        return "0" if text == "-0" else text
    return str(value)


def signed(value: float) -> str:
    """A difference with its sign: ``+0.0123``, ``-0.004``."""
    return ("+" if value >= 0 else "") + figure(value)


def preview(items: Iterable[Any], limit: int = 4) -> str:
    """The first ``limit`` items and how many more: ``a, b, c, d, +3 more``."""
    values = list(items)
    shown = ", ".join(str(i) for i in values[:limit])
    extra = len(values) - limit
    return shown + (f", +{extra} more" if extra > 0 else "")


def percent(fraction: float) -> str:
    """``0%``, ``0.052%``, ``12.5%``: two significant digits below one percent."""
    if fraction == 0:
        return "0%"
    pct = 100 * fraction
    return f"{pct:.2g}%" if pct < 1 else f"{pct:.1f}%"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 check``, ``2 checks`` (``many`` for irregular plurals)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


PLACEHOLDERS = ("TODO", "TBD", "[More Information Needed]")


def is_placeholder(text: str) -> bool:
    """Whether a card text still holds a placeholder ("TODO", "TBD", "[More Information
    Needed]")."""
    return any(p in text for p in PLACEHOLDERS)
