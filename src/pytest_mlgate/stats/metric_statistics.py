"""Registry metrics as vectorised bootstrap statistics.

:func:`statistic_for` maps a :class:`~pytest_mlgate.metrics.Metric` and its data to a
:mod:`~pytest_mlgate.stats.bootstrap` statistic whose value on every resample equals
scikit-learn's on that resample: confusion cells for label metrics, weighted means of per-row
losses, sums for R², sorted cumulative counts for ROC AUC and average precision. Metrics
without a fast path (one-vs-rest AUC, callables) fall back to calling the metric per resample.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np

from ..metrics import RATES, Metric, handled_warnings, is_registered
from .bootstrap import (
    APStatistic,
    AUCStatistic,
    ConfusionStatistic,
    LoopStatistic,
    MeanStatistic,
    R2Statistic,
    Statistic,
    _divide,
)

EPS64 = float(np.finfo(np.float64).eps)
CELLS = {"tn": (0, 0), "fp": (0, 1), "fn": (1, 0), "tp": (1, 1)}


def class_codes(*arrays: np.ndarray) -> tuple[list[np.ndarray], int]:
    """Codes in ``range(k)`` of the classes seen in any of the arrays (sorted when possible)."""
    import pandas as pd

    joined = np.concatenate([np.asarray(a, dtype=object) for a in arrays])
    codes, uniques = pd.factorize(joined, sort=True) if _sortable(joined) else pd.factorize(joined)
    out, start = [], 0
    for a in arrays:
        out.append(codes[start : start + len(a)])
        start += len(a)
    return out, len(uniques)


def _sortable(values: np.ndarray) -> bool:
    try:
        sorted(set(values.tolist()))
    except TypeError:
        return False
    return True


def _rate(num: tuple[str, ...], den: tuple[str, ...]) -> Callable[[np.ndarray], np.ndarray]:
    def func(m: np.ndarray) -> np.ndarray:
        top = sum(m[:, CELLS[c][0], CELLS[c][1]] for c in num)
        bottom = sum(m[:, CELLS[c][0], CELLS[c][1]] for c in den)
        return _divide(np.asarray(top), np.asarray(bottom))

    return func


def _nanaverage(values: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """scikit-learn's ``_nanaverage`` row by row: NaN entries are left out; all-zero weights
    fall back to the plain mean."""
    ok = ~np.isnan(values)
    v = np.where(ok, values, 0.0)
    count = ok.sum(axis=1)
    plain = _divide(v.sum(axis=1), count.astype(np.float64))
    if weights is None:
        return plain
    w = np.where(ok, weights, 0.0)
    wsum = w.sum(axis=1)
    weighted = _divide((v * w).sum(axis=1), wsum)
    return np.where(wsum > 0, weighted, plain)


def _averaged(kind: str, average: str) -> Callable[[np.ndarray], np.ndarray]:
    def func(m: np.ndarray) -> np.ndarray:
        tp = np.diagonal(m, axis1=1, axis2=2)
        true = m.sum(axis=2)
        pred = m.sum(axis=1)
        if average == "micro":
            tp, true, pred = tp.sum(axis=1), true.sum(axis=1), pred.sum(axis=1)
        if kind == "precision":
            value = _divide(tp, pred)
        elif kind == "recall":
            value = _divide(tp, true)
        else:
            value = _divide(2.0 * tp, true + pred)
        if average == "micro":
            return value
        return _nanaverage(value, true if average == "weighted" else None)

    return func


def _accuracy(m: np.ndarray) -> np.ndarray:
    return _divide(np.trace(m, axis1=1, axis2=2), m.sum(axis=(1, 2)))


def _balanced_accuracy(m: np.ndarray) -> np.ndarray:
    recall = _divide(np.diagonal(m, axis1=1, axis2=2), m.sum(axis=2))
    return _nanaverage(recall, None)


BINARY_CONFUSION: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "precision": _rate(("tp",), ("tp", "fp")),
    "recall": _rate(("tp",), ("tp", "fn")),
    "f1": lambda m: _divide(2.0 * m[:, 1, 1], 2.0 * m[:, 1, 1] + m[:, 0, 1] + m[:, 1, 0]),
    **{name: _rate(num, den) for name, (num, den, _) in RATES.items()},
}
MULTI_CONFUSION: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "accuracy": _accuracy,
    "balanced_accuracy": _balanced_accuracy,
    **{
        f"{kind}_{avg}": _averaged(kind, avg)
        for kind in ("precision", "recall", "f1")
        for avg in ("macro", "weighted", "micro")
    },
}


def per_row_loss(name: str, y_true: np.ndarray, y: np.ndarray, pos_label: Any) -> np.ndarray | None:
    """Per-row values whose weighted mean is the metric (None when it is not such a metric)."""
    if name in ("mae", "mse", "rmse", "mape"):
        e = np.asarray(y_true, dtype=np.float64) - np.asarray(y, dtype=np.float64)
        if name == "mae":
            return np.abs(e)
        if name == "mape":
            return np.abs(e) / np.maximum(np.abs(np.asarray(y_true, dtype=np.float64)), EPS64)
        return np.square(e)
    if name == "brier":
        p = np.asarray(y, dtype=np.float64)
        return np.asarray(((np.asarray(y_true) == pos_label) - p) ** 2, dtype=np.float64)
    if name == "log_loss":
        p = np.asarray(y, dtype=np.float64)
        if p.ndim == 1:
            positive = np.asarray(y_true) == pos_label
            chance = np.where(
                positive, np.clip(p, EPS64, 1 - EPS64), np.clip(1 - p, EPS64, 1 - EPS64)
            )
        else:
            (codes,), _ = class_codes(np.asarray(y_true))
            chance = np.clip(p[np.arange(len(p)), codes], EPS64, 1 - EPS64)
        return -np.log(chance)
    return None


def statistic_for(
    metric: Metric,
    y_true: np.ndarray,
    y: np.ndarray,
    *,
    sample_weight: np.ndarray | None = None,
    pos_label: Any = 1,
) -> Statistic:
    """The bootstrap statistic of ``metric`` on these rows (fast path when one exists)."""
    name = metric.name
    registered = is_registered(metric)
    if registered and name in BINARY_CONFUSION:
        truth = (np.asarray(y_true) == pos_label).astype(np.intp)
        pred = (np.asarray(y) == pos_label).astype(np.intp)
        return ConfusionStatistic(truth, pred, 2, BINARY_CONFUSION[name], sample_weight)
    if registered and name in MULTI_CONFUSION:
        (truth, pred), k = class_codes(np.asarray(y_true), np.asarray(y))
        return ConfusionStatistic(truth, pred, k, MULTI_CONFUSION[name], sample_weight)
    # cast: their ``order`` is always an array, which mypy holds against the Protocol's
    # mutable ``order: ndarray | None`` attribute
    if registered and name == "roc_auc":
        return cast(Statistic, AUCStatistic(np.asarray(y_true) == pos_label, y, sample_weight))
    if registered and name == "average_precision":
        return cast(Statistic, APStatistic(np.asarray(y_true) == pos_label, y, sample_weight))
    if registered and name == "r2":
        return R2Statistic(y_true, y, sample_weight)
    loss = per_row_loss(name, y_true, y, pos_label) if registered else None
    if loss is not None:
        return MeanStatistic(loss, sample_weight, np.sqrt if name == "rmse" else None)
    return loop_statistic(metric, y_true, y, sample_weight=sample_weight, pos_label=pos_label)


def loop_statistic(
    metric: Metric,
    y_true: np.ndarray,
    y: np.ndarray,
    *,
    sample_weight: np.ndarray | None = None,
    pos_label: Any = 1,
) -> LoopStatistic:
    """The general path: the metric itself, called on each resample."""

    def func(rows: np.ndarray) -> float:
        w = None if sample_weight is None else sample_weight[rows]
        with handled_warnings(metric):
            return metric.compute(y_true[rows], y[rows], sample_weight=w, pos_label=pos_label)

    return LoopStatistic(len(y_true), func)
