"""Fuzz: every data-quality check on frames of every dtype answers, never raises (issue 11)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ._fuzz import check_artifacts, convert, frames, fuzz_settings, run_all
from .conftest import make_gate


@fuzz_settings(25)
@given(drawn=frames(), other=frames(max_rows=10), low=st.sampled_from([None, 0, -1.5, "a"]))
def test_every_data_check_answers(drawn, other, low) -> None:
    form, frame = drawn
    gate = make_gate()
    dq = gate.data(convert(form, frame), name="fuzz")
    col = frame.columns[0]
    cols = list(dict.fromkeys(frame.columns))
    results = run_all(
        [
            ("expect_columns", lambda: dq.expect_columns([*cols, "missing"], exact=True)),
            ("expect_dtypes", lambda: dq.expect_dtypes({col: "integer"})),
            ("expect_not_null", lambda: dq.expect_not_null(cols)),
            ("expect_consistent_missing", lambda: dq.expect_consistent_missing()),
            ("expect_between", lambda: dq.expect_between(col, min=low, max=10)),
            ("expect_values_in", lambda: dq.expect_values_in(col, ["a", 1, None])),
            ("expect_row_count", lambda: dq.expect_row_count(min=1, max=30)),
            ("expect_unique", lambda: dq.expect_unique([col])),
            ("expect_no_duplicate_rows", lambda: dq.expect_no_duplicate_rows()),
            ("expect_no_overlap", lambda: dq.expect_no_overlap(other[1], columns=[col])),
            ("expect_no_leakage", lambda: dq.expect_no_leakage(col)),
        ]
    )
    check_artifacts(results)
