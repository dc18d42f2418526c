"""The arguments of the performance checks: validation, and how bands, rules and metrics are
written in check names and messages (numbers through :mod:`pytest_mlgate.text`)."""

from __future__ import annotations

import numbers
from typing import Any

from ...errors import MlgateInputError
from ...text import number
from ..bands import is_number

#: the rules of ``expect_no_regression``, in the order they are written
REGRESSION_RULES = ("max_drop", "max_relative_drop", "min_gain")


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


def rules_text(rules: dict[str, Any]) -> str:
    """``max_drop=0.01`` (a rule that is not a number as its repr)."""
    return ", ".join(f"{k}={number(v)}" if is_number(v) else f"{k}={v!r}" for k, v in rules.items())
