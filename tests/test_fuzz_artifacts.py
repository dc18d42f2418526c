"""Odd inputs end to end: a session full of hostile names and values still writes a JUnit XML
that parses, an audit.json that parses and HTML without a script (issue 11)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from .test_report import EXTERNAL

HOSTILE_GATE = """
import numpy as np
import pandas as pd
import pytest

ODD = "<x>&\\"'\\x01\\x1b[31m\\u2028é"

@pytest.mark.parametrize("n", [0, 1, 40])
def test_odd(mlgate, n):
    frame = pd.DataFrame({
        ODD: pd.Series([ODD, None, "1"] * n, dtype=object).iloc[:n],
        0: pd.Series([1.0, np.inf, np.nan] * n).iloc[:n],
        "t": pd.Series(pd.to_datetime(["2024-01-01"] * 3 * n, utc=True)).iloc[:n],
        "c": pd.Series(pd.Categorical(["a", "b", None] * n, categories=["a", "b", ODD])).iloc[:n],
    })
    dq = mlgate.data(frame, name=ODD)
    dq.expect_between(0, min=0, max=1, severity="warn")
    dq.expect_values_in(ODD, [ODD], severity="warn")
    dq.expect_not_null([ODD, "c"], severity="warn")
    drift = mlgate.drift(frame, frame.iloc[::-1], name=ODD)
    drift.expect_no_drift(min_rows=1, severity="warn")
    perf = mlgate.performance(np.array([0, 1] * n), y_pred=np.array([1, 1] * n), name=ODD)
    perf.expect("recall", min=0.5, severity="warn", on_insufficient="warn")
    y = np.array([0, 1, 1] * n)
    fair = mlgate.fairness(y, y, sensitive_features=frame["c"], missing_group="own_group",
                           min_group_size=1, name=ODD)
    fair.expect_difference("selection_rate", max=0.1, severity="warn", on_insufficient="warn")
    mlgate.card.note("factors", ODD)
    mlgate.card.note(ODD, ODD)
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]])
def test_hostile_session_writes_artifacts_that_parse(
    pytester: pytest.Pytester, workers: list[str]
) -> None:
    pytester.makepyfile(test_gate=HOSTILE_GATE)
    result = pytester.runpytest("-p", "no:cacheprovider", "--junitxml=junit.xml", *workers)
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output
    result.assert_outcomes(failed=3)  # the recorded errors (bad input) block
    tree = ET.parse(pytester.path / "junit.xml")
    properties = [p.get("name") for p in tree.iter("property")]
    assert properties and all(name.startswith("mlgate:") for name in properties)
    folder = pytester.path / "mlgate-report"
    doc = json.loads((folder / "audit.json").read_text("utf-8"))
    assert doc["summary"]["total"] == len(properties)
    assert {c["status"] for c in doc["checks"]} <= {
        "passed",
        "failed",
        "warned",
        "insufficient",
        "error",
    }
    for page in ("audit.html", "model_card.html"):
        html = (folder / page).read_text("utf-8")
        assert "<script" not in html.lower() and not EXTERNAL.search(html)
        assert "<x>" not in html


def test_the_long_profile_makes_the_fuzz_tests_deep() -> None:
    from hypothesis import settings

    from ._fuzz import fuzz_settings

    assert fuzz_settings(15).max_examples == 15 and fuzz_settings(15).derandomize
    current = settings.default
    settings.load_profile("long")
    try:
        deep = fuzz_settings(15)
    finally:
        settings.register_profile("_restore", current)
        settings.load_profile("_restore")
    assert deep.max_examples == 2000 and not deep.derandomize
