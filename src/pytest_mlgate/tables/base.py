"""The data-access seam: what the data-quality checks (and, next, profiles) ask of a table.

A check never touches rows. It asks a :class:`Table` for the aggregates it needs and builds
its verdict and message from them, so the same check runs on any table that implements the
protocol: :class:`~pytest_mlgate.tables.pandas.PandasTable` today, one module per engine
tomorrow (Spark, Dask, polars LazyFrame: issue 16), each computing the aggregates inside the
engine and bringing back only the small answer.

The protocol, in the words an engine module implements it:

- **Schema**: ``engine`` (a short name for messages: ``"pandas"``, ``"Spark"``), ``columns``
  (names in order), :meth:`dtype` (the engine's name of a column's type, for messages) and
  :meth:`is_kind` (whether the column is one of ``frames.DTYPE_KINDS``: ``integer``, ``float``,
  ``numeric``, ``bool``, ``string``, ``category``, ``datetime``; from the schema).
- **Counts**: :meth:`row_count`, :meth:`null_counts` (one pass for many columns),
  :meth:`outside` (non-null values below ``low`` or above ``high``), :meth:`not_in` (non-null
  values outside a set), :meth:`token_counts` (cells holding a missing-value token),
  :meth:`duplicate_rows` and :meth:`duplicate_keys` (rows repeating an earlier row or key:
  hash-based with exact confirmation of collisions, or the engine's exact distinct),
  :meth:`keys_in` (rows whose key occurs in another table).
- **Examples**: every count of violations comes as :class:`Violations`, with at most
  ``limit`` example values (the most frequent offending values, repeated keys) or row labels
  (:meth:`null_rows`, :meth:`duplicate_rows`); an engine without row labels returns none.
- **Profiles**: :meth:`min_max`, :meth:`value_counts` (exact, up to a limit of distinct
  values), :meth:`quantiles` (exact on pandas; an engine states its sketch's rank error) and
  :meth:`histogram` (counts on given edges, the bins of ``stats.drift.bin_counts``).
- **Rows**: a check that cannot be computed from aggregates (single-feature leakage, scored
  out of fold) asks :meth:`rows` for a pandas frame. pandas hands over its frame; an engine
  raises :func:`needs_rows`, an ``error`` naming the check and what to do (sample, or collect),
  and never collects a large table silently.
- **Identity**: :meth:`dataset` is what the audit's dataset entry fingerprints (the pandas
  frame; an engine, its source's identity).

Failures are the check's business: a missing column is checked by the caller against
``columns`` first; values that cannot be compared with a bound raise ``TypeError``, which the
check turns into an ``error`` naming the column and its :meth:`dtype`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..errors import MlgateInputError

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Violations:
    """How many rows break a rule, among how many judged, and a few examples of them."""

    count: int
    among: int
    examples: list[Any] = field(default_factory=list)


@runtime_checkable
class Table(Protocol):
    """The aggregates a check may ask of a table (see the module docstring)."""

    engine: str

    @property
    def columns(self) -> list[Any]:
        """Column names, in the table's order."""

    def dataset(self) -> Any:
        """What the audit's dataset entry fingerprints."""

    def row_count(self) -> int:
        """Number of rows."""

    def dtype(self, column: Any) -> str:
        """The engine's name of the column's type (for messages)."""

    def is_kind(self, column: Any, kind: str) -> bool:
        """Whether the column is of one of ``frames.DTYPE_KINDS``."""

    def null_counts(self, columns: Sequence[Any]) -> dict[Any, int]:
        """Nulls (NaN, None, NaT) per column, in the order given."""

    def null_rows(self, column: Any, limit: int) -> list[Any]:
        """Labels of the first ``limit`` rows where ``column`` is null ([] without labels)."""

    def outside(self, column: Any, low: Any, high: Any, limit: int) -> Violations:
        """Non-null values below ``low`` or above ``high`` (a bound may be None), among the
        non-null values; examples are the most frequent offending values. ``TypeError`` when
        the values cannot be compared with the bounds."""

    def not_in(self, column: Any, values: list[Any], limit: int) -> Violations:
        """Non-null values not in ``values``, among the non-null values; examples are the
        most frequent offending values."""

    def token_counts(
        self, column: Any, text: frozenset[str], numbers: frozenset[float]
    ) -> dict[Any, int]:
        """Cells holding a missing-value token, per distinct value found, most frequent
        first: text whose ``strip().lower()`` is in ``text``, numbers equal to one of
        ``numbers`` (in numeric columns and in object columns); bool columns hold none."""

    def duplicate_rows(self, columns: Sequence[Any] | None, limit: int) -> Violations:
        """Rows that repeat an earlier row over ``columns`` (None: all), among all rows;
        examples are row labels."""

    def duplicate_keys(self, columns: Sequence[Any], limit: int) -> Violations:
        """Rows that repeat an earlier key (the values of ``columns``), among all rows;
        examples are distinct repeated keys (a value, or a tuple for several columns)."""

    def keys_in(self, columns: Sequence[Any], other: Table, limit: int) -> Violations:
        """Rows whose key occurs in ``other``, among all rows; examples are distinct keys."""

    def min_max(self, column: Any) -> tuple[Any, Any]:
        """Smallest and largest non-null value; ``(None, None)`` when there is none."""

    def value_counts(self, column: Any, limit: int) -> dict[Any, int] | None:
        """Exact counts of the non-null values held (declared but unused categories are
        not), most frequent first; None when there are more than ``limit`` distinct values."""

    def quantiles(self, column: Any, probabilities: Sequence[float]) -> list[float]:
        """Quantiles of the non-null numeric values (an empty column: NaN each)."""

    def histogram(self, column: Any, edges: Sequence[float]) -> list[int]:
        """Counts of the non-null numeric values in the bins ``(-inf, e1], (e1, e2], ...,
        (ek, inf)``: ``len(edges) + 1`` counts."""

    def rows(self, columns: Sequence[Any], check: str) -> pd.DataFrame:
        """A pandas frame holding at least ``columns``, for ``check``, which needs the rows
        themselves; an engine raises :func:`needs_rows`."""


def needs_rows(engine: str, check: str, size: str = "") -> MlgateInputError:
    """The error of a check that needs rows an engine table does not hand over; ``size``
    (e.g. ``"120,000,000 rows"``) says what collecting would cost."""
    return MlgateInputError(
        check,
        f"needs the rows themselves, and the gate does not collect a {engine} table"
        + (f" ({size})" if size else "")
        + ".",
        f"Gate a sample (e.g. a {engine} sample converted to pandas) for {check}, or collect "
        "the table to pandas first if it fits in memory.",
    )
