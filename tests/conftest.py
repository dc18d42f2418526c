"""Shared fixtures of pytest-mlgate's own test suite: real data, and a clean environment."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import settings

pytest_plugins = ("pytester",)

# `--hypothesis-profile=long`: a deep run of the fuzz tests (tests/_fuzz.py), random and shrunk
settings.register_profile("long", max_examples=2000, deadline=None)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))

from example_datasets import load_adult, load_german_credit  # noqa: E402


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
