"""Fairness checks across the groups of one or more sensitive features.

Figures follow fairlearn's definitions exactly (``MetricFrame.difference``/``ratio``,
``demographic_parity_*``, ``equalized_odds_*``), with what a gate cannot live with fixed:

- group sizes are denominator-aware: ``min_group_size`` counts the rows a rate divides by
  (positives for a true-positive rate, negatives for a false-positive rate, predicted positives
  for precision, every row for a selection rate or accuracy);
- a group under that size, or a rate whose denominator is 0 (fairlearn returns 0.0), is
  excluded and listed with its counts, never turned into a number; fewer than two comparable
  groups make the check ``insufficient``;
- intersections of several sensitive columns are labelled ``col=value, col=value`` and empty
  ones are reported as coverage gaps;
- ``confidence=`` gives group-stratified bootstrap intervals (for equalized odds too) and the
  verdict uses the unfavourable bound.

Rate metrics come from per-group confusion counts computed once per ``mlgate.fairness`` object in
one bincount pass; any other metric, or a callable, goes through fairlearn's ``MetricFrame``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import MlgateInputError, describe
from ..metrics import LABELS, Metric, resolve
from ..recording import guard_checks
from ..results import CheckResult, Outcome

if TYPE_CHECKING:
    import numpy as np

    from ..recording import Recorder

CATEGORY = "fairness"
MAX_LISTED_GAPS = 50
#: at most this many groups (and as many excluded groups) are stored in a check's details; the
#: rest are counted, so a sensitive feature with 100,000 groups keeps the audit small
MAX_LISTED_GROUPS = 500
MISSING_LABEL = "<missing>"
MISSING_POLICIES = ("error", "own_group")
AGGREGATIONS = ("worst_case", "mean")
TPR = "true_positive_rate"
FPR = "false_positive_rate"
_DENOMINATOR_WORDS = {
    ("tp", "fn"): "positives",
    ("fp", "tn"): "negatives",
    ("tp", "fp"): "predicted positives",
    ("tp", "fp", "fn", "tn"): "rows",
}


@dataclass
class _Groups:
    """The validated input of one ``mlgate.fairness`` call, grouped once."""

    y_true: np.ndarray
    y_pred: np.ndarray | None
    y_score: np.ndarray | None
    codes: np.ndarray
    labels: list[str]
    sizes: np.ndarray
    columns: list[str]
    pos_label: Any
    classes: list[Any]
    expected_absent: list[str]
    min_group_size: int
    _counts: np.ndarray | None = field(default=None, repr=False)
    _truth: np.ndarray | None = field(default=None, repr=False)
    _fingerprint: str | None = field(default=None, repr=False)

    @property
    def n_groups(self) -> int:
        return len(self.labels)

    @property
    def fingerprint(self) -> str:
        """``sha256:`` over the labels, predictions, scores and group codes the figures
        describe (computed once; shown beside each figure in the model card)."""
        if self._fingerprint is None:
            import hashlib

            digest = hashlib.sha256()
            for part in (self.y_true, self.y_pred, self.y_score, self.codes):
                if part is None:
                    digest.update(b"none")
                elif part.dtype == object:
                    digest.update("\x1f".join(map(repr, part.tolist())).encode())
                else:
                    digest.update(str(part.dtype).encode() + part.tobytes())
            self._fingerprint = "sha256:" + digest.hexdigest()
        return self._fingerprint

    @property
    def binary(self) -> bool:
        return len(self.classes) <= 2

    @property
    def truth(self) -> np.ndarray:
        if self._truth is None:
            self._truth = _equals(self.y_true, self.pos_label)
        return self._truth

    @property
    def counts(self) -> np.ndarray:
        """Per-group ``tp, fp, fn, tn`` (computed on first use, then shared by every check)."""
        if self._counts is None:
            from ..stats.groups import confusion_counts

            if self.y_pred is None:
                raise MlgateInputError(
                    "y_pred",
                    "is None; this metric compares predicted labels.",
                    "Pass the model's predicted labels as y_pred.",
                )
            pred = _equals(self.y_pred, self.pos_label)
            self._counts = confusion_counts(self.codes, self.n_groups, self.truth, pred)
        return self._counts

    @property
    def listed_gaps(self) -> list[int]:
        """Empty intersections recorded by name: the first ``MAX_LISTED_GAPS`` (wide crosses of
        many-valued columns would otherwise fill the report with empty cells)."""
        import numpy as np

        return np.flatnonzero(self.sizes == 0)[:MAX_LISTED_GAPS].tolist()

    @property
    def coverage_gaps(self) -> list[str]:
        return [self.labels[g] for g in self.listed_gaps]

    @property
    def coverage_gap_count(self) -> int:
        return int((self.sizes == 0).sum())


@dataclass
class _Figure:
    """Per-group values of one metric, with what each value divides by."""

    metric: str
    values: np.ndarray
    denominators: np.ndarray
    overall: float
    words: str
    rate: tuple[tuple[str, ...], tuple[str, ...]] | None
    on_rows: Callable[[np.ndarray], float] | None = None


@guard_checks(CATEGORY)
class FairnessChecks:
    """Fairness checks on one set of predictions (what ``mlgate.fairness(...)`` returns).

    >>> fair = mlgate.fairness(y, pred, sensitive_features=test[["sex", "race"]])  # doctest: +SKIP
    >>> fair.expect_ratio("selection_rate", min=0.8)   # four-fifths rule      # doctest: +SKIP
    >>> fair.expect_equalized_odds(max_difference=0.1, confidence=0.95)         # doctest: +SKIP
    """

    def __init__(
        self,
        recorder: Recorder,
        settings: Any,
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
    ) -> None:
        self._recorder = recorder
        self.name = name
        self._problem: str | None = None
        self._groups: _Groups | None = None
        try:
            self._groups = _prepare(
                y_true,
                y_pred,
                y_score,
                sensitive_features,
                min_group_size,
                expected_groups,
                pos_label,
                missing_group,
            )
        except Exception as exc:  # unusable input of any kind: one error result
            self._problem = f"mlgate.fairness({name!r}): {describe(exc)}"
            recorder.input_error(CATEGORY, name, "usable input", self._problem)

    @property
    def groups(self) -> list[str]:
        """The group labels, in order (intersections included, empty ones too)."""
        if self._groups is None:
            raise MlgateInputError("sensitive_features", self._problem or "no groups.")
        return list(self._groups.labels)

    # -- plumbing -------------------------------------------------------------------------

    def _run(
        self,
        name: str,
        threshold: dict[str, Any],
        compute: Callable[[_Groups, np.random.Generator | None], Outcome],
        severity: str | None,
        on_insufficient: str,
        confidence: float | None,
    ) -> CheckResult:
        if self._problem is not None:
            return self._recorder.error(CATEGORY, self.name, name, threshold, self._problem)
        groups = self._groups
        assert groups is not None
        rng = None
        if confidence is not None:
            import numpy as np

            rng = np.random.default_rng(np.random.SeedSequence(self._recorder.seed_words()))
        return self._recorder.run(
            CATEGORY,
            self.name,
            name,
            threshold,
            lambda: _capped(_with_fingerprint(compute(groups, rng), groups)),
            severity=severity,
            on_insufficient=on_insufficient,
        )

    # -- disparities ----------------------------------------------------------------------

    def expect_difference(
        self,
        metric: str | Callable[..., float],
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
        label = _metric_label(metric)
        threshold = _rule("max", max, method=method, confidence=confidence)
        title = f"{label} difference <= {_g(max)}" + _method_suffix(method)
        return self._run(
            title,
            threshold,
            lambda g, rng: _disparity(
                g,
                [metric],
                "difference",
                method,
                "worst_case",
                max,
                confidence,
                n_boot,
                ci_method,
                rng,
                label,
            ),
            severity,
            on_insufficient,
            confidence,
        )

    def expect_ratio(
        self,
        metric: str | Callable[..., float],
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
        label = _metric_label(metric)
        threshold = _rule("min", min, method=method, confidence=confidence)
        title = f"{label} ratio >= {_g(min)}" + _method_suffix(method)
        return self._run(
            title,
            threshold,
            lambda g, rng: _disparity(
                g,
                [metric],
                "ratio",
                method,
                "worst_case",
                min,
                confidence,
                n_boot,
                ci_method,
                rng,
                label,
            ),
            severity,
            on_insufficient,
            confidence,
        )

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
        return self._named_disparity(
            "demographic parity",
            ["selection_rate"],
            max_difference,
            min_ratio,
            method,
            "worst_case",
            confidence,
            n_boot,
            ci_method,
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
        return self._named_disparity(
            "equal opportunity",
            [TPR],
            max_difference,
            min_ratio,
            method,
            "worst_case",
            confidence,
            n_boot,
            ci_method,
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
        return self._named_disparity(
            "equalized odds",
            [TPR, FPR],
            max_difference,
            min_ratio,
            method,
            agg,
            confidence,
            n_boot,
            ci_method,
            severity,
            on_insufficient,
        )

    def _named_disparity(
        self,
        title: str,
        metrics: list[str],
        max_difference: float | None,
        min_ratio: float | None,
        method: str,
        agg: str,
        confidence: float | None,
        n_boot: int,
        ci_method: str,
        severity: str | None,
        on_insufficient: str,
    ) -> CheckResult:
        extra = {"agg": agg} if len(metrics) > 1 else {}
        if (max_difference is None) == (min_ratio is None):
            threshold = {"max_difference": max_difference, "min_ratio": min_ratio}
            problem = (
                "max_difference/min_ratio: give exactly one of them (one rule per call); "
                f"got {'both' if max_difference is not None else 'neither'}. "
                f"Call expect_{title.replace(' ', '_')} once per rule."
            )
            if self._problem is not None:
                problem = self._problem
            return self._recorder.error(CATEGORY, self.name, title, threshold, problem)
        if max_difference is not None:
            kind, bound, key, sign = "difference", max_difference, "max_difference", "<="
        else:
            kind, bound, key, sign = "ratio", min_ratio, "min_ratio", ">="
        threshold = _rule(key, bound, method=method, confidence=confidence, **extra)
        suffix = _method_suffix(method) if not extra else _method_suffix(method, agg)
        name = f"{title} {kind} {sign} {_g(bound)}{suffix}"
        return self._run(
            name,
            threshold,
            lambda g, rng: _disparity(
                g,
                list(metrics),
                kind,
                method,
                agg,
                bound,
                confidence,
                n_boot,
                ci_method,
                rng,
                title,
            ),
            severity,
            on_insufficient,
            confidence,
        )

    # -- every group ----------------------------------------------------------------------

    def expect_group_metric(
        self,
        metric: str | Callable[..., float],
        *,
        min: float | None = None,
        max: float | None = None,
        confidence: float | None = None,
        n_boot: int = 1000,
        ci_method: str = "auto",
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """Every group's value of the metric is at least ``min`` (or at most ``max``; one rule
        per call). ``observed`` is the worst group's value; with ``confidence=`` each group's
        unfavourable bound is judged. A group too small to judge makes the check
        ``insufficient`` unless another group already fails it.

        >>> fair.expect_group_metric("recall", min=0.5)   # doctest: +SKIP
        """
        label = _metric_label(metric)
        if (min is None) == (max is None):
            threshold = {"min": min, "max": max}
            problem = self._problem or (
                "min/max: give exactly one of them (one rule per call); got "
                f"{'both' if min is not None else 'neither'}. Call expect_group_metric twice "
                "for a band."
            )
            return self._recorder.error(
                CATEGORY, self.name, f"{label} per group", threshold, problem
            )
        key, bound = ("min", min) if min is not None else ("max", max)
        threshold = _rule(key, bound, confidence=confidence)
        title = f"{label} per group {'>=' if key == 'min' else '<='} {_g(bound)}"
        return self._run(
            title,
            threshold,
            lambda g, rng: _group_metric(
                g, metric, key, bound, confidence, n_boot, ci_method, rng, label
            ),
            severity,
            on_insufficient,
            confidence,
        )


# -- input --------------------------------------------------------------------------------


def _prepare(
    y_true: Any,
    y_pred: Any,
    y_score: Any,
    sensitive_features: Any,
    min_group_size: Any,
    expected_groups: Any,
    pos_label: Any,
    missing_group: Any,
) -> _Groups:
    import numpy as np

    if missing_group not in MISSING_POLICIES:
        raise MlgateInputError(
            "missing_group", f"must be 'error' or 'own_group', got {missing_group!r}."
        )
    if (
        isinstance(min_group_size, bool)
        or not isinstance(min_group_size, int | np.integer)
        or (min_group_size < 1)
    ):
        raise MlgateInputError(
            "min_group_size", f"must be a positive integer, got {min_group_size!r}."
        )
    truth = _labels(y_true, "y_true")
    n = len(truth)
    if n == 0:
        raise MlgateInputError("y_true", "is empty.", "Pass the labels of the evaluation rows.")
    pred = None
    if y_pred is not None:
        pred = _labels(y_pred, "y_pred")
        _same_length(pred, n, "y_pred")
        _not_scores(pred)
    score = None
    if y_score is not None:
        score = _scores(y_score)
        _same_length(score, n, "y_score")
    frame = _sensitive_frame(sensitive_features, n)
    codes, labels, sizes, per_column = _encode(frame, missing_group)
    present = [labels[g] for g in range(len(labels)) if sizes[g] > 0]
    if len(present) < 2:
        raise MlgateInputError(
            "sensitive_features",
            f"has a single group ({present[0]!r}); fairness compares at least two groups.",
            "Pass the column that holds the groups to compare.",
        )
    classes = _classes(truth, pred)
    pos = _pos_label(pos_label, classes, truth, pred)
    absent = _expected_absent(expected_groups, per_column)
    return _Groups(
        y_true=truth,
        y_pred=pred,
        y_score=score,
        codes=codes,
        labels=labels,
        sizes=sizes,
        columns=list(per_column),
        pos_label=pos,
        classes=classes,
        expected_absent=absent,
        min_group_size=int(min_group_size),
    )


def _labels(values: Any, argument: str) -> np.ndarray:
    import numpy as np
    import pandas as pd

    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise MlgateInputError(
                argument, f"expected one column of labels, got a frame of {values.shape[1]}."
            )
        values = values.iloc[:, 0]
    if isinstance(values, pd.Series | pd.Index | pd.Categorical):
        arr = np.asarray(pd.Series(values).to_numpy())
    else:
        try:
            arr = np.asarray(values)
        except Exception as exc:
            raise MlgateInputError(argument, f"is not array-like: {exc}") from exc
    if arr.ndim != 1:
        raise MlgateInputError(
            argument, f"expected a one-dimensional array of labels, got shape {arr.shape}."
        )
    missing = pd.isna(arr) if arr.dtype.kind in "fcOUSmM" else np.zeros(len(arr), bool)
    if arr.dtype.kind in "fc":
        missing = missing | ~np.isfinite(arr)
    if missing.any():
        raise MlgateInputError(
            argument,
            f"contains {int(missing.sum()):,} missing or non-finite values "
            f"(first at position {int(np.argmax(missing))}).",
            "Drop those rows from every argument, or fill them, before the check.",
        )
    return arr


def _scores(values: Any) -> np.ndarray:
    import numpy as np

    arr = _labels(values, "y_score")
    if arr.dtype.kind not in "biuf":
        raise MlgateInputError("y_score", f"expected numeric scores, got dtype {arr.dtype}.")
    return arr.astype(np.float64)


def _same_length(arr: np.ndarray, n: int, argument: str) -> None:
    if len(arr) != n:
        raise MlgateInputError(
            argument,
            f"has {len(arr):,} rows but y_true has {n:,}.",
            "Pass arrays for the same evaluation rows, in the same order.",
        )


def _not_scores(pred: np.ndarray) -> None:
    import numpy as np

    if pred.dtype.kind != "f":
        return
    fractional = pred != np.round(pred)
    if fractional.any():
        example = float(pred[np.argmax(fractional)])
        raise MlgateInputError(
            "y_pred",
            f"holds scores, not labels (e.g. {example:g}); fairness metrics compare predicted "
            "labels.",
            "Threshold the scores into labels (e.g. (score >= 0.5).astype(int)) and pass the "
            "scores as y_score=.",
        )


def _sensitive_frame(features: Any, n: int) -> Any:
    import numpy as np
    import pandas as pd

    if features is None:
        raise MlgateInputError(
            "sensitive_features", "is required.", "Pass a column (or frame) of group membership."
        )
    if isinstance(features, pd.DataFrame):
        frame = features
    elif isinstance(features, pd.Series):
        frame = features.to_frame(
            name=features.name if features.name is not None else "sensitive_feature_0"
        )
    elif isinstance(features, dict):
        try:
            frame = pd.DataFrame({k: np.asarray(v) for k, v in features.items()})
        except ValueError as exc:
            raise MlgateInputError(
                "sensitive_features", f"columns differ in length: {exc}"
            ) from exc
    elif callable(getattr(features, "to_pandas", None)):
        converted = features.to_pandas()
        return _sensitive_frame(converted, n)
    else:
        arr = np.asarray(features, dtype=object)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise MlgateInputError(
                "sensitive_features", f"expected one or two dimensions, got shape {arr.shape}."
            )
        frame = pd.DataFrame({f"sensitive_feature_{i}": arr[:, i] for i in range(arr.shape[1])})
    if frame.shape[1] == 0:
        raise MlgateInputError("sensitive_features", "has no columns.")
    _distinct_texts(list(frame.columns), "sensitive_features", "column names")
    if len(frame) != n:
        raise MlgateInputError(
            "sensitive_features",
            f"has {len(frame):,} rows but y_true has {n:,}.",
            "Pass the sensitive columns of the same evaluation rows, in the same order.",
        )
    return frame


def _encode(
    frame: Any, missing_group: str
) -> tuple[np.ndarray, list[str], np.ndarray, dict[str, list[str]]]:
    """Integer group codes (intersections: every combination of the columns' levels)."""
    import numpy as np
    import pandas as pd

    codes = np.zeros(len(frame), dtype=np.int64)
    per_column: dict[str, list[str]] = {}
    for column in frame.columns:
        series = frame[column]
        col_codes, uniques = pd.factorize(series, sort=False, use_na_sentinel=True)
        texts = [str(u) for u in uniques]
        _distinct_texts(list(uniques), "sensitive_features", f"values of column {str(column)!r}")
        order = _sorted_order(list(uniques), texts)
        remap = np.empty(len(uniques), dtype=np.int64)
        remap[order] = np.arange(len(order))
        levels = [texts[i] for i in order]
        col_codes = np.asarray(col_codes, dtype=np.int64)
        missing = col_codes < 0
        if missing.any():
            if missing_group == "error":
                raise MlgateInputError(
                    "sensitive_features",
                    f"column {str(column)!r} has {int(missing.sum()):,} missing values.",
                    "Fill them, drop those rows, or pass missing_group='own_group' to compare "
                    f"them as a group labelled {MISSING_LABEL!r}.",
                )
            levels.append(MISSING_LABEL)
            col_codes = np.where(missing, len(levels) - 1, remap[np.where(missing, 0, col_codes)])
        else:
            col_codes = remap[col_codes] if len(remap) else col_codes
        if len(levels) == 0:
            raise MlgateInputError("sensitive_features", f"column {str(column)!r} is empty.")
        codes = codes * len(levels) + col_codes
        per_column[str(column)] = levels
    names = list(per_column)
    if len(names) == 1:
        labels = list(per_column[names[0]])
    else:
        import itertools

        labels = [
            ", ".join(f"{c}={v}" for c, v in zip(names, combo, strict=True))
            for combo in itertools.product(*(per_column[c] for c in names))
        ]
    sizes = np.bincount(codes, minlength=len(labels))
    return codes, labels, sizes, per_column


def _distinct_texts(values: list[Any], argument: str, what: str) -> None:
    """Distinct values that read the same as text (``1`` and ``"1"``) would be two groups
    with one label in every report: ambiguous input, rejected with both values named."""
    seen: dict[str, Any] = {}
    for value in values:
        text = str(value)
        if text in seen:
            first = seen[text]
            same = first is value or (type(first) is type(value) and first == value)
            if same:
                raise MlgateInputError(
                    argument,
                    f"the {what} include {first!r} twice; each must be named once.",
                    "Drop or rename the duplicate.",
                )
            raise MlgateInputError(
                argument,
                f"the {what} include {first!r} and {value!r}, which read the same as text "
                f"({text!r}); the report could not tell them apart.",
                "Give each a distinct name, or convert the column to one type (e.g. .astype(str)).",
            )
        seen[text] = value


def _sorted_order(uniques: list[Any], texts: list[str]) -> list[int]:
    try:
        return sorted(range(len(uniques)), key=lambda i: uniques[i])
    except TypeError:
        return sorted(range(len(uniques)), key=lambda i: texts[i])


def _classes(truth: np.ndarray, pred: np.ndarray | None) -> list[Any]:
    import numpy as np
    import pandas as pd

    if pred is None:
        values = truth
    elif truth.dtype.kind in "biuf" and pred.dtype.kind in "biuf":
        values = np.concatenate([truth, pred])
    else:
        values = np.concatenate([truth.astype(object), pred.astype(object)])
    uniques = pd.unique(values)
    try:
        return sorted(uniques.tolist())
    except TypeError:
        return sorted(uniques.tolist(), key=str)


def _pos_label(pos_label: Any, classes: list[Any], truth: np.ndarray, pred: Any) -> Any:
    numeric = all(isinstance(c, bool | int | float) and not isinstance(c, str) for c in classes)
    if pos_label is None:
        if not numeric:
            raise MlgateInputError(
                "pos_label",
                f"is required: the labels are not numbers or booleans (classes seen: "
                f"{', '.join(repr(c) for c in classes[:10])}).",
                "Pass pos_label= the favourable (positive) class, e.g. pos_label='>50K'.",
            )
        pos_label = True if all(isinstance(c, bool) for c in classes) else 1
    # a positive class outside the labels seen is bad input, not an undefined rate (with one
    # class seen, the default is kept: the rates are then what is undefined)
    if pos_label not in classes and (not numeric or len(classes) >= 2):
        raise MlgateInputError(
            "pos_label",
            f"{pos_label!r} is not among the classes seen "
            f"({', '.join(repr(c) for c in classes[:10])}).",
            "Pass one of the classes of y_true / y_pred.",
        )
    return pos_label


def _expected_absent(expected: Any, per_column: dict[str, list[str]]) -> list[str]:
    if expected is None:
        return []
    if not isinstance(expected, dict):
        raise MlgateInputError(
            "expected_groups",
            f"expected a dict of column -> list of groups, got {type(expected).__name__}.",
            "For example expected_groups={'sex': ['Female', 'Male']}.",
        )
    absent = []
    for column, values in expected.items():
        key = str(column)
        if key not in per_column:
            raise MlgateInputError(
                "expected_groups",
                f"names {key!r}, which is not a sensitive column "
                f"(columns: {', '.join(per_column)}).",
            )
        if isinstance(values, str) or not hasattr(values, "__iter__"):
            values = [values]
        seen = set(per_column[key])
        absent += [
            f"{key}={v}" if len(per_column) > 1 else str(v) for v in values if str(v) not in seen
        ]
    return absent


def _equals(values: np.ndarray, label: Any) -> np.ndarray:
    import numpy as np

    return np.asarray(values == label, dtype=bool)


# -- figures ------------------------------------------------------------------------------


def _resolve(metric: Any) -> Metric:
    if callable(metric):
        return resolve(metric, greater_is_better=True)
    return resolve(metric)


def _figure(groups: _Groups, metric: Any) -> tuple[_Figure, Metric]:
    """Per-group values of a metric: confusion counts for rate metrics, MetricFrame otherwise."""
    import numpy as np

    from ..stats.groups import rate

    spec = _resolve(metric)
    fast = (
        spec.rate is not None
        and not callable(metric)
        and (groups.binary or spec.name == "selection_rate")
    )
    if spec.rate is not None and not fast and spec.name != "accuracy" and not callable(metric):
        raise MlgateInputError(
            "y_true",
            f"has {len(groups.classes)} classes "
            f"({', '.join(repr(c) for c in groups.classes[:6])}); "
            f"{spec.name} is defined for binary labels.",
            "Binarise the labels (one class against the rest) before the check.",
        )
    if fast:
        num, den = spec.rate  # type: ignore[misc]
        values, dens = rate(groups.counts, num, den)
        overall, _ = rate(groups.counts.sum(axis=0), num, den)
        return (
            _Figure(
                spec.name,
                values,
                dens,
                float(overall),
                _DENOMINATOR_WORDS.get(tuple(den), "rows"),
                (num, den),
            ),
            spec,
        )
    y = _metric_input(groups, spec, metric)
    func = _safe(spec, groups.pos_label)
    from fairlearn.metrics import MetricFrame

    labels = np.asarray(groups.labels, dtype=object)[groups.codes]
    frame = MetricFrame(
        metrics=func,
        y_true=groups.y_true,
        y_pred=y,
        sensitive_features={"group": labels},
    )
    by_group = frame.by_group
    values = np.array(
        [float(by_group.get(label, np.nan)) for label in groups.labels], dtype=np.float64
    )
    truth = groups.y_true

    def on_rows(rows: np.ndarray) -> float:
        return func(truth[rows], y[rows])

    return (
        _Figure(
            spec.name, values, groups.sizes.copy(), float(frame.overall), "rows", None, on_rows
        ),
        spec,
    )


def _metric_input(groups: _Groups, spec: Metric, metric: Any) -> np.ndarray:
    if callable(metric):
        y = groups.y_pred if groups.y_pred is not None else groups.y_score
        if y is None:
            raise MlgateInputError("y_pred", "is None; the callable needs y_pred or y_score.")
        return y
    if spec.needs == LABELS:
        if groups.y_pred is None:
            raise MlgateInputError("y_pred", f"is None; {spec.name} needs predicted labels.")
        return groups.y_pred
    if groups.y_score is None:
        raise MlgateInputError(
            "y_score",
            f"is None; {spec.name} needs scores.",
            "Pass the model's scores as y_score= to mlgate.fairness.",
        )
    return groups.y_score


def _safe(spec: Metric, pos_label: Any) -> Callable[[Any, Any], float]:
    """The metric as ``f(y_true, y)``; a group on which it is undefined gives NaN."""

    from ..metrics import handled_warnings

    def compute(y_true: Any, y: Any) -> float:
        with handled_warnings(spec):  # an undefined figure is NaN, reported as such
            try:
                return spec.compute(y_true, y, pos_label=pos_label)
            except ValueError:
                return float("nan")

    return compute


def _eligibility(groups: _Groups, figures: list[_Figure]) -> tuple[list[int], list[dict[str, Any]]]:
    """Groups that can be compared, and the excluded ones with their counts and reason."""
    import numpy as np

    keep: list[int] = []
    excluded: list[dict[str, Any]] = []
    m = groups.min_group_size
    listed = set(groups.listed_gaps)
    for g, label in enumerate(groups.labels):
        n = int(groups.sizes[g])
        reason = None
        denominator = n
        if n == 0 and g not in listed:
            continue  # counted in coverage_gap_count
        if n == 0:
            reason = "empty intersection: no rows in the data (coverage gap)"
            denominator = 0
        else:
            for fig in figures:
                den = int(fig.denominators[g])
                if den == 0:
                    denominator = den
                    reason = f"no {fig.words}: {fig.metric} is undefined (0/0)"
                    break
                if den < m:
                    denominator = den
                    reason = f"{den} {fig.words} for {fig.metric}, under min_group_size={m}"
                    break
                if not np.isfinite(fig.values[g]):
                    denominator = den
                    reason = f"{fig.metric} is undefined on this group"
                    break
        if reason is None:
            keep.append(g)
        else:
            excluded.append({"group": label, "n": n, "denominator": denominator, "reason": reason})
    return keep, excluded


def _group_details(
    groups: _Groups, figure: _Figure, keep: list[int], extra: list[_Figure] | None = None
) -> dict[str, dict[str, Any]]:
    kept = set(keep)
    listed = set(groups.listed_gaps)
    out: dict[str, dict[str, Any]] = {}
    for g, label in enumerate(groups.labels):
        if groups.sizes[g] == 0 and g not in listed:
            continue
        entry: dict[str, Any] = {
            "value": float(figure.values[g]) if g in kept else None,
            "n": int(groups.sizes[g]),
            "denominator": int(figure.denominators[g]),
        }
        for fig in extra or []:
            entry[fig.metric] = float(fig.values[g]) if g in kept else None
            entry[f"{fig.metric}_denominator"] = int(fig.denominators[g])
        out[label] = entry
    return out


def _disparity(
    groups: _Groups,
    metrics: Sequence[Any],
    kind: str,
    method: str,
    agg: str,
    bound: Any,
    confidence: float | None,
    n_boot: int,
    ci_method: str,
    rng: np.random.Generator | None,
    title: str,
) -> Outcome:
    import numpy as np

    from ..stats import groups as stats

    _number(bound, "max" if kind == "difference" else "min")
    _possible(kind, bound)
    _choice(method, stats.METHODS, "method")
    _choice(agg, AGGREGATIONS, "agg")
    _interval_args(confidence, n_boot, ci_method)
    figures_specs = [_figure(groups, m) for m in metrics]
    figures = [f for f, _ in figures_specs]
    if confidence is not None and ci_method not in ("auto", "percentile"):
        raise MlgateInputError(
            "ci_method",
            f"{ci_method!r} is refused for differences and ratios: BCa's bias correction is "
            "driven the wrong way by the folded max - min statistic (measured 13-16% gate false "
            "passes at n=200, nominal 2.5%), and Clopper-Pearson bounds one proportion.",
            "Use ci_method='auto' (the percentile bootstrap, measured within its level).",
        )
    keep, excluded = _eligibility(groups, figures)
    details: dict[str, Any] = {
        "metric": figures[0].metric if len(figures) == 1 else [f.metric for f in figures],
        "kind": kind,
        "method": method,
        "direction": "lower_is_better" if kind == "difference" else "greater_is_better",
        "sensitive_features": groups.columns,
        "min_group_size": groups.min_group_size,
        "overall": figures[0].overall,
        "excluded": excluded,
        "coverage_gaps": groups.coverage_gaps,
        "coverage_gap_count": groups.coverage_gap_count,
        "expected_absent": groups.expected_absent,
    }
    if len(figures) > 1:
        details["agg"] = agg
    details["groups"] = _group_details(
        groups, figures[0], keep, figures if len(figures) > 1 else None
    )
    details["worst_pair"] = None
    if len(keep) < 2:
        return _verdict(groups, details, None, None, None, kind, bound, title, excluded)
    idx = np.asarray(keep)
    stats_each = [float(stats.disparity(f.values[idx], f.overall, kind, method)) for f in figures]
    figure_value = _aggregate(np.asarray(stats_each), kind, agg)
    binding = _binding(stats_each, kind)
    fig = figures[binding]
    if len(figures) > 1:
        details["groups"] = _group_details(groups, fig, keep, figures)
        details["binding_metric"] = fig.metric
        details["components"] = {
            f.metric: {"value": v, "overall": f.overall}
            for f, v in zip(figures, stats_each, strict=True)
        }
        details["overall"] = fig.overall
    if not np.isfinite(figure_value):
        details["undefined"] = f"every compared group has {fig.metric} 0, so the ratio is 0/0"
        return _verdict(groups, details, None, None, None, kind, bound, title, excluded)
    lo, hi = stats.worst_pair(fig.values[idx], fig.overall, kind, method)
    pair = [groups.labels[keep[lo]], groups.labels[keep[hi]] if hi is not None else "overall"]
    details["worst_pair"] = pair
    ci = None
    if confidence is not None and rng is not None:
        ci = _disparity_interval(
            groups,
            figures,
            idx,
            kind,
            method,
            agg,
            figure_value,
            confidence,
            n_boot,
            rng,
            details,
        )
    return _verdict(groups, details, figure_value, ci, pair, kind, bound, title, excluded)


def _aggregate(values: np.ndarray, kind: str, agg: str) -> Any:
    import numpy as np

    if agg == "mean":
        return values.mean(axis=-1)
    return values.max(axis=-1) if kind == "difference" else np.asarray(values).min(axis=-1)


def _binding(values: list[float], kind: str) -> int:
    import numpy as np

    arr = np.asarray(values)
    return int(np.argmax(arr)) if kind == "difference" else int(np.argmin(arr))


def _disparity_interval(
    groups: _Groups,
    figures: list[_Figure],
    idx: np.ndarray,
    kind: str,
    method: str,
    agg: str,
    estimate: float,
    confidence: float,
    n_boot: int,
    rng: np.random.Generator,
    details: dict[str, Any],
) -> list[float] | None:
    """The reported interval of a disparity: its judged side from the bootstrap of the
    figure itself (the largest difference, or smallest ratio, over every compared group: a
    simultaneous bound), its other side from the *signed* figure of the worst pair, whose
    orientation is fixed by the point estimate (``high - low`` or ``low / high``, or the
    worst group against the overall value), so that it can cross 0 (or 1) when the groups
    are equal. The folded figure is at least the signed one on every resample, so the
    interval always holds the estimate."""
    import numpy as np

    from ..stats import groups as stats
    from ..stats.intervals import clopper_pearson

    per_group: list[np.ndarray] = []
    signed_each: list[np.ndarray] = []
    if all(f.rate is not None for f in figures):
        boot = stats.bootstrap_counts(groups.counts, n_boot, rng)
        comps = []
        for f in figures:
            num, den = f.rate  # type: ignore[misc]
            v, _ = stats.rate(boot, num, den)
            o, _ = stats.rate(boot.sum(axis=-2), num, den)
            comps.append(stats.disparity(v[..., idx], o, kind, method))
            signed_each.append(_signed(f.values[idx], f.overall, v[..., idx], o, kind, method))
            per_group.append(v)
        reps = _aggregate(np.stack(comps, axis=-1), kind, agg)
    else:
        f = figures[0]
        reps, values, overall = _generic_replicates(groups, f, idx, kind, method, n_boot, rng)
        per_group = [values]
        signed_each.append(_signed(f.values[idx], f.overall, values[:, idx], overall, kind, method))
    if agg == "mean":
        signed = np.mean(np.stack(signed_each, axis=-1), axis=-1)
    else:
        binding_metric = details.get("binding_metric", figures[0].metric)
        signed = signed_each[next(i for i, f in enumerate(figures) if f.metric == binding_metric)]
    folded = stats.interval(estimate, reps, confidence, "percentile")
    signed_ci = stats.interval(estimate, signed, confidence, "percentile")
    ci = folded
    if folded is not None and signed_ci is not None:
        ci = [signed_ci[0], folded[1]] if kind == "difference" else [folded[0], signed_ci[1]]
        details["signed_interval"] = signed_ci
        details["judged_bound"] = folded[1] if kind == "difference" else folded[0]
    binding = details.get("binding_metric", figures[0].metric)
    which = next(i for i, f in enumerate(figures) if f.metric == binding)
    fig = figures[which]
    for g in idx.tolist():
        label = groups.labels[g]
        if fig.rate is not None:
            num, den = fig.rate
            x = int(stats.cell_sum(groups.counts[g], num))
            trials = int(stats.cell_sum(groups.counts[g], den))
            low, high = clopper_pearson(x, trials, confidence)
            details["groups"][label]["interval"] = None if low is None else [low, high]
        else:
            details["groups"][label]["interval"] = stats.interval(
                float(fig.values[g]), per_group[which][:, g], confidence
            )
    details.update(
        confidence=confidence,
        n_boot=n_boot,
        ci_method="percentile",
        undefined_resamples=int(np.sum(~np.isfinite(reps))),
        resampling="group-stratified bootstrap (rows resampled within each group)",
        interval_meaning=(
            "the judged (upper) bound is for the largest difference over every compared "
            "group; the lower end is the signed difference of the worst pair, which can be "
            "below 0"
            if kind == "difference"
            else "the judged (lower) bound is for the smallest ratio over every compared "
            "group; the upper end is the ratio of the worst pair, which can be above 1"
        ),
    )
    return ci


def _signed(
    point: np.ndarray,
    point_overall: float,
    values: np.ndarray,
    overall: np.ndarray,
    kind: str,
    method: str,
) -> np.ndarray:
    """Bootstrap values of the worst pair's signed figure, the pair and its orientation fixed
    by the point estimate (``point``: the compared groups' values; ``values``: resamples x
    compared groups; ``overall``: the overall value per resample)."""
    import numpy as np

    from ..stats import groups as stats

    with np.errstate(invalid="ignore", divide="ignore"):
        if method == stats.BETWEEN_GROUPS:
            lo, hi = int(np.argmin(point)), int(np.argmax(point))
            if kind == "difference":
                return values[:, hi] - values[:, lo]
            return values[:, lo] / values[:, hi]
        w, _ = stats.worst_pair(point, point_overall, kind, method)
        if kind == "difference":
            sign = 1.0 if point[w] >= point_overall else -1.0
            return sign * (values[:, w] - overall)
        if point[w] <= point_overall:
            return values[:, w] / overall
        return overall / values[:, w]


def _generic_replicates(
    groups: _Groups,
    figure: _Figure,
    idx: np.ndarray,
    kind: str,
    method: str,
    n_boot: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bootstrap a MetricFrame metric: rows resampled within each group, metric per group
    (and the overall value, for ``to_overall``; NaN otherwise)."""
    import numpy as np

    from ..stats import groups as stats

    func = figure.on_rows
    assert func is not None
    order = np.argsort(groups.codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(groups.sizes)])
    rows = [order[bounds[g] : bounds[g + 1]] for g in range(groups.n_groups)]
    values = np.full((n_boot, groups.n_groups), np.nan)
    overall = np.full(n_boot, np.nan)
    draws = [rng.integers(0, len(r), size=(n_boot, len(r))) if len(r) else None for r in rows]
    for b in range(n_boot):
        picked = [rows[g][draws[g][b]] for g in range(groups.n_groups) if draws[g] is not None]
        for g in idx.tolist():
            values[b, g] = func(rows[g][draws[g][b]])  # type: ignore[index]
        if method == stats.TO_OVERALL:
            overall[b] = func(np.concatenate(picked))
    reps = stats.disparity(values[:, idx], overall, kind, method)
    return reps, values, overall


def _group_metric(
    groups: _Groups,
    metric: Any,
    key: str,
    bound: Any,
    confidence: float | None,
    n_boot: int,
    ci_method: str,
    rng: np.random.Generator | None,
    title: str,
) -> Outcome:
    import numpy as np

    from ..stats import groups as stats

    _number(bound, key)
    _interval_args(confidence, n_boot, ci_method)
    figure, _ = _figure(groups, metric)
    used = None
    if confidence is not None:
        used = _group_interval_method(figure, ci_method)
    keep, excluded = _eligibility(groups, [figure])
    details: dict[str, Any] = {
        "metric": figure.metric,
        "kind": "group",
        "method": "every_group",
        "direction": "greater_is_better" if key == "min" else "lower_is_better",
        "sensitive_features": groups.columns,
        "min_group_size": groups.min_group_size,
        "overall": figure.overall,
        "excluded": excluded,
        "coverage_gaps": groups.coverage_gaps,
        "coverage_gap_count": groups.coverage_gap_count,
        "expected_absent": groups.expected_absent,
        "groups": _group_details(groups, figure, keep),
        "worst_pair": None,
    }
    judged = {g: float(figure.values[g]) for g in keep}
    bounds = dict(judged)
    if confidence is not None and rng is not None and keep:
        from ..stats.intervals import CLOPPER_PEARSON, clopper_pearson

        idx = np.asarray(keep)
        if used == CLOPPER_PEARSON:
            num, den = figure.rate  # type: ignore[misc]
            for g in keep:
                x = int(stats.cell_sum(groups.counts[g], num))
                trials = int(stats.cell_sum(groups.counts[g], den))
                low, high = clopper_pearson(x, trials, confidence)
                ci = None if low is None else [low, high]
                details["groups"][groups.labels[g]]["interval"] = ci
                if ci is not None:
                    bounds[g] = ci[0] if key == "min" else ci[1]
            details.update(
                confidence=confidence,
                ci_method=used,
                resampling="none: exact binomial interval on each group's denominator",
            )
        else:
            reps = _generic_replicates(
                groups, figure, idx, "difference", "between_groups", n_boot, rng
            )[1]
            for g in keep:
                ci = stats.interval(judged[g], reps[:, g], confidence, "percentile")
                details["groups"][groups.labels[g]]["interval"] = ci
                if ci is not None:
                    bounds[g] = ci[0] if key == "min" else ci[1]
            details.update(
                confidence=confidence,
                n_boot=n_boot,
                ci_method=used,
                resampling="group-stratified bootstrap (rows resampled within each group)",
            )
    failing = [g for g in keep if (bounds[g] < bound if key == "min" else bounds[g] > bound)]
    small = [e for e in excluded if e["n"] > 0]
    worst = None
    if keep:
        pick = min if key == "min" else max
        worst = pick(keep, key=lambda g: judged[g])
        details["worst_group"] = groups.labels[worst]
    observed = judged[worst] if worst is not None else None
    interval = (
        details["groups"][groups.labels[worst]].get("interval") if worst is not None else None
    )
    sign = ">=" if key == "min" else "<="
    if groups.expected_absent:
        return Outcome(
            ok=False,
            observed=observed,
            interval=interval,
            details=details,
            message=_absent_message(groups),
        )
    if failing:
        shown = ", ".join(f"{groups.labels[g]} {_fmt(judged[g])}" for g in failing[:4]) + (
            f", +{len(failing) - 4} more" if len(failing) > 4 else ""
        )
        what = "unfavourable interval bound" if confidence is not None else "value"
        return Outcome(
            ok=False,
            observed=observed,
            interval=interval,
            details=details,
            message=(
                f"{len(failing)} group{'s miss' if len(failing) > 1 else ' misses'} {title} {sign} "
                f"{_g(bound)} ({what}): {shown}."
                + _excluded_note(excluded)
                + " Look into the model's errors for these groups."
            ),
        )
    if small or not keep:
        return Outcome(
            ok=None,
            observed=None,
            interval=None,
            details=details,
            message=(
                f"Too little data to judge {title} in every group: "
                + _excluded_list(small or excluded)
                + ". "
                + _more_data_hint(groups)
            ),
        )
    return Outcome(
        ok=True,
        observed=observed,
        interval=interval,
        details=details,
        message=(
            f"Every group has {title} {sign} {_g(bound)}; worst {groups.labels[worst]} "  # type: ignore[index]
            f"{_fmt(judged[worst])} over {len(keep)} groups." + _excluded_note(excluded)  # type: ignore[index]
        ),
    )


def _group_interval_method(figure: _Figure, ci_method: str) -> str:
    """Per-group intervals: Clopper-Pearson for rate metrics (percentile and BCa collapse at
    0 and 1 and are refused there), the percentile bootstrap for any other metric."""
    from ..stats import intervals as iv

    fam = iv.PROPORTION if figure.rate is not None else iv.BOOTSTRAP
    if fam == iv.BOOTSTRAP and ci_method == iv.BCA:
        raise MlgateInputError(
            "ci_method",
            "'bca' is available for proportions only here, and refused for them.",
            "Use ci_method='auto' (the percentile bootstrap) for this metric.",
        )
    try:
        used = iv.resolve_method(ci_method, fam)
    except ValueError as exc:
        raise MlgateInputError("ci_method", f"{exc}.") from exc
    return iv.PERCENTILE if used == iv.BCA else used


def _verdict(
    groups: _Groups,
    details: dict[str, Any],
    value: float | None,
    ci: list[float] | None,
    pair: list[str] | None,
    kind: str,
    bound: float,
    title: str,
    excluded: list[dict[str, Any]],
) -> Outcome:
    if groups.expected_absent:
        return Outcome(
            ok=False,
            observed=value,
            interval=ci,
            details=details,
            message=_absent_message(groups),
        )
    if value is None:
        if "undefined" in details:
            reason = f"The {title} {kind} is undefined: {details['undefined']}."
        else:
            compared = len(groups.labels) - len(excluded)
            reason = (
                f"Fewer than two groups can be compared ({compared}); excluded: "
                + _excluded_list(excluded)
                + "."
            )
        return Outcome(
            ok=None,
            observed=None,
            details=details,
            message=reason + " " + _more_data_hint(groups),
        )
    if kind == "difference":
        judged = ci[1] if ci is not None else value
        ok = judged <= bound
        sign, side = "<=", "upper"
    else:
        judged = ci[0] if ci is not None else value
        ok = judged >= bound
        sign, side = ">=", "lower"
    assert pair is not None
    values = details["groups"]
    between = f"{pair[0]} {_fmt(values[pair[0]]['value'])} vs {pair[1]} " + (
        _fmt(values[pair[1]]["value"]) if pair[1] in values else _fmt(details["overall"])
    )
    ci_text = (
        f" ({round(details['confidence'] * 100)}% interval {_fmt(ci[0])} to {_fmt(ci[1])}; "
        f"{side} bound judged)"
        if ci is not None
        else ""
    )
    head = f"{title} {kind} {_fmt(value)}{ci_text}: {between}"
    if ok:
        return Outcome(
            ok=True,
            observed=value,
            interval=ci,
            details=details,
            message=f"{head}; within {sign} {_g(bound)}." + _excluded_note(excluded),
        )
    return Outcome(
        ok=False,
        observed=value,
        interval=ci,
        details=details,
        message=(
            f"{head}; breaks {sign} {_g(bound)}."
            + _excluded_note(excluded)
            + f" Investigate the model's treatment of {pair[0]}, or record an accepted "
            "exception with severity='warn'."
        ),
    )


def _absent_message(groups: _Groups) -> str:
    absent = groups.expected_absent
    return (
        f"Expected group{'s' if len(absent) > 1 else ''} absent from the data: "
        + ", ".join(absent[:6])
        + (f", +{len(absent) - 6} more" if len(absent) > 6 else "")
        + ". The check cannot vouch for a group it never saw; add its rows to the evaluation data."
    )


def _excluded_list(excluded: list[dict[str, Any]]) -> str:
    shown = [f"{e['group']} ({e['reason']})" for e in excluded[:4]]
    extra = len(excluded) - 4
    return "; ".join(shown) + (f"; +{extra} more" if extra > 0 else "")


def _excluded_note(excluded: list[dict[str, Any]]) -> str:
    """One compact line, however many groups: ``2 groups excluded (A 19, B 25 positives
    for true_positive_rate; under min_group_size=30).``"""
    if not excluded:
        return ""
    reasons = {_reason_without_count(e["reason"]) for e in excluded}
    counted = all(isinstance(e["denominator"], int) for e in excluded)
    if len(reasons) == 1 and counted and reasons != {excluded[0]["reason"]}:
        shown = ", ".join(f"{e['group']} {e['denominator']:,}" for e in excluded[:6])
        extra = len(excluded) - 6
        shown += f", +{extra} more" if extra > 0 else ""
        listed = f"{shown}: {reasons.pop()}"
    else:
        listed = _excluded_list(excluded)
    word = "group" if len(excluded) == 1 else "groups"
    return f" {len(excluded)} {word} excluded ({listed})."


def _reason_without_count(reason: str) -> str:
    """``19 positives for true_positive_rate, under min_group_size=30`` without its leading
    count, which the compact list already gives per group."""
    head, _, rest = reason.partition(" ")
    return rest if head.replace(",", "").isdigit() else reason


def _more_data_hint(groups: _Groups) -> str:
    return (
        "Add evaluation rows for the small groups; lowering "
        f"min_group_size (now {groups.min_group_size}) makes the figure rest on a few rows."
    )


def _fmt(value: Any) -> str:
    return "undefined" if value is None else f"{value:.4g}"


# -- arguments and text -------------------------------------------------------------------


def _number(value: Any, argument: str) -> None:
    import math

    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise MlgateInputError(argument, f"must be a finite number, got {value!r}.")


def _possible(kind: str, bound: float) -> None:
    """A difference is never negative and a ratio (smaller over larger) never above 1: a rule
    that no data could meet is bad input, as in every family."""
    if kind == "difference" and bound < 0:
        raise MlgateInputError(
            "max",
            f"is {bound:g}; a difference is never negative, so no data could pass.",
            "Use a bound of 0 or more.",
        )
    if kind == "ratio" and bound > 1:
        raise MlgateInputError(
            "min",
            f"is {bound:g}; a ratio is never above 1, so no data could pass.",
            "Use a bound in [0, 1], e.g. 0.8 for the four-fifths rule.",
        )


def _choice(value: Any, allowed: Sequence[str], argument: str) -> None:
    if value not in allowed:
        raise MlgateInputError(
            argument, f"must be one of {', '.join(repr(a) for a in allowed)}, got {value!r}."
        )


def _interval_args(confidence: Any, n_boot: Any, ci_method: Any) -> None:
    from ..stats.bootstrap import check_interval_args

    check_interval_args(confidence, n_boot, ci_method)


def _capped(outcome: Outcome) -> Outcome:
    """Keep at most ``MAX_LISTED_GROUPS`` groups and excluded groups in the details, with
    counts of the rest. Listed first: the groups the verdict names (worst pair, worst group),
    then those furthest from the overall value; excluded groups in their order."""
    details = outcome.details
    groups = details.get("groups")
    if isinstance(groups, dict) and len(groups) > MAX_LISTED_GROUPS:
        named = [*(details.get("worst_pair") or []), details.get("worst_group")]
        pinned = [g for g in dict.fromkeys(named) if g in groups]
        overall = details.get("overall")

        def distance(item: tuple[str, dict[str, Any]]) -> float:
            value = item[1].get("value")
            if value is None or overall is None:
                return -1.0
            return abs(value - overall)

        ranked = sorted(groups.items(), key=distance, reverse=True)
        chosen = set(pinned)
        for label, _ in ranked:
            if len(chosen) >= MAX_LISTED_GROUPS:
                break
            chosen.add(label)
        details["groups"] = {k: v for k, v in groups.items() if k in chosen}
        details["groups_not_listed"] = len(groups) - len(chosen)
    excluded = details.get("excluded")
    if isinstance(excluded, list) and len(excluded) > MAX_LISTED_GROUPS:
        details["excluded"] = excluded[:MAX_LISTED_GROUPS]
        details["excluded_not_listed"] = len(excluded) - MAX_LISTED_GROUPS
    return outcome


def _rule(key: str, bound: Any, **extra: Any) -> dict[str, Any]:
    rule = {key: bound}
    rule.update({k: v for k, v in extra.items() if v is not None})
    return rule


def _metric_label(metric: Any) -> str:
    if callable(metric):
        return getattr(metric, "__name__", "custom metric")
    return str(metric)


def _method_suffix(method: str, agg: str | None = None) -> str:
    parts = [
        p
        for p in (
            None if method == "between_groups" else method,
            None if agg in (None, "worst_case") else f"agg={agg}",
        )
        if p
    ]
    return f" ({', '.join(parts)})" if parts else ""


def _g(value: Any) -> str:
    return (
        f"{value:g}"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else str(value)
    )


def _with_fingerprint(outcome: Outcome, groups: _Groups) -> Outcome:
    import dataclasses

    details = {**outcome.details, "data_fingerprint": groups.fingerprint}
    return dataclasses.replace(outcome, details=details)
