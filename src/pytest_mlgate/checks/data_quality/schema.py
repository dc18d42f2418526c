"""The shape of a table: its columns, the kinds of their dtypes, its number of rows."""

from __future__ import annotations

from typing import Any

from ...frames import require_columns
from ...results import Outcome
from ...tables import Table
from ...text import preview
from .common import dtypes_arg, examples, row_bounds


def columns(table: Table, wanted: list[Any], exact: bool, ordered: bool) -> Outcome:
    """The listed columns are present (``exact``: and no others; ``ordered``: in this order);
    a missing column is a failure, not an error."""
    have = table.columns
    present = set(have)
    missing = [c for c in wanted if c not in present]
    wanted_set = set(wanted)
    unexpected = [c for c in have if c not in wanted_set] if exact else []
    order_ok = True
    if ordered and not missing:
        seen = [c for c in have if c in wanted_set]
        order_ok = seen == wanted
    violations = len(missing) + len(unexpected) + (0 if order_ok else 1)
    parts = []
    if missing:
        parts.append(f"missing {len(missing)}: {preview(missing)}")
    if unexpected:
        parts.append(f"unexpected {len(unexpected)}: {preview(unexpected)}")
    if not order_ok:
        parts.append(f"order differs: found {preview([c for c in have if c in wanted_set])}")
    message = (
        f"All {len(wanted)} expected columns are present"
        + (" and no others" if exact else "")
        + (", in order." if ordered else ".")
        if not violations
        else "; ".join(parts).capitalize() + ". Fix the data source or the expectation."
    )
    return Outcome(
        ok=violations == 0,
        observed=violations,
        message=message,
        details={
            "violations": violations,
            "fraction": violations / max(len(wanted), 1),
            "missing": missing,
            "unexpected": unexpected[:50],
            "order_ok": order_ok,
            "examples": examples(missing + unexpected),
        },
    )


def dtypes(table: Table, kinds: Any) -> Outcome:
    """Each column is of the given kind (``frames.DTYPE_KINDS``)."""
    wanted = dtypes_arg(kinds)
    require_columns(table, list(wanted), "dtypes")
    mismatched = {str(c): table.dtype(c) for c, k in wanted.items() if not table.is_kind(c, k)}
    n = len(mismatched)
    expected = {str(k): v for k, v in wanted.items()}
    message = (
        f"All {len(wanted)} column{'s have' if len(wanted) != 1 else ' has'} the expected dtypes."
        if not n
        else "Unexpected dtypes: "
        + ", ".join(f"{c} is {d}, expected {expected[c]}" for c, d in list(mismatched.items())[:5])
        + ". Cast the columns where the data is loaded, or update the expectation."
    )
    return Outcome(
        ok=n == 0,
        observed=n,
        message=message,
        details={
            "violations": n,
            "fraction": n / len(wanted),
            "mismatched": mismatched,
            "examples": examples(list(mismatched)),
        },
    )


def row_count(table: Table, low: Any, high: Any) -> Outcome:
    """The table has between ``low`` and ``high`` rows (inclusive; one may be None)."""
    row_bounds(low, high)
    n = table.row_count()
    too_few = low is not None and n < low
    too_many = high is not None and n > high
    message = (
        f"{n:,} rows, fewer than the minimum {low:,}."
        if too_few
        else f"{n:,} rows, more than the maximum {high:,}."
        if too_many
        else f"{n:,} rows."
    )
    if too_few or too_many:
        message += " Check the extract that produced this data."
    violations = (low - n) if too_few else (n - high) if too_many else 0
    return Outcome(
        ok=not (too_few or too_many),
        observed=n,
        message=message,
        details={
            "violations": violations,
            "fraction": 0.0 if not violations else 1.0,
            "rows": n,
            "examples": [],
        },
    )
