"""Fuzz: every performance check on labels and scores of every dtype answers (issue 11)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ._fuzz import arrays, check_artifacts, fuzz_settings, labels, run_all, scores
from .conftest import make_gate

METRICS = ["accuracy", "recall", "f1_macro", "roc_auc", "log_loss", "brier", "mae", "r2", "mape"]


@st.composite
def predictions(draw):
    n = draw(st.integers(0, 40))
    hostile = draw(st.integers(0, 3)) == 0  # one case in four is malformed on purpose
    other = draw(st.sampled_from([n, max(n - 1, 0)])) if hostile else n
    pick = (lambda good, bad: draw(bad)) if hostile else (lambda good, bad: draw(good))
    return {
        "y_true": pick(st.lists(st.integers(0, 2), min_size=n, max_size=n), labels(n)),
        "y_pred": pick(
            st.lists(st.integers(0, 1), min_size=n, max_size=n), st.one_of(st.none(), labels(other))
        ),
        "y_score": pick(
            st.lists(st.floats(0, 1), min_size=n, max_size=n), st.one_of(st.none(), scores(n))
        ),
        "weight": pick(st.none(), st.one_of(st.none(), arrays(n))),
        "slices": draw(arrays(n)),
        "task": draw(st.sampled_from(["auto", "auto", "binary", "multiclass", "regression"])),
        "confidence": draw(st.sampled_from([None, None, 0.9])),
    }


@fuzz_settings(15)
@given(case=predictions())
def test_every_performance_check_answers(case) -> None:
    gate = make_gate()
    perf = gate.performance(
        case["y_true"],
        y_pred=case["y_pred"],
        y_score=case["y_score"],
        name="fuzz",
        task=case["task"],
        sample_weight=case["weight"],
    )
    conf = case["confidence"]
    calls = [
        (f"expect[{m}]", lambda m=m: perf.expect(m, min=0.1, confidence=conf, n_boot=20))
        for m in METRICS
    ]
    calls += [
        ("expect[callable]", lambda: perf.expect(lambda t, p: 0.5, max=0.9)),
        ("by", lambda: perf.by(case["slices"], min_size=2).expect("accuracy", min=0.1)),
        (
            "not_worse_than",
            lambda: perf.expect_not_worse_than(case["y_score"], "roc_auc", n_boot=20),
        ),
        ("no_regression", lambda: perf.expect_no_regression("accuracy", baseline="b", max_drop=0)),
    ]
    check_artifacts(run_all(calls))
