"""One validator for the targets of a model's predictions (scikit-learn's ``_check_targets``
pattern): ``y_true``, ``y_pred``, ``y_score``, ``sample_weight`` and ``pos_label`` are checked
here, with one vocabulary of errors, for every family that evaluates predictions."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from ..errors import MlgateInputError
from ..metrics import BINARY, MULTICLASS, REGRESSION, SCORES, Metric, is_registered

if TYPE_CHECKING:
    import numpy as np

TASKS = ("auto", BINARY, MULTICLASS, REGRESSION)


class Targets:
    """Validated arrays of one ``mlgate.performance`` call."""

    def __init__(
        self,
        y_true: np.ndarray,
        y_pred: np.ndarray | None,
        y_score: np.ndarray | None,
        task: str,
        weight: np.ndarray | None,
        pos_label: Any,
        classes: list[Any],
        inferred: bool,
    ) -> None:
        self.y_true = y_true
        self.y_pred = y_pred
        self.y_score = y_score
        self.task = task
        self.weight = weight
        self.pos_label = pos_label
        self.classes = classes
        self.inferred = inferred
        self.n = len(y_true)

    def subset(self, rows: np.ndarray) -> Targets:
        return Targets(
            self.y_true[rows],
            None if self.y_pred is None else self.y_pred[rows],
            None if self.y_score is None else self.y_score[rows],
            self.task,
            None if self.weight is None else self.weight[rows],
            self.pos_label,
            self.classes,
            self.inferred,
        )

    def values_for(self, m: Metric, argument: str = "") -> np.ndarray:
        """``y_pred`` or ``y_score``, as the metric needs; bad input when it is missing."""
        if m.needs == SCORES:
            if self.y_score is None:
                have = " (y_pred holds labels)" if self.y_pred is not None else ""
                raise MlgateInputError(
                    "y_score",
                    f"{m.name} needs scores (probabilities or decision values), not labels{have}.",
                    "Pass y_score=model.predict_proba(X)[:, 1].",
                )
            return self.y_score
        if self.y_pred is not None:
            return self.y_pred
        if self.y_score is not None and not is_registered(m):
            return self.y_score
        raise MlgateInputError(
            "y_pred",
            f"{m.name} needs predicted labels and only scores were given.",
            "Pass y_pred=(score >= threshold) or y_pred=model.predict(X).",
        )

    def fingerprint(self, m: Metric) -> str:
        """``sha256:`` over y_true, the predictions the metric uses and the weights."""
        return digest((self.y_true, self.values_for(m), self.weight))

    def rows_fingerprint(self) -> str:
        """``sha256:`` over the evaluation rows alone (y_true and the weights): it changes
        when the data change, not when the model does."""
        return digest((self.y_true, self.weight))

    def predictions_fingerprint(self, m: Metric) -> str:
        """``sha256:`` over the predictions or scores the metric uses: the model's side."""
        return digest((self.values_for(m),))


def digest(parts: tuple[Any, ...]) -> str:
    import numpy as np

    digest = hashlib.sha256()
    for part in parts:
        if part is None:
            digest.update(b"none")
            continue
        arr = np.asarray(part)
        if arr.dtype == object:
            digest.update("\x1f".join(map(repr, arr.ravel().tolist())).encode())
        else:
            digest.update(str(arr.dtype).encode() + str(arr.shape).encode())
            digest.update(np.ascontiguousarray(arr).tobytes())
    return "sha256:" + digest.hexdigest()


def check_targets(
    y_true: Any, y_pred: Any, y_score: Any, task: Any, weight: Any, pos_label: Any
) -> Targets:
    import numpy as np

    if task not in TASKS:
        raise MlgateInputError("task", f"must be one of {', '.join(TASKS)}, got {task!r}.")
    truth = as_array(y_true, "y_true")
    if y_pred is None and y_score is None:
        raise MlgateInputError(
            "y_pred/y_score", "give predicted labels (y_pred=), scores (y_score=) or both."
        )
    pred = None if y_pred is None else as_array(y_pred, "y_pred", length=len(truth))
    score = None
    if y_score is not None:
        score = as_array(y_score, "y_score", length=len(truth), allow_2d=True)
        if score.dtype.kind not in "biuf":
            raise MlgateInputError(
                "y_score", f"must hold numbers (scores or probabilities), got {score.dtype}."
            )
        score = score.astype(np.float64)
    w = None
    if weight is not None:
        w = as_array(weight, "sample_weight", length=len(truth)).astype(np.float64)
        if (w < 0).any():
            raise MlgateInputError("sample_weight", "has negative weights.")
    inferred = task == "auto"
    if inferred:
        task = infer_task(truth, pred)
    classes: list[Any] = []
    if task in (BINARY, MULTICLASS):
        seen = (
            truth if pred is None else np.concatenate([truth.astype(object), pred.astype(object)])
        )
        classes = unique_labels(seen)
        pos_label = resolve_pos_label(pos_label, classes, task)
    return Targets(truth, pred, score, task, w, pos_label, classes, inferred)


def as_array(
    value: Any, argument: str, *, length: int | None = None, allow_2d: bool = False
) -> np.ndarray:
    import numpy as np
    import pandas as pd

    if isinstance(value, str | bytes) or value is None or np.isscalar(value):
        raise MlgateInputError(argument, f"must be an array of values, got {type(value).__name__}.")
    if isinstance(value, pd.DataFrame):
        arr = value.to_numpy()
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
    elif isinstance(value, pd.Series | pd.Index | pd.Categorical):
        series = pd.Series(value)
        if series.isna().any():
            raise MlgateInputError(
                argument,
                f"has {int(series.isna().sum()):,} missing value(s) (NaN/None).",
                "Drop or fill those rows before checking.",
            )
        arr = series.to_numpy()
        if arr.dtype == object and pd.api.types.infer_dtype(arr) in (
            "integer",
            "floating",
            "boolean",
        ):
            arr = arr.astype(pd.Series(arr.tolist()).dtype)
    else:
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError) as exc:
            raise MlgateInputError(argument, f"cannot be read as an array ({exc}).") from exc
    if arr.ndim == 0 or arr.ndim > (2 if allow_2d else 1):
        raise MlgateInputError(argument, f"must be one-dimensional, got shape {arr.shape}.")
    if len(arr) == 0:
        raise MlgateInputError(argument, "is empty.")
    if length is not None and len(arr) != length:
        raise MlgateInputError(
            argument,
            f"has {len(arr):,} rows but y_true has {length:,}.",
            "Pass predictions for exactly the rows of y_true, in the same order.",
        )
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            n_nan = int(np.isnan(arr).sum())
            n_inf = int(bad.sum()) - n_nan
            parts = [f"{n_nan:,} NaN" if n_nan else "", f"{n_inf:,} infinite" if n_inf else ""]
            raise MlgateInputError(
                argument,
                f"has {' and '.join(p for p in parts if p)} value(s).",
                "Drop or fix those rows before checking.",
            )
    elif arr.dtype == object:
        missing = pd.isna(arr)
        if missing.any():
            raise MlgateInputError(
                argument,
                f"has {int(missing.sum()):,} missing value(s) (NaN/None).",
                "Drop or fill those rows before checking.",
            )
    return arr


def unique_labels(values: np.ndarray) -> list[Any]:
    import pandas as pd

    uniques = pd.unique(pd.Series(values, dtype=object))
    out = [u.item() if hasattr(u, "item") else u for u in uniques]
    try:
        return sorted(out)
    except TypeError:
        return out


def infer_task(truth: np.ndarray, pred: np.ndarray | None) -> str:
    """Float labels with more than two values: regression; otherwise two classes or fewer:
    binary, more: multiclass (integer targets of a regression need ``task="regression"``)."""
    import numpy as np

    seen = unique_labels(
        truth if pred is None else np.concatenate([truth.astype(object), pred.astype(object)])
    )
    if truth.dtype.kind == "f" and len(unique_labels(truth)) > 2:
        return REGRESSION
    return BINARY if len(seen) <= 2 else MULTICLASS


def resolve_pos_label(pos_label: Any, classes: list[Any], task: str) -> Any:
    numeric = all(isinstance(c, bool | int | float) for c in classes)
    if pos_label is None:
        if numeric:
            default = True if all(isinstance(c, bool) for c in classes) else 1
            return resolve_pos_label(default, classes, task)  # 1 must be one of two classes seen
        raise MlgateInputError(
            "pos_label",
            f"is required when the labels are not numbers; classes seen: "
            f"{', '.join(repr(c) for c in classes[:10])}.",
            "Pass pos_label= naming the positive class.",
        )
    if task == BINARY and len(classes) == 2 and pos_label not in classes:
        raise MlgateInputError(
            "pos_label",
            f"{pos_label!r} is not among the classes seen: {', '.join(repr(c) for c in classes)}.",
            "Pass pos_label= naming the positive class.",
        )
    return pos_label
