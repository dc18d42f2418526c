"""Predictions held in an engine table (Spark, Dask, polars; issue 16): ``y_true`` is the
frame, ``target=`` names its column of true labels, and ``y_pred``, ``y_score``,
``sample_weight`` and ``sensitive_features`` name its other columns.

The names are validated against the schema (a missing column, a non-numeric score or weight
is the argument's ``error`` before any job), nulls come from the table's first pass (which also
fingerprints the table for the audit), and the figures from aggregates computed in the engine
(:mod:`pytest_mlgate.tables.predictions`): the rows per combination of ``y_true`` and ``y_pred``
(classification) or the sums of a regression's errors. :class:`CountedTargets` carries them
through the performance checks in place of :class:`~.targets.Targets`: every figure that
counts rows (accuracy, precision, recall, F1 and their averages, balanced accuracy, the rates)
and the regression errors (MAE, MSE, RMSE, R², MAPE) come out as on the rows, and the
Clopper-Pearson interval of a proportion from the same counts. What needs the rows themselves
(scores: ROC AUC, average precision, log loss, Brier; a bootstrap interval; a callable metric;
slices; a champion/challenger comparison) is an ``error`` naming the check and what to do.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from ..errors import MlgateInputError
from ..metrics import BINARY, MULTICLASS, REGRESSION, SCORES, Metric, is_registered
from ..tables import Table, needs_rows
from ..text import plural, preview
from .targets import TASKS, Targets, require_labels, resolve_pos_label, unique_labels

if TYPE_CHECKING:
    import numpy as np

    from ..tables.predictions import Cells, Sums

#: R² from one-pass sums is refused above this Σwy² / SS_tot, i.e. (mean / std)² + 1: its
#: relative rounding error is about 1e-16 times that, so at most ~5e-10 here (the test's
#: tolerance against scikit-learn is 1e-9)
R2_MAX_CONDITION = 5e6

HOW = (
    "With a table as y_true, target= names its column of true labels, and y_pred, "
    "y_score, sample_weight and sensitive_features name its other columns."
)


def no_target(target: Any) -> None:
    """``target=`` belongs to a table: with arrays it would be ignored."""
    if target is not None:
        raise MlgateInputError(
            "target",
            "names the column of true labels of a table (pandas, Spark, Dask, polars) passed "
            f"as y_true, but y_true is not one (target={target!r}).",
            "Pass the labels themselves as y_true, or the table with target=.",
        )


def frame_columns(frame: Any, target: Any, named: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """A pandas frame as ``y_true`` with ``target=``: the same API as an engine table, the
    columns taken out as the arrays of the pandas path: ``(labels, {argument: column})``
    (``sensitive_features``: a frame of the named columns). Anything else: ``target=``'s
    error."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        no_target(target)
    columns = list(frame.columns)

    def column(argument: str, value: Any) -> Any:
        if not isinstance(value, str):
            raise MlgateInputError(
                argument,
                f"must name a column of the pandas table passed as y_true, got "
                f"{type(value).__name__}.",
                HOW,
            )
        if value not in columns:
            raise MlgateInputError(
                argument,
                f"names {value!r}, which is not a column of the pandas table "
                f"(columns: {preview((repr(c) for c in columns), 12)}).",
                HOW,
            )
        return frame[value]

    out: dict[str, Any] = {}
    for argument, value in named.items():
        if value is None:
            out[argument] = None
        elif argument == "sensitive_features":
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, list | tuple) or not names:
                raise MlgateInputError(
                    argument, "must name one column of the table, or a list of them.", HOW
                )
            out[argument] = pd.DataFrame({n: column(argument, n) for n in names})
        else:
            out[argument] = column(argument, value)
    return column("target", target), out


class EngineColumns:
    """The engine table behind ``y_true``, and the columns the arguments name in it."""

    def __init__(self, frame: Any, engine: str, target: Any) -> None:
        from ..tables import as_table
        from ..tables.predictions import engine_name

        self.frame = frame
        self.engine = engine
        self.label = engine_name(engine)
        self.table: Table = as_table(frame, "y_true")
        self.columns = list(self.table.columns)
        if target is None:
            raise MlgateInputError(
                "target",
                f"is required with a {self.label} table as y_true: name its column of true labels.",
                "E.g. mlgate.performance(table, target='label', y_pred='prediction').",
            )
        self.y_true = self.name("target", target)

    def name(self, argument: str, value: Any, *, numeric: bool = False) -> str:
        """``value`` as a column of the table; the argument's error otherwise."""
        if not isinstance(value, str):
            raise MlgateInputError(
                argument,
                f"must name a column of the {self.label} table passed as y_true, got "
                f"{type(value).__name__}.",
                HOW,
            )
        if value not in self.columns:
            raise MlgateInputError(
                argument,
                f"names {value!r}, which is not a column of the {self.label} table "
                f"(columns: {preview((repr(c) for c in self.columns), 12)}).",
                HOW,
            )
        if numeric and not self.table.is_kind(value, "numeric"):
            raise MlgateInputError(
                argument,
                f"column {value!r} must hold numbers, got {self.table.dtype(value)}.",
            )
        return value

    def no_nulls(self, named: dict[str, str]) -> None:
        """The table's first pass (row count, nulls, fingerprint): no missing value in the
        columns the arguments name (NaN counts as missing, as in pandas)."""
        try:
            nulls = self.table.null_counts(list(dict.fromkeys(named.values())))
        except MlgateInputError as exc:  # the table's own words name its argument "df"
            raise MlgateInputError("y_true", exc.problem, exc.fix) from exc
        for argument, column in named.items():
            if nulls[column]:
                raise MlgateInputError(
                    argument,
                    f"column {column!r} has {plural(nulls[column], 'missing value')} "
                    "(NaN or None).",
                    "Drop or fill those rows in the table before checking.",
                )

    def fingerprint(self, *parts: Any) -> str:
        """``sha256:`` over the table's fingerprint and what the figure reads of it."""
        sha = hashlib.sha256(str(self.table.dataset().mlgate_fingerprint()).encode())
        for part in parts:
            sha.update(f"\x1e{part!r}".encode())
        return "sha256:" + sha.hexdigest()

    def rows_error(self, check: str, fix: str = "") -> MlgateInputError:
        """``tables.needs_rows`` for ``check``, with the table's size (``fix``: another
        way than a sample)."""
        error = needs_rows(self.label, check, plural(self.table.row_count(), "row"))
        if not fix:
            return error
        return MlgateInputError(error.argument, error.problem, f"{fix} {error.fix}")


def cell_values(cells: Cells, column: str, argument: str) -> np.ndarray:
    """A key column of the cells as a typed array (ints, floats, bools, text), as pandas
    would hold the column; an infinite label is the argument's error, as on pandas."""
    import numpy as np
    import pandas as pd

    values = pd.Series(cells.keys[column].tolist(), dtype=object).infer_objects()
    arr = np.asarray(values.to_numpy())
    if arr.dtype.kind == "f":
        bad = int(cells.count[~np.isfinite(arr)].sum())
        if bad:
            raise MlgateInputError(
                argument,
                f"column {column!r} has {plural(bad, 'infinite value')}.",
                "Drop or fill those rows in the table before checking.",
            )
    return arr


class CountedTargets(Targets):
    """:class:`Targets` of an engine table, as aggregates: ``y_true``/``y_pred`` hold one
    value per cell (combination), ``counts`` the rows of each, ``weight`` what a metric
    weighs each cell by (its rows, or its weight sum); ``n`` is the table's rows."""

    def __init__(
        self,
        source: EngineColumns,
        names: dict[str, str],
        task: str,
        pos_label: Any,
        classes: list[Any],
        inferred: bool,
        cells: tuple[np.ndarray, np.ndarray | None, Cells] | None = None,
        sums: Sums | None = None,
    ) -> None:
        import numpy as np

        truth = cells[0] if cells else np.empty(0)
        pred = cells[1] if cells else np.empty(0)
        self.cells = cells[2] if cells else None
        weight = None
        if self.cells is not None:
            weight = (
                self.cells.weight
                if self.cells.weight is not None
                else self.cells.count.astype(np.float64)
            )
        super().__init__(truth, pred, None, task, weight, pos_label, classes, inferred)
        self.source = source
        self.names = names
        self.sums = sums
        self.n = source.table.row_count()
        self.weighted = "sample_weight" in names

    # -- what the figures read ----------------------------------------------------------

    def values_for(self, m: Metric) -> np.ndarray:
        if m.needs == SCORES:
            raise self.source.rows_error(f"{m.name} (it ranks the scores of the rows)")
        if not is_registered(m):
            raise self.source.rows_error(f"the callable metric {m.name}")
        if self.y_pred is None:
            raise MlgateInputError(
                "y_pred", f"{m.name} needs predicted labels: name the column with y_pred=."
            )
        return self.y_pred

    def fingerprint(self, m: Metric) -> str:
        return self.source.fingerprint(
            self.names.get("target"), self.names.get("y_pred"), self.names.get("sample_weight")
        )

    def rows_fingerprint(self) -> str:
        return self.source.fingerprint(self.names.get("target"), self.names.get("sample_weight"))

    def predictions_fingerprint(self, m: Metric) -> str:
        return self.source.fingerprint(self.names.get("y_pred"))

    def subset(self, rows: np.ndarray) -> Targets:
        raise self.source.rows_error("a subset of the rows")

    def require_rows(self, check: str, fix: str = "") -> None:
        raise self.source.rows_error(check, fix)

    # -- counts -------------------------------------------------------------------------

    def units(self, name: str) -> tuple[int, str]:
        """``intervals.denominator_units`` of the cells (each standing for its rows)."""
        from ..stats.intervals import denominator_units

        if self.cells is None:  # a regression's sums
            return self.n, "rows"
        return denominator_units(
            name, True, self.y_true, self.y_pred, self.pos_label, self.task, self.cells.count
        )

    def proportion(self, name: str) -> tuple[float, float]:
        """``intervals.proportion_counts`` of the cells (Kish's effective trials when
        weighted, from each cell's sums of weights and of their squares)."""
        from ..stats.intervals import proportion_counts

        assert self.cells is not None and self.y_pred is not None
        cells = self.cells
        return proportion_counts(
            name,
            self.y_true,
            self.y_pred,
            self.pos_label,
            cells.weight if self.weighted else None,
            count=cells.count,
            weight2=cells.weight2,
        )

    def regression_value(self, name: str) -> tuple[float | None, str | None]:
        """MAE, MSE, RMSE, R² or MAPE from the sums, or None and why it is undefined (the
        reasons of ``estimate.point`` / ``undefined_regression``). R²'s total sum of squares
        is ``Σwy² - (Σwy)²/Σw`` (one pass): equal to scikit-learn's two-pass figure to
        rounding, which loses digits when the target's mean is far larger than its spread
        (relative error about 1e-16 x (mean / standard deviation)²): above
        :data:`R2_MAX_CONDITION` R² is undefined with the reason and the fix, never a figure
        made of rounding."""
        import math

        s = self.sums
        assert s is not None
        if not s.w > 0:
            return None, "the sample weights sum to 0"
        if name == "mape":
            if s.zeros:
                return None, (
                    f"y_true holds {plural(s.zeros, 'zero value')}, and MAPE divides by "
                    "|y_true| (use mae, or drop those rows)"
                )
            return s.ape / s.w, None
        if name == "r2":
            if s.y_min is not None and s.y_min == s.y_max:
                return None, "y_true is constant, and R² divides by its variance"
            total = s.y2 - s.y * s.y / s.w
            if not total > 0 or s.y2 / total > R2_MAX_CONDITION:
                return None, (
                    "y_true's mean is too large against its spread for R² from one-pass sums "
                    f"(Σwy²/SS_tot {s.y2 / total if total > 0 else math.inf:.3g} > "
                    f"{R2_MAX_CONDITION:.0e}: the digits would be rounding); subtract a "
                    "constant near the mean from both the label and prediction columns in "
                    "the table (R² does not change), or gate the collected rows"
                )
            return 1.0 - s.sq_err / total, None
        mse = s.sq_err / s.w
        return {"mae": s.abs_err / s.w, "mse": mse, "rmse": math.sqrt(mse)}[name], None


def engine_targets(
    frame: Any,
    engine: str,
    target: Any,
    y_pred: Any,
    y_score: Any,
    task: Any,
    weight: Any,
    pos_label: Any,
) -> tuple[CountedTargets, EngineColumns]:
    """``check_targets`` for an engine table: names validated, nulls refused, the task
    inferred as on pandas, then one aggregation in the engine."""
    import numpy as np

    from ..tables.predictions import float_spread, prediction_cells, regression_sums

    if task not in TASKS:
        raise MlgateInputError("task", f"must be one of {', '.join(TASKS)}, got {task!r}.")
    source = EngineColumns(frame, engine, target)
    if y_pred is None and y_score is None:
        raise MlgateInputError(
            "y_pred/y_score", "give predicted labels (y_pred=), scores (y_score=) or both."
        )
    names = {"target": source.y_true}
    if y_pred is not None:
        names["y_pred"] = source.name("y_pred", y_pred)
    if y_score is not None:
        names["y_score"] = source.name("y_score", y_score, numeric=True)
    if weight is not None:
        names["sample_weight"] = source.name("sample_weight", weight, numeric=True)
    source.no_nulls(names)
    truth_col, pred_col = names["target"], names.get("y_pred")
    weight_col = names.get("sample_weight")
    table = source.table
    inferred = task == "auto"
    if inferred:  # float labels with more than two values: a regression (as infer_task)
        task = (
            REGRESSION
            if table.is_kind(truth_col, "float") and float_spread(frame, engine, truth_col)
            else None
        )
    if task == REGRESSION:
        if pred_col is None:
            raise MlgateInputError("y_pred", "is required for a regression: name its column.")
        for argument, column in (("target", truth_col), ("y_pred", pred_col)):
            if not table.is_kind(column, "numeric"):
                raise MlgateInputError(argument, "must hold numbers for a regression.")
        sums = regression_sums(frame, engine, truth_col, pred_col, weight_col)
        _refuse_bad_sums(sums, names)
        return CountedTargets(source, names, REGRESSION, None, [], inferred, sums=sums), source
    keys = [truth_col] + ([pred_col] if pred_col is not None else [])
    cells = prediction_cells(frame, engine, keys, weight_col)
    if cells.negative:
        raise MlgateInputError(
            "sample_weight",
            f"has {plural(cells.negative, 'negative weight')}.",
            "Weights count rows: pass zero or positive weights.",
        )
    if cells.weight is not None and not np.isfinite(cells.weight).all():
        raise MlgateInputError("sample_weight", "has infinite values.")
    truth = cell_values(cells, truth_col, "target")
    pred = None if pred_col is None else cell_values(cells, pred_col, "y_pred")
    classes = unique_labels(
        truth if pred is None else np.concatenate([truth.astype(object), pred.astype(object)])
    )
    if task is None:
        task = BINARY if len(classes) <= 2 else MULTICLASS
    if pred is not None:
        require_labels(pred)
    pos_label = resolve_pos_label(pos_label, classes, task)
    counted = CountedTargets(
        source, names, task, pos_label, classes, inferred, cells=(truth, pred, cells)
    )
    return counted, source


def _refuse_bad_sums(sums: Sums, names: dict[str, str]) -> None:
    for argument, column in names.items():
        bad = sums.infinite.get(column, 0)
        if bad and argument != "y_score":
            raise MlgateInputError(
                argument,
                f"column {column!r} has {plural(bad, 'infinite value')}.",
                "Drop or fill those rows in the table before checking.",
            )
    if sums.negative:
        raise MlgateInputError(
            "sample_weight",
            f"has {plural(sums.negative, 'negative weight')}.",
            "Weights count rows: pass zero or positive weights.",
        )
