"""Fuzz: every drift check on frames of every dtype answers, never raises (issue 11)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pytest_mlgate.errors import MlgateInputError

from ._fuzz import check_artifacts, convert, frames, fuzz_settings, run_all
from .conftest import make_gate

METHODS = ["auto", "ks", "chi2", "psi", "jensen_shannon", "wasserstein"]


@fuzz_settings(20)
@given(
    reference=frames(max_rows=60, max_columns=3),
    current=frames(max_rows=60, max_columns=3),
    how=st.sampled_from(["resampled", "resampled", "renamed", "independent"]),
    seed=st.integers(0, 2**16),
    use_profile=st.booleans(),
)
def test_every_drift_check_answers(reference, current, how, seed, use_profile) -> None:
    ref_form, ref = reference
    cur_form, cur = current
    if how == "resampled" and len(ref):  # same columns and dtypes, rows drawn again
        cur = ref.sample(frac=1.5, replace=True, random_state=seed).reset_index(drop=True)
    elif how == "renamed" and ref.shape[1] == cur.shape[1]:
        cur = cur.set_axis(ref.columns, axis=1)
    gate = make_gate()
    source = convert(ref_form, ref)
    if use_profile:
        try:
            source = gate.profile(source, name="ref")
        except MlgateInputError:  # recorded as an error result, then raised (documented)
            assert gate.results[-1].status == "error"
    drift = gate.drift(source, convert(cur_form, cur), name="fuzz", categorical=None)
    col = ref.columns[0]
    calls = [("expect_no_drift", lambda: drift.expect_no_drift(min_rows=2))]
    for method in METHODS:
        calls.append(
            (f"expect_column[{method}]", lambda m=method: drift.expect_column(col, m, min_rows=2))
        )
    results = run_all(calls)
    check_artifacts(results)
