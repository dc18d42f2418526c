"""A metric's value on the rows, or why it is undefined, and its interval.

Point values come from the metric registry (scikit-learn's definitions). With
``confidence=`` the interval is Clopper-Pearson for proportions, else a seeded, vectorised
bootstrap (percentile or BCa, :mod:`pytest_mlgate.stats.intervals` decides); the
:class:`Estimate` records the method actually used. A figure that is undefined on the data
(ROC AUC with one class, a rate with a zero denominator) has no value, never 0.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ...errors import MlgateInputError
from ...metrics import BINARY, REGRESSION, SCORES, Metric, handled_warnings, is_registered
from ...text import figure, number, plural
from ..engine_targets import CountedTargets
from ..targets import Targets, as_array, check_task, check_values

if TYPE_CHECKING:
    import numpy as np

#: scikit-learn's words for a figure that is undefined on the data (not malformed input)
UNDEFINED_MARKERS = ("one class", "only one label", "not defined", "zero_division", "ill-defined")


class Estimate:
    """A metric's value on one set of targets, its interval and what both rest on."""

    def __init__(self, data: Targets, m: Metric) -> None:
        self.n = data.n
        self.task = data.task
        self.inferred = data.inferred
        self.metric = m.name
        self.direction = m.direction
        self.pos_label = data.pos_label if data.task != REGRESSION else None
        self.value: float | None = None
        self.low: float | None = None
        self.high: float | None = None
        self.confidence: float | None = None
        self.n_boot: int | None = None
        self.ci_method: str | None = None  # the method that gave the interval
        self.defined: int | None = None
        self.undefined_reason: str | None = None
        self.units: int | None = None  # what the figure divides by (min_size counts them)
        self.units_what = "rows"
        self.interval_problem: str | None = None  # why there is no interval
        self.interval_note: str | None = None
        try:  # which data the figure describes (shown beside it in the model card)
            self.fingerprint: str | None = data.fingerprint(m)
            self.predictions_fingerprint: str | None = data.predictions_fingerprint(m)
            used = data.values_for(m)
            self.predictions_kind: str | None = (
                "scores" if used is not None and used is data.y_score else "labels"
            )
        except MlgateInputError:
            self.fingerprint = self.predictions_fingerprint = self.predictions_kind = None
        self.rows_fingerprint = data.rows_fingerprint()

    def interval(self) -> list[float] | None:
        if self.low is None or self.high is None:
            return None
        return [self.low, self.high]

    def bounds(self, confidence: float | None) -> tuple[float, float]:
        """What the verdict compares: the interval with ``confidence``, else the value."""
        assert self.value is not None
        if confidence is None or self.low is None or self.high is None:
            return self.value, self.value
        return self.low, self.high

    def size_text(self) -> str:
        """``1,000 rows``, and what the figure divides by when that is fewer (``3 positives``)."""
        rows = plural(self.n, "row")
        if self.units is None or self.units == self.n:
            return rows
        what = self.units_what
        if self.units == 1:  # one positive, one negative, one row of the smaller class
            what = what.replace("positives", "positive").replace("negatives", "negative")
            what = what.replace("rows", "row", 1)
        return f"{rows} ({self.units:,} {what})"

    def interval_text(self) -> str:
        if self.low is None or self.high is None or self.confidence is None:
            return ""
        level = number(round(self.confidence * 100, 10))
        return f" ({level}% CI {figure(self.low)} to {figure(self.high)})"

    def details(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "metric": self.metric,
            "direction": self.direction,
            "n": self.n,
            "task": self.task,
            "task_inferred": self.inferred,
            "data_fingerprint": self.fingerprint,
            "rows_fingerprint": self.rows_fingerprint,
            "predictions_fingerprint": self.predictions_fingerprint,
            "predictions_kind": self.predictions_kind,
        }
        if self.pos_label is not None:
            out["pos_label"] = self.pos_label
        if self.units is not None:
            out.update(denominator=self.units, denominator_counts=self.units_what)
        if self.confidence is not None:
            out.update(
                confidence=self.confidence,
                n_boot=self.n_boot,
                ci_method=self.ci_method,
                defined_resamples=self.defined,
            )
            if self.interval_note:
                out["interval_note"] = self.interval_note
        if self.undefined_reason:
            out["undefined"] = self.undefined_reason
        return out

    def undefined_message(self) -> str:
        return (
            f"{self.metric} is undefined on these {plural(self.n, 'row')}: "
            f"{self.undefined_reason}. It is not turned into 0; collect more data or choose "
            "another metric."
        )

    def no_interval_message(self) -> str:
        if self.interval_problem:
            return f"{self.metric} = {figure(self.value)}, but {self.interval_problem}"
        return (
            f"{self.metric} = {figure(self.value)}, but no bootstrap resample gave a defined "
            "value, so there is no interval. Collect more data."
        )


def estimate(
    data: Targets,
    m: Metric,
    confidence: float | None,
    n_boot: int,
    ci_method: str,
    seed: np.random.SeedSequence,
) -> Estimate:
    """The metric on all rows and, with ``confidence``, its interval."""
    import numpy as np

    from ...stats import intervals as iv
    from ...stats.bootstrap import bootstrap_values, jackknife_values
    from ...stats.intervals import interval
    from ...stats.metric_statistics import statistic_for

    check_task(data, m)
    y = data.values_for(m)
    counted = isinstance(data, CountedTargets)
    if not counted:
        check_values(data, m, y)
    est = Estimate(data, m)
    registered = is_registered(m)
    if isinstance(data, CountedTargets):  # an engine table's cells or sums
        est.value, est.undefined_reason = (
            data.regression_value(m.name) if data.task == REGRESSION else point(data, m, y)
        )
        est.units, est.units_what = data.units(m.name)
    else:
        est.value, est.undefined_reason = point(data, m, y)
        est.units, est.units_what = iv.denominator_units(
            m.name, registered, data.y_true, y, data.pos_label, data.task
        )
    if est.value is None or confidence is None:
        return est
    try:
        method = iv.resolve_method(ci_method, iv.family(m.name, registered), units=est.units)
    except ValueError as exc:
        raise MlgateInputError("ci_method", f"{exc}.") from exc
    if isinstance(data, CountedTargets) and method != iv.CLOPPER_PEARSON:
        data.require_rows(f"a bootstrap interval of {m.name} (confidence=)")
    est.confidence, est.n_boot = confidence, n_boot
    if method == iv.CLOPPER_PEARSON:
        x, trials = (
            data.proportion(m.name)
            if isinstance(data, CountedTargets)
            else iv.proportion_counts(m.name, data.y_true, y, data.pos_label, data.weight)
        )
        est.low, est.high = iv.clopper_pearson(x, trials, confidence)
        est.ci_method = method if est.low is not None else None
        est.n_boot = None
        est.interval_note = (
            f"exact binomial interval on {est.units:,} {est.units_what}"
            if not data.weighted
            else f"binomial interval on Kish's effective denominator "
            f"{number(round(trials, 1))} (weighted)"
        )
        return est
    if method == iv.PERCENTILE and est.units < iv.PERCENTILE_MIN_UNITS:
        est.interval_problem = (
            f"the percentile bootstrap is refused on {est.units:,} {est.units_what} (it needs "
            f"{iv.PERCENTILE_MIN_UNITS:,}: below that it under-covers). Use ci_method='auto' "
            "(BCa with a small-sample expansion there), or collect more data."
        )
        return est
    level = iv.expanded_confidence(confidence, est.units) if method == iv.BCA else confidence
    stat = statistic_for(m, data.y_true, y, sample_weight=data.weight, pos_label=data.pos_label)
    boot_seed, jack_seed = seed.spawn(2)
    values = bootstrap_values(stat, n_boot, boot_seed)
    finite = values[np.isfinite(values)]
    if finite.size and finite.min() == finite.max():
        est.defined = int(finite.size)
        est.interval_problem = (
            f"every one of the {finite.size:,} defined bootstrap resamples gives "
            f"{figure(float(finite[0]))}, so the bootstrap cannot bound it (a perfect or "
            "constant figure on few rows often means leakage). Collect more data."
        )
        return est
    jack = jackknife_values(stat, jack_seed) if method == iv.BCA else None
    ci = interval(values, level, method=method, estimate=est.value, jackknife=jack)
    est.low, est.high, est.defined = ci.low, ci.high, ci.defined
    est.ci_method = ci.method if ci.low is not None else None
    if level != confidence:
        est.interval_note = (
            f"BCa at level {figure(level)} instead of {number(confidence)}: small-sample "
            f"expansion for {est.units:,} {est.units_what}"
        )
    return est


def compare(
    data: Targets,
    other: Any,
    m: Metric,
    confidence: float | None,
    n_boot: int,
    ci_method: str,
    seed: np.random.SeedSequence,
) -> Estimate:
    """Paired estimate of ``sign * (mine - other)`` on the same rows (``sign`` makes a
    positive difference a better model)."""
    import numpy as np

    from ...stats import intervals as iv
    from ...stats.bootstrap import DifferenceStatistic, bootstrap_values, jackknife_values
    from ...stats.intervals import interval
    from ...stats.metric_statistics import statistic_for

    check_task(data, m)
    data.require_rows(f"comparing {m.name} with another model's predictions")
    mine = data.values_for(m)
    theirs = as_array(other, "other", length=data.n, allow_2d=mine.ndim == 2)
    if m.needs == SCORES:
        if theirs.dtype.kind not in "biuf":
            raise MlgateInputError("other", f"must hold scores (numbers), got {theirs.dtype}.")
        theirs = theirs.astype(np.float64)
    check_values(data, m, mine)
    check_values(data, m, theirs, argument="other")
    est = Estimate(data, m)
    est.metric = f"{m.name} difference"
    a, why_a = point(data, m, mine)
    b, why_b = point(data, m, theirs)
    if a is None or b is None:
        est.undefined_reason = why_a or why_b
        return est
    sign = 1.0 if m.greater_is_better else -1.0
    est.value = sign * (a - b)
    if confidence is None:
        return est
    kw = {"sample_weight": data.weight, "pos_label": data.pos_label}
    stat = DifferenceStatistic(
        statistic_for(m, data.y_true, mine, **kw),
        statistic_for(m, data.y_true, theirs, **kw),
        sign,
    )
    try:
        method = iv.resolve_method(ci_method, iv.BOOTSTRAP, paired=True)
    except ValueError as exc:
        raise MlgateInputError("ci_method", f"{exc}.") from exc
    boot_seed, jack_seed = seed.spawn(2)
    values = bootstrap_values(stat, n_boot, boot_seed)
    jack = jackknife_values(stat, jack_seed) if method == iv.BCA else None
    ci = interval(values, confidence, method=method, estimate=est.value, jackknife=jack)
    est.low, est.high = ci.low, ci.high
    est.confidence, est.n_boot, est.defined = confidence, n_boot, ci.defined
    est.ci_method = ci.method if ci.low is not None else None
    return est


def point(data: Targets, m: Metric, y: np.ndarray) -> tuple[float | None, str | None]:
    """The metric on all rows, or None and the reason it is undefined."""
    import numpy as np

    if data.weight is not None and not data.weight.sum() > 0:
        return None, "the sample weights sum to 0"
    if m.needs == SCORES and data.task == BINARY and is_registered(m):
        positive = data.y_true == data.pos_label
        counted = data.weight is None or data.weight > 0
        n_pos = int(np.count_nonzero(positive & counted))
        n_neg = int(np.count_nonzero(~positive & counted))
        if m.name in ("roc_auc", "average_precision") and (n_pos == 0 or n_neg == 0):
            which = "positive" if n_pos == 0 else "negative"
            return None, f"y_true has no {which} rows (one class only)"
    undefined = undefined_regression(data, m)
    if undefined is not None:
        return None, undefined
    with handled_warnings(m):
        try:
            value = m.compute(data.y_true, y, sample_weight=data.weight, pos_label=data.pos_label)
        except ValueError as exc:
            text = str(exc).rstrip(".")
            if is_registered(m) and any(s in text.lower() for s in UNDEFINED_MARKERS):
                return None, text  # undefined on these data (one class, no positives, ...)
            raise MlgateInputError("metric", f"{m.name} raised ValueError: {text}.") from exc
        except ZeroDivisionError:
            return None, "a zero denominator"
    try:
        value = float(value)
    except (TypeError, ValueError) as exc:
        raise MlgateInputError("metric", f"{m.name} returned {value!r}, not a number.") from exc
    if not math.isfinite(value):
        return None, "a zero denominator (e.g. no positives, or no predicted positives)"
    return value, None


def undefined_regression(data: Targets, m: Metric) -> str | None:
    """Why MAPE or R² is undefined on these rows (scikit-learn returns a huge number or 0.0
    there instead), or None."""
    import numpy as np

    if not is_registered(m) or m.name not in ("mape", "r2"):
        return None
    truth = np.asarray(data.y_true)
    if truth.dtype.kind not in "biuf":
        return None
    if data.weight is not None:
        truth = truth[data.weight > 0]
    if m.name == "mape":
        zeros = int(np.count_nonzero(truth == 0))
        if zeros:
            return (
                f"y_true holds {plural(zeros, 'zero value')}, and MAPE divides by |y_true| "
                "(use mae, or drop those rows)"
            )
        return None
    if truth.size and bool((truth == truth[0]).all()):
        return "y_true is constant, and R² divides by its variance"
    return None
