"""Geometry for the server-side SVG charts: scales and coordinates only.

The templates (``_charts.html.j2``) draw the SVG; this module decides where things go. Three
charts: a metric against its threshold with its interval, per-group bars with intervals, and
reference-vs-current histograms of a drifted column.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeGuard

from .formatting import short_number

LINE_WIDTH = 280
BAR_WIDTH = 300
HIST_WIDTH = 360
HIST_HEIGHT = 110
MAX_GROUPS = 24
MAX_BINS = 24
MAX_HISTOGRAMS = 6


def _finite(x: Any) -> TypeGuard[int | float]:
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


def _scale(lo: float, hi: float, width: float, margin: float = 8.0) -> Callable[[float], float]:
    span = hi - lo or 1.0
    return lambda v: round(margin + (v - lo) / span * (width - 2 * margin), 1)


def threshold_chart(check: dict[str, Any]) -> dict[str, Any] | None:
    """A number line: the observed value, its interval and the threshold bounds."""
    observed = check.get("observed")
    if not _finite(observed) or check.get("category") not in ("performance", "fairness", "drift"):
        return None
    threshold = check.get("threshold") or {}
    keys: tuple[str, ...] = (
        "min",
        "max",
        "max_difference",
        "min_ratio",
        "max_drifted_share",
        "alpha",
    )
    if "max_drifted_share" in threshold:  # the share is judged; alpha is a per-column rule
        keys = ("max_drifted_share",)
    bounds = [(key, float(threshold[key])) for key in keys if _finite(threshold.get(key))]
    interval: Any = check.get("interval")
    has_interval = (
        isinstance(interval, list) and len(interval) == 2 and all(_finite(v) for v in interval)
    )
    interval = interval if has_interval else [0.0, 0.0]
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
        "lo_label": short_number(lo),
        "hi_label": short_number(hi),
        "observed": x(float(observed)),
        "interval": [x(float(interval[0])), x(float(interval[1]))] if has_interval else None,
        "bounds": [
            {"x": x(v), "label": f"{k} {short_number(v)}", "anchor": _anchor(x(v), LINE_WIDTH)}
            for k, v in bounds
        ],
        "status": check.get("status", ""),
    }


def _anchor(x: float, width: float) -> str:
    """A label near an edge grows inwards, so it never spills out of the chart's column."""
    if x < width * 0.3:
        return "start"
    if x > width * 0.7:
        return "end"
    return "middle"


GROUP_WIDTH = 340  # the whole chart: fits a phone's column without being scaled down
GROUP_BAR = 236  # the bars' span; figures are written to its right
LABEL_CHARS = 46  # characters of a 12 px label line that fit the chart's width
MAX_EXCLUDED_LISTED = 8


def _wrap(label: str, width: int = LABEL_CHARS) -> list[str]:
    """A group label on as many lines as it needs, broken after ``, `` (intersections)
    or, for one long value, every ``width`` characters: never cut to a common prefix."""
    lines: list[str] = []
    for part in label.split(", "):
        piece = part if not lines else ", " + part
        if lines and len(lines[-1]) + len(piece) <= width:
            lines[-1] += piece
            continue
        if lines:
            lines[-1] += ","
        while len(part) > width:
            lines.append(part[:width])
            part = part[width:]
        lines.append(part)
    return lines or [""]


def group_chart(check: dict[str, Any]) -> dict[str, Any] | None:
    """Horizontal bars, one per compared group, each under its full label, with interval
    whiskers, an axis and a ``<title>`` tooltip; excluded groups become one compact line."""
    groups = (check.get("details") or {}).get("groups")
    if not isinstance(groups, dict) or not groups:
        return None
    rows: list[dict[str, Any]] = []
    excluded = []
    values: list[float] = []
    shown = list(groups.items())[:MAX_GROUPS]
    for label, info in shown:
        if not isinstance(info, dict):
            continue
        value = info.get("value")
        interval: Any = info.get("interval")
        ok_interval = (
            isinstance(interval, list) and len(interval) == 2 and all(_finite(v) for v in interval)
        )
        if not _finite(value):
            denominator = info.get("denominator")
            excluded.append(
                f"{label} (denominator {denominator:,})"
                if isinstance(denominator, int)
                else str(label)
            )
            continue
        rows.append(
            {
                "label": str(label),
                "value": float(value),
                "n": info.get("n"),
                "denominator": info.get("denominator"),
                "interval": [float(interval[0]), float(interval[1])] if ok_interval else None,
            }
        )
        values.append(float(value))
        if ok_interval:
            values += [float(interval[0]), float(interval[1])]
    if not rows and not excluded:
        return None
    lo, hi = _domain([*values, 0.0]) if values else (0.0, 1.0)
    lo = min(lo, 0.0)
    x = _scale(lo, hi, GROUP_BAR, margin=4.0)
    y = 2.0
    for row in rows:
        row["lines"] = [
            {"text": text, "y": round(y + 12 + 14 * i, 1)}
            for i, text in enumerate(_wrap(row["label"]))
        ]
        y += 14 * len(row["lines"]) + 2
        row["y"] = round(y, 1)
        row["x"] = x(0.0)
        row["w"] = round(x(row["value"]) - x(0.0), 1)
        row["value_label"] = short_number(row["value"])
        row["ix"] = (
            [x(row["interval"][0]), x(row["interval"][1])] if row["interval"] is not None else None
        )
        interval_text = (
            f" [{short_number(row['interval'][0])}, {short_number(row['interval'][1])}]"
            if row["interval"] is not None
            else ""
        )
        count = f" · n={row['n']:,}" if isinstance(row["n"], int) else ""
        row["title"] = f"{row['label']}: {row['value']:.4g}{interval_text}{count}"
        y += 20
    details = check.get("details") or {}
    threshold = check.get("threshold") or {}
    # a per-group rule's bound is drawn on the bars; a gap or ratio rule is not on their scale
    marks = [
        {"x": x(float(threshold[k])), "label": f"{k} {short_number(float(threshold[k]))}"}
        for k in ("min", "max")
        if details.get("kind") not in ("difference", "ratio")
        and _finite(threshold.get(k))
        and lo <= float(threshold[k]) <= hi
    ]
    metric = details.get("binding_metric") or details.get("metric")
    more_excluded = max(0, len(excluded) - MAX_EXCLUDED_LISTED)
    return {
        "caption": f"{metric} by group" if isinstance(metric, str) else "value by group",
        "width": GROUP_WIDTH,
        "bar_width": GROUP_BAR,
        "height": round(y + 4, 1),
        "rows": rows,
        "zero": x(0.0),
        "ticks": [
            {"x": x(v), "label": short_number(v), "anchor": a}
            for v, a in ((lo, "start"), ((lo + hi) / 2, "middle"), (hi, "end"))
        ],
        "marks": marks,
        "excluded": excluded[:MAX_EXCLUDED_LISTED],
        "excluded_count": len(excluded),
        "excluded_more": more_excluded,
        "more": max(0, len(groups) - MAX_GROUPS),
    }


CATEGORY_WIDTH = 340
CATEGORY_BAR = 250


def histogram_charts(check: dict[str, Any]) -> list[dict[str, Any]]:
    """Reference vs current bars for drifted columns: every category labelled (the top ones
    plus "(other)", as the check stores them), numeric bins as columns; the biggest movers
    named in words under each chart."""
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
        categorical = isinstance(hist.get("categories"), list)
        k = min(len(ref), len(cur), len(labels), MAX_BINS)
        if k == 0:
            continue
        chart: dict[str, Any] = {
            "column": str(name),
            "kind": "categories" if categorical else "bins",
            "method": info.get("test"),
            "statistic": info.get("statistic"),
            "effect": info.get("effect"),
            "movers": _movers(labels[:k], ref[:k], cur[:k]),
        }
        if categorical:
            chart.update(_category_rows(labels[:k], ref[:k], cur[:k]))
        else:
            top = max([v for v in ref[:k] + cur[:k] if _finite(v)] or [1.0]) or 1.0
            slot = (HIST_WIDTH - 16) / k
            base = HIST_HEIGHT - 14
            scale = (HIST_HEIGHT - 20) / top
            chart.update(
                width=HIST_WIDTH,
                height=HIST_HEIGHT,
                base=base,
                ref_path=_bar_path(ref[:k], slot, 0.1, base, scale),
                cur_path=_bar_path(cur[:k], slot, 0.5, base, scale),
                first=labels[0],
                last=labels[k - 1],
            )
        charts.append(chart)
    return charts


def _share(value: Any) -> float:
    return float(value) if _finite(value) else 0.0


def _category_rows(labels: list[str], ref: list[Any], cur: list[Any]) -> dict[str, Any]:
    """One row per category: its full name, then a reference and a current bar."""
    top = max([_share(v) for v in ref + cur] or [1.0]) or 1.0
    scale = CATEGORY_BAR / top
    rows = []
    y = 2.0
    for label, r, c in zip(labels, ref, cur, strict=False):
        r, c = _share(r), _share(c)
        rows.append(
            {
                "label": label,
                "text_y": round(y + 11, 1),
                "ref_y": round(y + 15, 1),
                "cur_y": round(y + 21, 1),
                "ref_w": max(round(r * scale, 1), 0.5 if r > 0 else 0.0),
                "cur_w": max(round(c * scale, 1), 0.5 if c > 0 else 0.0),
                "shares": f"{r:.1%} → {c:.1%}",
                "title": f"{label}: reference {r:.1%}, current {c:.1%}",
            }
        )
        y += 30
    return {"width": CATEGORY_WIDTH, "height": round(y, 1), "rows": rows}


def _movers(labels: list[str], ref: list[Any], cur: list[Any], top: int = 3) -> list[str]:
    """The bins or categories whose share moved most, as ``name 12.0% → 20.5%``."""
    moves = [
        (abs(_share(c) - _share(r)), i, label, _share(r), _share(c))
        for i, (label, r, c) in enumerate(zip(labels, ref, cur, strict=False))
    ]
    moves.sort(key=lambda m: (-m[0], m[1]))
    return [
        f"{label} {r:.1%} → {c:.1%} ({'+' if c >= r else '−'}{abs(c - r) * 100:.1f} points)"
        for delta, _, label, r, c in moves[:top]
        if delta > 0
    ]


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
    labels = [f"≤ {short_number(edges[0])}"]
    labels += [f"{short_number(edges[i - 1])}–{short_number(edges[i])}" for i in range(1, k - 1)]
    labels.append(f"> {short_number(edges[-1])}")
    return labels


def charts_for(check: dict[str, Any]) -> dict[str, Any]:
    return {
        "line": threshold_chart(check),
        "groups": group_chart(check),
        "histograms": histogram_charts(check),
    }
