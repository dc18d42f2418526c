"""Geometry for the server-side SVG charts: scales and coordinates only.

The templates (``_charts.html.j2``) draw the SVG; this module decides where things go. Three
charts: a metric against its threshold with its interval, per-group bars with intervals, and
reference-vs-current histograms of a drifted column.
"""

from __future__ import annotations

import math
from typing import Any

LINE_WIDTH = 280
BAR_WIDTH = 300
HIST_WIDTH = 360
HIST_HEIGHT = 110
MAX_GROUPS = 24
MAX_BINS = 24
MAX_HISTOGRAMS = 6


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _domain(values: list[float]) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    if lo >= 0 and hi <= 1:
        return 0.0, 1.0
    if lo == hi:
        pad = abs(lo) * 0.1 or 1.0
        return lo - pad, hi + pad
    pad = (hi - lo) * 0.08
    return lo - pad, hi + pad


def _scale(lo: float, hi: float, width: float, margin: float = 8.0):
    span = hi - lo or 1.0
    return lambda v: round(margin + (v - lo) / span * (width - 2 * margin), 1)


def threshold_chart(check: dict[str, Any]) -> dict[str, Any] | None:
    """A number line: the observed value, its interval and the threshold bounds."""
    observed = check.get("observed")
    if not _finite(observed) or check.get("category") not in ("performance", "fairness", "drift"):
        return None
    threshold = check.get("threshold") or {}
    keys = ("min", "max", "max_difference", "min_ratio", "max_drifted_share", "alpha")
    if "max_drifted_share" in threshold:  # the share is judged; alpha is a per-column rule
        keys = ("max_drifted_share",)
    bounds = [(key, float(threshold[key])) for key in keys if _finite(threshold.get(key))]
    interval = check.get("interval")
    has_interval = (
        isinstance(interval, list) and len(interval) == 2 and all(_finite(v) for v in interval)
    )
    if not bounds and not has_interval:
        return None
    values = [float(observed)] + [v for _, v in bounds]
    if has_interval:
        values += [float(interval[0]), float(interval[1])]
    lo, hi = _domain(values)
    x = _scale(lo, hi, LINE_WIDTH)
    return {
        "width": LINE_WIDTH,
        "height": 44,
        "x0": x(lo),
        "x1": x(hi),
        "lo_label": f"{lo:.3g}",
        "hi_label": f"{hi:.3g}",
        "observed": x(float(observed)),
        "interval": [x(float(interval[0])), x(float(interval[1]))] if has_interval else None,
        "bounds": [{"x": x(v), "label": f"{k} {v:.3g}"} for k, v in bounds],
        "status": check.get("status", ""),
    }


def group_chart(check: dict[str, Any]) -> dict[str, Any] | None:
    """Horizontal bars, one per group, with interval whiskers; excluded groups are marked."""
    groups = (check.get("details") or {}).get("groups")
    if not isinstance(groups, dict) or not groups:
        return None
    rows = []
    values: list[float] = []
    for label, info in list(groups.items())[:MAX_GROUPS]:
        if not isinstance(info, dict):
            continue
        value = info.get("value")
        interval = info.get("interval")
        ok_interval = (
            isinstance(interval, list) and len(interval) == 2 and all(_finite(v) for v in interval)
        )
        rows.append(
            {
                "label": str(label),
                "value": value if _finite(value) else None,
                "n": info.get("n"),
                "denominator": info.get("denominator"),
                "interval": interval if ok_interval else None,
            }
        )
        if _finite(value):
            values.append(float(value))
        if ok_interval:
            values += [float(interval[0]), float(interval[1])]
    if not rows:
        return None
    lo, hi = _domain([*values, 0.0]) if values else (0.0, 1.0)
    lo = min(lo, 0.0)
    x = _scale(lo, hi, BAR_WIDTH, margin=4.0)
    row_h = 22
    for i, row in enumerate(rows):
        row["y"] = 4 + i * row_h
        if row["value"] is not None:
            row["x"] = x(0.0)
            row["w"] = round(x(row["value"]) - x(0.0), 1)
            row["value_label"] = f"{row['value']:.3g}"
        row["ix"] = (
            [x(row["interval"][0]), x(row["interval"][1])] if row["interval"] is not None else None
        )
    details = check.get("details") or {}
    threshold = check.get("threshold") or {}
    # a per-group rule's bound is drawn on the bars; a gap or ratio rule is not on their scale
    marks = [
        {"x": x(float(threshold[k])), "label": f"{k} {threshold[k]:.3g}"}
        for k in ("min", "max")
        if details.get("kind") not in ("difference", "ratio")
        and _finite(threshold.get(k))
        and lo <= float(threshold[k]) <= hi
    ]
    metric = details.get("binding_metric") or details.get("metric")
    return {
        "caption": f"{metric} by group" if isinstance(metric, str) else "value by group",
        "width": BAR_WIDTH,
        "height": 8 + len(rows) * row_h,
        "rows": rows,
        "zero": x(0.0),
        "marks": marks,
        "more": max(0, len(groups) - MAX_GROUPS),
    }


def histogram_charts(check: dict[str, Any]) -> list[dict[str, Any]]:
    """Reference vs current bars for drifted columns (judged ones when none drifted)."""
    columns = (check.get("details") or {}).get("columns")
    if not isinstance(columns, dict):
        return []
    chosen = [(n, c) for n, c in columns.items() if isinstance(c, dict) and c.get("drifted")]
    if not chosen:
        return []
    charts = []
    for name, info in chosen[:MAX_HISTOGRAMS]:
        hist = info.get("histogram")
        if not isinstance(hist, dict):
            continue
        ref, cur = hist.get("reference") or [], hist.get("current") or []
        labels = _bin_labels(hist, len(ref))
        k = min(len(ref), len(cur), MAX_BINS)
        if k == 0:
            continue
        top = max([v for v in ref[:k] + cur[:k] if _finite(v)] or [1.0]) or 1.0
        slot = (HIST_WIDTH - 16) / k
        base = HIST_HEIGHT - 14
        scale = (HIST_HEIGHT - 20) / top
        charts.append(
            {
                "column": str(name),
                "width": HIST_WIDTH,
                "height": HIST_HEIGHT,
                "base": base,
                "ref_path": _bar_path(ref[:k], slot, 0.1, base, scale),
                "cur_path": _bar_path(cur[:k], slot, 0.5, base, scale),
                "first": labels[0] if labels else "",
                "last": labels[k - 1] if len(labels) >= k else "",
                "method": info.get("method"),
                "statistic": info.get("statistic"),
                "effect": info.get("effect"),
            }
        )
    return charts


def _bar_path(values: list[Any], slot: float, offset: float, base: float, scale: float) -> str:
    """One SVG path for a series of bars: a few hundred bytes however many bins."""
    parts = []
    for i, value in enumerate(values):
        h = round((float(value) if _finite(value) else 0.0) * scale, 1)
        if h > 0:
            x0 = round(8 + i * slot + slot * offset, 1)
            parts.append(f"M{x0} {base}v-{h}h{round(slot * 0.4, 1)}v{h}z")
    return "".join(parts)


def _bin_labels(hist: dict[str, Any], k: int) -> list[str]:
    """Bin labels: categories as given; numeric bins from the k - 1 inner edges (the outer
    bins are open: ``≤ e0`` and ``> e_last``; bins are closed on the right)."""
    if isinstance(hist.get("categories"), list):
        return [str(c) for c in hist["categories"]]
    edges = hist.get("edges")
    if not isinstance(edges, list) or len(edges) != k - 1 or not all(map(_finite, edges)):
        return [str(i + 1) for i in range(k)]
    if k == 1:
        return ["all"]
    labels = [f"≤ {edges[0]:.3g}"]
    labels += [f"{edges[i - 1]:.3g}–{edges[i]:.3g}" for i in range(1, k - 1)]
    labels.append(f"> {edges[-1]:.3g}")
    return labels


def charts_for(check: dict[str, Any]) -> dict[str, Any]:
    return {
        "line": threshold_chart(check),
        "groups": group_chart(check),
        "histograms": histogram_charts(check),
    }
