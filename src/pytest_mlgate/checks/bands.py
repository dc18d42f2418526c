"""Bands of a figure (``min=``/``max=``) as performance and fairness checks take them: one
validator, the threshold, and how a band is written in names and messages."""

from __future__ import annotations

import math
import numbers
from typing import Any

from ..errors import MlgateInputError
from ..text import number


def is_number(value: Any) -> bool:
    """A finite real number (not a bool)."""
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def check_band(low: Any, high: Any) -> None:
    """``min=``/``max=``: at least one, finite numbers, in order."""
    if low is None and high is None:
        raise MlgateInputError("min/max", "give a bound: min=, max= or both.")
    for arg, value in (("min", low), ("max", high)):
        if value is not None and not is_number(value):
            raise MlgateInputError(arg, f"must be a finite number, got {value!r}.")
    if low is not None and high is not None and low > high:
        raise MlgateInputError("min/max", f"min={number(low)} is above max={number(high)}.")


def band(low: Any, high: Any) -> dict[str, Any]:
    """The threshold of a band: ``{"min": ..., "max": ...}`` with the bounds given."""
    out = {}
    if low is not None:
        out["min"] = low
    if high is not None:
        out["max"] = high
    return out


def band_title(label: str, low: Any, high: Any) -> str:
    """``roc_auc >= 0.8``, ``0.1 <= brier <= 0.3``."""
    if low is not None and high is not None:
        return f"{number(low)} <= {label} <= {number(high)}"
    if low is not None:
        return f"{label} >= {number(low)}"
    if high is not None:
        return f"{label} <= {number(high)}"
    return label


def band_text(low: Any, high: Any) -> str:
    """``[0.1, 0.3]``, ``>= 0.8``, ``<= 0.3``."""
    if low is not None and high is not None:
        return f"[{number(low)}, {number(high)}]"
    return f">= {number(low)}" if low is not None else f"<= {number(high)}"


def metric_label(metric: Any) -> str:
    """A metric's name in a check's title: its registry name, or the callable's name."""
    if isinstance(metric, str):
        return metric
    return str(getattr(metric, "__name__", "custom metric"))
