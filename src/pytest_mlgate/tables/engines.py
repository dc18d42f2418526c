"""What the engine tables (:mod:`.spark`, :mod:`.dask`, :mod:`.polars`) share: recognising an
engine's frame without importing the engine, turning an engine's failure into one short error,
and the dataset object the audit fingerprints.

The fingerprint of an engine table is computed in the engine and is order-independent: the sum
modulo 2**64 of one 64-bit hash per row (Spark's ``xxhash64`` over the columns and their null
mask; pandas' ``hash_pandas_object`` per Dask partition; polars' ``struct(...).hash``), with the
row count and the schema, under sha256. The same rows in any order and any partitioning give
the same fingerprint; it is computed in the table's first aggregate pass (row count and nulls),
so it costs no extra pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..errors import MlgateError, MlgateInputError

T = TypeVar("T")

#: hashes are summed as two 32-bit halves (an engine's 64-bit sum would overflow)
HALF = 1 << 32
MASK64 = (1 << 64) - 1


def engine_of(obj: Any) -> str | None:
    """``"spark"``, ``"dask"``, ``"polars"`` (a ``LazyFrame`` or a ``DataFrame``) or None,
    from the classes' modules only (no engine import)."""
    for cls in type(obj).__mro__:
        module = cls.__module__ or ""
        if module.startswith("polars.") and cls.__name__ in ("LazyFrame", "DataFrame"):
            return "polars"
        if cls.__name__ != "DataFrame":
            continue
        if module.startswith("pyspark.sql"):
            return "spark"
        if module.startswith(("dask.dataframe", "dask_expr")):
            return "dask"
    return None


class EngineError(MlgateError):
    """A computation failed inside the engine; the message says what was being computed."""


def engine_error(engine: str, what: str, exc: BaseException) -> EngineError:
    """One line out of an engine's failure (a JVM stack trace, a worker's traceback)."""
    text = str(exc).strip().splitlines()
    first = next((line.strip() for line in text if line.strip()), "")
    if len(first) > 300:
        first = first[:297] + "..."
    return EngineError(
        f"{engine} could not compute {what}: {type(exc).__name__}: {first} "
        f"Check the {engine} frame itself (e.g. compute a count on it) before gating it."
    )


def guarded(engine: str, what: str, compute: Callable[[], T]) -> T:
    """``compute()``, an engine failure raised as :class:`EngineError` (ours pass through)."""
    try:
        return compute()
    except MlgateError:
        raise
    except Exception as exc:
        raise engine_error(engine, what, exc) from exc


def fingerprint_text(engine: str, schema: list[tuple[str, str]], rows: int, total: int) -> str:
    """``"sha256:" + hex`` of the engine, schema, row count and the sum of the row hashes."""
    import hashlib

    digest = hashlib.sha256(f"{engine}\x1e".encode())
    for name, dtype in schema:
        digest.update(f"{name}\x1f{dtype}\x1e".encode())
    digest.update(f"{rows}\x1e{total & MASK64:016x}".encode())
    return "sha256:" + digest.hexdigest()


class EngineDataset:
    """What the audit's dataset entry fingerprints for an engine table: ``shape`` and
    ``mlgate_fingerprint()``, both from the table's cached first pass. Neither raises: a
    table whose pass failed is recorded with 0 rows and the reason instead of a hash (the
    failure itself is already an ``error`` result of the check that ran it)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    @property
    def shape(self) -> tuple[int, int]:
        try:
            rows = int(self._table.row_count())
        except Exception:
            rows = 0
        return rows, len(self._table.columns)

    def mlgate_fingerprint(self) -> str:
        try:
            return str(self._table.fingerprint())
        except Exception as exc:
            return f"unavailable: {exc}"


class FirstPassTable:
    """What every engine table derives from its first pass (row count, the nulls of every
    column and the sum of row hashes, in one aggregation, cached): the row count, null counts,
    the fingerprint and the audit's dataset entry. A subclass gives ``engine``, ``columns``,
    :meth:`_counted` and :meth:`_schema`.

    An empty table is an error for the checks (:meth:`_first_pass`), not for a profile, which
    describes it as pandas describes an empty frame (:meth:`counts_allowing_empty`)."""

    engine: str
    #: what the empty-table error calls the table
    noun = "table"

    @property
    def columns(self) -> list[Any]:
        raise NotImplementedError

    def _counted(self) -> tuple[int, dict[Any, int], int]:
        """The first pass (cached): row count, nulls per column, sum of the row hashes."""
        raise NotImplementedError

    def _empty_text(self) -> str:
        return f"the {self.engine} {self.noun} is empty (0 rows x {len(self.columns)} columns)."

    def _first_pass(self) -> tuple[int, dict[Any, int], int]:
        found = self._counted()
        if found[0] == 0:
            raise MlgateInputError("df", self._empty_text(), "Pass the data the gate should judge.")
        return found

    def counts_allowing_empty(self) -> tuple[int, dict[Any, int]]:
        """The row count and every column's nulls, 0 rows without an error (a profile)."""
        n, nulls, _ = self._counted()
        return n, dict(nulls)

    def _schema(self) -> list[tuple[str, str]]:
        """(name, type) of every column, as the fingerprint hashes them."""
        raise NotImplementedError

    def dataset(self) -> EngineDataset:
        return EngineDataset(self)

    def fingerprint(self) -> str:
        n, _, total = self._counted()
        return fingerprint_text(self.engine, self._schema(), n, total)

    def row_count(self) -> int:
        return self._first_pass()[0]

    def null_counts(self, columns: Sequence[Any]) -> dict[Any, int]:
        nulls = self._first_pass()[1]
        return {c: nulls[c] for c in columns}

    def _nonnull(self, column: Any) -> int:
        n, nulls, _ = self._first_pass()
        return n - nulls[column]
