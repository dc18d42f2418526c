"""The arguments of the performance checks: validation, and how bands, rules and metrics are
written in check names and messages (numbers through :mod:`pytest_mlgate.text`)."""

from __future__ import annotations

import math
import numbers
from typing import Any

from ...errors import MlgateInputError
from ...text import figure, number

#: the rules of ``expect_no_regression``, in the order they are written
REGRESSION_RULES = ("max_drop", "max_relative_drop", "min_gain")


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


def check_interval(confidence: Any, n_boot: Any, ci_method: Any) -> None:
    """``confidence=``, ``n_boot=``, ``ci_method=`` (the one validator, shared with
    fairness)."""
    from ...stats.bootstrap import check_interval_args

    check_interval_args(confidence, n_boot, ci_method)


def check_min_size(min_size: Any) -> None:
    if isinstance(min_size, bool) or not isinstance(min_size, numbers.Integral) or min_size < 1:
        raise MlgateInputError("min_size", f"must be a positive integer, got {min_size!r}.")


def check_margin(margin: Any) -> None:
    if not is_number(margin) or margin < 0:
        raise MlgateInputError("margin", f"must be a non-negative number, got {margin!r}.")


def regression_rules(max_drop: Any, max_relative_drop: Any, min_gain: Any) -> dict[str, Any]:
    """The rules given to ``expect_no_regression`` (``None`` left out), in order."""
    given = dict(zip(REGRESSION_RULES, (max_drop, max_relative_drop, min_gain), strict=True))
    return {k: v for k, v in given.items() if v is not None}


def check_regression_rule(rules: dict[str, Any]) -> tuple[str, float]:
    """Exactly one rule, a non-negative number: ``(rule, limit)``."""
    if len(rules) != 1:
        raise MlgateInputError(
            "/".join(REGRESSION_RULES),
            f"give exactly one rule, got {len(rules) or 'none'}.",
            "E.g. expect_no_regression('roc_auc', baseline='credit', max_drop=0.01).",
        )
    ((rule, limit),) = rules.items()
    if not is_number(limit) or limit < 0:
        raise MlgateInputError(rule, f"must be a non-negative number, got {limit!r}.")
    return rule, float(limit)


def band_direction(metric: Any, greater_is_better: Any, low: Any, high: Any) -> bool | None:
    """A callable checked against one bound needs no ``greater_is_better=``: ``min=`` says
    higher values pass, ``max=`` that lower ones do. None when it cannot be told (both
    bounds, nothing given)."""
    if greater_is_better is not None or not callable(metric):
        return bool(greater_is_better) if greater_is_better is not None else None
    if low is not None and high is None:
        return True
    if high is not None and low is None:
        return False
    return None


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


def rules_text(rules: dict[str, Any]) -> str:
    """``max_drop=0.01`` (a rule that is not a number as its repr)."""
    return ", ".join(f"{k}={number(v)}" if is_number(v) else f"{k}={v!r}" for k, v in rules.items())


def metric_label(metric: Any) -> str:
    """A metric's name in a check's title: its registry name, or the callable's name."""
    if isinstance(metric, str):
        return metric
    return str(getattr(metric, "__name__", "custom metric"))


def signed(value: float) -> str:
    """A difference with its sign: ``+0.0123``, ``-0.004``."""
    return ("+" if value >= 0 else "") + figure(value)
