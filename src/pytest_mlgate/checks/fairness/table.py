"""The group table: one or more metrics disaggregated by group (fairlearn's ``MetricFrame``).

A :class:`GroupTable` holds, per group, each metric's value and the denominator it divides by,
the overall values, and which groups can be compared (``eligible``) and why the others are
excluded; every summary a check judges (difference, ratio, worst pair, worst group) derives
from it instead of being recomputed. Figures follow fairlearn's definitions, except that a
rate whose denominator is 0 is undefined (fairlearn returns 0.0) and a group under
``min_group_size`` is excluded and listed with its counts.

Rate metrics come from the per-group confusion counts (one bincount pass, shared by every
check of a ``mlgate.fairness`` object); any other metric, or a callable, goes through
fairlearn's ``MetricFrame`` (on an engine table: a label metric on the group's cells, each
weighted by its rows; scores and callables need the rows).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...errors import MlgateInputError
from ...metrics import LABELS, Metric, handled_warnings, resolve
from ...text import preview
from .inputs import Groups

if TYPE_CHECKING:
    import numpy as np

_DENOMINATOR_WORDS = {
    ("tp", "fn"): "positives",
    ("fp", "tn"): "negatives",
    ("tp", "fp"): "predicted positives",
    ("tp", "fp", "fn", "tn"): "rows",
}


@dataclass(frozen=True)
class GroupMetric:
    """Per-group values of one metric (NaN where undefined), with what each divides by."""

    metric: str
    values: np.ndarray
    denominators: np.ndarray
    overall: float
    words: str  # what the denominator counts: "positives", "rows", ...
    rate: tuple[tuple[str, ...], tuple[str, ...]] | None  # (numerator, denominator) cells
    on_rows: Callable[[np.ndarray], float] | None = None  # the metric on some rows


def group_metric(groups: Groups, metric: str | Callable[..., float]) -> GroupMetric:
    """Per-group values of a metric: confusion counts for rate metrics, MetricFrame otherwise."""
    import numpy as np

    from ...stats.groups import rate

    spec = resolve(metric, greater_is_better=True) if callable(metric) else resolve(metric)
    fast = (
        spec.rate is not None
        and not callable(metric)
        and (groups.binary or spec.name == "selection_rate")
    )
    if spec.rate is not None and not fast and spec.name != "accuracy" and not callable(metric):
        raise MlgateInputError(
            "y_true",
            f"has {len(groups.classes)} classes "
            f"({preview((repr(c) for c in groups.classes), 6)}); "
            f"{spec.name} is defined for binary labels.",
            "Binarise the labels (one class against the rest) before the check.",
        )
    if fast and spec.rate is not None:
        num, den = spec.rate
        values, dens = rate(groups.counts, num, den)
        overall, _ = rate(groups.counts.sum(axis=0), num, den)
        words = _DENOMINATOR_WORDS.get(tuple(den), "rows")
        return GroupMetric(spec.name, values, dens, float(overall), words, (num, den))
    if groups.source is not None:  # an engine table: from its cells
        return _from_cells(groups, spec, metric)
    y = _metric_input(groups, spec, metric)
    func = _safe(spec, groups.pos_label)
    from fairlearn.metrics import MetricFrame

    labels = np.asarray(groups.labels, dtype=object)[groups.codes]
    frame = MetricFrame(
        metrics=func, y_true=groups.y_true, y_pred=y, sensitive_features={"group": labels}
    )
    by_group = frame.by_group
    values = np.array(
        [float(by_group.get(label, np.nan)) for label in groups.labels], dtype=np.float64
    )
    truth = groups.y_true

    def on_rows(rows: np.ndarray) -> float:
        return func(truth[rows], y[rows])

    whole = float(frame.overall)
    return GroupMetric(spec.name, values, groups.sizes.copy(), whole, "rows", None, on_rows)


def _from_cells(groups: Groups, spec: Metric, metric: Any) -> GroupMetric:
    """A label metric per group of an engine table's cells, each cell weighted by its rows
    (scikit-learn's figures on integer weights equal those on the rows); what reads scores,
    or a callable, needs the rows."""
    import numpy as np

    if callable(metric) or spec.needs != LABELS:
        why = "a callable" if callable(metric) else "it ranks the rows' scores"
        raise groups.source.rows_error(f"{spec.name} per group ({why})")
    codes, truth, pred, rows = groups.cells

    def compute(keep: np.ndarray) -> float:
        with handled_warnings(spec):
            try:
                return float(
                    spec.compute(
                        truth[keep],
                        pred[keep],
                        sample_weight=rows[keep],
                        pos_label=groups.pos_label,
                    )
                )
            except ValueError:
                return float("nan")

    values = np.array(
        [
            compute(codes == g) if groups.sizes[g] > 0 else float("nan")
            for g in range(groups.n_groups)
        ],
        dtype=np.float64,
    )
    whole = compute(np.ones(len(codes), dtype=bool))
    return GroupMetric(spec.name, values, groups.sizes.copy(), whole, "rows", None, None)


def _metric_input(groups: Groups, spec: Metric, metric: Any) -> np.ndarray:
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

    def compute(y_true: Any, y: Any) -> float:
        with handled_warnings(spec):  # an undefined figure is NaN, reported as such
            try:
                return float(spec.compute(y_true, y, pos_label=pos_label))
            except ValueError:
                return float("nan")

    return compute


class GroupTable:
    """Metrics by group, their overall values, and the groups that can be compared.

    A group is excluded (listed with its size, its denominator and the reason) when it is an
    empty intersection, when a metric's denominator is 0 or under ``min_group_size``, or when
    a metric is undefined on it; the first failing metric names the reason. Empty
    intersections beyond the listed coverage gaps are only counted.
    """

    def __init__(self, groups: Groups, metrics: Sequence[GroupMetric]) -> None:
        import numpy as np

        self.groups = groups
        self.metrics = list(metrics)
        self.labels = groups.labels
        self.excluded: list[dict[str, Any]] = []
        keep: list[int] = []
        listed = set(groups.listed_gaps)
        for g, label in enumerate(groups.labels):
            n = int(groups.sizes[g])
            if n == 0 and g not in listed:
                continue  # counted in coverage_gap_count
            reason = self._exclusion(g)
            if reason is None:
                keep.append(g)
            else:
                denominator, why = reason
                self.excluded.append(
                    {"group": label, "n": n, "denominator": denominator, "reason": why}
                )
        self.eligible = np.asarray(keep, dtype=np.int64)

    def _exclusion(self, g: int) -> tuple[int, str] | None:
        import numpy as np

        m = self.groups.min_group_size
        if self.groups.sizes[g] == 0:
            return 0, "empty intersection: no rows in the data (coverage gap)"
        for fig in self.metrics:
            den = int(fig.denominators[g])
            if den == 0:
                return den, f"no {fig.words}: {fig.metric} is undefined (0/0)"
            if den < m:
                return den, f"{den} {fig.words} for {fig.metric}, under min_group_size={m}"
            if not np.isfinite(fig.values[g]):
                return den, f"{fig.metric} is undefined on this group"
        return None

    # -- summaries --------------------------------------------------------------------------

    @property
    def comparable(self) -> bool:
        """At least two groups can be compared."""
        return len(self.eligible) >= 2

    def disparities(self, kind: str, method: str) -> list[float]:
        """Each metric's difference or ratio over the eligible groups (fairlearn's
        ``MetricFrame.difference``/``ratio`` with ``method``)."""
        from ...stats.groups import disparity

        idx = self.eligible
        return [float(disparity(f.values[idx], f.overall, kind, method)) for f in self.metrics]

    def binding(self, kind: str, method: str) -> int:
        """Position of the metric behind the worst case: the largest difference, the smallest
        ratio."""
        import numpy as np

        values = np.asarray(self.disparities(kind, method))
        return int(np.argmax(values)) if kind == "difference" else int(np.argmin(values))

    def worst_pair(self, which: int, kind: str, method: str) -> list[str]:
        """The groups behind metric ``which``'s figure: ``[lowest, highest]`` between groups,
        ``[worst, "overall"]`` against the overall value."""
        from ...stats.groups import worst_pair

        fig = self.metrics[which]
        idx = self.eligible
        lo, hi = worst_pair(fig.values[idx], fig.overall, kind, method)
        return [self.labels[idx[lo]], self.labels[idx[hi]] if hi is not None else "overall"]

    def worst_group(self, low: float | None, high: float | None) -> int | None:
        """The eligible group of metric 0 furthest below ``low`` or above ``high`` (nearest
        the bound it risks, when every group is within): the lowest value for a minimum, the
        highest for a maximum."""
        if not len(self.eligible):
            return None
        values = self.metrics[0].values

        def shortfall(g: int) -> float:
            v = float(values[g])
            gaps = [low - v] if low is not None else []
            gaps += [v - high] if high is not None else []
            return max(gaps)

        worst: int = max(self.eligible.tolist(), key=shortfall)
        return worst

    def group_details(self, which: int = 0) -> dict[str, dict[str, Any]]:
        """``{label: {value, n, denominator, ...}}`` for metric ``which`` (and each metric's
        value and denominator when there are several); excluded groups have value None."""
        kept = set(self.eligible.tolist())
        listed = set(self.groups.listed_gaps)
        fig = self.metrics[which]
        several = len(self.metrics) > 1
        out: dict[str, dict[str, Any]] = {}
        for g, label in enumerate(self.labels):
            if self.groups.sizes[g] == 0 and g not in listed:
                continue
            entry: dict[str, Any] = {
                "value": float(fig.values[g]) if g in kept else None,
                "n": int(self.groups.sizes[g]),
                "denominator": int(fig.denominators[g]),
            }
            for other in self.metrics if several else []:
                entry[other.metric] = float(other.values[g]) if g in kept else None
                entry[f"{other.metric}_denominator"] = int(other.denominators[g])
            out[label] = entry
        return out
