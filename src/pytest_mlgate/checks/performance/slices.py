"""The same band on every slice (segment) of the rows (``perf.by(slices).expect``).

``observed`` is the worst judged slice's value; a slice with fewer than ``min_size`` units of
the metric's denominator (positives for a recall, predicted positives for a precision, rows
for an accuracy), or whose figure is undefined, cannot be judged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...errors import MlgateInputError
from ...metrics import is_registered, resolve
from ...results import Outcome
from ...text import figure, number, preview
from ..bands import band_text, check_band
from ..targets import Targets
from .arguments import band_direction, check_interval, check_min_size
from .estimate import estimate

if TYPE_CHECKING:
    import numpy as np


def slices_outcome(
    data: Targets,
    slices: Any,
    min_size: int,
    metric: str | Callable[..., float],
    low: float | None,
    high: float | None,
    confidence: float | None,
    n_boot: int,
    ci_method: str,
    greater_is_better: bool | None,
    seed: np.random.SeedSequence,
) -> Outcome:
    """Every slice's metric (its unfavourable bound with ``confidence``) lies within
    ``[low, high]``; each slice gets its own child of ``seed``."""
    import numpy as np

    from ...stats.intervals import denominator_units

    data.require_rows(
        "slices (perf.by)",
        "For a count metric per group of a column, mlgate.fairness(table, y_pred, target=..., "
        "sensitive_features=column).expect_group_metric(...) counts the groups in the engine.",
    )
    check_band(low, high)
    check_interval(confidence, n_boot, ci_method)
    check_min_size(min_size)
    m = resolve(
        metric,
        greater_is_better=band_direction(metric, greater_is_better, low, high),
        needed_for="to name the worst slice when both min= and max= are given",
    )
    labels, names = slice_labels(slices, data.n)
    children = seed.spawn(len(names))
    table: dict[str, dict[str, Any]] = {}
    worst: float | None = None
    worst_name = None
    failed: list[str] = []
    thin: list[str] = []
    y_all = data.values_for(m)
    for code, (slice_name, child) in enumerate(zip(names, children, strict=True)):
        rows = np.flatnonzero(labels == code)
        units, what = denominator_units(
            m.name, is_registered(m), data.y_true[rows], y_all[rows], data.pos_label, data.task
        )
        entry: dict[str, Any] = {
            "value": None,
            "n": len(rows),
            "denominator": units,
            "status": "insufficient",
        }
        table[slice_name] = entry
        if units < min_size:
            entry["reason"] = f"{units:,} {what}, under min_size={min_size}"
            thin.append(slice_name)
            continue
        est = estimate(data.subset(rows), m, confidence, n_boot, ci_method, child)
        entry["value"] = est.value
        if confidence is not None:
            entry["interval"] = est.interval()
            entry["ci_method"] = est.ci_method
        if est.value is None or (confidence is not None and est.low is None):
            entry["reason"] = est.undefined_reason or est.interval_problem or "no defined resample"
            thin.append(slice_name)
            continue
        bottom, top = est.bounds(confidence)
        bad = (low is not None and bottom < low) or (high is not None and top > high)
        entry["status"] = "failed" if bad else "passed"
        if bad:
            failed.append(slice_name)
        value = est.value
        if worst is None or (value < worst if m.greater_is_better else value > worst):
            worst, worst_name = value, slice_name
    details: dict[str, Any] = {
        "metric": m.name,
        "direction": m.direction,
        "task": data.task,
        "n": data.n,
        "min_size": min_size,
        "slices": table,
        "worst_slice": worst_name,
        "failed": failed,
        "insufficient": thin,
    }
    if confidence is not None:
        # the methods that gave the slices' intervals (None: no slice has one)
        used = sorted({e["ci_method"] for e in table.values() if e.get("ci_method")})
        details.update(
            confidence=confidence, n_boot=n_boot, ci_method=", ".join(used) if used else None
        )
    if failed:
        shown = ", ".join(f"{k} = {figure(table[k]['value'])}" for k in failed[:5])
        message = (
            f"{len(failed)} of {len(table)} slices miss {band_text(low, high)} for "
            f"{m.name}: {shown}. Investigate those segments."
        )
        if thin:
            message += f" {len(thin)} slice(s) could not be judged: {preview(thin, 5)}."
        return Outcome(False, worst, message, details)
    if thin:
        message = (
            f"{len(thin)} of {len(table)} slices cannot be judged for {m.name} "
            f"(under min_size={number(min_size)} units of the metric's denominator, or "
            f"undefined): {preview(thin, 5)}. "
            "Collect more data, merge slices or lower min_size."
        )
        # the worst slice is unknown while some cannot be judged: no number
        return Outcome(None, None, message, details)
    sizes = preview((f"{k} ({v['n']:,})" for k, v in table.items()), 6)
    message = (
        f"All {len(table)} slices within {band_text(low, high)} for {m.name}; worst "
        f"{worst_name} = {figure(worst)}. Slices: {sizes}."
    )
    return Outcome(True, worst, message, details)


def slice_labels(slices: Any, n: int) -> tuple[np.ndarray, list[str]]:
    """Codes in ``range(k)`` of each row's slice, and the k slice names (sorted): a column's
    values, or ``col=value, ...`` for a frame of several; missing values are ``<missing>``."""
    import numpy as np
    import pandas as pd

    if isinstance(slices, pd.DataFrame):
        if slices.shape[1] == 0:
            raise MlgateInputError("slices", "has no columns.")
        frame = slices.reset_index(drop=True)
        text = [
            frame[c].astype(object).where(frame[c].notna(), "<missing>").astype(str)
            for c in frame.columns
        ]
        labels = pd.Series(
            [
                ", ".join(f"{c}={v}" for c, v in zip(frame.columns, row, strict=True))
                for row in zip(*text, strict=True)
            ]
        )
    else:
        if isinstance(slices, str | bytes) or np.isscalar(slices) or slices is None:
            raise MlgateInputError(
                "slices", f"must be an array of slice labels, got {type(slices).__name__}."
            )
        series = pd.Series(
            np.asarray(slices, dtype=object)
            if not isinstance(slices, pd.Series)
            else slices.to_numpy(dtype=object)
        )
        labels = series.where(series.notna(), "<missing>").astype(str)
    if len(labels) != n:
        raise MlgateInputError(
            "slices",
            f"has {len(labels):,} rows but y_true has {n:,}.",
            "Pass one slice label per row, in the same order.",
        )
    codes, uniques = pd.factorize(labels, sort=True)
    return codes, [str(u) for u in uniques]
