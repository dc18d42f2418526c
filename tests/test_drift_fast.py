"""The fast drift paths give the same figures as scipy and as the straightforward code.

KS statistic and p-value are compared with scipy's at 1e-12 relative (a scipy release may change
the last bit), Wasserstein at 1e-12.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ks_2samp, wasserstein_distance

from pytest_mlgate.checks.drift import figures as checks_drift
from pytest_mlgate.errors import MlgateInputError
from pytest_mlgate.families.drift import DriftChecks
from pytest_mlgate.profile import (
    category_counts,
    counting_sort,
    numeric_values,
    sorted_numeric,
)
from pytest_mlgate.stats import drift as sd
from pytest_mlgate.stats import ks as sk

from .conftest import make_recorder


def scipy_figures(a, b):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ref = ks_2samp(a, b)
    return ref.statistic, ref.pvalue, wasserstein_distance(a, b)


def assert_equal_scipy(a, b):
    a = np.sort(np.asarray(a, dtype=float))
    b = np.sort(np.asarray(b, dtype=float))
    ks, w = sd.ks_and_wasserstein(a, b)
    stat, p, w_ref = scipy_figures(a, b)
    assert ks.statistic == pytest.approx(stat, rel=1e-12, abs=0)
    assert ks.p_value == pytest.approx(p, rel=1e-12, abs=1e-300)
    np.testing.assert_allclose(w, w_ref, rtol=1e-12, atol=1e-300)


def sample(rng, kind, n):
    if kind == "normal":
        return rng.normal(size=n)
    if kind == "few":  # heavy ties
        return rng.integers(0, 4, n).astype(float)
    if kind == "rounded":
        return np.round(rng.normal(size=n), 1)
    if kind == "integers":
        return rng.integers(0, 200, n).astype(float)
    return rng.lognormal(size=n)


KINDS = ["normal", "few", "rounded", "integers", "lognormal"]


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    kind_a=st.sampled_from(KINDS),
    kind_b=st.sampled_from(KINDS),
    n1=st.integers(1, 3000),
    n2=st.integers(1, 3000),
    same_size=st.booleans(),
    shift=st.sampled_from([0.0, 0.01, 0.3]),
)
def test_ks_and_wasserstein_equal_scipy_on_ties_and_sizes(
    seed, kind_a, kind_b, n1, n2, same_size, shift
):
    rng = np.random.default_rng(seed)
    a = sample(rng, kind_a, n1)
    b = sample(rng, kind_b, n1 if same_size else n2) + shift
    assert_equal_scipy(a, b)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 2000),
    share=st.sampled_from([0.0, 0.001, 0.05, 0.5, 1.0]),
)
def test_resampled_and_overlapping_samples(seed, n, share):
    """b shares values with a (duplicates across samples), down to identical samples."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = a.copy()
    change = rng.random(n) < share
    b[change] = rng.normal(size=int(change.sum()))
    assert_equal_scipy(a, b)
    assert_equal_scipy(a, a[rng.integers(0, n, max(1, n // 2))])


@pytest.mark.parametrize(
    ("n1", "n2", "kind"),
    [
        (20_000, 20_000, "normal"),  # asymptotic p-value, equal sizes
        (30_000, 12_345, "rounded"),  # asymptotic, ties, unequal sizes
        (10_000, 10_000, "normal"),  # the largest exact case
        (10_000, 9_999, "few"),
        (50_000, 50_000, "integers"),
    ],
)
def test_large_samples_equal_scipy(n1, n2, kind):
    rng = np.random.default_rng(n1 + n2)
    assert_equal_scipy(sample(rng, kind, n1), sample(rng, kind, n2) * 1.01)


def test_edge_cases_equal_scipy():
    rng = np.random.default_rng(3)
    x = rng.normal(size=5000)
    assert_equal_scipy(x, x)  # identical: statistic 0, p-value 1
    assert_equal_scipy(x, x + 100.0)  # disjoint: statistic 1
    assert_equal_scipy(x + 100.0, x)
    assert_equal_scipy([1.0], [2.0])
    assert_equal_scipy([1.0], [1.0])
    assert_equal_scipy([3.0, 3.0, 3.0], [3.0])
    assert_equal_scipy(np.zeros(1000), np.r_[np.zeros(999), 1.0])
    assert_equal_scipy(x, np.r_[x, x])  # every value of b tied with a


@pytest.mark.parametrize("n", [1, 2, 7, 100, 999, 4000, 10_000])
def test_prob_outside_square_bit_for_bit(n):
    scipy_square = sk._private_scipy("_compute_prob_outside_square")
    if scipy_square is None:
        pytest.skip("this scipy has no _compute_prob_outside_square; the exact tests below hold")
    for h in sorted({1, 2, 3, max(1, n // 97), max(1, n // 10), max(1, n // 3), n}):
        assert sk._prob_outside_square(n, h) == scipy_square(n, h), (n, h)


def brute_gap(n, rising, falling):
    idx = np.arange(n)
    return float(np.max(rising(idx) - falling(idx)))


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 50_000), steps=st.integers(1, 50))
def test_bounded_search_equals_brute_force(seed, n, steps):
    rng = np.random.default_rng(seed)
    up = np.cumsum(rng.integers(0, steps, n)) / (n * steps)
    down = np.cumsum(rng.integers(0, steps, n)) / (n * steps)
    rising, falling = (lambda i: up[i]), (lambda i: down[i])
    assert sd.max_monotone_gap(n, rising, falling) == brute_gap(n, rising, falling)


def sketch_reference(knots, probs, n1, b):
    """The straightforward definition: evaluate at every distinct value of b."""
    n2 = b.size
    points = np.unique(b)
    upper = np.searchsorted(b, points, side="right") / n2
    lower = np.searchsorted(b, points, side="left") / n2
    ref_at = np.interp(points, knots, probs, left=0.0, right=1.0)
    ref_before = np.interp(np.nextafter(points, -np.inf), knots, probs, left=0.0, right=1.0)
    return max(float(np.max(upper - ref_at)), float(np.max(ref_before - lower)), 0.0)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(KINDS),
    n1=st.integers(20, 20_000),
    n2=st.integers(1, 20_000),
    knots=st.sampled_from([11, 101, 1001]),
)
def test_sketch_statistic_equals_distinct_value_definition(seed, kind, n1, n2, knots):
    rng = np.random.default_rng(seed)
    a = np.sort(sample(rng, kind, n1))
    b = np.sort(sample(rng, kind, n2) * 1.02)
    probs = np.linspace(0.0, 1.0, knots)
    grid = a[np.rint(probs * (n1 - 1)).astype(np.int64)]  # duplicate knots where a ties
    ks, _ = sd.ks_against_cdf(grid, probs, n1, b)
    expected = sd.ks_p_value(min(sketch_reference(grid, probs, n1, b), 1.0), n1, n2)
    assert (ks.statistic, ks.p_value, ks.mode) == expected


def test_sorted_numeric_equals_sort_of_numeric_values():
    rng = np.random.default_rng(0)
    x = rng.normal(size=1000)
    x[::7] = np.nan
    cases = [
        pd.Series(x),
        pd.Series(x.astype(np.float32)),
        pd.Series(rng.integers(-50, 50, 1000)),
        pd.Series(rng.integers(0, 50, 1000).astype(np.uint16)),
        pd.Series([np.nan] * 5),
        pd.Series([], dtype=float),
        pd.Series(pd.array([1, None, 3], dtype="Int64")),
        pd.Series(pd.to_datetime(["2024-01-02", None, "2023-05-01"])),
    ]
    for series in cases:
        fast = sorted_numeric(series, "current")
        slow = np.sort(numeric_values(series, "current"))
        assert fast.dtype == np.float64
        np.testing.assert_array_equal(fast, slow)
    before = x.copy()
    sorted_numeric(pd.Series(x), "current")
    np.testing.assert_array_equal(x, before)  # the caller's data is not sorted in place


@pytest.mark.parametrize(
    "values",
    [
        np.array([3, -2, 3, 0, -128, 127], dtype=np.int8),
        np.random.default_rng(1).integers(0, 20, 5000).astype(np.uint32),
        np.random.default_rng(2).poisson(4.0, 20_000),  # the benchmark's integer columns
        np.array([2**62 + 3, 2**62, 2**62 + 1, 2**62], dtype=np.int64),  # rounded to float
        np.array([0, 2**63 + 5], dtype=np.uint64),  # beyond int64: sorted, not counted
        np.array([-(2**40), 2**40, 0]),  # too wide a span: sorted, not counted
        np.array([7], dtype=np.int16),
    ],
)
def test_counting_sort_of_integers_equals_numpy_sort(values):
    expected = np.sort(values.astype(np.float64))
    got = sorted_numeric(pd.Series(values), "current")
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, expected)
    counted = counting_sort(values)
    if counted is not None:
        np.testing.assert_array_equal(counted, expected)


@pytest.mark.parametrize(
    "values",
    [
        np.where(np.arange(9000) % 13 == 0, np.nan, np.arange(9000) % 90 - 20.0),  # ages
        np.r_[np.zeros(5000), -np.zeros(5000), [3.0, np.nan]],  # -0.0 and 0.0
        np.r_[np.arange(5000.0) % 7 + 2.0**60, [np.nan]],  # large whole numbers
        (np.arange(8000) % 50).astype(np.float32),
        np.r_[np.arange(8000) % 50, [0.5]].astype(float),  # one fraction: sorted
        np.r_[np.arange(8000) % 5 * 1e9, [0.0]],  # too wide a span: sorted
    ],
)
def test_counting_sort_of_whole_floats_equals_numpy_sort(values):
    expected = np.sort(values[~np.isnan(values)].astype(np.float64))
    got = sorted_numeric(pd.Series(values), "current")
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == np.float64


def test_whole_floats_with_an_infinite_value_are_named_as_before():
    values = np.r_[np.arange(8000) % 50, [np.inf]].astype(float)
    with pytest.raises(MlgateInputError, match="1 infinite"):
        sorted_numeric(pd.Series(values, name="x"), "reference")


def test_sorted_numeric_names_infinite_values_like_numeric_values():
    x = pd.Series([1.0, np.inf, np.nan, -np.inf, 2.0, np.inf], name="x")
    with pytest.raises(MlgateInputError) as fast:
        sorted_numeric(x, "reference")
    with pytest.raises(MlgateInputError) as slow:
        numeric_values(x, "reference")
    assert str(fast.value) == str(slow.value) and "3 infinite" in str(fast.value)


def value_counts_keys(series):
    counts = {}
    for value, count in series.value_counts(dropna=True, sort=False).items():
        counts[str(value)] = counts.get(str(value), 0) + int(count)
    return counts


def test_object_string_counts_equal_value_counts():
    rng = np.random.default_rng(1)
    levels = np.array(["a", "b", "ccc", "é", ""], dtype=object)
    x = levels[rng.integers(0, 5, 30_000)]
    x[::7] = None
    x[::11] = np.nan
    x[:2600:13] = ["c" + "cc" for _ in range(200)]  # equal strings held by other objects
    series = pd.Series(x, dtype=object)
    assert category_counts(series) == value_counts_keys(series)
    for odd in (1, 1.0, pd.NA, True, b"a"):  # other types: value_counts as before
        y = x.copy()
        y[5] = odd
        other = pd.Series(y, dtype=object)
        assert category_counts(other) == value_counts_keys(other)
    many = pd.Series([str(i) for i in range(20_000)], dtype=object)
    assert category_counts(many) == value_counts_keys(many)


def drift_details(reference, current, **kwargs):
    recorder = make_recorder("test_drift_fast.py::t")
    return DriftChecks(recorder, reference, current).expect_no_drift(**kwargs)


def wide_frames(n, seed):
    rng = np.random.default_rng(seed)
    frames = []
    for shift in (0.0, 0.2):
        frames.append(
            pd.DataFrame(
                {
                    "x": rng.normal(shift, 1, n),
                    "y": rng.lognormal(size=n),
                    "k": rng.poisson(3 + shift, n),
                    "c": np.array(["u", "v", "w"], dtype=object)[rng.integers(0, 3, n)],
                    "s": pd.Series(rng.integers(0, 4, n)).map({0: "p", 1: "q", 2: "r", 3: "t"}),
                }
            )
        )
    return frames


def test_threads_give_the_figures_of_one_thread(monkeypatch):
    ref, cur = wide_frames(3000, seed=2)
    monkeypatch.setattr(checks_drift, "PARALLEL_MIN_ROWS", 10**9)
    serial = drift_details(ref, cur)
    monkeypatch.setattr(checks_drift, "PARALLEL_MIN_ROWS", 1)
    for _ in range(3):
        threaded = drift_details(ref, cur)
        assert threaded.details == serial.details
        assert threaded.observed == serial.observed and threaded.status == serial.status


def test_threads_report_the_first_bad_column_in_order(monkeypatch):
    ref, cur = wide_frames(3000, seed=4)
    cur.loc[5, "y"] = np.inf
    cur.loc[7, "x"] = -np.inf
    monkeypatch.setattr(checks_drift, "PARALLEL_MIN_ROWS", 1)
    result = drift_details(ref, cur)
    assert result.status == "error"
    assert "'x'" in result.message and "infinite" in result.message


def test_aware_and_naive_timestamps_are_a_dtype_change():
    import pandas as pd

    from pytest_mlgate.families.drift import DriftChecks

    stamps = pd.date_range("2024-01-01", periods=200, freq="h")
    ref = pd.DataFrame({"t": stamps.tz_localize("UTC")})
    cur = pd.DataFrame({"t": stamps})
    recorder = make_recorder("t")
    result = DriftChecks(recorder, ref, cur).expect_no_drift()
    assert result.status == "error" and "dtype of column 't' changed" in result.message
    same = DriftChecks(recorder, ref, ref.copy()).expect_no_drift()
    assert same.status == "passed"


def test_merged_batches_keep_the_identifier_flag_of_the_whole():
    import pandas as pd

    from pytest_mlgate import Profile

    ages = pd.DataFrame({"age": range(18, 68), "city": ["x", "y"] * 25})
    whole = Profile.from_frame(pd.concat([ages, ages], ignore_index=True))
    merged = Profile.from_frame(ages).merge(Profile.from_frame(ages))
    for col in ("age", "city"):
        assert merged.columns[col].identifier == whole.columns[col].identifier is False
    ids = pd.DataFrame({"id": range(100)})
    split = Profile.from_frame(ids.iloc[:50]).merge(Profile.from_frame(ids.iloc[50:]))
    assert split.columns["id"].identifier is True
