"""Multiple-testing corrections equal scipy's / statsmodels' definitions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import false_discovery_control

from pytest_mlgate.errors import MlgateInputError
from pytest_mlgate.stats.multitest import adjust

p_lists = st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(p_lists)
def test_bh_equals_scipy(ps):
    np.testing.assert_allclose(
        adjust(ps, "bh"), false_discovery_control(ps, method="bh"), rtol=1e-12, atol=1e-15
    )


@settings(max_examples=200, deadline=None)
@given(p_lists)
def test_holm_and_bonferroni_definitions(ps):
    p = np.asarray(ps)
    m = p.size
    order = np.argsort(p, kind="mergesort")
    expected = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):  # Holm step-down, as statsmodels' multipletests
        running = max(running, min((m - rank) * p[i], 1.0))
        expected[i] = running
    np.testing.assert_allclose(adjust(ps, "holm"), expected, rtol=1e-12)
    np.testing.assert_allclose(adjust(ps, "bonferroni"), np.minimum(p * m, 1.0), rtol=1e-12)
    assert adjust(ps, None) == [float(v) for v in p]


def test_known_values():
    assert [round(v, 6) for v in adjust([0.01, 0.04, 0.03, 0.005], "holm")] == [
        0.03,
        0.06,
        0.06,
        0.02,
    ]
    assert adjust([], "bh") == []


def test_bad_input():
    with pytest.raises(MlgateInputError, match="correction"):
        adjust([0.1], "fdr")
    with pytest.raises(MlgateInputError, match="p_values"):
        adjust([float("nan")], "bh")
