"""Checking the ``@pytest.mark.mlgate`` options when a test is collected.

A misspelt keyword (``requirment=``) would otherwise be dropped silently, and with it the
governance evidence the test is meant to record. Imports nothing heavy: it runs in every
pytest session of the environment.
"""

from __future__ import annotations

from typing import Any

#: the options of ``@pytest.mark.mlgate``
MLGATE_MARKER_KEYWORDS = ("severity", "requirement", "owner", "model")


def marker_problem(nodeid: str, markers: Any) -> str | None:
    """Why the ``mlgate`` markers of one test are unusable, or None.

    ``markers`` are the test's ``mlgate`` marks (``item.iter_markers("mlgate")``): every one of
    them, from the function, class or module, must use only the known keywords.
    """
    for mark in markers:
        unknown = sorted(str(k) for k in mark.kwargs if k not in MLGATE_MARKER_KEYWORDS)
        known = ", ".join(f"{k}=" for k in MLGATE_MARKER_KEYWORDS)
        if unknown:
            return (
                f"{nodeid}: @pytest.mark.mlgate got unknown keyword"
                f"{'s' if len(unknown) > 1 else ''} {', '.join(repr(k) for k in unknown)}; "
                f"the known keywords are {known}."
            )
        if mark.args:
            return (
                f"{nodeid}: @pytest.mark.mlgate takes keywords only, got positional "
                f"{', '.join(repr(a) for a in mark.args)}; the known keywords are {known}."
            )
    return None


def check_collected(collected: Any) -> Any:
    """Fail the collection of a module whose tests carry unusable ``mlgate`` markers (as
    ``--strict-markers`` fails it for an unknown marker name), naming the known keywords;
    return what was collected otherwise. Works the same under pytest-xdist."""
    import pytest

    items = collected if isinstance(collected, list) else [collected]
    for item in items:
        if isinstance(item, pytest.Item):
            problem = marker_problem(item.nodeid, item.iter_markers("mlgate"))
            if problem is not None:
                pytest.fail(problem, pytrace=False)
    return collected
