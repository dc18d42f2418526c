"""What every data-quality check shares: validating its arguments (each problem raises
:class:`~pytest_mlgate.errors.MlgateInputError` naming the argument and the fix), and at most
five example values, plain and short."""

from __future__ import annotations

import math
import numbers
from typing import Any

from ...errors import MlgateInputError
from ...frames import DTYPE_KINDS, column_list
from ...results import plain

CATEGORY = "data_quality"
MAX_EXAMPLES = 5

MISSING_TOKENS: tuple[str, ...] = (
    "",
    "na",
    "n/a",
    "nan",
    "null",
    "none",
    "nil",
    "?",
    "-",
    "--",
    "missing",
    "#n/a",
    "undefined",
)
MISSING_NUMBERS: tuple[float, ...] = (-999, -9999, -99999)


def fraction_arg(value: Any, argument: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= float(value) <= 1:
        raise MlgateInputError(argument, f"must be a fraction in [0, 1], got {value!r}.")


def count_arg(value: Any, argument: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise MlgateInputError(argument, f"must be a non-negative integer, got {value!r}.")


def score_arg(value: Any, argument: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= float(value) <= 1:
        raise MlgateInputError(argument, f"must be a number in [0, 1], got {value!r}.")


def names(columns: Any, argument: str) -> list[Any]:
    """A required column argument (one name or several) as a list."""
    if columns is None:
        raise MlgateInputError(argument, "is required.")
    return column_list(columns, argument)


def bounds_args(low: Any, high: Any) -> None:
    """A NaN (or NaT) bound, or a band no value could fall in, is an impossible rule."""
    import pandas as pd

    for arg, v in (("min", low), ("max", high)):
        if v is not None and pd.api.types.is_scalar(v) and pd.isna(v):
            raise MlgateInputError(arg, f"is {v!r}; a bound must be a value, or left out.")
    if low is None or high is None:
        return
    try:
        impossible = bool(low > high)
    except (TypeError, ValueError) as exc:
        raise MlgateInputError(
            "min/max", f"min={low!r} and max={high!r} cannot be compared ({exc})."
        ) from exc
    if impossible:
        raise MlgateInputError(
            "min/max",
            f"min={low!r} is above max={high!r}, so no value could pass.",
            "Swap the bounds.",
        )


def any_bound(low: Any, high: Any) -> None:
    if low is None and high is None:
        raise MlgateInputError("min/max", "give at least one bound.")


def row_bounds(low: Any, high: Any) -> None:
    """``min``/``max`` of ``expect_row_count``: numbers of rows, not NaN, not negative."""
    any_bound(low, high)
    for arg, v in (("min", low), ("max", high)):
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise MlgateInputError(arg, f"must be a number of rows, got {v!r}.")
        if math.isnan(v):
            raise MlgateInputError(arg, "is NaN; give a number of rows, or leave it out.")
        if v < 0:
            raise MlgateInputError(
                arg, f"is {v}; a frame never has a negative number of rows.", "Use 0 or more."
            )
    bounds_args(low, high)


def dtypes_arg(dtypes: Any) -> dict[Any, str]:
    if not isinstance(dtypes, dict) or not dtypes:
        raise MlgateInputError(
            "dtypes", "expected a non-empty dict of column -> kind, e.g. {'age': 'integer'}."
        )
    unknown = {c: k for c, k in dtypes.items() if k not in DTYPE_KINDS}
    if unknown:
        col, kind = next(iter(unknown.items()))
        raise MlgateInputError(
            "dtypes",
            f"unknown dtype kind {kind!r} for column {col!r}.",
            f"Use one of: {', '.join(DTYPE_KINDS)}.",
        )
    return dtypes


def split_tokens(tokens: list[Any] | None) -> tuple[frozenset[str], frozenset[float]]:
    """Missing-value tokens as (text compared after ``strip().lower()``, numbers); None: the
    defaults :data:`MISSING_TOKENS` and :data:`MISSING_NUMBERS`."""
    if tokens is None:
        return frozenset(MISSING_TOKENS), frozenset(float(x) for x in MISSING_NUMBERS)
    text = frozenset(str(t).strip().lower() for t in tokens if isinstance(t, str))
    nums = frozenset(
        float(t) for t in tokens if isinstance(t, int | float) and not isinstance(t, bool)
    )
    return text, nums


def examples(values: list[Any]) -> list[Any]:
    """The first :data:`MAX_EXAMPLES` values as plain JSON values (an infinity as its text,
    long text cut at 60 characters)."""
    out = []
    for v in values[:MAX_EXAMPLES]:
        p = plain(v)
        if p is None and (isinstance(v, float) or _numpy_float(v)):
            p = str(float(v))  # inf: JSON has no number for it
        if isinstance(p, str) and len(p) > 60:
            p = p[:57] + "..."
        out.append(p)
    return out


def _numpy_float(value: Any) -> bool:
    import numpy as np

    return isinstance(value, np.floating)
