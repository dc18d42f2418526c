"""Intervals of the fairness figures: the group-stratified bootstrap of a disparity, and each
group's own interval (Clopper-Pearson for rates, the percentile bootstrap otherwise).

Rows are resampled *within each group*, so no group vanishes from a resample; for rate
metrics the resample of a group is drawn through the multinomial distribution of its four
confusion cells (``stats/groups.bootstrap_counts``), for any other metric row by row.
Every interval comes from ``stats/intervals.interval``, and the method it states is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...stats import groups as stats
from ...stats.intervals import CLOPPER_PEARSON, PERCENTILE, clopper_pearson, interval
from .table import GroupMetric, GroupTable

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class DisparityRule:
    """What a disparity check compares: ``kind`` (difference or ratio) of ``method``
    (between groups or to the overall value), over metrics aggregated by ``agg``."""

    kind: str
    method: str
    agg: str = "worst_case"


def aggregate(values: np.ndarray, rule: DisparityRule) -> Any:
    """Several metrics' disparities in one figure (last axis): the worst, or their mean."""
    if rule.agg == "mean":
        return values.mean(axis=-1)
    return values.max(axis=-1) if rule.kind == "difference" else values.min(axis=-1)


def disparity_interval(
    table: GroupTable,
    rule: DisparityRule,
    binding: int,
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
    interval always holds the estimate. Per-group intervals go into ``details["groups"]``."""
    import numpy as np

    idx = table.eligible
    groups = table.groups
    figures = table.metrics
    per_group: list[np.ndarray] = []
    signed_each: list[np.ndarray] = []
    if all(f.rate is not None for f in figures):
        boot = stats.bootstrap_counts(groups.counts, n_boot, rng)
        comps = []
        for f in figures:
            num, den = f.rate  # type: ignore[misc]
            v, _ = stats.rate(boot, num, den)
            o, _ = stats.rate(boot.sum(axis=-2), num, den)
            comps.append(stats.disparity(v[..., idx], o, rule.kind, rule.method))
            signed_each.append(_signed(f.values[idx], f.overall, v[..., idx], o, rule))
            per_group.append(v)
        reps = aggregate(np.stack(comps, axis=-1), rule)
    else:
        f = figures[0]
        values, overall = bootstrap_groups(table, f, rule.method, n_boot, rng)
        reps = stats.disparity(values[:, idx], overall, rule.kind, rule.method)
        per_group = [values]
        signed_each.append(_signed(f.values[idx], f.overall, values[:, idx], overall, rule))
    if rule.agg == "mean":
        signed = np.mean(np.stack(signed_each, axis=-1), axis=-1)
    else:
        signed = signed_each[binding]
    folded = interval(reps, confidence, method=PERCENTILE)
    signed_ci = interval(signed, confidence, method=PERCENTILE)
    ci = folded.bounds
    if folded.bounds is not None and signed_ci.bounds is not None:
        assert folded.low is not None and folded.high is not None  # (bounds is not None)
        if rule.kind == "difference":
            ci = [signed_ci.bounds[0], folded.high]
        else:
            ci = [folded.low, signed_ci.bounds[1]]
        details["signed_interval"] = signed_ci.bounds
        details["judged_bound"] = folded.high if rule.kind == "difference" else folded.low
    fig = figures[binding]
    for g in idx.tolist():
        entry = details["groups"][table.labels[g]]
        if fig.rate is not None:
            entry["interval"] = rate_interval(groups.counts[g], fig, confidence)
        else:
            entry["interval"] = interval(per_group[binding][:, g], confidence).bounds
    details.update(
        confidence=confidence,
        n_boot=n_boot,
        ci_method=folded.method,
        undefined_resamples=int(np.sum(~np.isfinite(reps))),
        resampling="group-stratified bootstrap (rows resampled within each group)",
        interval_meaning=(
            "the judged (upper) bound is for the largest difference over every compared "
            "group; the lower end is the signed difference of the worst pair, which can be "
            "below 0"
            if rule.kind == "difference"
            else "the judged (lower) bound is for the smallest ratio over every compared "
            "group; the upper end is the ratio of the worst pair, which can be above 1"
        ),
    )
    details["group_ci_method"] = CLOPPER_PEARSON if fig.rate is not None else PERCENTILE
    return ci


def rate_interval(counts: np.ndarray, fig: GroupMetric, confidence: float) -> list[float] | None:
    """Clopper-Pearson on the group's own denominator (percentile and BCa collapse at 0
    and 1)."""
    assert fig.rate is not None
    num, den = fig.rate
    low, high = clopper_pearson(
        int(stats.cell_sum(counts, num)), int(stats.cell_sum(counts, den)), confidence
    )
    return None if low is None or high is None else [low, high]


def _signed(
    point: np.ndarray,
    point_overall: float,
    values: np.ndarray,
    overall: np.ndarray,
    rule: DisparityRule,
) -> np.ndarray:
    """Bootstrap values of the worst pair's signed figure, the pair and its orientation fixed
    by the point estimate (``point``: the compared groups' values; ``values``: resamples x
    compared groups; ``overall``: the overall value per resample)."""
    import numpy as np

    with np.errstate(invalid="ignore", divide="ignore"):
        if rule.method == stats.BETWEEN_GROUPS:
            lo, hi = int(np.argmin(point)), int(np.argmax(point))
            if rule.kind == "difference":
                out = values[:, hi] - values[:, lo]
            else:
                out = values[:, lo] / values[:, hi]
        else:
            w, _ = stats.worst_pair(point, point_overall, rule.kind, rule.method)
            if rule.kind == "difference":
                sign = 1.0 if point[w] >= point_overall else -1.0
                out = sign * (values[:, w] - overall)
            elif point[w] <= point_overall:
                out = values[:, w] / overall
            else:
                out = overall / values[:, w]
    return np.asarray(out)


def bootstrap_groups(
    table: GroupTable,
    figure: GroupMetric,
    method: str,
    n_boot: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap a MetricFrame metric: rows resampled within each group, the metric on each
    eligible group (resamples x groups, NaN elsewhere) and, for ``to_overall``, on all the
    resampled rows (NaN otherwise)."""
    import numpy as np

    groups = table.groups
    func = figure.on_rows
    if func is None and groups.source is not None:  # an engine table's cells are no rows
        raise groups.source.rows_error(
            f"a bootstrap interval of {figure.metric} per group (confidence=)"
        )
    assert func is not None
    order = np.argsort(groups.codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(groups.sizes)])
    rows = [order[bounds[g] : bounds[g + 1]] for g in range(groups.n_groups)]
    values = np.full((n_boot, groups.n_groups), np.nan)
    overall = np.full(n_boot, np.nan)
    draws = [rng.integers(0, len(r), size=(n_boot, len(r))) if len(r) else None for r in rows]
    eligible = table.eligible.tolist()
    for b in range(n_boot):
        picked = [rows[g][d[b]] for g, d in enumerate(draws) if d is not None]
        for g in eligible:
            drawn = draws[g]
            assert drawn is not None  # an eligible group has rows
            values[b, g] = func(rows[g][drawn[b]])
        if method == stats.TO_OVERALL:
            overall[b] = func(np.concatenate(picked))
    return values, overall


def group_intervals(
    table: GroupTable,
    used: str,
    confidence: float,
    n_boot: int,
    rng: np.random.Generator,
) -> tuple[dict[int, list[float] | None], str]:
    """Each eligible group's interval of metric 0 with the resolved method ``used``
    (Clopper-Pearson for a rate, else the percentile bootstrap), and the method stated."""
    fig = table.metrics[0]
    out: dict[int, list[float] | None] = {}
    if used == CLOPPER_PEARSON:
        for g in table.eligible.tolist():
            out[g] = rate_interval(table.groups.counts[g], fig, confidence)
        return out, CLOPPER_PEARSON
    values, _ = bootstrap_groups(table, fig, stats.BETWEEN_GROUPS, n_boot, rng)
    stated = PERCENTILE
    for g in table.eligible.tolist():
        ci = interval(values[:, g], confidence, method=PERCENTILE)
        out[g] = ci.bounds
        stated = ci.method
    return out, stated
