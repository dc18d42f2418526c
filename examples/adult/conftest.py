"""Fixtures of the Adult example gate: the real UCI Adult data shipped in ``examples/data``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datasets import load_adult  # noqa: E402


@pytest.fixture(scope="session")
def train():
    """Adult's training file, with ``?`` read as missing."""
    return load_adult("train")


@pytest.fixture(scope="session")
def test():
    """Adult's test file, with ``?`` read as missing."""
    return load_adult("test")


@pytest.fixture(scope="session")
def raw_train():
    """Adult's training file exactly as published (``?`` marks missing values)."""
    return load_adult("train", raw=True)
