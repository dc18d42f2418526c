"""``mlgate.fairness(...)``: fairness checks across the groups of one or more sensitive
features. The computations are in ``checks/fairness``; this class names the checks, builds
their thresholds and records them."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from ..checks.bands import band_title, metric_label
from ..checks.engine_targets import frame_columns
from ..checks.fairness import compute
from ..checks.fairness.engine import prepare_engine
from ..checks.fairness.inputs import Groups, prepare
from ..checks.fairness.resampling import DisparityRule
from ..errors import MlgateInputError
from ..recording import Family, guard_checks
from ..results import CheckResult, Outcome
from ..tables.engines import engine_of
from ..text import number

if TYPE_CHECKING:
    import numpy as np

    from ..recording import Recorder

CATEGORY = "fairness"
TPR = "true_positive_rate"
FPR = "false_positive_rate"
Metricish = str | Callable[..., float]
#: a computation of ``checks/fairness/compute`` with every argument but the groups and seed
Computation = Callable[[Groups, "np.random.SeedSequence"], Outcome]


@guard_checks(CATEGORY)
class FairnessChecks(Family):
    """Fairness checks on one set of predictions (what ``mlgate.fairness(...)`` returns).

    >>> fair = mlgate.fairness(y, pred, sensitive_features=test[["sex", "race"]])  # doctest: +SKIP
    >>> fair.expect_ratio("selection_rate", min=0.8)   # four-fifths rule      # doctest: +SKIP
    >>> fair.expect_equalized_odds(max_difference=0.1, confidence=0.95)         # doctest: +SKIP
    """

    category = CATEGORY

    def __init__(
        self,
        recorder: Recorder,
        y_true: Any,
        y_pred: Any,
        *,
        sensitive_features: Any,
        y_score: Any = None,
        name: str = "fairness",
        min_group_size: int = 30,
        expected_groups: dict[str, list[Any]] | None = None,
        pos_label: Any = None,
        missing_group: str = "error",
        target: str | None = None,
    ) -> None:
        super().__init__(recorder, name)
        self._groups: Groups | None = None
        try:
            engine = engine_of(y_true)
            if engine is None and target is not None:  # a pandas table and column names
                named = {"y_pred": y_pred, "y_score": y_score}
                named["sensitive_features"] = sensitive_features
                y_true, named = frame_columns(y_true, target, named)
                y_pred, y_score = named["y_pred"], named["y_score"]
                sensitive_features = named["sensitive_features"]
            options = (min_group_size, expected_groups, pos_label, missing_group)
            if engine is None:
                self._groups = prepare(y_true, y_pred, y_score, sensitive_features, *options)
            else:  # an engine table: the other arguments name its columns
                self._groups, source = prepare_engine(
                    y_true, engine, target, y_pred, y_score, sensitive_features, *options
                )
                recorder.use_dataset(name, "evaluation", source.table.dataset())
        except Exception as exc:  # unusable input of any kind: one error result
            self.unusable("fairness", "usable input", exc)

    @property
    def groups(self) -> list[str]:
        """The group labels, in order (intersections included, empty ones too)."""
        if self._groups is None:
            raise MlgateInputError("sensitive_features", self._problem or "no groups.")
        return list(self._groups.labels)

    # -- disparities ----------------------------------------------------------------------

    def expect_difference(
        self,
        metric: Metricish,
        *,
        max: float,
        method: str = "between_groups",
        confidence: float | None = None,
        n_boot: int = 1000,
        ci_method: str = "auto",
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """The metric differs across groups by at most ``max`` (fairlearn's ``difference``).

        ``method="between_groups"``: largest minus smallest group value; ``"to_overall"``: the
        largest distance of a group from the overall value. With ``confidence=`` the interval's
        upper bound must be within ``max``.

        >>> fair.expect_difference("selection_rate", max=0.10)   # doctest: +SKIP
        """
        label = metric_label(metric)
        title = f"{label} difference <= {number(max)}" + _suffix(method)
        threshold = _rule("max", max, method=method, confidence=confidence)
        check = partial(
            compute.disparity,
            metrics=[metric],
            rule=DisparityRule("difference", method),
            bound=max,
            confidence=compute.Confidence(confidence, n_boot, ci_method),
            title=label,
        )
        return self._check(title, threshold, check, severity, on_insufficient)

    def expect_ratio(
        self,
        metric: Metricish,
        *,
        min: float,
        method: str = "between_groups",
        confidence: float | None = None,
        n_boot: int = 1000,
        ci_method: str = "auto",
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """The ratio of the metric across groups is at least ``min`` (fairlearn's ``ratio``).

        ``method="between_groups"``: smallest over largest group value; ``"to_overall"``: the
        smallest of ``min(r, 1/r)`` with ``r`` a group's value over the overall value. With
        ``confidence=`` the interval's lower bound must reach ``min``.

        >>> fair.expect_ratio("selection_rate", min=0.8)   # four-fifths rule  # doctest: +SKIP
        """
        label = metric_label(metric)
        title = f"{label} ratio >= {number(min)}" + _suffix(method)
        threshold = _rule("min", min, method=method, confidence=confidence)
        check = partial(
            compute.disparity,
            metrics=[metric],
            rule=DisparityRule("ratio", method),
            bound=min,
            confidence=compute.Confidence(confidence, n_boot, ci_method),
            title=label,
        )
        return self._check(title, threshold, check, severity, on_insufficient)

    def expect_demographic_parity(
        self,
        *,
        max_difference: float | None = None,
        min_ratio: float | None = None,
        method: str = "between_groups",
        confidence: float | None = None,
        n_boot: int = 1000,
        ci_method: str = "auto",
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """Selection rates across groups: ``max_difference=`` or ``min_ratio=`` (one per call).

        >>> fair.expect_demographic_parity(min_ratio=0.8)   # four-fifths rule  # doctest: +SKIP
        """
        return self._named(
            "demographic parity",
            ["selection_rate"],
            (max_difference, min_ratio),
            DisparityRule("", method),
            compute.Confidence(confidence, n_boot, ci_method),
            severity,
            on_insufficient,
        )

    def expect_equal_opportunity(
        self,
        *,
        max_difference: float | None = None,
        min_ratio: float | None = None,
        method: str = "between_groups",
        confidence: float | None = None,
        n_boot: int = 1000,
        ci_method: str = "auto",
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """True-positive rates across groups: ``max_difference=`` or ``min_ratio=``.

        A group needs ``min_group_size`` positives to be compared.

        >>> fair.expect_equal_opportunity(max_difference=0.1)   # doctest: +SKIP
        """
        return self._named(
            "equal opportunity",
            [TPR],
            (max_difference, min_ratio),
            DisparityRule("", method),
            compute.Confidence(confidence, n_boot, ci_method),
            severity,
            on_insufficient,
        )

    def expect_equalized_odds(
        self,
        *,
        max_difference: float | None = None,
        min_ratio: float | None = None,
        agg: str = "worst_case",
        method: str = "between_groups",
        confidence: float | None = None,
        n_boot: int = 1000,
        ci_method: str = "auto",
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """True- and false-positive rates across groups (fairlearn's ``equalized_odds_*``).

        ``agg="worst_case"``: the larger difference (smaller ratio) of the two rates;
        ``agg="mean"``: their mean. A group needs ``min_group_size`` positives and as many
        negatives. ``confidence=`` gives an interval (fairlearn has none for equalized odds).

        >>> fair.expect_equalized_odds(max_difference=0.1, confidence=0.95)   # doctest: +SKIP
        """
        return self._named(
            "equalized odds",
            [TPR, FPR],
            (max_difference, min_ratio),
            DisparityRule("", method, agg),
            compute.Confidence(confidence, n_boot, ci_method),
            severity,
            on_insufficient,
        )

    # -- every group ----------------------------------------------------------------------

    def expect_group_metric(
        self,
        metric: Metricish,
        *,
        min: float | None = None,
        max: float | None = None,
        confidence: float | None = None,
        n_boot: int = 1000,
        ci_method: str = "auto",
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """Every group's value of the metric lies within ``min``/``max`` (either or both, a
        band, as in ``perf.expect``). ``observed`` is the worst group's value (the lowest
        against ``min``, the highest against ``max``; with both, the one nearest or furthest
        beyond an end); with ``confidence=`` each group's unfavourable bound is judged. A group
        too small to judge makes the check ``insufficient`` unless another group already fails.

        >>> fair.expect_group_metric("recall", min=0.5)             # doctest: +SKIP
        >>> fair.expect_group_metric("selection_rate", min=0.2, max=0.6)  # doctest: +SKIP
        """
        label = metric_label(metric)
        title = band_title(f"{label} per group", min, max)
        threshold = {
            k: v
            for k, v in (("min", min), ("max", max), ("confidence", confidence))
            if v is not None
        }
        check = partial(
            compute.group_band,
            metric=metric,
            low=min,
            high=max,
            confidence=compute.Confidence(confidence, n_boot, ci_method),
            title=label,
        )
        return self._check(title, threshold, check, severity, on_insufficient)

    # -- plumbing -------------------------------------------------------------------------

    def _usable(self) -> Groups:
        assert self._groups is not None  # Family._record stops at the factory's problem
        return self._groups

    def _named(
        self,
        title: str,
        metrics: list[Metricish],
        bounds: tuple[float | None, float | None],
        rule: DisparityRule,
        ci: compute.Confidence,
        severity: str | None,
        on_insufficient: str,
    ) -> CheckResult:
        """Demographic parity, equal opportunity, equalized odds: one rule per call."""
        max_difference, min_ratio = bounds
        several = len(metrics) > 1
        if (max_difference is None) == (min_ratio is None):
            given = "both" if max_difference is not None else "neither"
            problem = MlgateInputError(
                "max_difference/min_ratio",
                f"give exactly one of them (one rule per call); got {given}.",
                f"Call expect_{title.replace(' ', '_')} once per rule.",
            )

            def refuse() -> Outcome:
                raise problem

            threshold = {"max_difference": max_difference, "min_ratio": min_ratio}
            return self._record(title, threshold, refuse, severity, on_insufficient)
        kind, bound, key, sign = (
            ("difference", max_difference, "max_difference", "<=")
            if max_difference is not None
            else ("ratio", min_ratio, "min_ratio", ">=")
        )
        extra = {"agg": rule.agg} if several else {}
        threshold = _rule(key, bound, method=rule.method, confidence=ci.level, **extra)
        name = f"{title} {kind} {sign} {number(bound)}{_suffix(rule.method, extra.get('agg'))}"
        check = partial(
            compute.disparity,
            metrics=metrics,
            rule=DisparityRule(kind, rule.method, rule.agg),
            bound=bound,
            confidence=ci,
            title=title,
        )
        return self._check(name, threshold, check, severity, on_insufficient)

    def _check(
        self,
        name: str,
        threshold: dict[str, Any],
        check: Computation,
        severity: str | None,
        on_insufficient: str,
    ) -> CheckResult:
        """Record ``check`` on the groups, with the next check's random stream."""
        seed = self.seed()
        return self._record(
            name, threshold, lambda: check(self._usable(), seed), severity, on_insufficient
        )


def _rule(key: str, bound: Any, **extra: Any) -> dict[str, Any]:
    rule = {key: bound}
    rule.update({k: v for k, v in extra.items() if v is not None})
    return rule


def _suffix(method: str, agg: str | None = None) -> str:
    parts = [
        p
        for p in (
            None if method == "between_groups" else method,
            None if agg in (None, "worst_case") else f"agg={agg}",
        )
        if p
    ]
    return f" ({', '.join(parts)})" if parts else ""
