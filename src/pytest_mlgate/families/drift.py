"""``mlgate.drift``: drift checks between reference and current data, each side a frame or a
saved :class:`Profile`; and ``mlgate.profile``, which builds a profile and records its frame.

The computations live in ``checks/drift/`` (inputs, column figures, verdicts); this module
holds the API: signatures, docstrings, thresholds and titles.
"""

from __future__ import annotations

from typing import Any

from ..checks.drift.figures import ColumnFigures, Figures
from ..checks.drift.inputs import (
    DISTANCE_DEFAULTS,
    P_VALUE_TESTS,
    Comparison,
    check_columns,
    check_distance,
    check_min_rows,
    check_test,
    check_unit,
    compare,
    engine_note,
)
from ..checks.drift.verdicts import no_drift, one_column
from ..errors import MlgateInputError, describe
from ..frames import as_frame, column_list
from ..profile import Profile
from ..recording import Family, Recorder, guard_checks
from ..results import CheckResult, Outcome
from ..stats.multitest import check_correction
from ..text import number, preview

CATEGORY = "drift"


@guard_checks(CATEGORY)
class DriftChecks(Family):
    """Drift checks between a reference and current data (what ``mlgate.drift`` returns).

    Either side may be a saved :class:`Profile` (``mlgate.drift(train_profile,
    window_profile)`` compares two profiles and keeps no rows), or a Spark or Dask frame:
    nothing is collected, the frame is profiled inside its engine (the columns under check,
    on the first check) and compared as a profile (``details["engine_profiles"]`` says so). A
    column whose profile holds a quantile sketch gets figures within a stated bound
    (``details["approximation"]``).

    One boundary rule in every drift check: a distance equal to its threshold passes
    (drifted when ``statistic > threshold``), a p-value equal to ``alpha`` is not significant
    (significant when ``p < alpha``), and ``auto`` flags a significant column whose effect
    reaches the floor (``effect >= effect_floor``).

    >>> drift = mlgate.drift(train, prod, name="prod-vs-train")      # doctest: +SKIP
    >>> drift.expect_no_drift()                                       # doctest: +SKIP
    >>> drift.expect_column("income", method="psi", max=0.2)         # doctest: +SKIP
    """

    category = CATEGORY

    def __init__(
        self,
        recorder: Recorder,
        reference: Any,
        current: Any,
        *,
        name: str = "drift",
        columns: list[Any] | None = None,
        categorical: list[Any] | None = None,
    ) -> None:
        super().__init__(recorder, name)
        self.columns: list[Any] = []
        self._comparison: Comparison | None = None
        self._figures: Figures | None = None
        try:
            comparison = compare(reference, current, columns, categorical)
        except Exception as exc:  # unusable input of any kind: one error result
            self.unusable("drift", "usable drift input", exc)
            return
        self._comparison = comparison
        self._figures = Figures(comparison)
        self.columns = comparison.columns
        for role, side in (("reference", comparison.reference), ("current", comparison.current)):
            if side.frame is not None:
                recorder.use_dataset(name, role, side.frame)
            elif side.table is not None:  # fingerprinted in the engine
                recorder.use_dataset(name, role, side.table.dataset())

    def figures(self, column: Any) -> ColumnFigures:
        """All figures of one column (computed on first use, then shared)."""
        return self._usable()(column)

    def _usable(self) -> Figures:
        if self._figures is None:
            raise MlgateInputError("reference", self._problem or "unusable drift input.")
        return self._figures

    def _common_details(self) -> dict[str, Any]:
        details: dict[str, Any] = {}
        engines: dict[str, str] = {}
        assert self._comparison is not None
        for key, side in (
            ("reference_profile", self._comparison.reference),
            ("current_profile", self._comparison.current),
        ):
            if side.engine is not None:
                engines[key.split("_")[0]] = engine_note(side)
            elif side.profile is not None:
                details[key] = side.profile.sha256
        if engines:
            details["engine_profiles"] = engines
        return details

    def expect_no_drift(
        self,
        columns: Any = None,
        *,
        method: str = "auto",
        alpha: float = 0.05,
        correction: str | None = "bh",
        effect_floor: float = 0.1,
        max_drifted_share: float = 0.0,
        min_rows: int = 30,
        threshold: float | None = None,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """At most ``max_drifted_share`` of the judged columns drifted.

        ``observed`` is the share of judged columns that drifted. With ``method="auto"`` a
        column drifts when its KS (numeric) or chi-square (categorical) p-value, adjusted by
        ``correction`` over the columns tested, is below ``alpha`` and its effect size is at
        least ``effect_floor``. Effect sizes share one scale, a shift in standard deviations:
        normalised Wasserstein for numeric columns (a location shift of d sd gives d), and
        for categorical ones the largest shift of a category's share in standard deviations
        of its indicator (a binary column going from 0.6 to 0.7 gives 0.21). ``bh`` (the
        default) bounds the false discovery rate, not the chance of any false alarm: use
        ``correction="holm"`` for that. Distances (``psi``, ``jensen_shannon``,
        ``wasserstein``) drift when their statistic is above ``threshold`` (equal passes,
        as in :meth:`expect_column`), and are ``insufficient`` below the current rows at
        which their noise on identical data stays under the threshold with probability
        ``1 - alpha / columns`` (the message states the rows needed). Each column's record
        names its test in ``details["columns"][name]["test"]``; ``details["test"]`` is
        ``method``.

        >>> drift.expect_no_drift(max_drifted_share=0.1)           # doctest: +SKIP
        >>> drift.expect_no_drift(method="psi", threshold=0.25)    # doctest: +SKIP
        """
        cols = None if columns is None else column_list(columns, "columns")
        rule: dict[str, Any] = {"max_drifted_share": max_drifted_share, "method": method}
        if method in P_VALUE_TESTS:
            rule.update(alpha=alpha, correction=correction)
        if method == "auto":
            rule["effect_floor"] = effect_floor
        if method in DISTANCE_DEFAULTS:
            rule["threshold"] = DISTANCE_DEFAULTS[method] if threshold is None else threshold
            rule["alpha"] = alpha
        title = f"no drift ({method}): " + (preview(cols) if cols else "all columns")
        if max_drifted_share:
            title += f" (share <= {number(max_drifted_share)})"

        def compute() -> Outcome:
            check_test(method)
            check_correction(correction)
            check_unit(alpha, "alpha", open_low=True)
            check_unit(max_drifted_share, "max_drifted_share")
            check_min_rows(min_rows)
            if method == "auto":
                check_distance(effect_floor, "effect_floor")
            if method in DISTANCE_DEFAULTS and threshold is not None:
                check_distance(threshold, "threshold")
            use = self.columns if cols is None else cols
            check_columns(use, self.columns)
            return no_drift(
                self._usable(),
                use,
                self._common_details(),
                test=method,
                alpha=alpha,
                correction=correction,
                effect_floor=effect_floor,
                max_drifted_share=max_drifted_share,
                min_rows=min_rows,
                threshold=rule.get("threshold"),
            )

        return self._record(title, rule, compute, severity, on_insufficient)

    def expect_column(
        self,
        column: Any,
        method: str = "auto",
        *,
        max: float | None = None,
        alpha: float = 0.05,
        effect_floor: float = 0.1,
        min_rows: int = 30,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """One column has not drifted by one method.

        Distances (``psi``, ``jensen_shannon``, ``wasserstein``) observe the statistic and pass
        when it is at most ``max`` (defaults 0.2, 0.1, 0.1; equal passes, as in
        :meth:`expect_no_drift`); ``ks`` and ``chi2`` observe the p-value and pass when it is
        at least ``alpha``; ``auto`` observes the effect size and fails when the test is
        significant (p < alpha) and the effect reaches ``effect_floor``.

        >>> drift.expect_column("income", method="psi", max=0.2)   # doctest: +SKIP
        """
        rule: dict[str, Any] = {"method": method}
        if method in DISTANCE_DEFAULTS:
            rule["max"] = DISTANCE_DEFAULTS[method] if max is None else max
            title = f"{column} {method} <= {number(rule['max'])}"
        elif method == "auto":
            rule.update(alpha=alpha, effect_floor=effect_floor)
            title = f"{column} no drift (auto)"
        else:
            rule["alpha"] = alpha
            title = f"{column} {method} p >= {number(alpha)}"

        def compute() -> Outcome:
            check_test(method)
            check_unit(alpha, "alpha", open_low=True)
            check_min_rows(min_rows)
            if method == "auto":
                check_distance(effect_floor, "effect_floor")
            if max is not None and method in DISTANCE_DEFAULTS:
                check_distance(max, "max")
            if max is not None and method not in DISTANCE_DEFAULTS:
                raise MlgateInputError(
                    "max",
                    f"applies to distances, not to method {method!r}.",
                    "Use alpha= for ks, chi2 and auto.",
                )
            if column not in set(self.columns):
                raise MlgateInputError(
                    "column",
                    f"{column!r} is not among the columns given to mlgate.drift.",
                    f"Choose among {preview(self.columns, 8)}.",
                )
            return one_column(
                self._usable(),
                column,
                self._common_details(),
                test=method,
                alpha=alpha,
                effect_floor=effect_floor,
                min_rows=min_rows,
                max=rule.get("max"),
            )

        return self._record(title, rule, compute, severity, on_insufficient)


def record_profile(recorder: Recorder, df: Any, name: str = "profile") -> Profile:
    """Build a :class:`Profile` of ``df`` and record the frame as a ``reference`` dataset.

    A profile is an object the test goes on to use, so bad input cannot be answered with a
    result alone: it records an ``error`` result (the audit shows it) and raises it as a
    :class:`MlgateInputError`.
    """
    try:
        frame = as_frame(df, "df")
        profile = Profile.from_frame(frame)
    except Exception as exc:  # bad input, or a numeric failure under -W error
        problem = (
            exc if isinstance(exc, MlgateInputError) else MlgateInputError("df", describe(exc))
        )
        recorder.error(CATEGORY, name, "profile", {}, f"mlgate.profile({name!r}): {problem}")
        if problem is exc:
            raise
        raise problem from exc
    recorder.use_dataset(name, "reference", frame)
    return profile
