"""``mlgate.fairness`` on an engine table (Spark, Dask, polars; issue 16): ``target=``,
``y_pred``, ``y_score`` and ``sensitive_features`` name columns of the table passed as
``y_true``. ONE group-by in the engine counts the rows per (sensitive groups x true label x
predicted label); the groups are encoded from those cells as :func:`.inputs.prepare` encodes
the rows (same labels, order, intersections, missing-group policy), and the per-group
confusion counts every rate metric reads come from the same cells, so the figures and their
intervals (Clopper-Pearson per group; the multinomial bootstrap of the counts for
disparities) equal the pandas path's on the same rows and seed. Other label metrics (F1,
balanced accuracy, ...) are computed per group on the cells, each weighted by its rows (equal
to fairlearn's ``MetricFrame`` on the rows). What needs the rows (scores, a callable, the row
bootstrap of a metric that is not a rate) is an ``error`` naming the metric and what to do.
"""

from __future__ import annotations

from typing import Any

from ...errors import MlgateInputError
from ...metrics import BINARY
from ..engine_targets import EngineColumns, cell_values
from ..targets import require_labels, resolve_pos_label, unique_labels
from .inputs import (
    Groups,
    _distinct_texts,
    _encode,
    _expected_absent,
    check_group_options,
    require_two_groups,
)


def sensitive_names(source: EngineColumns, features: Any) -> list[str]:
    """``sensitive_features`` as column names of the table (one name, or a list)."""
    names = [features] if isinstance(features, str) else features
    if not isinstance(names, list | tuple) or not names:
        raise MlgateInputError(
            "sensitive_features",
            f"must name one column of the {source.label} table, or a list of them, got "
            f"{type(features).__name__}.",
            "E.g. sensitive_features='sex' or sensitive_features=['sex', 'race'].",
        )
    out = [source.name("sensitive_features", n) for n in names]
    _distinct_texts(list(out), "sensitive_features", "column names")
    return out


def prepare_engine(
    frame: Any,
    engine: str,
    target: Any,
    y_pred: Any,
    y_score: Any,
    sensitive_features: Any,
    min_group_size: Any,
    expected_groups: Any,
    pos_label: Any,
    missing_group: Any,
) -> tuple[Groups, EngineColumns]:
    """:func:`.inputs.prepare` for an engine table, from one group-by in the engine."""
    import numpy as np

    from ...tables.predictions import prediction_cells

    check_group_options(min_group_size, missing_group)
    source = EngineColumns(frame, engine, target)
    if y_pred is None:
        raise MlgateInputError("y_pred", "is required: name the column of predicted labels.")
    pred_col = source.name("y_pred", y_pred)
    named = {"target": source.y_true, "y_pred": pred_col}
    if y_score is not None:
        named["y_score"] = source.name("y_score", y_score, numeric=True)
    sensitive = sensitive_names(source, sensitive_features)
    source.no_nulls(named)
    cells = prediction_cells(frame, engine, [*sensitive, source.y_true, pred_col])
    truth = cell_values(cells, source.y_true, "target")
    pred = cell_values(cells, pred_col, "y_pred")
    require_labels(pred, has_task=False)
    weights = cells.count.astype(np.float64)
    codes, labels, sizes, per_column = _encode(cells.keys[sensitive], missing_group, weights)
    require_two_groups(labels, sizes)
    classes = unique_labels(np.concatenate([truth.astype(object), pred.astype(object)]))
    pos = resolve_pos_label(pos_label, classes, BINARY)
    hit_truth = np.asarray(truth == pos, dtype=bool)
    hit_pred = np.asarray(pred == pos, dtype=bool)
    # stats.groups.confusion_counts with one line per cell, weighted by the cell's rows
    cell = (~hit_pred).astype(np.int64) * 2 + (~hit_truth).astype(np.int64)
    flat = np.bincount(codes * 4 + cell, weights=weights, minlength=len(labels) * 4)
    counts = flat.round().astype(np.int64).reshape(len(labels), 4)
    groups = Groups(
        y_true=np.empty(0),
        y_pred=None,
        y_score=None,
        codes=np.empty(0, dtype=np.int64),
        labels=labels,
        sizes=sizes,
        columns=list(per_column),
        pos_label=pos,
        classes=classes,
        expected_absent=_expected_absent(expected_groups, per_column),
        min_group_size=int(min_group_size),
        source=source,
        cells=(codes, truth, pred, weights),
        _counts=counts,
        _fingerprint=source.fingerprint(*sensitive, source.y_true, pred_col),
    )
    return groups, source
