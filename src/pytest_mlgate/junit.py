"""The JUnit XML property of a check (name ``mlgate:<category>:<name>``, value
``<status> observed=<value>``), as text that XML 1.0 can hold.

pytest writes property names without escaping control characters, so a column named with
one (``"\\x01"``, an ANSI colour code) would make the whole JUnit file unreadable. Characters
XML 1.0 forbids are written as ``\\xNN`` escapes instead. Imports nothing heavy.
"""

from __future__ import annotations

import re
from typing import Any

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 forbids written as ``\\xNN`` (or ``\\uNNNN``)."""
    return _NOT_XML.sub(lambda m: repr(m.group())[1:-1], text)


def junit_property(result: Any) -> tuple[str, str]:
    """The ``(name, value)`` of a :class:`~pytest_mlgate.results.CheckResult` in JUnit XML."""
    return (
        xml_safe(f"mlgate:{result.category}:{result.name}"),
        xml_safe(f"{result.status} observed={result.observed}"),
    )
