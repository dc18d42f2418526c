"""The input of one ``mlgate.fairness`` call, validated and grouped once.

Targets (``y_true``, ``y_pred``, ``y_score``, ``pos_label``) go through the one validator of
``checks/targets.py``, with its vocabulary of errors; the sensitive features become integer
group codes (intersections of several columns: every combination of their levels, labelled
``col=value, col=value``), so every figure of every check comes from the same grouping.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...errors import MlgateInputError
from ...metrics import BINARY
from ..targets import (
    as_array,
    digest,
    refuse_engine_column,
    require_labels,
    resolve_pos_label,
    unique_labels,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

MAX_LISTED_GAPS = 50
MISSING_LABEL = "<missing>"
MISSING_POLICIES = ("error", "own_group")


@dataclass
class Groups:
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
    #: an engine table's columns (``engine_targets.EngineColumns``): the figures come from
    #: its counts, and ``y_true``/``codes`` are empty (no rows on the driver)
    source: Any = field(default=None, repr=False)
    #: with ``source``: one line per cell of the engine's group-by, ``(codes, y_true, y_pred,
    #: rows)``, from which a label metric that is not a rate is computed per group
    cells: Any = field(default=None, repr=False)
    _counts: np.ndarray | None = field(default=None, repr=False)
    _fingerprint: str | None = field(default=None, repr=False)

    @property
    def n_groups(self) -> int:
        return len(self.labels)

    @property
    def fingerprint(self) -> str:
        """``sha256:`` over the labels, predictions, scores and group codes the figures
        describe (computed once; shown beside each figure in the model card)."""
        if self._fingerprint is None:
            self._fingerprint = digest((self.y_true, self.y_pred, self.y_score, self.codes))
        return self._fingerprint

    @property
    def binary(self) -> bool:
        return len(self.classes) <= 2

    @property
    def counts(self) -> np.ndarray:
        """Per-group ``tp, fp, fn, tn`` (computed on first use, then shared by every check)."""
        if self._counts is None:
            import numpy as np

            from ...stats.groups import confusion_counts

            if self.y_pred is None:
                raise MlgateInputError(
                    "y_pred",
                    "is None; this metric compares predicted labels.",
                    "Pass the model's predicted labels as y_pred.",
                )
            truth = np.asarray(self.y_true == self.pos_label, dtype=bool)
            pred = np.asarray(self.y_pred == self.pos_label, dtype=bool)
            self._counts = confusion_counts(self.codes, self.n_groups, truth, pred)
        return self._counts

    @property
    def listed_gaps(self) -> list[int]:
        """Empty intersections recorded by name: the first ``MAX_LISTED_GAPS`` (wide crosses of
        many-valued columns would otherwise fill the report with empty cells)."""
        import numpy as np

        gaps: list[int] = np.flatnonzero(self.sizes == 0)[:MAX_LISTED_GAPS].tolist()
        return gaps

    @property
    def coverage_gaps(self) -> list[str]:
        return [self.labels[g] for g in self.listed_gaps]

    @property
    def coverage_gap_count(self) -> int:
        return int((self.sizes == 0).sum())


def prepare(
    y_true: Any,
    y_pred: Any,
    y_score: Any,
    sensitive_features: Any,
    min_group_size: Any,
    expected_groups: Any,
    pos_label: Any,
    missing_group: Any,
) -> Groups:
    """Validate the arguments of ``mlgate.fairness`` and group the rows."""
    import numpy as np
    import pandas as pd

    check_group_options(min_group_size, missing_group)
    truth = as_array(y_true, "y_true")
    n = len(truth)
    pred = None
    if y_pred is not None:
        pred = as_array(y_pred, "y_pred", length=n)
        require_labels(pred, has_task=False)
    score = None
    if y_score is not None:
        score = as_array(y_score, "y_score", length=n)
        if score.dtype.kind not in "biuf":
            raise MlgateInputError(
                "y_score", f"must hold numbers (scores or probabilities), got {score.dtype}."
            )
        score = score.astype(np.float64)
    frame = _sensitive_frame(sensitive_features, n)
    codes, labels, sizes, per_column = _encode(frame, missing_group)
    require_two_groups(labels, sizes)
    # each array's distinct values first (a hash pass in its own dtype), then targets' rule
    # on those few: the same classes, without boxing every row as a Python object
    seen = [pd.unique(a).astype(object) for a in (truth, pred) if a is not None]
    classes = unique_labels(np.concatenate(seen))
    return Groups(
        y_true=truth,
        y_pred=pred,
        y_score=score,
        codes=codes,
        labels=labels,
        sizes=sizes,
        columns=list(per_column),
        pos_label=resolve_pos_label(pos_label, classes, BINARY),
        classes=classes,
        expected_absent=_expected_absent(expected_groups, per_column),
        min_group_size=int(min_group_size),
    )


def check_group_options(min_group_size: Any, missing_group: Any) -> None:
    """The grouping options every ``mlgate.fairness`` input shares."""
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


def require_two_groups(labels: list[str], sizes: Any) -> None:
    """Fairness compares groups: at least two must hold rows."""
    present = [labels[g] for g in range(len(labels)) if sizes[g] > 0]
    if len(present) < 2:
        raise MlgateInputError(
            "sensitive_features",
            f"has a single group ({present[0]!r}); fairness compares at least two groups.",
            "Pass the column that holds the groups to compare.",
        )


def _sensitive_frame(features: Any, n: int) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    if features is None:
        raise MlgateInputError(
            "sensitive_features", "is required.", "Pass a column (or frame) of group membership."
        )
    refuse_engine_column(features, "sensitive_features")
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
        return _sensitive_frame(features.to_pandas(), n)
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
    frame: pd.DataFrame, missing_group: str, weights: np.ndarray | None = None
) -> tuple[np.ndarray, list[str], np.ndarray, dict[str, list[str]]]:
    """Integer group codes (intersections: every combination of the columns' levels);
    ``weights``: the rows each line of ``frame`` stands for (an engine table's cells)."""
    import numpy as np
    import pandas as pd

    codes = np.zeros(len(frame), dtype=np.int64)
    per_column: dict[str, list[str]] = {}
    for column in frame.columns:
        col_codes, uniques = pd.factorize(frame[column], sort=False, use_na_sentinel=True)
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
                    f"column {str(column)!r} has "
                    f"{int(missing.sum() if weights is None else weights[missing].sum()):,} "
                    "missing values.",
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
        labels = [
            ", ".join(f"{c}={v}" for c, v in zip(names, combo, strict=True))
            for combo in itertools.product(*(per_column[c] for c in names))
        ]
    sizes = np.bincount(codes, weights=weights, minlength=len(labels)).astype(np.int64)
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
