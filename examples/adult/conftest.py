"""Fixtures of the Adult example gate: the real UCI Adult data shipped in ``examples/data``.

To reuse this example elsewhere, copy ``examples/adult/``, ``examples/example_datasets.py``
and ``examples/data/adult/`` together, keeping that layout (the loader reads the files next to
it).

The model is fitted once per session, and once per *run* under pytest-xdist: the first worker
that needs the scores fits the model and caches them next to the workers' temporary folders
(``tmp_path_factory.getbasetemp().parent``) under a lock; the other workers read the cache.
Without that, ``pytest -n 2`` fits the model in every worker and is slower than a serial run.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from example_datasets import ADULT_CATEGORICAL, ADULT_NUMERIC, load_adult

CATEGORICAL, NUMERIC = ADULT_CATEGORICAL, ADULT_NUMERIC


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


def fit_model(train):
    """A gradient-boosted income classifier trained on Adult's training file (seeded).

    One OpenMP thread: on a busy 2-core machine (a CI runner, or xdist workers side by side)
    two threads spin against each other and the fit takes 10-20 s instead of under one; the
    fitted model is identical either way.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OrdinalEncoder
    from threadpoolctl import threadpool_limits

    encode = ColumnTransformer(
        [
            (
                "cat",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1
                ),
                CATEGORICAL,
            )
        ],
        remainder="passthrough",
        verbose_feature_names_out=False,
    )
    clf = HistGradientBoostingClassifier(
        categorical_features=list(range(len(CATEGORICAL))), max_iter=200, random_state=0
    )
    pipeline = make_pipeline(encode, clf)
    with threadpool_limits(limits=1, user_api="openmp"):
        pipeline.fit(train[CATEGORICAL + NUMERIC], train["target"])
    return pipeline


@pytest.fixture(scope="session")
def model(train):
    """The example's model, for tests that need the estimator itself."""
    return fit_model(train)


@contextmanager
def _lock(path: Path, timeout: float = 600.0) -> Iterator[None]:
    """A lock shared by processes: creating a directory is atomic on every platform."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            path.mkdir()
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path} held for {timeout:.0f} s") from None
            time.sleep(0.05)
    try:
        yield
    finally:
        path.rmdir()


def fit_once(tmp_path_factory, name: str, compute: Callable[[], np.ndarray]) -> np.ndarray:
    """``compute()`` once per run: serially at once, under xdist by the first worker that
    asks, the others reading its ``.npy`` file (the pattern of pytest-xdist's docs)."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return compute()
    shared = tmp_path_factory.getbasetemp().parent  # one folder for all workers of this run
    cached = shared / f"{name}.npy"
    with _lock(shared / f"{name}.lock"):
        if not cached.is_file():
            np.save(cached, compute())
        return np.load(cached)


@pytest.fixture(scope="session")
def scores(tmp_path_factory, train, test):
    """The model's probability of income >50K on the test file."""
    return fit_once(
        tmp_path_factory,
        "adult-scores",
        lambda: fit_model(train).predict_proba(test[CATEGORICAL + NUMERIC])[:, 1],
    )


@pytest.fixture(scope="session")
def predictions(scores):
    """Labels at the 0.5 threshold."""
    return (scores >= 0.5).astype("int64")
