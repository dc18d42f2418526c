"""Fixtures of the Adult example gate: the real UCI Adult data shipped in ``examples/data``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from example_datasets import ADULT_CATEGORICAL, ADULT_NUMERIC, load_adult


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


CATEGORICAL, NUMERIC = ADULT_CATEGORICAL, ADULT_NUMERIC


@pytest.fixture(scope="session")
def model(train):
    """A gradient-boosted income classifier trained on Adult's training file (seeded)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OrdinalEncoder

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
    pipeline.fit(train[CATEGORICAL + NUMERIC], train["target"])
    return pipeline


@pytest.fixture(scope="session")
def scores(model, test):
    """The model's probability of income >50K on the test file."""
    return model.predict_proba(test[CATEGORICAL + NUMERIC])[:, 1]


@pytest.fixture(scope="session")
def predictions(scores):
    """Labels at the 0.5 threshold."""
    return (scores >= 0.5).astype("int64")
