"""Keys and rows: unique keys, duplicate rows, and keys shared with another table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...errors import MlgateInputError
from ...frames import require_columns
from ...results import Outcome
from ...tables import Table, as_table
from ...text import percent, preview
from .common import MAX_EXAMPLES, count_arg, examples


def unique(table: Table, columns: list[Any], max_count: int) -> Outcome:
    """The key identifies each row; observed is the number of rows repeating an earlier
    key. A null in a key column is bad input."""
    count_arg(max_count, "max_count")
    require_columns(table, columns, "columns")
    no_null_keys(table, columns, "columns")
    found = table.duplicate_keys(columns, MAX_EXAMPLES)
    violations, n = found.count, found.among
    shown = examples(found.examples)
    message = (
        f"Every key {'value' if len(columns) == 1 else 'combination'} is unique ({n:,} rows)."
        if not violations
        else f"{violations:,} {'rows repeat' if violations > 1 else 'row repeats'} an "
        f"earlier key; repeated keys include {preview(shown, 2)}."
        + (
            " Deduplicate upstream or fix the key."
            if violations > max_count
            else f" Within the allowed {max_count:,}."
        )
    )
    return Outcome(
        ok=violations <= max_count,
        observed=violations,
        message=message,
        details={"violations": violations, "fraction": violations / n, "examples": shown},
    )


def duplicate_rows(table: Table, columns: list[Any] | None, max_count: int) -> Outcome:
    """No row repeats an earlier row over ``columns`` (None: all); observed is the number
    of rows that do."""
    count_arg(max_count, "max_count")
    if columns is not None:
        require_columns(table, columns, "columns")
    found = table.duplicate_rows(columns, MAX_EXAMPLES)
    violations, n = found.count, found.among
    shown = examples(found.examples)
    message = (
        f"No duplicate rows among {n:,}."
        if not violations
        else f"{violations:,} of {n:,} rows ({percent(violations / n)}) repeat "
        "an earlier row"
        + (f" (row index e.g. {preview(shown)})." if shown else ".")
        + (
            " Deduplicate upstream."
            if violations > max_count
            else f" Within the allowed {max_count:,}."
        )
    )
    return Outcome(
        ok=violations <= max_count,
        observed=violations,
        message=message,
        details={
            "violations": violations,
            "fraction": violations / n,
            "examples": shown,
            "example_kind": "row index",
        },
    )


def overlap(
    table: Table, name: str, other: Any, other_name: str, columns: list[Any], max_count: int
) -> Outcome:
    """No key of ``table`` occurs in ``other`` (a table or a frame); observed is the number of
    rows of ``table`` whose key does."""
    count_arg(max_count, "max_count")
    theirs = as_table(other, "other")
    require_columns(table, columns, "columns")
    require_columns(theirs, columns, "columns (in other)")
    no_null_keys(table, columns, "columns")
    no_null_keys(theirs, columns, "columns (in other)")
    found = table.keys_in(columns, theirs, MAX_EXAMPLES)
    violations, n = found.count, found.among
    shown = examples(found.examples)
    differing = [str(c) for c in columns if key_kind(table, c) != key_kind(theirs, c)]
    message = (
        f"No key of {name} ({n:,} rows) occurs in {other_name}."
        if not violations
        else f"{violations:,} rows of {name} share their key with {other_name} "
        f"(e.g. {preview(shown, 2)}): an evaluation on them is contaminated. Split "
        "by key before training."
    )
    if differing:
        message += f" Key dtypes differ between the frames: {preview(differing)}."
    return Outcome(
        ok=violations <= max_count,
        observed=violations,
        message=message,
        details={
            "violations": violations,
            "fraction": violations / n,
            "examples": shown,
            "dtype_mismatch": differing,
        },
    )


def no_null_keys(table: Table, columns: Sequence[Any], argument: str) -> None:
    """A null in a key column is bad input: a key must identify every row."""
    bad = {c: n for c, n in table.null_counts(columns).items() if n}
    if bad:
        raise MlgateInputError(
            argument,
            "key column "
            + ", ".join(
                f"{_label(c)!r} has {n:,} null{'s' if n > 1 else ''}" for c, n in bad.items()
            )
            + "; a key must identify every row.",
            "Drop or fill those rows first, or check with expect_not_null.",
        )


def _label(column: Any) -> Any:
    """A column name as the user reads it: a numpy scalar as the Python value."""
    item = getattr(column, "item", None)
    return item() if callable(item) and getattr(column, "ndim", None) == 0 else column


def key_kind(table: Table, column: Any) -> str:
    """What a key column holds, in words every engine shares (``number``, ``text``, ``bool``,
    ``datetime``): keys of different kinds can never be equal, while ``int64`` against
    ``Int64`` or a polars ``String`` against a pandas ``object`` column can."""
    for kind, word in (
        ("bool", "bool"),
        ("numeric", "number"),
        ("datetime", "datetime"),
        ("string", "text"),
        ("category", "text"),
    ):
        if table.is_kind(column, kind):
            return word
    return table.dtype(column)
