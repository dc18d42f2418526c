"""The JUnit XML property of a check (name ``mlgate:<category>:<subject>:<name>``, value
``<status> observed=<value>``), as one line of text that XML 1.0 can hold.

pytest writes property names without escaping control characters, so a column named with
one (``"\\x01"``, an ANSI colour code) would make the whole JUnit file unreadable. Every
control character (newlines too: a property is one line) is written as a ``\\xNN`` escape,
as the terminal shows it. Imports nothing heavy.
"""

from __future__ import annotations

from typing import Any

from .report.formatting import plain_text


def junit_property(result: Any) -> tuple[str, str]:
    """The ``(name, value)`` of a :class:`~pytest_mlgate.results.CheckResult` in JUnit XML."""
    return (
        plain_text(f"mlgate:{result.category}:{result.subject}:{result.name}"),
        plain_text(f"{result.status} observed={result.observed}"),
    )
