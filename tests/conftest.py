"""Shared fixtures of pytest-mlgate's own test suite: real data, and a clean environment."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings

if TYPE_CHECKING:
    from pytest_mlgate.gate import Gate
    from pytest_mlgate.recording import Recorder

pytest_plugins = ("pytester",)

# `--hypothesis-profile=long`: a deep run of the fuzz tests (tests/_fuzz.py), random and shrunk
settings.register_profile("long", max_examples=2000, deadline=None)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))

from example_datasets import load_adult, load_german_credit  # noqa: E402


def _preload() -> None:
    """Import the scientific stack and every module of the package once, up front.

    pytester's in-process runs snapshot ``sys.modules`` and drop what an inner run imported
    first. Dropped C extensions cannot be imported again ("cannot load module more than once
    per process"), and a dropped package module comes back as a second copy whose classes are
    not the first's: both make later tests fail depending on which ran first on a worker.
    mlflow is left out on purpose (a test checks it is not imported unless asked).
    """
    import contextlib
    import importlib
    import pkgutil

    import pytest_mlgate

    for name in (
        "numpy",
        "pandas",
        "scipy.stats",
        "scipy.spatial.distance",
        "scipy.special",
        "sklearn.metrics",
        "sklearn.linear_model",
        "fairlearn.metrics",
        "jinja2",
        "yaml",
        "pyarrow",
        # registers pyarrow extension types once per process (a second import raises)
        "pandas.core.arrays.arrow.extension_types",
        "polars",
        "dask.dataframe",
    ):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    for module in pkgutil.walk_packages(pytest_mlgate.__path__, "pytest_mlgate."):
        if not module.name.startswith("pytest_mlgate.integrations.mlflow"):
            importlib.import_module(module.name)


def make_recorder(nodeid: str = "t.py::test", **settings: Any) -> Recorder:
    """A recorder as the fixture builds one (``settings``: any GateSettings field, e.g.
    ``seed=``, ``markers=``, ``baseline_dir=``), for tests that drive a family directly."""
    from pytest_mlgate.recording import GateSettings, Recorder, TestRecord

    settings.setdefault("markers", {})
    return Recorder(GateSettings(nodeid=nodeid, **settings), TestRecord(nodeid))


def make_gate(nodeid: str = "t.py::test", **settings: Any) -> Gate:
    """What the ``mlgate`` fixture returns, outside pytest: ``make_gate().data(df)...``; the
    results are in ``gate.results``."""
    from pytest_mlgate.card import Card
    from pytest_mlgate.gate import Gate

    recorder = make_recorder(nodeid, **settings)
    return Gate(recorder, Card({}, recorder))


_preload()


@pytest.fixture(autouse=True)
def _no_ci_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inner pytest runs must not append to the real CI job summary or sign with a real key."""
    for name in (
        "GITHUB_STEP_SUMMARY",
        "GITHUB_ACTIONS",
        "CI",
        "MLGATE_SIGNING_KEY",
        "SOURCE_DATE_EPOCH",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def adult():
    return load_adult("train")


@pytest.fixture(scope="session")
def adult_test():
    return load_adult("test")


@pytest.fixture(scope="session")
def adult_raw():
    return load_adult("train", raw=True)


@pytest.fixture(scope="session")
def german():
    return load_german_credit()
