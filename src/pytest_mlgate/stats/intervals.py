"""Interval methods chosen by simulation, and what a metric's figure rests on.

The coverage benchmark (``benchmarks/coverage.py``, results in ``docs/statistics.md``) measured
the *gate false pass* of every method: the share of simulated data sets on which
``expect(..., min=bar, confidence=0.95)`` passes although the true value equals the bar
(nominal 2.5%). What it found decides the rules below.

Metric families
    ``proportion``
        a share of counted units: accuracy, precision, recall, selection rate and the other
        confusion rates. Its interval is **Clopper-Pearson** (the exact binomial interval on
        the metric's own denominator: positives for a recall, predicted positives for a
        precision, rows for an accuracy). Conditional on the denominator the count is binomial,
        so each one-sided error is at most ``(1 - confidence) / 2`` at every n and every true
        value, including 0 and 1, where a bootstrap collapses to ``[1, 1]`` (one positive,
        found: Clopper-Pearson gives ``[0.025, 1]``). Percentile and BCa are refused for
        these metrics. With sample weights the count is replaced by Kish's effective
        denominator ``(sum w)**2 / sum w**2`` and the weighted share (an approximation, stated
        in ``details``).
    ``bootstrap`` (every other metric)
        ROC AUC, average precision, F1, balanced accuracy, losses, regression errors. Below
        :data:`PERCENTILE_MIN_UNITS` units its default is **BCa with a small-sample
        expansion** (Hesterberg 2015, "What teachers should know about the bootstrap",
        section 4.3): the two tail levels ``alpha/2`` are replaced by
        ``Phi(-sqrt(m / (m - 1)) * t_{m-1, 1 - alpha/2})`` with ``m`` the metric's denominator
        units (rows; for ROC AUC the smaller class; for average precision the positives), which
        widens the interval where the bootstrap is known to be too narrow and vanishes as m
        grows. The plain percentile interval is first-order accurate only: it is offered from
        :data:`PERCENTILE_MIN_UNITS` units on, and ``auto`` uses it there (both within the
        level in the benchmark; it needs no jackknife).

:func:`interval` is the one interval of bootstrap values (performance and fairness); its
:class:`Interval` states the method actually used, a BCa fallback included.
:func:`denominator_units` is also what ``min_size`` / ``min_group_size`` count.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

AUTO = "auto"
CLOPPER_PEARSON = "clopper_pearson"
PERCENTILE = "percentile"
BCA = "bca"
METHODS = (AUTO, CLOPPER_PEARSON, PERCENTILE, BCA)
PROPORTION = "proportion"
BOOTSTRAP = "bootstrap"
#: below this many denominator units the percentile bootstrap is refused (measured: ROC AUC
#: 4.4% gate false pass at 30 units, average precision 6.6% at 30 and 3.8% at 150 positives)
PERCENTILE_MIN_UNITS = 1000

#: metrics whose figure is a share of the units counted by the denominator
_LABEL_PROPORTIONS = frozenset(
    {
        "accuracy",
        "precision",
        "recall",
        "selection_rate",
        "true_positive_rate",
        "false_positive_rate",
        "false_negative_rate",
        "true_negative_rate",
    }
)


#: what :attr:`Interval.method` says when BCa was asked for but its bias correction is infinite
BCA_FALLBACK = "percentile (bca undefined: every resample on one side of the estimate)"


@dataclass(frozen=True)
class Interval:
    """A two-sided bootstrap interval and how it was made.

    ``method`` is the method actually used: ``percentile``, ``bca``, or
    :data:`BCA_FALLBACK` when BCa was asked for and could not be computed; ``defined`` counts
    the resamples on which the statistic was defined (``low``/``high`` are None below two).
    """

    low: float | None
    high: float | None
    method: str
    n_boot: int
    defined: int

    @property
    def bounds(self) -> list[float] | None:
        """``[low, high]``, or None when there is no interval."""
        if self.low is None or self.high is None:
            return None
        return [self.low, self.high]


def interval(
    values: np.ndarray,
    confidence: float,
    *,
    method: str = PERCENTILE,
    estimate: float | None = None,
    jackknife: np.ndarray | None = None,
    jackknife_weights: np.ndarray | None = None,
) -> Interval:
    """A two-sided interval from bootstrap ``values`` (undefined resamples, NaN, are left out;
    fewer than two defined ones give no interval).

    ``percentile``: the ``alpha/2`` and ``1 - alpha/2`` quantiles. ``bca`` (Efron's bias
    corrected and accelerated interval) needs the point ``estimate`` and ``jackknife`` values
    (``jackknife_weights``: how many rows each stands for, when leave-one-out tables were
    collapsed); with ``z0 = Phi^-1(share below the estimate, ties half)`` and the acceleration
    ``a = sum w d^3 / (6 (sum w d^2)^1.5)``, ``d`` the jackknife values' deviations from their
    mean, the levels become ``Phi(z0 + (z0 + z) / (1 - a (z0 + z)))``. When every resample lies
    on one side of the estimate ``z0`` is infinite and the percentile interval is returned,
    its ``method`` saying so (:data:`BCA_FALLBACK`).

    >>> interval(np.arange(101.0), 0.9).bounds
    [5.0, 95.0]
    """
    from scipy.special import ndtr, ndtri

    values = np.asarray(values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    n_boot = len(values)
    if len(finite) < 2:
        return Interval(None, None, method, n_boot, len(finite))
    alpha = (1.0 - confidence) / 2.0
    levels = np.array([alpha, 1.0 - alpha])
    used = method
    if method == BCA:
        if estimate is None or jackknife is None:
            raise ValueError("bca needs the estimate and jackknife values")
        below = np.mean(finite < estimate) + 0.5 * np.mean(finite == estimate)
        z0 = float(ndtri(below))
        accel = _acceleration(np.asarray(jackknife, dtype=np.float64), jackknife_weights)
        if math.isfinite(z0):
            z = ndtri(levels)
            levels = ndtr(z0 + (z0 + z) / (1.0 - accel * (z0 + z)))
        else:
            used = BCA_FALLBACK
    low, high = np.quantile(finite, levels)
    return Interval(float(low), float(high), used, n_boot, len(finite))


def _acceleration(jackknife: np.ndarray, weights: np.ndarray | None) -> float:
    """BCa's acceleration from (weighted) jackknife values; 0 when none is defined."""
    keep = np.isfinite(jackknife)
    jk = jackknife[keep]
    if weights is None:
        d = jk.mean() - jk if len(jk) else np.zeros(1)
        den = 6.0 * float(np.sum(d**2)) ** 1.5
        return float(np.sum(d**3)) / den if den > 0 else 0.0
    w = np.asarray(weights, dtype=np.float64)[keep]
    if not w.sum() > 0:
        return 0.0
    d = np.average(jk, weights=w) - jk
    spread = float(np.sum(w * d**2))
    return float(np.sum(w * d**3)) / (6.0 * spread**1.5) if spread > 0 else 0.0


def family(name: str, registered: bool) -> str:
    """``proportion`` for the registry's shares of counted units, else ``bootstrap``."""
    return PROPORTION if registered and name in _LABEL_PROPORTIONS else BOOTSTRAP


def resolve_method(
    requested: str, fam: str, *, paired: bool = False, units: int | None = None
) -> str:
    """The interval method used for ``requested`` on a metric of family ``fam`` resting on
    ``units`` denominator units.

    Raises ``ValueError`` with the reason when the method is refused for the family. A paired
    difference (champion/challenger) is a bootstrap statistic whatever the metric: ``auto``
    is the percentile interval there (calibrated at its margin in the audit). For other
    bootstrap metrics ``auto`` is BCa below :data:`PERCENTILE_MIN_UNITS` units and the
    percentile interval from there on, where both were measured within the level and the
    percentile interval saves BCa's jackknife (0.1-0.2 s at 100,000 rows).
    """
    if paired:
        if requested == CLOPPER_PEARSON:
            raise ValueError("clopper_pearson bounds one proportion, not a paired difference")
        return PERCENTILE if requested == AUTO else requested
    if fam == PROPORTION:
        if requested in (AUTO, CLOPPER_PEARSON):
            return CLOPPER_PEARSON
        raise ValueError(
            f"{requested} is refused for proportions: the bootstrap collapses to a point when "
            "the sample share is 0 or 1 and under-covers near them (gate false pass 18.6% for "
            "a recall of 0.92 on 20 positives); use 'auto' (Clopper-Pearson)"
        )
    if requested == CLOPPER_PEARSON:
        raise ValueError("clopper_pearson applies to proportions (rates, accuracy) only")
    if requested == AUTO:
        return PERCENTILE if units is not None and units >= PERCENTILE_MIN_UNITS else BCA
    return requested


def clopper_pearson(
    successes: float, trials: float, confidence: float
) -> tuple[float | None, float | None]:
    """The exact (Clopper-Pearson) two-sided interval of a binomial proportion.

    ``low = Beta(alpha/2; x, n - x + 1)`` (0 when x = 0) and ``high = Beta(1 - alpha/2;
    x + 1, n - x)`` (1 when x = n): the inversion of two one-sided binomial tests, so each
    side errs with probability at most ``alpha / 2`` whatever the true proportion. Non-integer
    counts (Kish's effective denominator under weights) use the same Beta quantiles. None, None
    when there are no trials.

    >>> [round(v, 4) for v in clopper_pearson(1, 1, 0.95)]
    [0.025, 1.0]
    """
    from scipy.special import betaincinv

    if not trials > 0:
        return None, None
    x = min(max(float(successes), 0.0), float(trials))
    n = float(trials)
    alpha = 1.0 - confidence
    low = 0.0 if x <= 0 else float(betaincinv(x, n - x + 1.0, alpha / 2.0))
    high = 1.0 if x >= n else float(betaincinv(x + 1.0, n - x, 1.0 - alpha / 2.0))
    return low, high


def expanded_confidence(confidence: float, units: float) -> float:
    """Hesterberg's small-sample expansion of a bootstrap interval's level.

    The bootstrap's spread is the plug-in (divide-by-n) one, and its tails are normal ones;
    for a mean the exact small-sample interval uses ``sqrt(n / (n - 1)) * t_{n-1}``. The
    returned level makes the normal quantile equal that: ``1 - 2 * Phi(-sqrt(m/(m-1)) *
    t_{m-1, 1-alpha/2})``. At 100 units 0.95 becomes 0.9547, at 30 units 0.9625; at 5,000
    it is 0.95005.

    >>> round(expanded_confidence(0.95, 30), 4)
    0.9625
    """
    from scipy.special import ndtr
    from scipy.stats import t as student

    m = float(units)
    if not m > 2:
        return confidence
    tail = (1.0 - confidence) / 2.0
    z = math.sqrt(m / (m - 1.0)) * float(student.ppf(1.0 - tail, m - 1.0))
    return float(1.0 - 2.0 * ndtr(-z))


def denominator_units(
    name: str,
    registered: bool,
    y_true: np.ndarray,
    y: np.ndarray | None,
    pos_label: Any,
    task: str,
    count: np.ndarray | None = None,
) -> tuple[int, str]:
    """``(units, what)``: how many units the metric's figure divides by.

    Proportions: the rows of their denominator cells (positives for recall and the
    true-positive/false-negative rates, negatives for the false-positive/true-negative rates,
    predicted positives for precision, rows for accuracy and selection rate). ROC AUC and
    balanced accuracy: the smaller class; average precision: the positives; F1: the rows that
    are positive or predicted positive; anything else: the rows. ``count``: how many rows each
    entry stands for (an engine table's group-by cells), one each when None.
    """
    tally = _tally(count)
    n = tally(np.ones(len(y_true), dtype=bool))
    if not registered or task == "regression":
        return n, "rows"
    truth = np.asarray(y_true) == pos_label
    if name in ("roc_auc", "balanced_accuracy") and task == "binary":
        pos = tally(truth)
        return min(pos, n - pos), "rows of the smaller class"
    if name == "average_precision":
        return tally(truth), "positives"
    if y is None or np.asarray(y).ndim != 1:
        return n, "rows"
    pred = np.asarray(y) == pos_label
    if name in ("recall", "true_positive_rate", "false_negative_rate"):
        return tally(truth), "positives"
    if name in ("false_positive_rate", "true_negative_rate"):
        return tally(~truth), "negatives"
    if name == "precision":
        return tally(pred), "predicted positives"
    if name == "f1":
        return tally(truth | pred), "positive or predicted positive rows"
    return n, "rows"


def _tally(count: np.ndarray | None) -> Callable[[np.ndarray], int]:
    """Rows under a mask: its True entries, or their ``count``s."""
    if count is None:
        return lambda mask: int(np.count_nonzero(mask))
    return lambda mask: int(count[mask].sum())


def proportion_counts(
    name: str,
    y_true: np.ndarray,
    y: np.ndarray,
    pos_label: Any,
    weight: np.ndarray | None,
    *,
    count: np.ndarray | None = None,
    weight2: np.ndarray | None = None,
) -> tuple[float, float]:
    """``(successes, trials)`` of a proportion metric; with weights, Kish's effective trials
    ``(sum w)**2 / sum w**2`` and the weighted share of them. An engine table's group-by
    cells give ``count`` (rows per cell) and, weighted, ``weight`` and ``weight2`` (the sums
    of the weights and of their squares per cell)."""
    truth = np.asarray(y_true) == pos_label
    if name == "accuracy":
        hit = np.asarray(y_true) == np.asarray(y)
        inside = np.ones(len(hit), dtype=bool)
    else:
        pred = np.asarray(y) == pos_label
        inside, hit = {
            "precision": (pred, truth),
            "recall": (truth, pred),
            "true_positive_rate": (truth, pred),
            "false_negative_rate": (truth, ~pred),
            "false_positive_rate": (~truth, pred),
            "true_negative_rate": (~truth, ~pred),
            "selection_rate": (np.ones(len(truth), dtype=bool), pred),
        }[name]
    if weight is None:
        tally = _tally(count)
        return float(tally(inside & hit)), float(tally(inside))
    w = np.asarray(weight, dtype=np.float64)[inside]
    squares = float(np.sum(w * w)) if weight2 is None else float(weight2[inside].sum())
    total = float(w.sum())
    if not total > 0 or not squares > 0:
        return 0.0, 0.0
    effective = total * total / squares
    share = float(w[hit[inside]].sum()) / total
    return share * effective, effective
