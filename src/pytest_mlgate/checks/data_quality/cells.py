"""What the cells hold: nulls, missing-value tokens that should be nulls, values within a
range or in an allowed set (the value checks judge the non-null values only)."""

from __future__ import annotations

from typing import Any

from ...errors import MlgateInputError
from ...frames import require_columns
from ...results import Outcome
from ...tables import Table, Violations
from ...text import number, percent, preview
from .common import (
    MAX_EXAMPLES,
    any_bound,
    bounds_args,
    count_arg,
    examples,
    fraction_arg,
    split_tokens,
)


def not_null(table: Table, columns: list[Any] | None, max_fraction: float) -> Outcome:
    """No column has more than ``max_fraction`` nulls; observed is the largest fraction."""
    fraction_arg(max_fraction, "max_fraction")
    use = table.columns if columns is None else columns
    require_columns(table, use, "columns")
    nulls = table.null_counts(use)
    n = table.row_count()
    worst = max(nulls, key=lambda c: nulls[c])  # the first column with the most nulls
    worst_count = nulls[worst]
    fraction = worst_count / n
    per_column = {str(c): {"nulls": v, "fraction": v / n} for c, v in nulls.items() if v}
    offenders = [c for c, v in per_column.items() if v["fraction"] > max_fraction]
    shown = examples(table.null_rows(worst, MAX_EXAMPLES)) if worst_count else []
    if not per_column:
        message = f"No nulls in {len(use)} column{'s' if len(use) > 1 else ''} ({n:,} rows)."
    else:
        message = (
            f"Largest null fraction: {worst} with {worst_count:,} of {n:,} rows "
            f"({percent(fraction)})"
            + (
                f"; {len(offenders)} column{'s' if len(offenders) > 1 else ''} above "
                f"{percent(max_fraction)}: {preview(offenders)}. Impute or drop them "
                "upstream, or raise max_fraction."
                if offenders
                else f", within {percent(max_fraction)}."
            )
        )
    return Outcome(
        ok=not offenders,
        observed=fraction,
        message=message,
        details={
            "violations": worst_count,
            "fraction": fraction,
            "worst_column": str(worst),
            "columns": per_column,
            "examples": shown,
            "example_kind": "row index",
        },
    )


def consistent_missing(
    table: Table, columns: list[Any] | None, tokens: list[Any] | None, max_count: int
) -> Outcome:
    """No cell holds a missing-value token instead of a null; observed is the cell count."""
    count_arg(max_count, "max_count")
    use = table.columns if columns is None else columns
    require_columns(table, use, "columns")
    text_tokens, number_tokens = split_tokens(tokens)
    found: dict[str, dict[str, int]] = {}
    mixed: list[str] = []
    for col in use:
        counts = _labelled(table.token_counts(col, text_tokens, number_tokens))
        if counts:
            found[str(col)] = counts
            if len(counts) > 1 or table.null_counts([col])[col]:
                mixed.append(str(col))
    total = sum(sum(c.values()) for c in found.values())
    cells = table.row_count() * len(use)
    if not found:
        message = (
            f"No missing-value tokens in {len(use)} column{'s' if len(use) != 1 else ''}; "
            "missing values are nulls."
        )
    else:
        shown = "; ".join(
            f"{c}: " + ", ".join(f"{t!s} x{n:,}" for t, n in list(v.items())[:3])
            for c, v in list(found.items())[:4]
        )
        message = (
            f"{total:,} cells in {len(found)} column{'s' if len(found) > 1 else ''} "
            f"hold missing-value tokens instead of nulls ({shown}). Read them as NaN "
            "(e.g. read_csv(na_values=[...]))."
        )
    return Outcome(
        ok=total <= max_count,
        observed=total,
        message=message,
        details={
            "violations": total,
            "fraction": total / cells if cells else 0.0,
            "columns": found,
            "mixed_with_nulls": mixed,
            "examples": examples([t for v in found.values() for t in v][:MAX_EXAMPLES]),
        },
    )


def _labelled(counts: dict[Any, int]) -> dict[str, int]:
    """Token counts keyed by their label (text as its repr, ``'?'``; numbers as ``-999``),
    most frequent first."""
    out: dict[str, int] = {}
    for value, n in counts.items():
        label = repr(value) if isinstance(value, str) else _number_label(value)
        out[label] = out.get(label, 0) + n
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _number_label(value: Any) -> str:
    v = float(value)
    return str(int(v)) if v.is_integer() else str(v)


def band(low: Any, high: Any) -> str:
    """``[18, 100]``, ``[-inf, 5000]``: the range as the check's name writes it."""
    return f"[{'-inf' if low is None else number(low)}, {'inf' if high is None else number(high)}]"


def between(table: Table, column: Any, low: Any, high: Any, max_fraction: float) -> Outcome:
    """Non-null values lie in ``[low, high]`` (inclusive; one bound may be None); observed is
    the offending share of the non-null values."""
    fraction_arg(max_fraction, "max_fraction")
    any_bound(low, high)
    bounds_args(low, high)
    require_columns(table, [column], "column")
    try:
        found = table.outside(column, low, high, MAX_EXAMPLES)
    except TypeError as exc:
        raise MlgateInputError(
            "column",
            f"{column!r} has dtype {table.dtype(column)}, which cannot be compared with "
            f"min={low!r}/max={high!r} ({exc}).",
        ) from exc
    return share_outcome(column, found, max_fraction, f"outside {band(low, high)}")


def values_in(table: Table, column: Any, allowed: list[Any], max_fraction: float) -> Outcome:
    """Non-null values belong to ``allowed``; observed is the offending share of the
    non-null values."""
    fraction_arg(max_fraction, "max_fraction")
    if not allowed:
        raise MlgateInputError("values", "is empty; list the allowed values.")
    require_columns(table, [column], "column")
    found = table.not_in(column, allowed, MAX_EXAMPLES)
    return share_outcome(column, found, max_fraction, "not in the allowed set")


def share_outcome(column: Any, found: Violations, max_fraction: float, what: str) -> Outcome:
    """The verdict of a value check: the offending share of the non-null values."""
    violations, nonnull = found.count, found.among
    if nonnull == 0:
        return Outcome(
            ok=None,
            observed=None,
            message=f"{column}: no non-null values to judge.",
            details={"violations": 0, "fraction": None, "nonnull": 0, "examples": []},
        )
    fraction = violations / nonnull
    shown = examples(found.examples)
    ok = fraction <= max_fraction
    if not violations:
        message = f"All {nonnull:,} non-null values of {column} pass."
    else:
        message = (
            f"{violations:,} of {nonnull:,} non-null values of {column} ({percent(fraction)}) "
            f"are {what}; e.g. {preview(shown)}."
        )
        message += (
            " Fix the data or the expectation." if not ok else f" Within {percent(max_fraction)}."
        )
    return Outcome(
        ok=ok,
        observed=fraction,
        message=message,
        details={
            "violations": violations,
            "fraction": fraction,
            "nonnull": nonnull,
            "examples": shown,
        },
    )
