"""Fuzz: every fairness check on labels and groups of every dtype answers (issue 11)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ._fuzz import arrays, check_artifacts, convert, frames, fuzz_settings, labels, run_all
from .conftest import make_gate


@st.composite
def cases(draw):
    form, features = draw(frames(min_rows=0, max_rows=40, max_columns=2))
    n = len(features)
    shape = draw(st.sampled_from(["frame", "series", "array"]))
    if shape == "series":
        sensitive = features.iloc[:, 0]
    elif shape == "array":
        sensitive = draw(arrays(n))
    else:
        sensitive = convert(form, features)
    hostile = draw(st.integers(0, 3)) == 0  # one case in four is malformed on purpose
    good = st.lists(st.integers(0, 1), min_size=n, max_size=n)
    other = draw(st.sampled_from([n, max(n - 1, 0)])) if hostile else n
    return {
        "y_true": draw(labels(n) if hostile else good),
        "y_pred": draw(labels(other) if hostile else good),
        "sensitive": sensitive,
        "missing": draw(st.sampled_from(["error", "own_group"])),
        "confidence": draw(st.sampled_from([None, None, 0.9])),
    }


@fuzz_settings(15)
@given(case=cases())
def test_every_fairness_check_answers(case) -> None:
    gate = make_gate()
    fair = gate.fairness(
        case["y_true"],
        case["y_pred"],
        sensitive_features=case["sensitive"],
        name="fuzz",
        min_group_size=2,
        missing_group=case["missing"],
    )
    conf = {"confidence": case["confidence"], "n_boot": 20}
    calls = [
        ("difference", lambda: fair.expect_difference("selection_rate", max=0.2, **conf)),
        ("ratio", lambda: fair.expect_ratio("recall", min=0.8, method="to_overall", **conf)),
        ("equalized_odds", lambda: fair.expect_equalized_odds(max_difference=0.1, **conf)),
        ("demographic_parity", lambda: fair.expect_demographic_parity(min_ratio=0.8)),
        ("equal_opportunity", lambda: fair.expect_equal_opportunity(max_difference=0.1)),
        ("group_metric", lambda: fair.expect_group_metric("accuracy", min=0.5, **conf)),
        ("group_metric[f1]", lambda: fair.expect_group_metric("f1", min=0.5)),
    ]
    check_artifacts(run_all(calls))
