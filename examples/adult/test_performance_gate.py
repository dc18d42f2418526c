"""Performance gate on UCI Adult's test file: intervals, a committed baseline, slices."""

import pytest


@pytest.mark.performance
@pytest.mark.mlgate(requirement="EU-AIA-15.1", owner="credit-models")
def test_holdout_performance(mlgate, test, scores, predictions):
    perf = mlgate.performance(test["target"], y_pred=predictions, y_score=scores, name="adult-test")
    # The lower end of the 95% bootstrap interval must clear the bar, not just the estimate.
    perf.expect("roc_auc", min=0.90, confidence=0.95)
    perf.expect("average_precision", min=0.75, confidence=0.95)
    perf.expect("log_loss", max=0.35, confidence=0.95)
    perf.expect("recall", min=0.55, confidence=0.95)
    # Non-inferiority against the committed baseline (mlgate-baselines/adult.json);
    # refresh it with `pytest --mlgate-update-baselines` and review the diff.
    perf.expect_no_regression("roc_auc", baseline="adult", max_drop=0.01)
    perf.expect_no_regression("log_loss", baseline="adult", max_relative_drop=0.05)


@pytest.mark.performance
def test_every_segment(mlgate, test, scores, predictions):
    perf = mlgate.performance(test["target"], y_pred=predictions, y_score=scores, name="adult-test")
    perf.by(test["sex"]).expect("roc_auc", min=0.88, confidence=0.95)
    # Small race groups (under 200 rows) cannot be judged: that is recorded, as a warning.
    perf.by(test["race"], min_size=200).expect("accuracy", min=0.80, on_insufficient="warn")


@pytest.mark.performance
def test_challenger_is_not_worse(mlgate, test, train, scores):
    """A simpler challenger (logistic regression on the numeric columns) against the
    boosted champion: the paired bootstrap shows the champion is clearly better."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    numeric = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
    simple = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    simple.fit(train[numeric], train["target"])
    challenger = simple.predict_proba(test[numeric])[:, 1]
    perf = mlgate.performance(test["target"], y_score=scores, name="adult-test")
    result = perf.expect_not_worse_than(
        challenger, "roc_auc", margin=0.0, other_name="numeric-only logistic regression"
    )
    assert result.observed > 0.03
