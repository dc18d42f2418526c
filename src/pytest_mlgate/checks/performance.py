"""Performance checks on one set of predictions: bands, baselines, champion/challenger, slices.

Point estimates come from the metric registry (scikit-learn's definitions); with
``confidence=`` a seeded, vectorised bootstrap gives the interval and the verdict uses its
unfavourable bound. A figure that is undefined on the data (ROC AUC with one class, a rate with
a zero denominator) is ``insufficient``; malformed input is ``error``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import MlgateInputError, describe
from ..metrics import (
    BINARY,
    MULTICLASS,
    REGRESSION,
    SCORES,
    Metric,
    handled_warnings,
    is_registered,
    resolve,
)
from ..recording import guard_checks
from ..results import CheckResult, Outcome, short_number
from .targets import Targets, as_array, check_targets

if TYPE_CHECKING:
    import numpy as np

    from ..recording import Recorder
    from ..session import Settings

CATEGORY = "performance"
PROBABILITY_METRICS = ("log_loss", "brier")
DEFAULT_BASELINE_DIR = "mlgate-baselines"


@guard_checks(CATEGORY)
class PerformanceChecks:
    """Performance checks bound to one set of predictions (what ``mlgate.performance``
    returns).

    >>> perf = mlgate.performance(y, y_pred=pred, y_score=score)     # doctest: +SKIP
    >>> perf.expect("roc_auc", min=0.85, confidence=0.95)            # doctest: +SKIP
    >>> perf.expect_no_regression("roc_auc", baseline="credit", max_drop=0.01)  # doctest: +SKIP
    >>> perf.by(test["sex"], min_size=30).expect("recall", min=0.6)   # doctest: +SKIP
    """

    def __init__(
        self,
        recorder: Recorder,
        settings: Settings | None,
        y_true: Any,
        y_pred: Any = None,
        y_score: Any = None,
        *,
        name: str = "performance",
        task: str = "auto",
        sample_weight: Any = None,
        pos_label: Any = None,
    ) -> None:
        self._recorder = recorder
        self._settings = settings
        self.name = name
        self._problem: str | None = None
        try:
            self._data = check_targets(y_true, y_pred, y_score, task, sample_weight, pos_label)
        except Exception as exc:  # unusable input of any kind: one error result
            self._problem = f"mlgate.performance({name!r}): {describe(exc)}"
            recorder.input_error(CATEGORY, name, "usable predictions", self._problem)

    @property
    def task(self) -> str | None:
        """The task: given, or inferred from the labels (None when the input was unusable)."""
        return None if self._problem else self._data.task

    # -- plumbing -------------------------------------------------------------------------

    def _run(
        self,
        name: str,
        threshold: dict[str, Any],
        compute: Callable[[np.random.SeedSequence], Outcome],
        severity: str | None,
        on_insufficient: str,
    ) -> CheckResult:
        if self._problem is not None:
            return self._recorder.error(CATEGORY, self.name, name, threshold, self._problem)
        import numpy as np

        seed = np.random.SeedSequence(self._recorder.seed_words())
        return self._recorder.run(
            CATEGORY,
            self.name,
            name,
            threshold,
            lambda: compute(seed),
            severity=severity,
            on_insufficient=on_insufficient,
        )

    # -- checks ---------------------------------------------------------------------------

    def expect(
        self,
        metric: str | Callable[..., float],
        *,
        min: float | None = None,
        max: float | None = None,
        confidence: float | None = None,
        n_boot: int = 1000,
        ci_method: str = "auto",
        greater_is_better: bool | None = None,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """The metric lies within ``min``/``max``; with ``confidence=``, its bootstrap
        interval's unfavourable bound does.

        >>> perf.expect("roc_auc", min=0.80)                      # doctest: +SKIP
        >>> perf.expect("recall", min=0.60, confidence=0.95)      # doctest: +SKIP
        >>> perf.expect("log_loss", max=0.35)                     # doctest: +SKIP
        """
        label = _metric_label(metric)
        threshold = _band(min, max)
        title = _band_title(label, min, max)

        def compute(seed: np.random.SeedSequence) -> Outcome:
            _check_band(min, max)
            _check_ci(confidence, n_boot, ci_method)
            given = _band_direction(metric, greater_is_better, min, max)
            band_only = callable(metric) and given is None  # both bounds: no side to favour
            m = resolve(metric, greater_is_better=True if band_only else given)
            est = _estimate(self._data, m, confidence, n_boot, ci_method, seed)
            details = est.details()
            if band_only:
                details["direction"] = "not needed (a band)"
            if est.value is None:
                return Outcome(None, None, est.undefined_message(), details)
            if confidence is not None and est.low is None:
                return Outcome(None, est.value, est.no_interval_message(), details)
            low = est.low if confidence is not None else est.value
            high = est.high if confidence is not None else est.value
            failures = []
            if min is not None and low < min:
                failures.append(f"{'its lower bound ' if confidence else ''}{low:.4g} < {min:g}")
            if max is not None and high > max:
                failures.append(f"{'its upper bound ' if confidence else ''}{high:.4g} > {max:g}")
            message = f"{m.name} = {est.value:.4g}{est.interval_text()} on {est.size_text()}"
            message += (
                "; " + " and ".join(failures) + ". Improve the model or revisit the threshold."
                if failures
                else f", within {_band_text(min, max)}."
            )
            return Outcome(not failures, est.value, message, details, est.interval())

        return self._run(title, threshold, compute, severity, on_insufficient)

    def expect_no_regression(
        self,
        metric: str | Callable[..., float],
        *,
        baseline: str,
        max_drop: float | None = None,
        max_relative_drop: float | None = None,
        min_gain: float | None = None,
        confidence: float | None = None,
        n_boot: int = 1000,
        ci_method: str = "auto",
        greater_is_better: bool | None = None,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """Today's value has not dropped from the stored baseline by more than ``max_drop``
        (absolute) or ``max_relative_drop`` (relative); or, with ``min_gain``, improved by at
        least that much. ``pytest --mlgate-update-baselines`` stores today's value instead.

        >>> perf.expect_no_regression("roc_auc", baseline="credit", max_drop=0.01)  # doctest: +SKIP
        """
        label = _metric_label(metric)
        rules = {
            k: v
            for k, v in (
                ("max_drop", max_drop),
                ("max_relative_drop", max_relative_drop),
                ("min_gain", min_gain),
            )
            if v is not None
        }
        threshold: dict[str, Any] = {"baseline_name": baseline, **rules}
        rule_text = ", ".join(
            f"{k}={v:g}" if _is_number(v) else f"{k}={v!r}" for k, v in rules.items()
        )
        title = f"{label} no regression vs {baseline} ({rule_text or 'no rule'})"
        update = self._settings is not None and self._settings.update_baselines
        force = self._settings is not None and self._settings.force_baselines
        directory = (
            self._settings.baseline_dir
            if self._settings is not None
            else Path.cwd() / DEFAULT_BASELINE_DIR
        )
        root = self._settings.rootdir if self._settings is not None else Path.cwd()

        def compute(seed: np.random.SeedSequence) -> Outcome:
            from ..baselines import UPDATE_COMMAND, baseline_path, read_baseline
            from ..paths import display_path

            if len(rules) != 1:
                raise MlgateInputError(
                    "max_drop/max_relative_drop/min_gain",
                    f"give exactly one rule, got {len(rules) or 'none'}.",
                    "E.g. expect_no_regression('roc_auc', baseline='credit', max_drop=0.01).",
                )
            ((rule, limit),) = rules.items()
            if not _is_number(limit) or limit < 0:
                raise MlgateInputError(rule, f"must be a non-negative number, got {limit!r}.")
            path = baseline_path(directory, baseline)
            shown = display_path(path, root)
            _check_ci(confidence, n_boot, ci_method)
            m = resolve(
                metric,
                greater_is_better=greater_is_better,
                needed_for="to compare it with a baseline",
            )
            est = _estimate(self._data, m, confidence, n_boot, ci_method, seed)
            details = est.details()
            key = f"{self.name}.{m.name}"
            fingerprint = self._data.fingerprint(m)
            rows = self._data.rows_fingerprint()
            details.update(baseline_file=shown, key=key, fingerprint=fingerprint)
            out_threshold = dict(threshold)
            if est.value is None:
                return Outcome(
                    None, None, est.undefined_message(), details, threshold=out_threshold
                )
            stored = read_baseline(directory, baseline)
            entry = None if stored is None else stored.get(key)
            base = entry.get("value") if isinstance(entry, dict) else None
            if update:
                details["baseline_update"] = {
                    "baseline": baseline,
                    "key": key,
                    "value": est.value,
                    "fingerprint": fingerprint,
                    "rows_fingerprint": rows,
                    "n": est.n,
                    "old": base if _is_number(base) else None,
                    "old_commit": entry.get("commit") if isinstance(entry, dict) else None,
                    "greater_is_better": m.greater_is_better,
                    "severity": declared,
                }
            if not _is_number(base):
                where = f"{shown} does not exist" if stored is None else f"{shown} has no {key!r}"
                message = (
                    f"No baseline to compare with: {where}. Create it with "
                    f"`{UPDATE_COMMAND}`, review and commit the file."
                )
                if update:
                    return _update_outcome(details, False, message, est, out_threshold, force)
                return Outcome(False, est.value, message, details, est.interval(), out_threshold)
            out_threshold["baseline"] = base
            details["baseline_fingerprint"] = entry.get("fingerprint")
            details["baseline_commit"] = entry.get("commit")
            details["fingerprint_changed"] = entry.get("fingerprint") not in (None, fingerprint)
            # "the data changed" compares the evaluation rows only: a new model changes the
            # predictions, and with them the combined fingerprint, on the very same rows
            stored_rows = entry.get("rows_fingerprint")
            changed = stored_rows not in (None, rows)
            details["baseline_rows_fingerprint"] = stored_rows
            details["rows_changed"] = changed if stored_rows is not None else None
            today = est.value
            if confidence is not None:
                if est.low is None:
                    return Outcome(
                        None, est.value, est.no_interval_message(), details, threshold=out_threshold
                    )
                today = est.low if m.greater_is_better else est.high
            gain = (today - base) if m.greater_is_better else (base - today)
            details["change"] = gain
            if rule == "max_drop":
                ok = gain >= -limit
                verdict = f"a drop of at most {limit:g} is allowed"
            elif rule == "min_gain":
                ok = gain >= limit
                verdict = f"a gain of at least {limit:g} is required"
            elif base == 0:
                ok = gain >= 0
                details["relative_change"] = None
                verdict = (
                    "the baseline is 0, so a relative drop is undefined (not divided by): "
                    "no drop is allowed"
                )
            else:
                relative = gain / abs(base)
                details["relative_change"] = relative
                ok = relative >= -limit
                verdict = (
                    f"relative change {relative:+.2%}; a relative drop of at most "
                    f"{limit:.2%} is allowed"
                )
            bound = "" if confidence is None else f" (unfavourable bound {today:.4g})"
            if gain > 0:
                moved = f"better by {gain:.4g}"
            elif gain < 0:
                moved = f"worse by {-gain:.4g}"
            else:
                moved = "unchanged"
            message = (
                f"{m.name} = {est.value:.4g}{est.interval_text()}{bound} vs baseline "
                f"{base:.4g}: {moved}; {verdict}."
            )
            if not ok:
                message += " Find what regressed, or update the baseline if the drop is intended."
            if changed:
                message += (
                    " Note: the evaluation rows differ from the baseline's (their hash changed), "
                    "so the figures are not on the same data."
                )
            if update:
                return _update_outcome(details, ok, message, est, out_threshold, force, base)
            return Outcome(ok, est.value, message, details, est.interval(), out_threshold)

        declared = severity or self._recorder.settings.default_severity
        if update:
            # not judged in an update run: never recorded as passed (see baselines.decide_updates)
            on_insufficient = "warn"
        return self._run(title, threshold, compute, severity, on_insufficient)

    def expect_not_worse_than(
        self,
        other: Any,
        metric: str | Callable[..., float],
        *,
        margin: float = 0.0,
        confidence: float | None = 0.95,
        n_boot: int = 1000,
        ci_method: str = "auto",
        other_name: str = "champion",
        greater_is_better: bool | None = None,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """Champion/challenger on the same rows: this model's metric minus ``other``'s (scores
        or labels, as the metric needs), in the favourable direction, with a paired bootstrap
        interval.

        What is tested depends on ``margin``:

        - ``margin > 0`` is a **non-inferiority** test: it passes when the lower bound is
          ``>= -margin``, i.e. the data show this model loses at most ``margin``. An equally
          good model passes (with enough rows).
        - ``margin=0`` (the default) is a **superiority** test: it passes only when the lower
          bound is above 0, i.e. the data show this model is *better*. An equally good model
          fails about 97.5% of the time, and an identical one always fails.

        Choose the margin as the largest loss you would accept for the challenger's other
        benefits (cost, simplicity, a fairer model), on the metric's own scale (e.g. 0.005 of
        ROC AUC), before looking at the result.

        >>> perf.expect_not_worse_than(champion_score, "roc_auc", margin=0.005)  # doctest: +SKIP
        """
        label = _metric_label(metric)
        superiority = _is_number(margin) and margin == 0
        threshold = {
            "margin": margin,
            "min": (-margin or 0) if _is_number(margin) else margin,
            "test": "superiority" if superiority else "non-inferiority",
        }
        title = (
            f"{label} better than {other_name} (superiority: margin 0)"
            if superiority
            else f"{label} not worse than {other_name} (margin {margin})"
        )

        def compute(seed: np.random.SeedSequence) -> Outcome:
            if not _is_number(margin) or margin < 0:
                raise MlgateInputError("margin", f"must be a non-negative number, got {margin!r}.")
            _check_ci(confidence, n_boot, ci_method)
            m = resolve(
                metric,
                greater_is_better=greater_is_better,
                needed_for="to compare it with the other model",
            )
            est = _compare(self._data, other, m, confidence, n_boot, ci_method, seed)
            details = est.details()
            details["other"] = other_name
            details["margin"] = margin
            if est.value is None:
                return Outcome(None, None, est.undefined_message(), details)
            if confidence is not None and est.low is None:
                return Outcome(None, est.value, est.no_interval_message(), details)
            low = est.low if confidence is not None else est.value
            bound = "lower bound " if confidence else ""
            message = (
                f"{m.name} difference vs {other_name} = {est.value:+.4g}{est.interval_text()} "
                f"(positive = better) on {est.n:,} rows; "
            )
            if margin == 0:
                details["test"] = "superiority"
                ok = low > 0
                message += (
                    f"superiority test (margin 0): {bound}{low:+.4g} > 0, shown better."
                    if ok
                    else f"superiority test (margin 0): {bound}{low:+.4g} <= 0, not shown "
                    f"better than {other_name}. An equally good model fails this test; to "
                    "accept one that is not worse, pass margin= (the largest loss you accept)."
                )
            else:
                details["test"] = "non-inferiority"
                ok = low >= -margin
                message += (
                    f"non-inferiority test: {bound}{low:+.4g} >= {-margin:+g}."
                    if ok
                    else f"non-inferiority test: {bound}{low:+.4g} < {-margin:+g}: not shown "
                    f"to be at most {margin:g} worse than {other_name}. Keep the champion."
                )
            return Outcome(ok, est.value, message, details, est.interval())

        return self._run(title, threshold, compute, severity, on_insufficient)

    def by(self, slices: Any, *, min_size: int = 30) -> SlicedPerformance:
        """The same checks per slice (segment) of the rows; one result per ``expect`` call.

        >>> perf.by(test["region"], min_size=50).expect("accuracy", min=0.7)  # doctest: +SKIP
        """
        return SlicedPerformance(self, slices, min_size)


@guard_checks(CATEGORY)
class SlicedPerformance:
    """Checks applied to every slice: ``observed`` is the worst slice's value."""

    def __init__(self, parent: PerformanceChecks, slices: Any, min_size: int) -> None:
        self._parent = parent
        self._slices = slices
        self._min_size = min_size

    def expect(
        self,
        metric: str | Callable[..., float],
        *,
        min: float | None = None,
        max: float | None = None,
        confidence: float | None = None,
        n_boot: int = 1000,
        ci_method: str = "auto",
        greater_is_better: bool | None = None,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """Every slice's metric lies within ``min``/``max`` (its unfavourable bound with
        ``confidence=``); a slice with fewer than ``min_size`` units of the metric's
        denominator (positives for a recall, predicted positives for a precision, rows for
        an accuracy) is ``insufficient``.

        >>> perf.by(test["sex"]).expect("recall", min=0.6)   # doctest: +SKIP
        """
        parent = self._parent
        label = _metric_label(metric)
        threshold = {**_band(min, max), "min_size": self._min_size}
        title = _band_title(label, min, max) + " in every slice"

        def compute(seed: np.random.SeedSequence) -> Outcome:
            import numpy as np

            _check_band(min, max)
            _check_ci(confidence, n_boot, ci_method)
            if (
                isinstance(self._min_size, bool)
                or not isinstance(self._min_size, int)
                or (self._min_size < 1)
            ):
                raise MlgateInputError(
                    "min_size", f"must be a positive integer, got {self._min_size!r}."
                )
            from ..stats.intervals import denominator_units

            m = resolve(
                metric,
                greater_is_better=_band_direction(metric, greater_is_better, min, max),
                needed_for="to name the worst slice when both min= and max= are given",
            )
            data = parent._data
            labels, names = _slice_labels(self._slices, data.n)
            children = seed.spawn(len(names))
            table: dict[str, dict[str, Any]] = {}
            worst: float | None = None
            worst_name = None
            failed, thin = [], []
            y_all = data.values_for(m)
            for code, (slice_name, child) in enumerate(zip(names, children, strict=True)):
                rows = np.flatnonzero(labels == code)
                n = len(rows)
                units, what = denominator_units(
                    m.name,
                    is_registered(m),
                    data.y_true[rows],
                    y_all[rows],
                    data.pos_label,
                    data.task,
                )
                entry: dict[str, Any] = {
                    "value": None,
                    "n": n,
                    "denominator": units,
                    "status": "insufficient",
                }
                table[slice_name] = entry
                if units < self._min_size:
                    entry["reason"] = f"{units:,} {what}, under min_size={self._min_size}"
                    thin.append(slice_name)
                    continue
                est = _estimate(data.subset(rows), m, confidence, n_boot, ci_method, child)
                entry["value"] = est.value
                if confidence is not None:
                    entry["interval"] = est.interval()
                    entry["method"] = est.method
                if est.value is None or (confidence is not None and est.low is None):
                    entry["reason"] = (
                        est.undefined_reason or est.interval_problem or "no defined resample"
                    )
                    thin.append(slice_name)
                    continue
                low = est.low if confidence is not None else est.value
                high = est.high if confidence is not None else est.value
                bad = (min is not None and low < min) or (max is not None and high > max)
                entry["status"] = "failed" if bad else "passed"
                if bad:
                    failed.append(slice_name)
                value = est.value
                if worst is None or (value < worst if m.greater_is_better else value > worst):
                    worst, worst_name = value, slice_name
            details = {
                "metric": m.name,
                "direction": m.direction,
                "task": data.task,
                "n": data.n,
                "min_size": self._min_size,
                "slices": table,
                "worst_slice": worst_name,
                "failed": failed,
                "insufficient": thin,
            }
            if confidence is not None:
                details.update(confidence=confidence, n_boot=n_boot, method=ci_method)
                used = {e.get("method") for e in table.values() if e.get("method")}
                if len(used) == 1:
                    details["method"] = used.pop()
            sizes = ", ".join(f"{k} ({v['n']:,})" for k, v in list(table.items())[:6])
            if failed:
                shown = ", ".join(f"{k} = {_fmt(table[k]['value'])}" for k in failed[:5])
                message = (
                    f"{len(failed)} of {len(table)} slices miss {_band_text(min, max)} for "
                    f"{m.name}: {shown}. Investigate those segments."
                )
                if thin:
                    message += f" {len(thin)} slice(s) could not be judged: {', '.join(thin[:5])}."
                return Outcome(False, worst, message, details)
            if thin:
                message = (
                    f"{len(thin)} of {len(table)} slices cannot be judged for {m.name} "
                    f"(under min_size={self._min_size} units of the metric's denominator, or "
                    f"undefined): {', '.join(thin[:5])}. "
                    "Collect more data, merge slices or lower min_size."
                )
                # the worst slice is unknown while some cannot be judged: no number
                return Outcome(None, None, message, details)
            message = (
                f"All {len(table)} slices within {_band_text(min, max)} for {m.name}; worst "
                f"{worst_name} = {_fmt(worst)}. Slices: {sizes}."
            )
            return Outcome(True, worst, message, details)

        return self._parent._run(title, threshold, compute, severity, on_insufficient)


# -- data ---------------------------------------------------------------------------------


def _slice_labels(slices: Any, n: int) -> tuple[np.ndarray, list[str]]:
    import numpy as np
    import pandas as pd

    if isinstance(slices, pd.DataFrame):
        if slices.shape[1] == 0:
            raise MlgateInputError("slices", "has no columns.")
        frame = slices.reset_index(drop=True)
        text = [
            frame[c].astype(object).where(frame[c].notna(), "<missing>").astype(str)
            for c in frame.columns
        ]
        labels = pd.Series(
            [
                ", ".join(f"{c}={v}" for c, v in zip(frame.columns, row, strict=True))
                for row in zip(*text, strict=True)
            ]
        )
    else:
        if isinstance(slices, str | bytes) or np.isscalar(slices) or slices is None:
            raise MlgateInputError(
                "slices", f"must be an array of slice labels, got {type(slices).__name__}."
            )
        series = pd.Series(
            np.asarray(slices, dtype=object)
            if not isinstance(slices, pd.Series)
            else slices.to_numpy(dtype=object)
        )
        labels = series.where(series.notna(), "<missing>").astype(str)
    if len(labels) != n:
        raise MlgateInputError(
            "slices",
            f"has {len(labels):,} rows but y_true has {n:,}.",
            "Pass one slice label per row, in the same order.",
        )
    codes, uniques = pd.factorize(labels, sort=True)
    return codes, [str(u) for u in uniques]


# -- estimation ---------------------------------------------------------------------------


class _Estimate:
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
        self.method: str | None = None
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

    def size_text(self) -> str:
        """``1,000 rows``, and what the figure divides by when that is fewer (``3 positives``)."""
        rows = f"{self.n:,} rows"
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
        return f" ({self.confidence:.0%} CI {self.low:.4g} to {self.high:.4g})"

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
                method=self.method,
                defined_resamples=self.defined,
            )
            if self.interval_note:
                out["interval_note"] = self.interval_note
        if self.undefined_reason:
            out["undefined"] = self.undefined_reason
        return out

    def undefined_message(self) -> str:
        return (
            f"{self.metric} is undefined on these {self.n:,} rows: {self.undefined_reason}. "
            "It is not turned into 0; collect more data or choose another metric."
        )

    def no_interval_message(self) -> str:
        if self.interval_problem:
            return f"{self.metric} = {self.value:.4g}, but {self.interval_problem}"
        return (
            f"{self.metric} = {self.value:.4g}, but no bootstrap resample gave a defined value, "
            "so there is no interval. Collect more data."
        )


def _estimate(
    data: Targets,
    m: Metric,
    confidence: float | None,
    n_boot: int,
    ci_method: str,
    seed: np.random.SeedSequence,
) -> _Estimate:
    import numpy as np

    from ..stats import intervals as iv
    from ..stats.bootstrap import bootstrap_values, interval, jackknife_values
    from ..stats.metric_statistics import statistic_for

    _check_task(data, m)
    y = data.values_for(m)
    _check_values(data, m, y)
    est = _Estimate(data, m)
    est.value, est.undefined_reason = _point(data, m, y)
    registered = is_registered(m)
    est.units, est.units_what = iv.denominator_units(
        m.name, registered, data.y_true, y, data.pos_label, data.task
    )
    if est.value is None or confidence is None:
        return est
    try:
        method = iv.resolve_method(ci_method, iv.family(m.name, registered), units=est.units)
    except ValueError as exc:
        raise MlgateInputError("ci_method", f"{exc}.") from exc
    est.confidence, est.n_boot, est.method = confidence, n_boot, method
    if method == iv.CLOPPER_PEARSON:
        x, trials = iv.proportion_counts(m.name, data.y_true, y, data.pos_label, data.weight)
        est.low, est.high = iv.clopper_pearson(x, trials, confidence)
        est.n_boot = None
        est.interval_note = (
            f"exact binomial interval on {est.units:,} {est.units_what}"
            if data.weight is None
            else f"binomial interval on Kish's effective denominator {trials:.1f} (weighted)"
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
            f"{finite[0]:.4g}, so the bootstrap cannot bound it (a perfect or constant figure "
            "on few rows often means leakage). Collect more data."
        )
        return est
    jack = jackknife_values(stat, jack_seed) if method == iv.BCA else None
    ci = interval(values, level, method=method, estimate=est.value, jackknife=jack)
    est.low, est.high = ci.low, ci.high
    est.method, est.defined = ci.method, ci.defined
    if level != confidence:
        est.interval_note = (
            f"BCa at level {level:.4f} instead of {confidence:g}: small-sample expansion for "
            f"{est.units:,} {est.units_what}"
        )
    return est


def _compare(
    data: Targets,
    other: Any,
    m: Metric,
    confidence: float | None,
    n_boot: int,
    ci_method: str,
    seed: np.random.SeedSequence,
) -> _Estimate:
    """Paired estimate of ``sign * (mine - other)`` on the same rows."""
    import numpy as np

    from ..stats import intervals as iv
    from ..stats.bootstrap import (
        DifferenceStatistic,
        bootstrap_values,
        interval,
        jackknife_values,
    )
    from ..stats.metric_statistics import statistic_for

    _check_task(data, m)
    mine = data.values_for(m)
    theirs = as_array(other, "other", length=data.n, allow_2d=mine.ndim == 2)
    if m.needs == SCORES:
        if theirs.dtype.kind not in "biuf":
            raise MlgateInputError("other", f"must hold scores (numbers), got {theirs.dtype}.")
        theirs = theirs.astype(np.float64)
    _check_values(data, m, mine)
    _check_values(data, m, theirs, argument="other")
    est = _Estimate(data, m)
    est.metric = f"{m.name} difference"
    a, why_a = _point(data, m, mine)
    b, why_b = _point(data, m, theirs)
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
    est.confidence, est.n_boot, est.method, est.defined = confidence, n_boot, ci.method, ci.defined
    return est


#: scikit-learn's words for a figure that is undefined on the data (not malformed input)
UNDEFINED_MARKERS = ("one class", "only one label", "not defined", "zero_division", "ill-defined")


def _point(data: Targets, m: Metric, y: np.ndarray) -> tuple[float | None, str | None]:
    """The metric on all rows, or None and the reason it is undefined."""
    import numpy as np

    if data.weight is not None and not data.weight.sum() > 0:
        return None, "the sample weights sum to 0"
    if m.needs == SCORES and data.task == BINARY and is_registered(m):
        positive = data.y_true == data.pos_label
        n_pos = int(
            np.count_nonzero(positive if data.weight is None else positive & (data.weight > 0))
        )
        n_neg = int(
            np.count_nonzero(~positive if data.weight is None else ~positive & (data.weight > 0))
        )
        if m.name in ("roc_auc", "average_precision") and (n_pos == 0 or n_neg == 0):
            which = "positive" if n_pos == 0 else "negative"
            return None, f"y_true has no {which} rows (one class only)"
    if data.weight is not None and not data.weight.sum() > 0:
        return None, "the sample weights sum to 0"
    undefined = _undefined_regression(data, m)
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


def _undefined_regression(data: Targets, m: Metric) -> str | None:
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
                f"y_true holds {zeros:,} zero value{'s' if zeros > 1 else ''}, and MAPE "
                "divides by |y_true| (use mae, or drop those rows)"
            )
        return None
    if truth.size and bool((truth == truth[0]).all()):
        return "y_true is constant, and R² divides by its variance"
    return None


#: what a binary-only metric is called for several classes (scikit-learn's scorer names)
MULTICLASS_VARIANTS = {
    "roc_auc": "roc_auc_ovr or roc_auc_ovo (or their _weighted forms)",
    "f1": "f1_macro, f1_weighted or f1_micro",
    "precision": "precision_macro, precision_weighted or precision_micro",
    "recall": "recall_macro, recall_weighted or recall_micro",
}


def _check_task(data: Targets, m: Metric) -> None:
    if data.task not in m.tasks:
        how = "inferred" if data.inferred else "given"
        variant = MULTICLASS_VARIANTS.get(m.name) if data.task == "multiclass" else None
        raise MlgateInputError(
            "metric",
            f"{m.name} applies to {'/'.join(sorted(m.tasks))} tasks, but the task is "
            f"{data.task} ({how}).",
            f"For several classes use {variant}."
            if variant
            else "Choose a metric for this task, or pass task= to mlgate.performance.",
        )


def _check_values(data: Targets, m: Metric, y: np.ndarray, argument: str | None = None) -> None:
    import numpy as np

    outside = m.name in PROBABILITY_METRICS and is_registered(m)
    if outside and (y.dtype.kind not in "biuf" or (y < 0).any() or (y > 1).any()):
        bad = int(((y < 0) | (y > 1)).sum()) if y.dtype.kind in "biuf" else len(y)
        raise MlgateInputError(
            argument or "y_score",
            f"{m.name} needs probabilities in [0, 1]; {bad:,} value(s) fall outside.",
            "Pass predict_proba output, not decision_function or logits.",
        )
    if m.needs == SCORES and y.dtype.kind not in "biuf":
        raise MlgateInputError(argument or "y_score", f"must hold numbers, got {y.dtype}.")
    if data.task == MULTICLASS and m.needs == SCORES and y.ndim == 1 and is_registered(m):
        k = len(np.unique(np.asarray(data.y_true)))
        raise MlgateInputError(
            argument or "y_score",
            f"is one column, but y_true has {k} classes: {m.name} needs one probability "
            "column per class.",
            "Pass predict_proba(X) (rows x classes).",
        )
    if data.task == REGRESSION and y.dtype.kind not in "biuf":
        raise MlgateInputError(argument or "y_pred", "must hold numbers for a regression.")
    if data.task == REGRESSION and np.asarray(data.y_true).dtype.kind not in "biuf":
        raise MlgateInputError("y_true", "must hold numbers for a regression.")


# -- arguments and text -------------------------------------------------------------------


def _update_outcome(
    details: dict[str, Any],
    ok: bool,
    message: str,
    est: Any,
    threshold: dict[str, Any],
    force: bool,
    base: float | None = None,
) -> Outcome:
    """A regression check in an update run: the judgement against the committed baseline is
    kept in ``details`` for the controller. A new value that breaks the rule is refused here
    (the check fails as it would without the update); otherwise the result is "to be
    written, not judged" and the controller decides (baselines.decide_updates)."""
    update = details["baseline_update"]
    update["judged_ok"] = ok if base is not None else None
    update["judged_message"] = message
    if base is not None and not ok and not force:
        update["refused"] = "the new value breaks the check's rule against the committed baseline"
        return Outcome(
            False,
            est.value,
            message + " The baseline is not updated: a value worse than the rule allows is "
            "written only with --mlgate-update-baselines=force.",
            details,
            est.interval(),
            threshold,
        )
    old = "none" if base is None else f"{base:.6g}"
    return Outcome(
        None,
        est.value,
        f"Baseline update requested: {update['key']} {old} -> {est.value:.6g}; not judged in an "
        "update run. It is written at the end of the session unless the gate fails.",
        details,
        est.interval(),
        threshold,
    )


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _band_direction(metric: Any, greater_is_better: Any, low: Any, high: Any) -> bool | None:
    """A callable checked against one bound needs no ``greater_is_better=``: ``min=`` says
    higher values pass, ``max=`` that lower ones do. None when it cannot be told (both
    bounds, nothing given)."""
    if greater_is_better is not None or not callable(metric):
        return greater_is_better
    if low is not None and high is None:
        return True
    if high is not None and low is None:
        return False
    return None


def _check_band(low: Any, high: Any) -> None:
    if low is None and high is None:
        raise MlgateInputError("min/max", "give a bound: min=, max= or both.")
    for arg, value in (("min", low), ("max", high)):
        if value is not None and not _is_number(value):
            raise MlgateInputError(arg, f"must be a finite number, got {value!r}.")
    if low is not None and high is not None and low > high:
        raise MlgateInputError("min/max", f"min={low} is above max={high}.")


def _check_ci(confidence: Any, n_boot: Any, ci_method: Any) -> None:
    from ..stats.bootstrap import check_interval_args

    check_interval_args(confidence, n_boot, ci_method)


def _band(low: Any, high: Any) -> dict[str, Any]:
    out = {}
    if low is not None:
        out["min"] = low
    if high is not None:
        out["max"] = high
    return out


def _band_title(label: str, low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f"{low} <= {label} <= {high}"
    if low is not None:
        return f"{label} >= {low}"
    if high is not None:
        return f"{label} <= {high}"
    return label


def _band_text(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f"[{short_number(low)}, {short_number(high)}]"
    return f">= {short_number(low)}" if low is not None else f"<= {short_number(high)}"


def _metric_label(metric: Any) -> str:
    if isinstance(metric, str):
        return metric
    return getattr(metric, "__name__", "custom metric")


def _fmt(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.4g}"
