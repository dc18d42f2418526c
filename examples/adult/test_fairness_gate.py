"""Fairness gate on UCI Adult: does the income model treat women and men, and the census's race
groups, alike?

The thresholds are the ones a reviewer would accept: the four-fifths rule (selection-rate ratio
>= 0.8) and an equalized-odds difference of at most 0.10, judged on the unfavourable bound of a
95% interval. Where the model does not meet them the check is marked ``severity="warn"``: the
finding stays in the report for the reviewer and the example still exits 0. The thresholds are
never loosened to get a green build.
"""

import pytest


@pytest.mark.fairness
@pytest.mark.mlgate(requirement="EU-AIA-10.2f", owner="model-risk")
def test_fairness_by_sex(mlgate, test, predictions, scores):
    fair = mlgate.fairness(
        test["target"],
        predictions,
        sensitive_features=test[["sex"]],
        y_score=scores,
        name="adult-test by sex",
        expected_groups={"sex": ["Female", "Male"]},
    )
    # Known finding: the model predicts >50K for about 8.5% of women and 25.5% of men (the
    # labels differ in the same direction), a ratio near 0.33, far under four fifths.
    four_fifths = fair.expect_ratio("selection_rate", min=0.8, severity="warn")
    assert four_fifths.status == "warned"
    assert four_fifths.details["worst_pair"] == ["Female", "Male"]
    # Error rates, which condition on the true label, are close: 0.063, but the interval's
    # upper end sits right at the bar (0.094 with the model scikit-learn 1.9 trains, 0.105
    # with the one scikit-learn 1.4 trains). A warning, so that the example exits 0 on every
    # supported version; the report shows the bound either way.
    fair.expect_equalized_odds(max_difference=0.10, confidence=0.95, severity="warn")
    fair.expect_group_metric("recall", min=0.50, confidence=0.95)
    fair.expect_group_metric("roc_auc", min=0.85)


@pytest.mark.fairness
@pytest.mark.mlgate(requirement="EU-AIA-10.2f", owner="model-risk")
def test_fairness_by_race(mlgate, test, predictions):
    fair = mlgate.fairness(
        test["target"], predictions, sensitive_features=test[["race"]], name="adult-test by race"
    )
    # Known finding: the true-positive rate of Black applicants (0.54) trails White ones (0.65);
    # the gap is over 0.10. Amer-Indian-Eskimo and Other have under 30 positives in the test
    # file: they are excluded and listed, never compared on a handful of rows.
    odds = fair.expect_equalized_odds(max_difference=0.10, confidence=0.95, severity="warn")
    assert odds.status == "warned"
    assert {e["group"] for e in odds.details["excluded"]} == {"Amer-Indian-Eskimo", "Other"}
    four_fifths = fair.expect_demographic_parity(min_ratio=0.8, severity="warn")
    assert four_fifths.status == "warned"
