"""The polars :class:`~pytest_mlgate.tables.base.Table`: every aggregate a polars lazy query,
only the small answer collected. A ``LazyFrame`` stays lazy; an eager ``DataFrame`` goes
through the same queries (``df.lazy()``).

- The first question asked of a table runs one ``collect`` over all columns: the row count,
  the nulls of every column (NaN counts as null in float columns, as in pandas, where a polars
  null and a NaN both become NaN) and the two 32-bit halves of the sum of one 64-bit row hash
  (the dataset fingerprint, see :mod:`.engines`); every later check reuses it.
- Exact everywhere: duplicate rows and keys are polars' own ``is_first_distinct`` over the
  rows (no hashing, so no collision to confirm); quantiles are order statistics of the sorted
  values, interpolated as numpy's ``linear`` method (polars sorts once for all probabilities),
  so :attr:`PolarsTable.rank_error` is 0 and a profile equals pandas'.
- polars keeps its rows in order, so row examples are positions (pandas' ``RangeIndex`` after
  ``to_pandas()``): the first null rows and the first repeated rows, as on pandas.
- Rows: an eager ``DataFrame`` is already in memory and converts to pandas for a check that
  needs rows (``expect_no_leakage``); a ``LazyFrame`` may be any size, so such a check is the
  engine error of :func:`~.base.needs_rows` and nothing is collected.
- Every failure inside polars (a failing cast, a missing file, a column the plan does not
  have) is raised as one short :class:`~.engines.EngineError` naming what was being computed.
"""

from __future__ import annotations

import datetime as _dt
import numbers
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import MlgateInputError
from .base import Table, Violations, needs_rows
from .engines import HALF, MASK64, FirstPassTable, guarded

if TYPE_CHECKING:
    import pandas as pd

ENGINE = "polars"
#: repeated keys read to find ``limit`` distinct examples (the first repeats suffice)
EXAMPLE_SCAN = 200
#: the characters Python's ``str.strip()`` removes (polars strips exactly these)
WHITESPACE = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
_ROW = "__mlgate_row__"


def _pl() -> Any:
    import polars

    return polars


def type_name(dtype: Any) -> str:
    """``Datetime(time_unit='us', time_zone='UTC')`` as ``Datetime[us, UTC]``; an Enum
    without its categories."""
    import re

    text = "Enum" if type(dtype).__name__ == "Enum" else str(dtype)

    def brackets(found: re.Match[str]) -> str:
        values = [v.split("=", 1)[1].strip("'\"") for v in found.group(2).split(", ")]
        return f"{found.group(1)}[{', '.join(v for v in values if v != 'None')}]"

    name = re.sub(r"(\w+)\(((?:\w+=[^(),]*)(?:, \w+=[^(),]*)*)\)", brackets, text)
    return type(dtype).__name__ if "=" in name else name


def _collect(what: str, *queries: Any) -> list[Any]:
    """The queries collected together (one call), failures as one :class:`EngineError`."""
    frames: list[Any] = guarded(ENGINE, what, lambda: list(_pl().collect_all(list(queries))))
    return frames


class PolarsTable(FirstPassTable):
    """A polars ``LazyFrame`` (or ``DataFrame``) seen through the :class:`Table` protocol.

    >>> import polars as pl
    >>> t = PolarsTable(pl.LazyFrame({"x": [1, 2, 2, None]}))
    >>> t.null_counts(["x"]), t.duplicate_rows(None, 5).count
    ({'x': 1}, 1)
    """

    engine = ENGINE
    #: quantiles are exact order statistics
    rank_error = 0.0

    noun = "frame"

    def __init__(self, frame: Any) -> None:
        pl = _pl()
        self.eager = isinstance(frame, pl.DataFrame)
        self.frame = frame
        self.lazy = frame.lazy() if self.eager else frame
        schema = guarded(ENGINE, "the schema", lambda: self.lazy.collect_schema())
        self._types: dict[str, Any] = dict(schema.items())
        self._pass: tuple[int, dict[str, int], int] | None = None

    # -- schema ---------------------------------------------------------------------------

    @property
    def columns(self) -> list[Any]:
        return list(self._types)

    def dtype(self, column: Any) -> str:
        """polars' name of the type, parameters in brackets: ``Int64``, ``Datetime[us, UTC]``
        (a profile stores it; ``Datetime(time_unit='us', ...)`` would read as a numpy format)."""
        return type_name(self._types[column])

    def _is(self, column: Any, *names: str) -> bool:
        pl = _pl()
        dtype = self._types[column]
        return any(dtype == getattr(pl, n) or isinstance(dtype, getattr(pl, n)) for n in names)

    def is_kind(self, column: Any, kind: str) -> bool:
        dtype = self._types[column]
        if kind == "integer":
            return bool(dtype.is_integer())
        if kind == "float":
            return bool(dtype.is_float())
        if kind == "numeric":
            return bool(dtype.is_numeric())
        if kind == "bool":
            return self._is(column, "Boolean")
        if kind == "string":
            return self._is(column, "String")
        if kind == "category":
            return self._is(column, "Categorical", "Enum")
        if kind == "datetime":
            return self._is(column, "Datetime", "Date")
        return False

    def time_zone(self, column: Any) -> str | None:
        """The time zone of a ``Datetime`` column that has one (None otherwise)."""
        zone = getattr(self._types[column], "time_zone", None)
        return None if zone is None else str(zone)

    def _number_like(self, column: Any) -> bool:
        return self.is_kind(column, "numeric") or self.is_kind(column, "bool")

    def _text_like(self, column: Any) -> bool:
        return self._is(column, "String", "Categorical", "Enum")

    # -- expressions ----------------------------------------------------------------------

    def _col(self, column: Any) -> Any:
        return _pl().col(column)

    def _present(self, column: Any) -> Any:
        """Not null, and not NaN in a float column (pandas reads both as NaN)."""
        c = self._col(column)
        if self.is_kind(column, "float"):
            return (c.is_not_null() & c.is_not_nan()).fill_null(False)
        return c.is_not_null()

    def _canonical(self, column: Any) -> Any:
        """The column as pandas compares it: NaN as null, categories as their text."""
        c = self._col(column)
        if self.is_kind(column, "float"):
            return c.fill_nan(None)
        if self._is(column, "Categorical", "Enum"):
            return c.cast(_pl().String)
        return c

    def _numbers(self, column: Any) -> Any:
        """The non-null values as Float64 (datetimes as nanoseconds since the epoch)."""
        pl = _pl()
        c = self._col(column)
        values = c.dt.epoch("ns") if self.is_kind(column, "datetime") else c
        return values.cast(pl.Float64).filter(self._present(column))

    # -- the first pass -------------------------------------------------------------------

    def refuse_empty(self) -> None:
        """An empty eager frame is refused when it is handed to ``mlgate.data`` (no query: it
        is in memory), with pandas' message; a profile describes it (0 rows), as pandas'."""
        if self.eager and (self.frame.height == 0 or self.frame.width == 0):
            raise MlgateInputError(
                "df",
                f"the frame is empty ({self.frame.height} rows x {self.frame.width} columns).",
                "Pass the data the gate should judge.",
            )

    def _empty_text(self) -> str:
        if self.eager:  # pandas' message
            return f"the frame is empty (0 rows x {len(self.columns)} columns)."
        return super()._empty_text()

    def _counted(self) -> tuple[int, dict[str, int], int]:
        if self._pass is None:
            pl = _pl()
            cols = self.columns
            exprs = [pl.len().alias("n")]
            exprs += [(~self._present(c)).sum().alias(f"null{i}") for i, c in enumerate(cols)]
            if cols:
                h = pl.struct([self._canonical(c) for c in cols]).hash(seed=0)
                exprs += [
                    (h // pl.lit(HALF, pl.UInt64)).sum().alias("high"),
                    (h & pl.lit(HALF - 1, pl.UInt64)).sum().alias("low"),
                ]
            (out,) = _collect("the row count and null counts", self.lazy.select(exprs))
            row = out.row(0, named=True)
            n = int(row["n"])
            nulls = {c: int(row[f"null{i}"]) for i, c in enumerate(cols)}
            total = (int(row.get("high") or 0) * HALF + int(row.get("low") or 0)) & MASK64
            self._pass = (n, nulls, total)
        return self._pass

    def _schema(self) -> list[tuple[str, str]]:
        return [(str(c), str(t)) for c, t in self._types.items()]

    def null_rows(self, column: Any, limit: int) -> list[Any]:
        pl = _pl()
        query = (
            self.lazy.with_row_index(_ROW)
            .filter(~self._present(column))
            .select(pl.col(_ROW))
            .head(limit)
        )
        (out,) = _collect(f"the null rows of {column!r}", query)
        return [int(i) for i in out[_ROW].to_list()]

    # -- values ---------------------------------------------------------------------------

    def _violations(self, column: Any, bad: Any, limit: int, what: str) -> Violations:
        pl = _pl()
        count_q = self.lazy.select(bad.sum().alias("count"))
        top_q = (
            self.lazy.filter(bad)
            .group_by(self._col(column), maintain_order=True)
            .agg(pl.len().alias("_n"))
            .sort("_n", descending=True, maintain_order=True)
            .head(limit)
        )
        counted, top = _collect(what, count_q, top_q)
        count = int(counted.item())
        examples = list(top[column].to_list()) if count else []
        return Violations(count, self._nonnull(column), examples)

    def _bound(self, column: Any, bound: Any) -> tuple[Any, Any]:
        """The column and ``bound`` as two comparable expressions; ``TypeError`` when pandas
        could not compare them either."""
        import pandas as pd

        pl = _pl()
        c = self._col(column)
        dtype = self._types[column]
        if self.is_kind(column, "numeric") or self.is_kind(column, "bool"):
            if isinstance(bound, numbers.Real) and not isinstance(bound, str):
                if self.is_kind(column, "integer") and isinstance(bound, numbers.Integral):
                    return c, pl.lit(int(bound))
                return c.cast(pl.Float64), pl.lit(float(bound))
        elif self.is_kind(column, "datetime"):
            if isinstance(bound, str | _dt.datetime | pd.Timestamp) or type(bound).__name__ == (
                "datetime64"
            ):
                try:
                    stamp = pd.Timestamp(bound)
                except (ValueError, TypeError) as exc:
                    raise TypeError(f"{bound!r} is not a date: {exc}") from exc
                zone = getattr(dtype, "time_zone", None)
                if (stamp.tz is None) != (zone is None):
                    raise TypeError("cannot compare tz-naive and tz-aware datetimes")
                return c.dt.epoch("ns"), pl.lit(int(stamp.as_unit("ns").value))
        elif self._is(column, "String") and isinstance(bound, str):
            return c, pl.lit(bound)
        raise TypeError(f"values of type {dtype} and {type(bound).__name__} do not compare")

    def outside(self, column: Any, low: Any, high: Any, limit: int) -> Violations:
        if low is None and high is None:
            raise ValueError("outside() needs a bound")
        if self._is(column, "Null"):
            return Violations(0, 0, [])
        bad = None
        for bound, below in ((low, True), (high, False)):
            if bound is None:
                continue
            values, lit = self._bound(column, bound)
            test = values < lit if below else values > lit
            bad = test if bad is None else (bad | test)
        bad = (bad & self._present(column)).fill_null(False)
        return self._violations(column, bad, limit, f"the values of {column!r} outside the bounds")

    def _inside(self, column: Any, values: list[Any]) -> Any:
        """Whether each value is one of ``values`` (those of another type never match)."""
        import pandas as pd

        pl = _pl()
        c = self._col(column)
        if self._text_like(column):
            texts = [v for v in values if isinstance(v, str)]
            return c.cast(pl.String).is_in(texts) if texts else pl.lit(False)
        if self.is_kind(column, "bool"):
            flags = [  # pandas: True == 1 and False == 0
                bool(v)
                for v in values
                if isinstance(v, numbers.Real) and not isinstance(v, str) and v in (0, 1)
            ]
            return c.is_in(flags) if flags else pl.lit(False)
        if self.is_kind(column, "numeric"):
            nums = [v for v in values if isinstance(v, numbers.Real) and not isinstance(v, str)]
            if not nums:
                return pl.lit(False)
            whole = [int(v) for v in nums if isinstance(v, numbers.Integral)]
            if self.is_kind(column, "integer") and len(whole) == len(nums):
                return c.is_in(whole)
            return c.cast(pl.Float64).is_in([float(v) for v in nums])
        if self.is_kind(column, "datetime"):
            zone = getattr(self._types[column], "time_zone", None)
            stamps = []
            for v in values:
                try:
                    stamp = pd.Timestamp(v)
                except (ValueError, TypeError):
                    continue
                if v is not None and not pd.isna(stamp) and (stamp.tz is None) == (zone is None):
                    stamps.append(int(stamp.as_unit("ns").value))
            return c.dt.epoch("ns").is_in(stamps) if stamps else pl.lit(False)
        return pl.lit(False)

    def not_in(self, column: Any, values: list[Any], limit: int) -> Violations:
        bad = (~self._inside(column, values) & self._present(column)).fill_null(False)
        return self._violations(
            column, bad, limit, f"the values of {column!r} outside the allowed set"
        )

    def token_counts(
        self, column: Any, text: frozenset[str], numbers: frozenset[float]
    ) -> dict[Any, int]:
        pl = _pl()
        c = self._col(column)
        if self._text_like(column):
            if not text:
                return {}
            norm = c.cast(pl.String).str.strip_chars(WHITESPACE).str.to_lowercase()
            hit = norm.is_in(sorted(text))
        elif self.is_kind(column, "numeric") and not self._is(column, "Decimal"):
            if not numbers:
                return {}
            hit = c.cast(pl.Float64).is_in(sorted(numbers))
        else:  # bool, datetime and other columns hold no tokens (as on pandas)
            return {}
        query = self.lazy.filter(hit.fill_null(False)).group_by(c).agg(pl.len().alias("_n"))
        (out,) = _collect(f"the missing-value tokens of {column!r}", query)
        found: dict[Any, int] = {}
        for value, n in zip(out[column].to_list(), out["_n"].to_list(), strict=True):
            # polars lower-cases as Unicode does; Python decides, as on pandas
            if not isinstance(value, str) or value.strip().lower() in text:
                found[value] = int(n)
        return dict(sorted(found.items(), key=lambda kv: -kv[1]))

    # -- keys and rows --------------------------------------------------------------------

    def duplicate_rows(self, columns: Sequence[Any] | None, limit: int) -> Violations:
        pl = _pl()
        cols = self.columns if columns is None else list(columns)
        n = self.row_count()
        dup = ~pl.struct([self._canonical(c) for c in cols]).is_first_distinct()
        (counted,) = _collect("the duplicate rows", self.lazy.select(dup.sum()))
        count = int(counted.item())
        if not count:
            return Violations(0, n, [])
        first = self.lazy.with_row_index(_ROW).filter(dup).select(pl.col(_ROW)).head(limit)
        (rows,) = _collect("the duplicate rows", first)
        return Violations(count, n, [int(i) for i in rows[_ROW].to_list()])

    def _keys(self, frame: Any, cols: list[Any], limit: int) -> list[Any]:
        """The first ``limit`` distinct keys of a collected frame: values, or tuples."""
        keys = frame.select(cols).unique(maintain_order=True).head(limit)
        if len(cols) == 1:
            return list(keys[cols[0]].to_list())
        return [tuple(r) for r in keys.rows()]

    def duplicate_keys(self, columns: Sequence[Any], limit: int) -> Violations:
        pl = _pl()
        cols = list(columns)
        n = self.row_count()
        what = f"the repeated keys of {cols!r}"
        if len(cols) == 1:  # one column: its distinct count (4x faster than a struct)
            key = self._canonical(cols[0])
            (distinct,) = _collect(what, self.lazy.select(key.n_unique()))
            count = n - int(distinct.item())
        else:
            key = pl.struct([self._canonical(c) for c in cols])
            (counted,) = _collect(what, self.lazy.select((~key.is_first_distinct()).sum()))
            count = int(counted.item())
        if not count:
            return Violations(0, n, [])
        repeats_q = self.lazy.filter(~key.is_first_distinct()).select(cols).head(EXAMPLE_SCAN)
        (repeats,) = _collect(what, repeats_q)
        return Violations(count, n, self._keys(repeats, cols, limit))

    def _join_key(self, column: Any, other: Any) -> Any:
        """An expression of ``column`` comparable with the same column of ``other`` (a
        :class:`PolarsTable`), or None when no value of one can equal a value of the other
        (pandas' ``isin`` then finds none)."""
        pl = _pl()
        if self._types[column] == other._types[column] and not self._text_like(column):
            return self._col(column)
        if self._text_like(column) and other._text_like(column):
            return self._col(column).cast(pl.String)
        if self._number_like(column) and other._number_like(column):  # pandas: 0 == False
            return self._col(column).cast(pl.Float64)
        if self.is_kind(column, "datetime") and other.is_kind(column, "datetime"):
            mine = getattr(self._types[column], "time_zone", None)
            theirs = getattr(other._types[column], "time_zone", None)
            if (mine is None) != (theirs is None):
                return None
            return self._col(column).dt.epoch("ns")
        return None

    def keys_in(self, columns: Sequence[Any], other: Table, limit: int) -> Violations:
        cols = list(columns)
        n = self.row_count()
        if isinstance(other, PolarsTable):
            theirs = other
        else:  # a table in memory (pandas): its distinct keys go into polars
            rows = other.rows(cols, "expect_no_overlap")[cols].drop_duplicates()
            theirs = guarded(
                ENGINE, "the other frame's keys", lambda: PolarsTable(_pl().from_pandas(rows))
            )
        keys = [f"__mlgate_key{i}__" for i in range(len(cols))]
        mine_exprs, their_exprs = [], []
        for c, k in zip(cols, keys, strict=True):
            mine, their = self._join_key(c, theirs), theirs._join_key(c, self)
            if mine is None or their is None:
                return Violations(0, n, [])
            mine_exprs.append(mine.alias(k))
            their_exprs.append(their.alias(k))
        hits = self.lazy.select([*cols, *mine_exprs]).join(
            theirs.lazy.select(their_exprs).unique(),
            on=keys,
            how="semi",
            maintain_order="left",
        )
        what = f"the keys of {cols!r} found in the other frame"
        counted, first = _collect(what, hits.select(_pl().len()), hits.head(EXAMPLE_SCAN))
        count = int(counted.item())
        return Violations(count, n, self._keys(first, cols, limit) if count else [])

    # -- profiles -------------------------------------------------------------------------

    def min_max(self, column: Any) -> tuple[Any, Any]:
        if not self._nonnull(column):
            return None, None
        c = self._canonical(column).filter(self._present(column))
        query = self.lazy.select(c.min().alias("low"), c.max().alias("high"))
        (out,) = _collect(f"the range of {column!r}", query)
        row = out.row(0)
        return row[0], row[1]

    def value_counts(self, column: Any, limit: int) -> dict[Any, int] | None:
        import pandas as pd

        pl = _pl()
        stamps = self.is_kind(column, "datetime")
        key = self._col(column).dt.epoch("ns") if stamps else self._canonical(column)
        query = (
            self.lazy.filter(self._present(column))
            .group_by(key.alias("value"))
            .agg(pl.len().alias("_n"))
            .sort("_n", descending=True)
            .head(limit + 1)
        )
        (out,) = _collect(f"the value counts of {column!r}", query)
        if out.height > limit:
            return None
        zone = getattr(self._types[column], "time_zone", None)
        counts: dict[Any, int] = {}
        for value, n in zip(out["value"].to_list(), out["_n"].to_list(), strict=True):
            if stamps:  # exact nanoseconds (a Python datetime keeps microseconds only)
                value = pd.Timestamp(value, unit="ns", tz="UTC" if zone else None)
            counts[value] = int(n)
        return counts

    def quantiles(self, column: Any, probabilities: Sequence[float]) -> list[float]:
        """Exact: numpy's ``linear`` quantiles from the order statistics they need (one sort
        in polars for all probabilities)."""
        import numpy as np

        n = self._nonnull(column)
        if not n:
            return [float("nan")] * len(probabilities)
        q = np.asarray(probabilities, dtype=np.float64)
        virtual = (n - 1) * q
        below = np.floor(virtual).astype(np.int64)
        gamma = virtual - below
        top = virtual >= n - 1
        below[top] = n - 1
        above = np.minimum(below + 1, n - 1)
        wanted = np.unique(np.concatenate([below, above]))
        query = self.lazy.select(
            self._numbers(column).sort().gather([int(i) for i in wanted]).alias("v")
        )
        (out,) = _collect(f"the quantiles of {column!r}", query)
        values = np.asarray(out["v"].to_numpy(), dtype=np.float64)
        a = values[np.searchsorted(wanted, below)]
        b = values[np.searchsorted(wanted, above)]
        diff = b - a
        result = np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)
        return [float(v) for v in result]

    def histogram(self, column: Any, edges: Sequence[float]) -> list[int]:
        x = self._numbers(column)
        exprs = [(x <= float(e)).sum().alias(f"e{i}") for i, e in enumerate(edges)]
        query = self.lazy.select([x.len().alias("n"), *exprs])
        (out,) = _collect(f"the histogram of {column!r}", query)
        row = out.row(0)
        cum = [0, *(int(v) for v in row[1:]), int(row[0])]
        return [cum[i + 1] - cum[i] for i in range(len(edges) + 1)]

    def moments(self, column: Any) -> tuple[int, float, float, int]:
        """Count, mean and sum of squared deviations of the non-null values (as numbers),
        and their exact number of distinct values, in one query."""
        x = self._numbers(column)
        distinct = self._canonical(column).filter(self._present(column)).n_unique()
        query = self.lazy.select(
            x.len().alias("n"),
            x.mean().alias("mean"),
            ((x - x.mean()) ** 2).sum().alias("m2"),
            distinct.alias("distinct"),
        )
        (out,) = _collect(f"the moments of {column!r}", query)
        n, mean, m2, k = out.row(0)
        return int(n), float(mean or 0.0), float(m2 or 0.0), int(k)

    def extremes(self, column: Any, k: int) -> tuple[list[float], list[float]]:
        """The ``k`` smallest and ``k`` largest non-null values (as numbers), ascending."""
        x = self._numbers(column)
        query = self.lazy.select(
            x.bottom_k(k).implode().alias("low"), x.top_k(k).implode().alias("high")
        )
        (out,) = _collect(f"the extremes of {column!r}", query)
        row = out.row(0, named=True)
        return sorted(float(v) for v in row["low"]), sorted(float(v) for v in row["high"])

    def distinct_count(self, column: Any) -> int:
        """Exact number of distinct non-null values."""
        c = self._canonical(column).filter(self._present(column)).n_unique()
        (out,) = _collect(f"the distinct values of {column!r}", self.lazy.select(c))
        return int(out.item())

    # -- rows -----------------------------------------------------------------------------

    def rows(self, columns: Sequence[Any], check: str) -> pd.DataFrame:
        """An eager frame's columns as pandas (it is in memory already); a LazyFrame's rows
        are not collected: the :func:`needs_rows` error."""
        if self.eager:
            from ..frames import as_frame

            return as_frame(self.frame, "df")
        try:
            size = f"{self.row_count():,} rows"
        except Exception:
            size = ""
        raise needs_rows(ENGINE, check, size)
