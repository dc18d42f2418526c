"""The metric registry and its vectorised statistics equal scikit-learn's definitions."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pytest_mlgate.errors import MlgateInputError
from pytest_mlgate.metrics import RATES, REGISTRY, resolve
from pytest_mlgate.stats.metric_statistics import statistic_for

ADULT_NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
GERMAN_NUMERIC = ["duration", "amount", "installment_rate", "age", "existing_credits"]


def _fit_scores(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    model.fit(x, y)
    return model.predict_proba(x)


@pytest.fixture(scope="module")
def binary_cases(adult_test, german):
    a = adult_test.iloc[:6000]
    ya = a["target"].to_numpy()
    sa = _fit_scores(a[ADULT_NUMERIC].to_numpy(float), ya)[:, 1]
    yg = german["target"].to_numpy()
    sg = _fit_scores(german[GERMAN_NUMERIC].to_numpy(float), yg)[:, 1]
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(yg))
    return {
        "adult": (ya, sa, (sa >= 0.3).astype(int), None),
        "german": (yg, sg, (sg >= 0.7).astype(int), None),
        "german-weighted": (yg, sg, (sg >= 0.7).astype(int), weights),
    }


def _sk_binary(name: str, y, s, p, w, pos=1) -> float:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return _sk_binary_reference(name, y, s, p, w, pos)


def _sk_binary_reference(name: str, y, s, p, w, pos) -> float:
    nan = np.nan
    t = y == pos
    if name in RATES:
        tn, fp, fn, tp = skm.confusion_matrix(
            t, p == pos, sample_weight=w, labels=[False, True]
        ).ravel()
        cells = {"tp": tp, "fp": fp, "fn": fn, "tn": tn}
        num, den, _ = RATES[name]
        return sum(cells[c] for c in num) / sum(cells[c] for c in den)
    direct = {
        "accuracy": lambda: skm.accuracy_score(y, p, sample_weight=w),
        "balanced_accuracy": lambda: skm.balanced_accuracy_score(y, p, sample_weight=w),
        "precision": lambda: skm.precision_score(
            y, p, pos_label=pos, sample_weight=w, zero_division=nan
        ),
        "recall": lambda: skm.recall_score(y, p, pos_label=pos, sample_weight=w, zero_division=nan),
        "f1": lambda: skm.f1_score(y, p, pos_label=pos, sample_weight=w, zero_division=nan),
        "roc_auc": lambda: skm.roc_auc_score(t, s, sample_weight=w),
        "average_precision": lambda: skm.average_precision_score(t, s, sample_weight=w),
        "log_loss": lambda: skm.log_loss(t, s, sample_weight=w, labels=[False, True]),
        "brier": lambda: skm.brier_score_loss(t, s, sample_weight=w),
    }
    if name in direct:
        return float(direct[name]())
    base, avg = name.rsplit("_", 1)
    func = {"f1": skm.f1_score, "precision": skm.precision_score, "recall": skm.recall_score}
    return float(func[base](y, p, average=avg, sample_weight=w, zero_division=nan))


BINARY_METRICS = sorted(name for name, m in REGISTRY.items() if "binary" in m.tasks)


@pytest.mark.parametrize("case", ["adult", "german", "german-weighted"])
def test_binary_metrics_equal_sklearn_on_real_data(binary_cases, case):
    y, s, p, w = binary_cases[case]
    for name in BINARY_METRICS:
        m = REGISTRY[name]
        given = s if m.needs == "scores" else p
        expected = _sk_binary(name, y, s, p, w)
        assert m.compute(y, given, sample_weight=w) == pytest.approx(expected, abs=1e-12), name
        fast = statistic_for(m, y, given, sample_weight=w)
        value = fast.batch(np.ones((1, len(y)), dtype=np.int64))[0]
        assert value == pytest.approx(expected, abs=1e-12), name


def test_string_labels_with_pos_label(adult_test):
    a = adult_test.iloc[:3000]
    y = a["income"].to_numpy(dtype=object)
    p = np.where(a["education_num"].to_numpy() > 11, ">50K", "<=50K").astype(object)
    for name in ("precision", "recall", "f1", "true_positive_rate", "selection_rate"):
        m = REGISTRY[name]
        expected = _sk_binary(name, y, None, p, None, pos=">50K")
        assert m.compute(y, p, pos_label=">50K") == pytest.approx(expected, abs=1e-12)
        fast = statistic_for(m, y, p, pos_label=">50K")
        assert fast.batch(np.ones((1, len(y)), dtype=np.int64))[0] == pytest.approx(
            expected, abs=1e-12
        )


def test_multiclass_metrics_equal_sklearn(german):
    y = german["job"].to_numpy(dtype=object)
    proba = _fit_scores(german[GERMAN_NUMERIC].to_numpy(float), y)
    classes = np.unique(y)
    p = classes[proba.argmax(axis=1)]
    for name, m in REGISTRY.items():
        if "multiclass" not in m.tasks:
            continue
        if m.needs == "scores":
            if name == "log_loss":
                expected = skm.log_loss(y, proba)
            else:
                multi = name.split("_")[2]
                rest = name.endswith("_weighted")
                expected = skm.roc_auc_score(
                    y, proba, multi_class=multi, average="weighted" if rest else "macro"
                )
            given = proba
        elif name == "accuracy":
            expected, given = skm.accuracy_score(y, p), p
        elif name == "balanced_accuracy":
            expected, given = skm.balanced_accuracy_score(y, p), p
        else:
            base, avg = name.rsplit("_", 1)
            func = {
                "f1": skm.f1_score,
                "precision": skm.precision_score,
                "recall": skm.recall_score,
            }[base]
            expected, given = func(y, p, average=avg, zero_division=np.nan), p
        assert m.compute(y, given) == pytest.approx(expected, abs=1e-12), name
        fast = statistic_for(m, y, given)
        value = fast.batch(np.ones((1, len(y)), dtype=np.int64))[0]
        assert value == pytest.approx(expected, abs=1e-12), name


def test_regression_metrics_equal_sklearn(adult_test):
    a = adult_test.iloc[:5000]
    y = a["hours_per_week"].to_numpy(float)
    x = np.column_stack([a["age"], a["education_num"], np.ones(len(a))]).astype(float)
    pred = x @ np.linalg.lstsq(x, y, rcond=None)[0]
    w = np.random.default_rng(1).uniform(0.5, 2, len(y))
    reference = {
        "mae": skm.mean_absolute_error,
        "mse": skm.mean_squared_error,
        "rmse": skm.root_mean_squared_error,
        "r2": skm.r2_score,
        "mape": skm.mean_absolute_percentage_error,
    }
    for weights in (None, w):
        for name, func in reference.items():
            expected = func(y, pred, sample_weight=weights)
            m = REGISTRY[name]
            assert m.compute(y, pred, sample_weight=weights) == pytest.approx(expected, rel=1e-12)
            fast = statistic_for(m, y, pred, sample_weight=weights)
            value = fast.batch(np.ones((1, len(y)), dtype=np.int64))[0]
            assert value == pytest.approx(expected, rel=1e-10), name


def test_registry_directions_and_needs():
    assert REGISTRY["roc_auc"].greater_is_better and REGISTRY["roc_auc"].needs == "scores"
    assert not REGISTRY["log_loss"].greater_is_better
    assert REGISTRY["recall"].needs == "labels"
    assert not REGISTRY["false_positive_rate"].greater_is_better
    for name in RATES:
        assert REGISTRY[name].rate is not None


def test_resolve_unknown_and_callable():
    with pytest.raises(MlgateInputError, match=r"Known metrics: .*roc_auc"):
        resolve("auc_roc")
    with pytest.raises(MlgateInputError, match="greater_is_better"):
        resolve(lambda t, p: 0.0)
    m = resolve(lambda t, p: float(np.mean(t == p)), greater_is_better=True)
    assert m.compute(np.array([1, 0]), np.array([1, 1])) == 0.5


# -- generated inputs ---------------------------------------------------------------------


@st.composite
def binary_data(draw):
    n = draw(st.integers(2, 60))
    y = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 1)))
    s = draw(
        hnp.arrays(
            np.float64,
            n,
            elements=st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.9, 1.0]) | st.floats(0, 1),
        )
    )
    p = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 1)))
    w = draw(st.none() | hnp.arrays(np.float64, n, elements=st.floats(0.1, 3)))
    return y, s, p, w


@settings(max_examples=80, deadline=None)
@given(binary_data())
def test_binary_statistics_equal_sklearn_on_generated_data(data):
    y, s, p, w = data
    ones = np.ones((1, len(y)), dtype=np.int64)
    for name in BINARY_METRICS:
        m = REGISTRY[name]
        given = s if m.needs == "scores" else p
        if name in ("roc_auc", "average_precision") and len(set(y.tolist())) < 2:
            continue
        with np.errstate(all="ignore"):
            try:
                expected = _sk_binary(name, y, s, p, w)
            except ZeroDivisionError:
                expected = float("nan")
        fast = statistic_for(m, y, given, sample_weight=w).batch(ones)[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            point = m.compute(y, given, sample_weight=w)
        if np.isnan(expected):
            assert np.isnan(fast) and np.isnan(point), name
        else:
            assert fast == pytest.approx(expected, abs=1e-12), name
            assert point == pytest.approx(expected, abs=1e-12), name


@settings(max_examples=60, deadline=None)
@given(
    st.integers(3, 50).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.int64, n, elements=st.integers(0, 3)),
            hnp.arrays(np.int64, n, elements=st.integers(0, 3)),
        )
    )
)
def test_multiclass_statistics_equal_sklearn_on_generated_data(data):
    y, p = data
    ones = np.ones((1, len(y)), dtype=np.int64)
    for name in (
        "accuracy",
        "balanced_accuracy",
        "f1_macro",
        "f1_weighted",
        "f1_micro",
        "precision_macro",
        "precision_weighted",
        "recall_macro",
        "recall_weighted",
    ):
        m = REGISTRY[name]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = m.compute(y, p)
        fast = statistic_for(m, y, p).batch(ones)[0]
        if np.isnan(expected):
            assert np.isnan(fast), name
        else:
            assert fast == pytest.approx(expected, abs=1e-12), name


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 40).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.float64, n, elements=st.floats(-100, 100)),
            hnp.arrays(np.float64, n, elements=st.floats(-100, 100)),
            st.none() | hnp.arrays(np.float64, n, elements=st.floats(0.1, 3)),
        )
    )
)
def test_regression_statistics_equal_sklearn_on_generated_data(data):
    y, pred, w = data
    ones = np.ones((1, len(y)), dtype=np.int64)
    for name in ("mae", "mse", "rmse", "r2", "mape"):
        if name == "r2" and np.ptp(y) < 1e-3:
            continue  # a target constant up to rounding: scikit-learn's value is rounding noise
        m = REGISTRY[name]
        expected = m.compute(y, pred, sample_weight=w)
        fast = statistic_for(m, y, pred, sample_weight=w).batch(ones)[0]
        assert fast == pytest.approx(expected, rel=1e-9, abs=1e-9), name
