"""Drift gate on UCI Adult: the test file must look like the training file, and a shifted
sample must be caught."""

import numpy as np
import pytest
from example_datasets import ADULT_FEATURES as FEATURES


@pytest.mark.drift
def test_test_file_matches_training_file(mlgate, train, test):
    drift = mlgate.drift(train, test, name="adult-test-vs-train", columns=FEATURES)
    drift.expect_no_drift()  # KS / chi-square after BH correction AND effect size >= 0.1
    drift.expect_column("age", method="psi", max=0.1)


@pytest.mark.drift
def test_older_population_is_caught(mlgate, train, test):
    """Production data reweighted towards older people: the gate flags it (a warning here, so
    the example still exits 0 while the report shows the catch)."""
    weights = np.exp((test["age"] - test["age"].mean()) / 12.0)
    older = test.sample(5000, weights=weights, replace=True, random_state=0)
    drift = mlgate.drift(train, older, name="adult-older-sample", columns=FEATURES)
    result = drift.expect_no_drift(severity="warn")
    assert result.status == "warned"
    assert result.details["columns"]["age"]["drifted"]
