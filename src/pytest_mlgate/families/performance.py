"""``mlgate.performance``: checks on one set of predictions (bands, baselines,
champion/challenger, slices).

Point estimates come from the metric registry (scikit-learn's definitions); with
``confidence=`` the interval's unfavourable bound decides. A figure that is undefined on the
data (ROC AUC with one class, a rate with a zero denominator) is ``insufficient``; malformed
input is ``error``. The computations live in :mod:`pytest_mlgate.checks.performance`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..checks.bands import band, band_title, is_number, metric_label
from ..checks.engine_targets import engine_targets, frame_columns
from ..checks.performance.arguments import regression_rules, rules_text
from ..checks.performance.baseline import BaselineFlow, regression_outcome
from ..checks.performance.slices import slices_outcome
from ..checks.performance.verdicts import band_outcome, challenger_outcome
from ..checks.targets import Targets, check_targets
from ..recording import Family, guard_checks
from ..tables.engines import engine_of
from ..text import number

if TYPE_CHECKING:
    from ..recording import Recorder
    from ..results import CheckResult

CATEGORY = "performance"
#: where baselines are read when the gate runs outside pytest (no baseline_dir setting)
DEFAULT_BASELINE_DIR = "mlgate-baselines"


@guard_checks(CATEGORY)
class PerformanceChecks(Family):
    """Performance checks bound to one set of predictions (what ``mlgate.performance``
    returns).

    >>> perf = mlgate.performance(y, y_pred=pred, y_score=score)     # doctest: +SKIP
    >>> perf.expect("roc_auc", min=0.85, confidence=0.95)            # doctest: +SKIP
    >>> perf.expect_no_regression("roc_auc", baseline="credit", max_drop=0.01)  # doctest: +SKIP
    >>> perf.by(test["sex"], min_size=30).expect("recall", min=0.6)   # doctest: +SKIP
    """

    category = CATEGORY

    def __init__(
        self,
        recorder: Recorder,
        y_true: Any,
        y_pred: Any = None,
        y_score: Any = None,
        *,
        name: str = "performance",
        task: str = "auto",
        sample_weight: Any = None,
        pos_label: Any = None,
        target: str | None = None,
    ) -> None:
        super().__init__(recorder, name)
        self._data: Targets | None = None
        try:
            engine = engine_of(y_true)
            if engine is None and target is not None:  # a pandas table and column names
                named = {"y_pred": y_pred, "y_score": y_score, "sample_weight": sample_weight}
                y_true, named = frame_columns(y_true, target, named)
                y_pred, y_score = named["y_pred"], named["y_score"]
                sample_weight = named["sample_weight"]
            if engine is None:
                self._data = check_targets(y_true, y_pred, y_score, task, sample_weight, pos_label)
            else:  # an engine table: the other arguments name its columns
                self._data, source = engine_targets(
                    y_true, engine, target, y_pred, y_score, task, sample_weight, pos_label
                )
                recorder.use_dataset(name, "evaluation", source.table.dataset())
        except Exception as exc:  # unusable input of any kind: one error result
            self.unusable("performance", "usable predictions", exc)

    @property
    def task(self) -> str | None:
        """The task: given, or inferred from the labels (None when the input was unusable)."""
        return None if self._data is None else self._data.task

    def _targets(self) -> Targets:
        """The validated targets (a check runs only when the factory's input was usable)."""
        assert self._data is not None, self._problem
        return self._data

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
        """The metric lies within ``min``/``max``; with ``confidence=``, its interval's
        unfavourable bound does (``details["ci_method"]`` names the interval's method).

        >>> perf.expect("roc_auc", min=0.80)                      # doctest: +SKIP
        >>> perf.expect("recall", min=0.60, confidence=0.95)      # doctest: +SKIP
        >>> perf.expect("log_loss", max=0.35)                     # doctest: +SKIP
        """
        seed = self.seed()
        return self._record(
            band_title(metric_label(metric), min, max),
            band(min, max),
            lambda: band_outcome(
                self._targets(),
                metric,
                min,
                max,
                confidence,
                n_boot,
                ci_method,
                greater_is_better,
                seed,
            ),
            severity,
            on_insufficient,
        )

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
        rules = regression_rules(max_drop, max_relative_drop, min_gain)
        title = (
            f"{metric_label(metric)} no regression vs {baseline} ({rules_text(rules) or 'no rule'})"
        )
        settings = self._recorder.settings
        flow = BaselineFlow(
            directory=settings.baseline_dir or Path.cwd() / DEFAULT_BASELINE_DIR,
            root=settings.rootdir or Path.cwd(),
            update=settings.update_baselines,
            force=settings.force_baselines,
            severity=severity or settings.default_severity,
        )
        if flow.update:
            # not judged in an update run: never recorded as passed (see baselines.decide_updates)
            on_insufficient = "warn"
        seed = self.seed()
        return self._record(
            title,
            {"baseline_name": baseline, **rules},
            lambda: regression_outcome(
                self._targets(),
                self.name,
                metric,
                baseline,
                rules,
                confidence,
                n_boot,
                ci_method,
                greater_is_better,
                flow,
                seed,
            ),
            severity,
            on_insufficient,
        )

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
        superiority = is_number(margin) and margin == 0
        threshold = {
            "margin": margin,
            "min": (-margin or 0) if is_number(margin) else margin,
            "test": "superiority" if superiority else "non-inferiority",
        }
        label = metric_label(metric)
        title = (
            f"{label} better than {other_name} (superiority: margin 0)"
            if superiority
            else f"{label} not worse than {other_name} (margin {number(margin)})"
        )
        seed = self.seed()
        return self._record(
            title,
            threshold,
            lambda: challenger_outcome(
                self._targets(),
                other,
                metric,
                margin,
                confidence,
                n_boot,
                ci_method,
                other_name,
                greater_is_better,
                seed,
            ),
            severity,
            on_insufficient,
        )

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
        seed = parent.seed()
        return parent._record(
            band_title(metric_label(metric), min, max) + " in every slice",
            {**band(min, max), "min_size": self._min_size},
            lambda: slices_outcome(
                parent._targets(),
                self._slices,
                self._min_size,
                metric,
                min,
                max,
                confidence,
                n_boot,
                ci_method,
                greater_is_better,
                seed,
            ),
            severity,
            on_insufficient,
        )
