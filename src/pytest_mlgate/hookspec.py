"""The hooks pytest-mlgate offers to conftest files and plugins.

PYTEST_DONT_REWRITE
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.hookspec
def pytest_mlgate_audit_written(
    config: pytest.Config, document: dict[str, Any], paths: dict[str, Path]
) -> None:
    """The artifacts of this run were written: hand the verdict to other tools.

    Called once per session, on the controller only (never on an xdist worker), right after
    ``audit.json``, ``audit.html``, ``model_card.html`` and ``summary.md`` were written as one
    set. It is not called when no report was written (``--mlgate-no-report``, a run that never
    used the ``mlgate`` fixture, ``--co``, or a write that failed).

    :param config: the pytest config.
    :param document: the record exactly as written to ``audit.json`` (a plain JSON-able dict,
        your own copy); ``document["summary"]["gate"]`` is ``passed``, ``failed`` or
        ``incomplete``.
    :param paths: absolute paths of the artifacts, keyed by file name (``"audit.json"``,
        ``"audit.html"``, ``"model_card.html"``, ``"summary.md"``).

    An exception raised here is shown in the terminal summary; it does not change the gate's
    verdict, the exit status or the files on disk.

    .. code-block:: python

        # conftest.py
        def pytest_mlgate_audit_written(config, document, paths):
            print("gate", document["summary"]["gate"], "->", paths["audit.json"])
    """
