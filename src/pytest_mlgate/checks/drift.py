"""Drift checks between reference data (a frame or a stored Profile) and current data.

Each column is typed once (numeric, categorical, or skipped with a reason) and its figures are
computed once, from the two samples sorted once, and shared by every check on the object:
KS and chi-square equal scipy's; Wasserstein (normalised by the reference std), PSI and
Jensen-Shannon use bins fixed by the reference. ``auto`` calls a column drifted when its test
is significant after correction over the columns tested AND its effect size (a shift in
standard deviations, one scale for numeric and categorical columns) reaches the floor, the same
rule at every sample size. A distance is judged only from the sample size at which its noise
alone stays under its threshold (``insufficient`` below, stating the rows needed). Infinite
values are bad input (``error``).
"""

from __future__ import annotations

import collections
import math
import numbers
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import MlgateInputError, describe
from ..frames import as_frame, column_list
from ..profile import (
    KNOT_PROBABILITIES,
    NumericSummary,
    Profile,
    category_counts,
    family,
    identifier_dtype,
    is_integer,
    number_key,
    sorted_numeric,
)
from ..recording import guard_checks
from ..results import CheckResult, Outcome, short_number

if TYPE_CHECKING:
    import pandas as pd

    from ..recording import Recorder

CATEGORY = "drift"
METHODS = ("auto", "ks", "chi2", "psi", "jensen_shannon", "wasserstein")
DISTANCE_DEFAULTS = {"psi": 0.2, "jensen_shannon": 0.1, "wasserstein": 0.1}
LOW_CARDINALITY = 5
UNSEEN = "<unseen>"
TOP_CATEGORIES = 20
PARALLEL_WORKERS = 2  # threads for the columns of one check
PARALLEL_MIN_ROWS = 50_000  # below this many current rows one thread is as fast
CONTROLS = {
    "bh": "false discovery rate (Benjamini-Hochberg)",
    "holm": "family-wise error rate (Holm)",
    "bonferroni": "family-wise error rate (Bonferroni)",
    None: "nothing (each column at alpha)",
}


@dataclass
class ColumnFigures:
    """Every figure of one column, computed once."""

    kind: str
    n_ref: int
    n_cur: int
    skipped: str | None = None
    test: str = ""
    statistic: float | None = None
    p_value: float | None = None
    effect: float | None = None
    psi: float | None = None
    jensen_shannon: float | None = None
    wasserstein: float | None = None
    histogram: dict[str, Any] = field(default_factory=dict)
    approximation: dict[str, Any] | None = None
    bins: int = 0  # bins (or categories) holding reference rows: PSI/JS null's degrees
    bridge: float | None = None  # sqrt(n) x mean null Wasserstein (numeric only)
    ref_std: float = 1.0

    def rows_needed(self, method: str, threshold: float, alpha: float) -> int | None:
        """Current rows needed for a distance to stay under ``threshold`` on identically
        distributed data with probability ``1 - alpha`` (None: no number is enough)."""
        from ..stats.drift import distance_rows_needed

        return distance_rows_needed(
            method,
            threshold,
            self.n_ref,
            alpha,
            bins=self.bins,
            bridge=self.bridge,
            std=self.ref_std,
        )

    def figure(self, method: str) -> tuple[float | None, float | None]:
        """(statistic, p-value) of a method on this column."""
        if method in ("auto", "ks", "chi2"):
            return self.statistic, self.p_value
        value = {
            "psi": self.psi,
            "jensen_shannon": self.jensen_shannon,
            "wasserstein": self.wasserstein,
        }[method]
        return value, None


@guard_checks(CATEGORY)
class DriftChecks:
    """Drift checks between a reference and current data (what ``mlgate.drift`` returns).

    >>> drift = mlgate.drift(train, prod, name="prod-vs-train")      # doctest: +SKIP
    >>> drift.expect_no_drift()                                       # doctest: +SKIP
    >>> drift.expect_column("income", method="psi", max=0.2)         # doctest: +SKIP
    """

    def __init__(
        self,
        recorder: Recorder,
        settings: Any,
        reference: Any,
        current: Any,
        *,
        name: str = "drift",
        columns: list[Any] | None = None,
        categorical: list[Any] | None = None,
    ) -> None:
        self._recorder = recorder
        self.name = name
        self._problem: str | None = None
        self._figures: dict[Any, ColumnFigures] = {}
        self.columns: list[Any] = []
        self._categorical: set[Any] | None = None
        self._profile: Profile | None = None
        self._reference: pd.DataFrame | None = None
        self._current: pd.DataFrame | None = None
        try:
            self._setup(reference, current, columns, categorical)
        except Exception as exc:  # unusable input of any kind: one error result
            self._problem = f"mlgate.drift({name!r}): {describe(exc)}"
            recorder.input_error(CATEGORY, name, "usable drift input", self._problem)

    # -- input ----------------------------------------------------------------------------

    def _setup(self, reference: Any, current: Any, columns: Any, categorical: Any) -> None:
        if isinstance(reference, Profile):
            self._profile = reference
            ref_columns = list(reference.columns)
            ref_dtypes = {c: (p.family, p.dtype) for c, p in reference.columns.items()}
        else:
            self._reference = as_frame(reference, "reference", allow_empty=True)
            if self._reference.shape[1] == 0:
                raise MlgateInputError("reference", "has no columns.")
            ref_columns = list(self._reference.columns)
            ref_dtypes = {c: (family(d), str(d)) for c, d in self._reference.dtypes.items()}
        self._current = current_frame = as_frame(current, "current", allow_empty=True)
        if current_frame.shape[1] == 0:
            raise MlgateInputError("current", "has no columns.")
        if columns is not None:
            wanted = column_list(columns, "columns")
            for argument, have in (
                ("reference", ref_columns),
                ("current", list(current_frame.columns)),
            ):
                missing = [c for c in wanted if c not in set(have)]
                if missing:
                    raise MlgateInputError(
                        "columns", f"{argument} has no column {', '.join(map(repr, missing))}."
                    )
            self.columns = wanted
        else:
            cur_set = set(current_frame.columns)
            missing = [c for c in ref_columns if c not in cur_set]
            extra = [c for c in current_frame.columns if c not in set(ref_columns)]
            if missing or extra:
                parts = []
                if missing:
                    parts.append(f"missing {', '.join(map(repr, missing[:10]))}")
                if extra:
                    parts.append(f"unexpected {', '.join(map(repr, extra[:10]))}")
                raise MlgateInputError(
                    "current",
                    "columns differ from the reference: " + "; ".join(parts) + ".",
                    "Give both the same columns, or choose some with columns=[...].",
                )
            self.columns = ref_columns
        for col in self.columns:
            ref_family, ref_dtype = ref_dtypes[col]
            cur_dtype = current_frame[col].dtype
            for argument, dtype in (("reference", ref_dtype), ("current", cur_dtype)):
                if _is_complex(dtype):
                    raise MlgateInputError(
                        argument,
                        f"column {col!r} holds complex numbers ({dtype}); drift compares "
                        "real values, and the imaginary part would be dropped.",
                        "Compare the real and imaginary parts (or the magnitude) as two columns.",
                    )
            if family(cur_dtype) != ref_family:
                raise MlgateInputError(
                    "current",
                    f"the dtype of column {col!r} changed: reference {ref_dtype} "
                    f"({ref_family}), current {cur_dtype} ({family(cur_dtype)}).",
                    "Cast the column where the data is loaded.",
                )
        if categorical is not None:
            chosen = (
                []
                if isinstance(categorical, list | tuple) and not categorical
                else (column_list(categorical, "categorical"))
            )
            unknown = [c for c in chosen if c not in set(self.columns)]
            if unknown:
                raise MlgateInputError(
                    "categorical",
                    f"names columns not under check: {', '.join(map(repr, unknown))}.",
                )
            self._categorical = set(chosen)
        if self._reference is not None:
            self._recorder.use_dataset(self.name, "reference", self._reference)
        self._recorder.use_dataset(self.name, "current", current_frame)

    # -- figures --------------------------------------------------------------------------

    def figures(self, column: Any) -> ColumnFigures:
        """All figures of one column (computed on first use, then shared)."""
        if column not in self._figures:
            self._figures[column] = self._compute(column)
        return self._figures[column]

    def _prefetch(self, columns: list[Any]) -> None:
        """Compute the figures of many columns on two threads (numpy's sorts, binary
        searches and arithmetic, and Arrow's counting, release the GIL).

        Each column's figures come from that column alone, so they do not depend on the
        threads; they are stored, and the first error raised, in column order, as the
        one-thread loop would. Label columns held as Python objects count under the GIL, so
        one thread starts on them while the other starts on the numbers.
        """
        todo = [c for c in dict.fromkeys(columns) if c not in self._figures]
        workers = min(PARALLEL_WORKERS, os.cpu_count() or 1)
        if workers < 2 or len(todo) < 2 or len(self._current) < PARALLEL_MIN_ROWS:
            return
        labels = collections.deque(
            c for c in todo if family(self._current[c].dtype) == "categorical"
        )
        numbers = collections.deque(c for c in todo if c not in set(labels))
        results: dict[Any, Any] = {}
        lock = threading.Lock()

        def work(first: collections.deque[Any], then: collections.deque[Any]) -> None:
            while True:
                with lock:
                    if first:
                        column = first.popleft()
                    elif then:
                        column = then.popleft()
                    else:
                        return
                try:
                    results[column] = self._compute(column)
                except Exception as exc:  # raised below, in column order
                    results[column] = exc

        with ThreadPoolExecutor(max_workers=2) as pool:
            done = [pool.submit(work, labels, numbers), pool.submit(work, numbers, labels)]
        for future in done:
            future.result()
        for column in todo:
            outcome = results[column]
            if isinstance(outcome, Exception):
                raise outcome
            self._figures[column] = outcome

    def _kind(self, column: Any, fam: str, integer: bool, ref_distinct: int | None) -> str:
        if fam == "categorical":
            return "categorical"
        if self._categorical is not None:
            return "categorical" if column in self._categorical else "numeric"
        if (
            fam == "numeric"
            and integer
            and ref_distinct is not None
            and (ref_distinct <= LOW_CARDINALITY)
        ):
            return "categorical"
        return "numeric"

    def _compute(self, column: Any) -> ColumnFigures:
        cur_series = self._current[column]
        fam = family(cur_series.dtype)
        distinct: int | None = None
        if self._profile is not None:
            prof = (
                self._profile.columns[str(column)]
                if str(column) in self._profile.columns
                else self._profile.columns[column]
            )
            n_ref, summary, ref_cats = prof.count, prof.numeric, prof.categories
            identifier, integer = prof.identifier, prof.integer
            ref_sorted = None
            if summary is not None and summary.exact:
                ref_sorted = summary.expanded()
        else:
            ref_series = self._reference[column]
            integer = is_integer(ref_series.dtype)
            summary = ref_cats = ref_sorted = None
            if fam == "categorical":
                ref_cats = category_counts(ref_series)
                n_ref = sum(ref_cats.values())
                identifier = n_ref > 1 and len(ref_cats) == n_ref and identifier_dtype(ref_series)
            else:
                ref_sorted = sorted_numeric(ref_series, "reference")
                n_ref = int(ref_sorted.size)
                if integer:  # only integer columns need the count (identifier, _kind)
                    distinct = _distinct_count(ref_sorted)
                identifier = bool(integer and n_ref > 1 and distinct == n_ref)
        ref_distinct = None
        if ref_cats is not None:
            ref_distinct = len(ref_cats)
        elif distinct is not None:
            ref_distinct = distinct
        elif summary is not None and summary.exact:
            ref_distinct = summary.distinct
        kind = self._kind(column, fam, integer, ref_distinct)
        if fam != "categorical":
            cur_sorted = sorted_numeric(cur_series, "current")
            n_cur = int(cur_sorted.size)
        else:
            cur_cats = category_counts(cur_series)
            n_cur = sum(cur_cats.values())
        fig = ColumnFigures(kind, n_ref, n_cur)
        ref_rows = self._profile.rows if self._profile is not None else len(self._reference)
        if n_ref == 0 and ref_rows > 0:
            fig.skipped = "all null in the reference"
            return fig
        if identifier:
            fig.skipped = "identifier (every reference value is unique)"
            return fig
        if kind == "categorical" and fam != "categorical":
            if ref_cats is None:
                if ref_sorted is None:
                    raise MlgateInputError(
                        "categorical",
                        f"column {column!r} has more than 1,000 distinct values "
                        "in the reference profile; it cannot be compared as categorical.",
                    )
                ref_cats = _number_counts(ref_sorted)
            cur_cats = _number_counts(cur_sorted)
        if kind == "numeric" and fam == "categorical":
            raise MlgateInputError("categorical", f"column {column!r} holds labels, not numbers.")
        if n_ref == 0 or n_cur == 0:
            return fig
        if kind == "categorical":
            if len(ref_cats) == 1 and set(cur_cats) == set(ref_cats):
                fig.skipped = "constant in both"
                return fig
            _categorical_figures(fig, ref_cats, cur_cats)
        else:
            if summary is None:
                summary = NumericSummary.from_sorted(ref_sorted, distribution=False)
            if (
                summary.minimum == summary.maximum
                and cur_sorted[0] == cur_sorted[-1]
                and cur_sorted[0] == summary.minimum
            ):
                fig.skipped = "constant in both"
                return fig
            _numeric_figures(fig, summary, ref_sorted, cur_sorted)
        return fig

    # -- plumbing -------------------------------------------------------------------------

    def _run(
        self,
        name: str,
        threshold: dict[str, Any],
        compute: Callable[[], Outcome],
        severity: str | None,
        on_insufficient: str,
    ) -> CheckResult:
        if self._problem is not None:
            return self._recorder.error(CATEGORY, self.name, name, threshold, self._problem)
        return self._recorder.run(
            CATEGORY,
            self.name,
            name,
            threshold,
            compute,
            severity=severity,
            on_insufficient=on_insufficient,
        )

    def _common_details(self) -> dict[str, Any]:
        details: dict[str, Any] = {}
        if self._profile is not None:
            details["reference_profile"] = self._profile.sha256
        return details

    # -- checks ---------------------------------------------------------------------------

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
        ``wasserstein``) compare their statistic with ``threshold`` and are ``insufficient``
        below the current rows at which their noise on identical data stays under the
        threshold with probability ``1 - alpha / columns`` (the message states the rows
        needed).

        >>> drift.expect_no_drift(max_drifted_share=0.1)           # doctest: +SKIP
        >>> drift.expect_no_drift(method="psi", threshold=0.25)    # doctest: +SKIP
        """
        cols = None if columns is None else column_list(columns, "columns")
        rule: dict[str, Any] = {"max_drifted_share": max_drifted_share, "method": method}
        if method in ("auto", "ks", "chi2"):
            rule.update(alpha=alpha, correction=correction)
        if method == "auto":
            rule["effect_floor"] = effect_floor
        if method in DISTANCE_DEFAULTS:
            rule["threshold"] = DISTANCE_DEFAULTS[method] if threshold is None else threshold
            rule["alpha"] = alpha
        title = f"no drift ({method}): " + (_preview(cols) if cols else "all columns")
        if max_drifted_share:
            title += f" (share <= {short_number(max_drifted_share)})"

        def compute() -> Outcome:
            from ..stats.multitest import adjust, check_correction

            _method_arg(method)
            check_correction(correction)
            _unit_arg(alpha, "alpha", open_low=True)
            _unit_arg(max_drifted_share, "max_drifted_share")
            _min_rows_arg(min_rows)
            if method == "auto":
                _distance_arg(effect_floor, "effect_floor")
            if method in DISTANCE_DEFAULTS and threshold is not None:
                _distance_arg(threshold, "threshold")
            use = self.columns if cols is None else cols
            outside = [c for c in use if c not in set(self.columns)]
            if outside:
                raise MlgateInputError(
                    "columns",
                    f"{', '.join(map(repr, outside))} not among the columns given to mlgate.drift.",
                    f"Choose among {_preview(self.columns, 8)}.",
                )
            self._prefetch(use)
            skipped, judged, thin = [], {}, []
            for col in use:
                fig = self.figures(col)
                reason = fig.skipped or _not_applicable(method, fig.kind)
                if reason:
                    skipped.append({"column": str(col), "reason": reason})
                    continue
                judged[col] = fig
                if fig.n_ref < min_rows or fig.n_cur < min_rows:
                    thin.append(col)
            details = self._common_details()
            details.update(method=method, skipped=skipped)
            if thin:
                details["columns"] = {
                    str(c): {"n_reference": judged[c].n_ref, "n_current": judged[c].n_cur}
                    for c in thin
                }
                return Outcome(
                    None,
                    None,
                    "Too few non-null rows to judge drift (min_rows="
                    f"{min_rows}): "
                    + ", ".join(
                        f"{c} ({judged[c].n_ref} reference, {judged[c].n_cur} current)"
                        for c in thin[:5]
                    )
                    + ".",
                    details,
                )
            if not judged:
                return Outcome(
                    None,
                    None,
                    "No column left to judge: all were skipped ("
                    + "; ".join(f"{s['column']}: {s['reason']}" for s in skipped[:5])
                    + ").",
                    details,
                )
            names = list(judged)
            if method in DISTANCE_DEFAULTS:
                short = _too_few_for_distance(judged, method, rule["threshold"], alpha / len(names))
                if short:
                    details["columns"] = short
                    details["false_alarm_budget"] = alpha
                    return Outcome(None, None, _distance_message(short, method), details)
            p_adj: list[float | None] = [None] * len(names)
            if method in ("auto", "ks", "chi2"):
                p_adj = adjust([judged[c].p_value for c in names], correction)
            cut = rule.get("threshold")
            per_column: dict[str, Any] = {}
            drifted = []
            for col, padj in zip(names, p_adj, strict=True):
                fig = judged[col]
                stat, p = fig.figure(method)
                if method == "auto":
                    is_drift = padj < alpha and fig.effect >= effect_floor
                    effect = fig.effect
                elif method in ("ks", "chi2"):
                    is_drift = padj < alpha
                    effect = fig.effect
                else:
                    is_drift = stat >= cut
                    effect = stat
                if is_drift:
                    drifted.append(col)
                per_column[str(col)] = _column_record(fig, method, stat, p, padj, effect, is_drift)
            share = len(drifted) / len(names)
            details.update(columns=per_column, judged=len(names), drifted=[str(c) for c in drifted])
            approx = {str(c): judged[c].approximation for c in names if judged[c].approximation}
            if approx:
                details["approximation"] = approx
            if drifted:
                shown = ", ".join(_describe(c, per_column[str(c)]) for c in drifted[:4])
                message = (
                    f"{len(drifted)} of {len(names)} columns drifted ({share:.0%}; "
                    f"allowed {max_drifted_share:.0%}): {shown}."
                )
                if share > max_drifted_share:
                    message += " Investigate the upstream change, or retrain on recent data."
            else:
                message = (
                    f"No drift in {len(names)} column{'s' if len(names) != 1 else ''} ({method}"
                    + (
                        f", {correction} correction)."
                        if method in ("auto", "ks", "chi2")
                        else f", threshold {cut:g})."
                    )
                )
            if method in ("auto", "ks", "chi2") and len(names) > 1:
                details["correction_controls"] = CONTROLS[correction]
                if correction == "bh":
                    message += (
                        " BH bounds the false discovery rate (the expected share of flagged "
                        "columns that did not drift), not the chance that any stable column "
                        "is flagged; use correction='holm' for that."
                    )
            if skipped:
                message += (
                    f" Skipped {len(skipped)}: "
                    + ", ".join(f"{s['column']} ({s['reason']})" for s in skipped[:3])
                    + "."
                )
            return Outcome(share <= max_drifted_share, share, message, details)

        return self._run(title, rule, compute, severity, on_insufficient)

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
        when it is at most ``max`` (defaults 0.2, 0.1, 0.1); ``ks`` and ``chi2`` observe the
        p-value and pass when it is at least ``alpha``; ``auto`` observes the effect size and
        fails when the test is significant (p < alpha) and the effect reaches ``effect_floor``.

        >>> drift.expect_column("income", method="psi", max=0.2)   # doctest: +SKIP
        """
        rule: dict[str, Any] = {"method": method}
        if method in DISTANCE_DEFAULTS:
            rule["max"] = DISTANCE_DEFAULTS[method] if max is None else max
            title = f"{column} {method} <= {short_number(rule['max'])}"
        elif method == "auto":
            rule.update(alpha=alpha, effect_floor=effect_floor)
            title = f"{column} no drift (auto)"
        else:
            rule["alpha"] = alpha
            title = f"{column} {method} p >= {short_number(alpha)}"

        def compute() -> Outcome:
            _method_arg(method)
            _unit_arg(alpha, "alpha", open_low=True)
            _min_rows_arg(min_rows)
            if method == "auto":
                _distance_arg(effect_floor, "effect_floor")
            if max is not None and method in DISTANCE_DEFAULTS:
                _distance_arg(max, "max")
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
                    f"Choose among {_preview(self.columns, 8)}.",
                )
            fig = self.figures(column)
            details = self._common_details()
            if fig.skipped:
                details["skipped"] = [{"column": str(column), "reason": fig.skipped}]
                if fig.skipped == "constant in both":
                    return Outcome(
                        True,
                        0.0 if method != "ks" and method != "chi2" else 1.0,
                        f"{column} is constant in both samples: no drift.",
                        details,
                    )
                return Outcome(None, None, f"{column} cannot be judged: {fig.skipped}.", details)
            reason = _not_applicable(method, fig.kind)
            if reason:
                raise MlgateInputError(
                    "method", f"{method!r} does not apply to {column!r}: {reason}."
                )
            if fig.n_ref < min_rows or fig.n_cur < min_rows:
                details["columns"] = {
                    str(column): {"n_reference": fig.n_ref, "n_current": fig.n_cur}
                }
                return Outcome(
                    None,
                    None,
                    f"Too few non-null rows in {column} to judge drift "
                    f"({fig.n_ref} reference, {fig.n_cur} current; min_rows="
                    f"{min_rows}).",
                    details,
                )
            if method in DISTANCE_DEFAULTS:
                short = _too_few_for_distance({column: fig}, method, rule["max"], alpha)
                if short:
                    details["columns"] = short
                    details["false_alarm_budget"] = alpha
                    return Outcome(None, None, _distance_message(short, method), details)
            stat, p = fig.figure(method)
            if method == "auto":
                drifted = p < alpha and fig.effect >= effect_floor
                observed, ok = fig.effect, not drifted
                effect = fig.effect
            elif method in ("ks", "chi2"):
                observed, ok, effect = p, p >= alpha, fig.effect
                drifted = not ok
            else:
                observed, ok, effect = stat, stat <= rule["max"], stat
                drifted = not ok
            record = _column_record(fig, method, stat, p, p, effect, drifted)
            details["columns"] = {str(column): record}
            if fig.approximation:
                details["approximation"] = {str(column): fig.approximation}
            message = (
                f"{column}: "
                + _describe(column, record, named=False)
                + (" - drifted." if drifted else " - no drift.")
            )
            return Outcome(ok, observed, message, details)

        return self._run(title, rule, compute, severity, on_insufficient)


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


# -- column figures ---------------------------------------------------------------------


def _numeric_figures(
    fig: ColumnFigures, summary: NumericSummary, ref_sorted: np.ndarray | None, cur: np.ndarray
) -> None:
    from ..stats import drift as st

    if ref_sorted is not None:
        ks, w = st.ks_and_wasserstein(ref_sorted, cur)
    else:
        ks, w = st.ks_against_cdf(
            summary.knots,
            KNOT_PROBABILITIES,
            summary.count,
            cur,
            cdf=summary.cdf,
            quantile=summary.quantile,
        )
        tails = (
            f"exact for the {summary.low_tail.size:,} smallest and largest reference values "
            "(the tails) and piecewise-linear between 1,001 knots in between"
            if summary.low_tail is not None
            else "piecewise-linear between 1,001 knots (this profile keeps no exact tails: "
            "rebuild it to get them)"
        )
        bins = (
            "exact bin counts"
            if summary.bins_exact
            else "bin edges and counts interpolated from the merged sketch (within the bound "
            "of each edge's share)"
        )
        fig.approximation = {
            "ks_statistic_error_bound": summary.rank_error,
            "tails_exact": summary.low_tail is not None,
            "bins_exact": summary.bins_exact,
            "note": f"reference is a quantile sketch: KS and Wasserstein use its CDF, {tails}; "
            f"the KS statistic is within the bound of the exact figure; PSI and "
            f"Jensen-Shannon use the profile's {bins}.",
        }
    ref_bins = summary.bins
    cur_bins = st.bin_counts(cur, summary.edges)
    fig.test = "ks"
    fig.statistic, fig.p_value = ks.statistic, ks.p_value
    fig.wasserstein = st.normalised_wasserstein(w, summary.std)
    fig.effect = fig.wasserstein
    fig.psi = st.psi(ref_bins, cur_bins)
    fig.jensen_shannon = st.jensen_shannon(ref_bins, cur_bins)
    fig.bins = int(np.count_nonzero(ref_bins))
    fig.ref_std = summary.std
    probs = np.linspace(0.0, 1.0, 1001)
    ref_q = (
        st.sorted_quantiles(ref_sorted, probs)
        if ref_sorted is not None
        else summary.quantile(probs)
    )
    fig.bridge = st.bridge_mean(ref_q, probs)
    low = min(summary.minimum, float(cur[0]))
    high = max(summary.maximum, float(cur[-1]))
    fig.histogram = {
        "edges": [float(e) for e in summary.edges],
        "range": [low, high],
        "reference": st.fractions(ref_bins).tolist(),
        "current": st.fractions(cur_bins).tolist(),
    }
    fig.approximation = fig.approximation and {**fig.approximation, "ks_mode": ks.mode}


def _categorical_figures(fig: ColumnFigures, ref: dict[str, int], cur: dict[str, int]) -> None:
    from ..stats import drift as st

    order = sorted(set(ref) | set(cur), key=lambda k: (-ref.get(k, 0), -cur.get(k, 0), k))
    ref_union = np.array([ref.get(k, 0) for k in order])
    cur_union = np.array([cur.get(k, 0) for k in order])
    fig.test = "chi2"
    fig.statistic, fig.p_value = st.chi_square(ref_union, cur_union)
    seen = [k for k in order if k in ref]
    unseen = sum(v for k, v in cur.items() if k not in ref)
    ref_bins = np.array([ref[k] for k in seen] + [0])
    cur_bins = np.array([cur.get(k, 0) for k in seen] + [unseen])
    fig.psi = st.psi(ref_bins, cur_bins)
    fig.jensen_shannon = st.jensen_shannon(ref_bins, cur_bins)
    fig.effect = st.standardised_shift(ref_union, cur_union)
    fig.bins = int(np.count_nonzero(ref_bins))
    top = order[:TOP_CATEGORIES]
    ref_f = st.fractions(ref_union.astype(float))
    cur_f = st.fractions(cur_union.astype(float))
    hist = {
        "categories": [str(k) if k in ref else f"{k} {UNSEEN}" for k in top],
        "reference": ref_f[:TOP_CATEGORIES].tolist(),
        "current": cur_f[:TOP_CATEGORIES].tolist(),
    }
    if len(order) > TOP_CATEGORIES:
        hist["categories"].append("(other)")
        hist["reference"].append(float(ref_f[TOP_CATEGORIES:].sum()))
        hist["current"].append(float(cur_f[TOP_CATEGORIES:].sum()))
    fig.histogram = hist


def _too_few_for_distance(
    judged: dict[Any, ColumnFigures], method: str, threshold: float, alpha: float
) -> dict[str, Any]:
    """Columns on which ``method`` would exceed ``threshold`` on identical distributions with
    probability above ``alpha``: too few current (or reference) rows for that distance."""
    short: dict[str, Any] = {}
    for col, fig in judged.items():
        needed = fig.rows_needed(method, threshold, alpha)
        if needed is None or fig.n_cur < needed:
            short[str(col)] = {
                "n_reference": fig.n_ref,
                "n_current": fig.n_cur,
                "current_rows_needed": needed,
                "bins": fig.bins,
            }
    return short


def _distance_message(short: dict[str, Any], method: str) -> str:
    parts = []
    for col, entry in list(short.items())[:5]:
        needed = entry["current_rows_needed"]
        parts.append(
            f"{col} ({entry['n_current']:,} current rows; needs {needed:,})"
            if needed is not None
            else f"{col} (the reference's {entry['n_reference']:,} rows are too few at any size)"
        )
    return (
        f"Too few rows for {method}: on identical distributions its noise alone would reach "
        f"the threshold more often than the false-alarm budget (alpha) allows: "
        + ", ".join(parts)
        + ". Collect more rows, or use method='auto' (a test with an effect size), which "
        "judges small samples."
    )


def _column_record(
    fig: ColumnFigures, method: str, stat: Any, p: Any, padj: Any, effect: Any, drifted: bool
) -> dict[str, Any]:
    return {
        "method": fig.test if method == "auto" else method,
        "statistic": stat,
        "p_value": p,
        "p_adjusted": padj,
        "effect": effect,
        "drifted": bool(drifted),
        "kind": fig.kind,
        "n_reference": fig.n_ref,
        "n_current": fig.n_cur,
        "histogram": fig.histogram,
    }


def _describe(column: Any, record: dict[str, Any], named: bool = True) -> str:
    parts = [f"{record['method']} {record['statistic']:.3g}"]
    if record["p_adjusted"] is not None:
        parts.append(f"p={record['p_adjusted']:.2g}")
    if record["effect"] is not None and record["method"] in ("ks", "chi2"):
        parts.append(("W" if record["kind"] == "numeric" else "shift") + f"={record['effect']:.3g}")
    text = ", ".join(parts)
    return f"{column} ({text})" if named else text


def _not_applicable(method: str, kind: str) -> str | None:
    if method == "ks" and kind != "numeric":
        return "ks applies to numeric columns"
    if method in ("chi2",) and kind != "categorical":
        return "chi2 applies to categorical columns"
    if method == "wasserstein" and kind != "numeric":
        return "wasserstein applies to numeric columns"
    return None


def _distinct_count(sorted_values: np.ndarray) -> int:
    if sorted_values.size == 0:
        return 0
    return int(np.count_nonzero(sorted_values[1:] != sorted_values[:-1]) + 1)


def _number_counts(sorted_values: np.ndarray) -> dict[str, int]:
    values, counts = np.unique(sorted_values, return_counts=True)
    out: dict[str, int] = {}
    for v, c in zip(values.tolist(), counts.tolist(), strict=True):
        key = number_key(v)
        out[key] = out.get(key, 0) + int(c)
    return out


def _method_arg(method: Any) -> None:
    if method not in METHODS:
        raise MlgateInputError(
            "method", f"unknown drift method {method!r}.", f"Use one of: {', '.join(METHODS)}."
        )


def _unit_arg(value: Any, argument: str, open_low: bool = False) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1
    if not ok or (open_low and value == 0):
        raise MlgateInputError(
            argument, f"must be a number in {'(0' if open_low else '[0'}, 1], got {value!r}."
        )


def _is_complex(dtype: Any) -> bool:
    """Whether a dtype (or its name, as a profile stores it) holds complex numbers."""
    try:
        return np.dtype(dtype).kind == "c"
    except TypeError:  # pandas extension dtypes
        return False


def _distance_arg(value: Any, argument: str) -> None:
    """A distance bound is a finite number >= 0 (a distance is never negative, so a negative
    bound is a rule no column could meet)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise MlgateInputError(argument, f"must be a number >= 0, got {value!r}.")
    if value < 0:
        raise MlgateInputError(
            argument,
            f"is {value:g}; a distance is never negative, so no column could pass.",
            "Use a bound of 0 or more.",
        )


def _min_rows_arg(value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise MlgateInputError("min_rows", f"must be a positive integer, got {value!r}.")


def _preview(items: Any, limit: int = 4) -> str:
    shown = [str(i) for i in list(items)[:limit]]
    more = len(list(items)) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
