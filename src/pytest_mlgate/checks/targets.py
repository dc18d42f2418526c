"""One validator for the targets of a model's predictions (scikit-learn's ``_check_targets``
pattern): ``y_true``, ``y_pred``, ``y_score``, ``sample_weight`` and ``pos_label`` are checked
here, with one vocabulary of errors, for every family that evaluates predictions.

The rules, each stated once:

- an array is one-dimensional (``y_score`` may be rows x classes), non-empty, as long as
  ``y_true``, and holds no missing or infinite value (:func:`as_array`, one message);
- ``y_score`` and ``sample_weight`` hold numbers, weights are not negative;
- in a classification, ``y_pred`` holds labels, not scores (:func:`require_labels`);
- the positive class (:func:`resolve_pos_label`): given, or ``True``/``1`` for boolean or
  numeric labels, required for other labels, and one of the classes seen once two are seen;
- the metric applies to the task, and the values it reads are of the kind it needs
  (:func:`check_task`, :func:`check_values`);
- one fingerprint routine (:func:`digest`) for every figure's data.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from ..errors import MlgateInputError
from ..metrics import BINARY, MULTICLASS, REGRESSION, SCORES, Metric, is_registered
from ..text import plural, preview

if TYPE_CHECKING:
    import numpy as np

TASKS = ("auto", BINARY, MULTICLASS, REGRESSION)
#: metrics that read probabilities in [0, 1]
PROBABILITY_METRICS = ("log_loss", "brier")
#: what a binary-only metric is called for several classes (scikit-learn's scorer names)
MULTICLASS_VARIANTS = {
    "roc_auc": "roc_auc_ovr or roc_auc_ovo (or their _weighted forms)",
    "f1": "f1_macro, f1_weighted or f1_micro",
    "precision": "precision_macro, precision_weighted or precision_micro",
    "recall": "recall_macro, recall_weighted or recall_micro",
}


class Targets:
    """Validated arrays of one set of predictions (what :func:`check_targets` returns)."""

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
        self.weighted = weight is not None

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

    def require_rows(self, check: str, fix: str = "") -> None:
        """Nothing: the rows are here (an engine table's targets refuse ``check``, naming
        ``fix`` as another way than a sample)."""

    def values_for(self, m: Metric) -> np.ndarray:
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
    """The one fingerprint routine: ``sha256:`` over arrays (dtype, shape and bytes; object
    arrays by the ``repr`` of their values) and ``None`` parts.

    >>> import numpy as np
    >>> digest((np.array([0, 1]), None)) == digest((np.array([0, 1]), None))
    True
    """
    import numpy as np

    sha = hashlib.sha256()
    for part in parts:
        if part is None:
            sha.update(b"none")
            continue
        arr = np.asarray(part)
        if arr.dtype == object:
            sha.update("\x1f".join(map(repr, arr.ravel().tolist())).encode())
        else:
            sha.update(str(arr.dtype).encode() + str(arr.shape).encode())
            sha.update(np.ascontiguousarray(arr).tobytes())
    return "sha256:" + sha.hexdigest()


def check_targets(
    y_true: Any, y_pred: Any, y_score: Any, task: Any, weight: Any, pos_label: Any
) -> Targets:
    """Validate one set of predictions; the task is inferred when ``task="auto"``.

    >>> import numpy as np
    >>> t = check_targets([0, 1, 1], [0, 1, 0], None, "auto", None, None)
    >>> t.task, t.pos_label, t.classes
    ('binary', 1, [0, 1])
    """
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
        w = as_array(weight, "sample_weight", length=len(truth))
        if w.dtype.kind not in "biuf":
            raise MlgateInputError("sample_weight", f"must hold numbers, got {w.dtype}.")
        w = w.astype(np.float64)
        if (w < 0).any():
            raise MlgateInputError(
                "sample_weight",
                f"has {plural(int((w < 0).sum()), 'negative weight')}.",
                "Weights count rows: pass zero or positive weights.",
            )
    inferred = task == "auto"
    classes: list[Any] = []
    if task != REGRESSION:
        classes = unique_labels(
            truth if pred is None else np.concatenate([truth.astype(object), pred.astype(object)])
        )
    if inferred:
        task = infer_task(truth, classes)
    if task == REGRESSION:
        return Targets(truth, pred, score, task, w, None, [], inferred)
    if pred is not None:
        require_labels(pred)
    pos_label = resolve_pos_label(pos_label, classes, task)
    return Targets(truth, pred, score, task, w, pos_label, classes, inferred)


def as_array(
    value: Any, argument: str, *, length: int | None = None, allow_2d: bool = False
) -> np.ndarray:
    """``value`` as a numpy array: one-dimensional (rows x columns with ``allow_2d``), not
    empty, ``length`` rows when given, and without missing or infinite values."""
    import numpy as np
    import pandas as pd

    if isinstance(value, str | bytes) or value is None or np.isscalar(value):
        raise MlgateInputError(argument, f"must be an array of values, got {type(value).__name__}.")
    refuse_engine_column(value, argument)
    arr: np.ndarray
    if isinstance(value, pd.DataFrame):
        arr = value.to_numpy()
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
    elif isinstance(value, pd.Series | pd.Index | pd.Categorical):
        series = pd.Series(value)
        missing_rows = series.isna().to_numpy()
        if missing_rows.any():
            raise _missing(argument, missing_rows)
        arr = series.to_numpy()
        if arr.dtype == object and pd.api.types.infer_dtype(arr) in (
            "integer",
            "floating",
            "boolean",
        ):
            arr = np.asarray(pd.Series(arr.tolist()).to_numpy())
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
            "Pass values for exactly the rows of y_true, in the same order.",
        )
    if arr.dtype.kind in "fc":
        bad = ~np.isfinite(arr)
    elif arr.dtype == object:
        bad = np.asarray(pd.isna(arr), dtype=bool)
    else:
        return arr
    if bad.any():
        raise _missing(argument, bad if bad.ndim == 1 else bad.any(axis=1))
    return arr


#: modules of engine objects that ``np.asarray`` would collect (Dask) or cannot read (Spark)
ENGINE_MODULES = ("dask.", "dask_expr", "pyspark.")


def refuse_engine_column(value: Any, argument: str) -> None:
    """A Dask Series or frame, or a Spark column, is not an array: converting it would
    collect the whole column to the driver (Dask) or fail (Spark). The engine path takes the
    table and column names instead."""
    module = type(value).__module__ or ""
    if module.startswith(ENGINE_MODULES):
        engine = "Spark" if module.startswith("pyspark") else "Dask"
        raise MlgateInputError(
            argument,
            f"is a {engine} {type(value).__name__}; the gate does not collect it.",
            "Pass the whole table as y_true with target= naming its label column, and the "
            "other arguments as its column names, e.g. mlgate.performance(table, "
            "target='label', y_pred='prediction').",
        )


def _missing(argument: str, rows: np.ndarray) -> MlgateInputError:
    """The one message for missing values (NaN, None, NA) and infinite ones."""
    import numpy as np

    first = int(np.argmax(rows))
    return MlgateInputError(
        argument,
        f"has {plural(int(rows.sum()), 'missing or infinite value')} (NaN, None or inf), "
        f"the first at row {first:,}.",
        "Drop or fill those rows in every argument before checking.",
    )


def require_labels(pred: np.ndarray, argument: str = "y_pred", *, has_task: bool = True) -> None:
    """In a classification, ``pred`` holds class labels: fractional numbers are scores
    (``has_task``: the family takes ``task=``, so a regression is a way out)."""
    import numpy as np

    if pred.dtype.kind != "f":
        return
    fractional = pred != np.round(pred)
    if fractional.any():
        example = float(pred[int(np.argmax(fractional))])
        raise MlgateInputError(
            argument,
            f"holds scores, not class labels (e.g. {example:g}).",
            "Threshold the scores into labels (e.g. (score >= 0.5).astype(int)) and pass the "
            "scores as y_score="
            + ("; for a regression pass task='regression'." if has_task else "."),
        )


def unique_labels(values: np.ndarray) -> list[Any]:
    """The distinct labels as Python values, sorted when they can be."""
    import pandas as pd

    uniques = pd.unique(pd.Series(values, dtype=object))
    out = [u.item() if hasattr(u, "item") else u for u in uniques]
    try:
        return sorted(out)
    except TypeError:
        return out


def infer_task(truth: np.ndarray, classes: list[Any]) -> str:
    """Float labels with more than two values: regression; otherwise two classes or fewer
    (in ``y_true`` and ``y_pred``): binary, more: multiclass (integer targets of a regression
    need ``task="regression"``)."""
    if truth.dtype.kind == "f" and len(unique_labels(truth)) > 2:
        return REGRESSION
    return BINARY if len(classes) <= 2 else MULTICLASS


def resolve_pos_label(pos_label: Any, classes: list[Any], task: str) -> Any:
    """The positive class: ``pos_label`` when given, else ``True`` for boolean labels and
    ``1`` for numbers; required for other labels. Once two classes or more are seen it must be
    one of them (with one class seen, the figures that need the other are undefined, not the
    input wrong). A multiclass task without ``pos_label`` has none: its metrics average over
    the classes (a family whose figures always need a positive class asks with ``BINARY``).

    >>> resolve_pos_label(None, [0, 1], "binary")
    1
    >>> resolve_pos_label(None, ["a", "b", "c"], "multiclass") is None
    True
    """
    shown = preview((repr(c) for c in classes), 10)
    if pos_label is None:
        if task == MULTICLASS:
            return None
        if not all(isinstance(c, bool | int | float) for c in classes):
            raise MlgateInputError(
                "pos_label",
                f"is required when the labels are not numbers or booleans; classes seen: {shown}.",
                "Pass pos_label= naming the positive class, e.g. pos_label='>50K'.",
            )
        pos_label = True if all(isinstance(c, bool) for c in classes) else 1
    if len(classes) >= 2 and pos_label not in classes:
        raise MlgateInputError(
            "pos_label",
            f"{pos_label!r} is not among the classes seen: {shown}.",
            "Pass pos_label= naming the positive class, one of the classes of y_true / y_pred.",
        )
    return pos_label


def check_task(data: Targets, m: Metric) -> None:
    """The metric applies to the task; for several classes, name the variants that do."""
    if data.task not in m.tasks:
        how = "inferred" if data.inferred else "given"
        variant = MULTICLASS_VARIANTS.get(m.name) if data.task == MULTICLASS else None
        raise MlgateInputError(
            "metric",
            f"{m.name} applies to {'/'.join(sorted(m.tasks))} tasks, but the task is "
            f"{data.task} ({how}).",
            f"For several classes use {variant}."
            if variant
            else "Choose a metric for this task, or pass task= to mlgate.performance.",
        )


def check_values(data: Targets, m: Metric, y: np.ndarray, argument: str | None = None) -> None:
    """The values ``y`` the metric reads are of the kind it needs (``argument`` names them
    when they are not the family's own ``y_pred``/``y_score``)."""
    import numpy as np

    if m.name in PROBABILITY_METRICS and is_registered(m):
        numeric = y.dtype.kind in "biuf"
        bad = int(((y < 0) | (y > 1)).sum()) if numeric else len(y)
        if bad:
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
