"""The Spark :class:`~pytest_mlgate.tables.base.Table`: every aggregate computed by Spark SQL
(``pyspark.sql`` only), only the small answer brought back to the driver.

- The first question asked of a table runs one ``agg`` over all columns: the row count, the
  nulls of every column (NaN counts as null in float columns, as in pandas), the two 32-bit
  halves of the sum of the rows' ``xxhash64`` (the dataset fingerprint, see :mod:`.engines`)
  and the min and max of every number, bool and datetime column; every later check reuses
  it (a range that covers the min and max needs no job).
- Value checks on text and bool columns: the first one counts the values of all of them in
  one query; later ones on columns with at most :data:`TEXT_LIMIT` distinct values need no
  job.
- Duplicate rows: rows are grouped by a 64-bit hash (``xxhash64`` of the columns, ``-0.0``
  read as ``0.0``, plus a mask of which columns are null, since ``xxhash64`` skips nulls);
  only rows whose hash repeats are compared exactly (``distinct`` over those rows), so a
  hash collision never counts as a duplicate. Duplicate keys: Spark's exact ``groupBy``.
- Quantiles: ``percentile_approx`` with accuracy :data:`ACCURACY`, whose rank error is at
  most ``1 / ACCURACY`` (1e-4): each answer is a value of the column whose rank is within
  ``n / ACCURACY`` of the requested one (pandas interpolates linearly between two values).
- Spark has no categorical type (a pandas category arrives as text) and no row labels: no
  column is of kind ``category``, and :meth:`SparkTable.null_rows` and the row examples of
  :meth:`SparkTable.duplicate_rows` are empty.
- Every failure inside Spark (a missing input file, a failing cast or UDF) is raised as one
  short :class:`~.engines.EngineError` naming what was being computed, so the check records
  an ``error``, never a session crash.
"""

from __future__ import annotations

import datetime as _dt
import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..frames import unique_names
from .base import Table, Violations, needs_rows
from .engines import HALF, FirstPassTable, guarded

if TYPE_CHECKING:
    import pandas as pd

ENGINE = "Spark"
#: ``percentile_approx``'s accuracy: rank error at most 1 / ACCURACY
ACCURACY = 10_000
#: distinct values of a text or bool column counted once for every value check on it
TEXT_LIMIT = 1_000
#: a profile's ``summaries.MAX_EXACT`` (tables sit below summaries; a test keeps them equal)
MAX_EXACT = 1_000

_INTEGER = ("ByteType", "ShortType", "IntegerType", "LongType")
_FLOAT = ("FloatType", "DoubleType")
_STRING = ("StringType", "VarcharType", "CharType")
_DATETIME = ("TimestampType", "TimestampNTZType", "DateType")
#: types whose min and max the first pass takes (compared in Python as Spark compares them;
#: not text: its min and max made the first pass a third slower at 2M rows x 6 text columns)
_RANGED = (*_INTEGER, *_FLOAT, "DecimalType", "BooleanType", *_DATETIME)


def _F() -> Any:
    from pyspark.sql import functions

    return functions


class SparkTable(FirstPassTable):
    """A ``pyspark.sql.DataFrame`` seen through the :class:`Table` protocol.

    >>> sdf = spark.createDataFrame([(1,), (2,), (2,), (None,)], "x int")  # doctest: +SKIP
    >>> t = SparkTable(sdf)                                                 # doctest: +SKIP
    >>> t.null_counts(["x"]), t.duplicate_rows(None, 5).count              # doctest: +SKIP
    ({'x': 1}, 1)
    """

    engine = ENGINE
    accuracy = ACCURACY

    def __init__(self, frame: Any) -> None:
        unique_names(list(frame.columns), "df")
        self.frame = frame
        self._types = {f.name: f.dataType for f in frame.schema.fields}
        self._pass: tuple[int, dict[str, int], int] | None = None
        #: per column, the (min, max) of its non-null values (first pass)
        self._ranges: dict[str, tuple[Any, Any]] = {}
        #: exact value counts of the text and bool columns, asked once for all of them
        self._text_counts: dict[str, dict[Any, int] | None] | None = None
        #: exact distinct counts, and value counts within a limit (:meth:`_grouped_values`)
        self._distincts: dict[Any, int] = {}
        self._value_counts: dict[Any, dict[Any, int]] = {}

    # -- schema ---------------------------------------------------------------------------

    @property
    def columns(self) -> list[Any]:
        return list(self._types)

    @property
    def rank_error(self) -> float:
        """The rank error of :meth:`quantiles` (``percentile_approx``): 1 / accuracy."""
        return 1.0 / self.accuracy

    def dtype(self, column: Any) -> str:
        return str(self._types[column].simpleString())

    def time_zone(self, column: Any) -> str | None:
        """``"UTC"`` for a ``timestamp`` column (Spark holds instants, shown in the session's
        time zone: a tz-aware pandas column arrives as one), None for ``timestamp_ntz`` and
        ``date`` (wall times, as a naive pandas column) and other types."""
        return "UTC" if self._type(column) == "TimestampType" else None

    def _type(self, column: Any) -> str:
        return type(self._types[column]).__name__

    def is_kind(self, column: Any, kind: str) -> bool:
        name = self._type(column)
        if kind == "integer":
            return name in _INTEGER
        if kind == "float":
            return name in _FLOAT
        if kind == "numeric":
            return name in _INTEGER + _FLOAT or name == "DecimalType"
        if kind == "bool":
            return name == "BooleanType"
        if kind == "string":
            return name in _STRING
        if kind == "datetime":
            return name in _DATETIME
        return False  # "category": Spark has no categorical type

    # -- the first pass -------------------------------------------------------------------

    def _col(self, column: Any) -> Any:
        return _F().col("`" + str(column).replace("`", "``") + "`")

    def _null(self, column: Any) -> Any:
        c = self._col(column)
        return (c.isNull() | _F().isnan(c)) if self._type(column) in _FLOAT else c.isNull()

    def _present(self, column: Any) -> Any:
        return ~self._null(column)

    def _row_hash(self, columns: Sequence[Any]) -> Any:
        """A 64-bit hash of each row over ``columns`` that equal rows share: ``xxhash64`` of
        the values (floats with ``-0.0`` as ``0.0``) and of a null mask per 62 columns."""
        F = _F()
        values = []
        for c in columns:
            col = self._col(c)
            if self._type(c) in _FLOAT:
                col = F.when(col == 0, F.lit(0.0).cast(self._types[c])).otherwise(col)
            if self._type(c) == "MapType":
                col = F.to_json(col)
            values.append(col)
        masks = [
            sum(
                (F.when(self._col(c).isNull(), F.lit(1 << i)).otherwise(F.lit(0)))
                for i, c in enumerate(columns[start : start + 62])
            )
            for start in range(0, len(columns), 62)
        ]
        return F.xxhash64(*values, *[m.cast("long") for m in masks])

    def _counted(self) -> tuple[int, dict[str, int], int]:
        """One ``agg``: the row count, every column's nulls, the row hashes' sum, and the min
        and max of every number, bool and datetime column (so that a range check within them
        needs no job)."""
        if self._pass is None:
            F = _F()
            cols = self.columns
            h = self._row_hash(cols) if cols else F.lit(0).cast("long")
            low = F.sum(F.pmod(h, F.lit(HALF)))
            high = F.sum(F.shiftrightunsigned(h, 32))
            exprs = [F.count(F.lit(1)).alias("_n"), low.alias("_lo"), high.alias("_hi")]
            exprs += [F.sum(self._null(c).cast("long")) for c in cols]
            ranged = [c for c in cols if self._type(c) in _RANGED]
            for c in ranged:
                present = F.when(self._present(c), self._col(c))
                exprs += [F.min(present), F.max(present)]
            row = guarded(
                ENGINE, "the row count and null counts", lambda: self.frame.agg(*exprs).first()
            )
            n = int(row[0])
            nulls = {c: int(row[3 + i] or 0) for i, c in enumerate(cols)}
            at = 3 + len(cols)
            self._ranges = {c: (row[at + 2 * i], row[at + 2 * i + 1]) for i, c in enumerate(ranged)}
            total = int(row[1] or 0) + (int(row[2] or 0) << 32)
            self._pass = (n, nulls, total)
        return self._pass

    def _within(self, column: Any, low: Any, high: Any) -> bool:
        """Whether every non-null value lies in ``[low, high]`` (bounds as :meth:`_bound`
        gives them), from the first pass's min and max; False when unknown."""
        self._first_pass()
        if column not in self._ranges:
            return False
        least, most = self._ranges[column]
        if least is None:
            return True  # no non-null value
        try:
            if self._type(column) == "TimestampNTZType":
                # Spark compares a TimestampNTZ column with a (local) timestamp literal as
                # the column's wall time in the session time zone: compare instants
                from zoneinfo import ZoneInfo

                zone = ZoneInfo(self.frame.sparkSession.conf.get("spark.sql.session.timeZone"))
                least, most = (v.replace(tzinfo=zone) for v in (least, most))
                low, high = (None if b is None else b.astimezone() for b in (low, high))
            return (low is None or not least < low) and (high is None or not most > high)
        except Exception:  # values that do not compare, a time zone zoneinfo does not know
            return False

    def _schema(self) -> list[tuple[str, str]]:
        return [(c, self.dtype(c)) for c in self.columns]

    def null_rows(self, column: Any, limit: int) -> list[Any]:
        return []  # a Spark table has no row labels

    # -- values ---------------------------------------------------------------------------

    def _top(self, column: Any, condition: Any, limit: int, what: str) -> list[Any]:
        """The ``limit`` most frequent values of ``column`` where ``condition`` holds."""
        F = _F()
        c = self._col(column)
        grouped = self.frame.filter(condition).groupBy(c.alias("v")).count()
        ordered = grouped.orderBy(F.desc("count"), F.asc("v")).limit(limit)
        return [r[0] for r in guarded(ENGINE, what, ordered.collect)]

    def _count(self, condition: Any, what: str) -> int:
        F = _F()
        row = guarded(ENGINE, what, lambda: self.frame.agg(F.sum(condition.cast("long"))).first())
        return int(row[0] or 0)

    def outside(self, column: Any, low: Any, high: Any, limit: int) -> Violations:
        lows = None if low is None else self._bound(column, low)
        highs = None if high is None else self._bound(column, high)
        if lows is None and highs is None:
            raise ValueError("outside() needs a bound")
        among = self._nonnull(column)
        if self._within(column, lows, highs):  # the first pass's min and max: no job
            return Violations(0, among, [])
        c = self._col(column)
        bad = None
        if lows is not None:
            bad = c < _F().lit(lows)
        if highs is not None:
            over = c > _F().lit(highs)
            bad = over if bad is None else (bad | over)
        bad = self._present(column) & bad
        count = self._count(bad, f"the values of {column!r} outside the bounds")
        examples = self._top(column, bad, limit, f"examples of {column!r}") if count else []
        return Violations(count, among, examples)

    def _bound(self, column: Any, value: Any) -> Any:
        """``value`` as a literal comparable with the column; ``TypeError`` otherwise."""
        name = self._type(column)
        if name in _INTEGER + _FLOAT + ("DecimalType", "BooleanType"):
            if isinstance(value, numbers.Real):
                return float(value) if not isinstance(value, numbers.Integral) else int(value)
        elif name in _STRING:
            if isinstance(value, str):
                return value
        elif name in _DATETIME:
            stamp = _timestamp(value)
            if stamp is not None:
                return stamp.date() if name == "DateType" else stamp
        raise TypeError(
            f"{self.dtype(column)} values cannot be compared with {type(value).__name__}"
        )

    def not_in(self, column: Any, values: list[Any], limit: int) -> Violations:
        usable = []
        for v in values:
            try:
                usable.append(self._bound(column, v))
            except TypeError:
                continue  # a value of another type: no cell equals it
        counts = self._counts(column)
        if counts is not None:  # the batched value counts of the text and bool columns
            allowed = set(usable)
            bad_counts = {v: k for v, k in counts.items() if v not in allowed}
            ordered = sorted(bad_counts.items(), key=lambda kv: (-kv[1], kv[0]))
            examples = [v for v, _ in ordered[:limit]]
            return Violations(sum(bad_counts.values()), self._nonnull(column), examples)
        present = self._present(column)
        bad = present & ~self._col(column).isin(usable) if usable else present
        count = self._count(bad, f"the values of {column!r} outside the allowed set")
        examples = self._top(column, bad, limit, f"examples of {column!r}") if count else []
        return Violations(count, self._nonnull(column), examples)

    def _counts(self, column: Any) -> dict[Any, int] | None:
        """Exact counts of the non-null values of a text or bool column with at most
        :data:`TEXT_LIMIT` distinct values, or None. The first value check on such a column
        counts the values of every text and bool column in one query (each row explodes into
        one (column, value) pair per column; one ``groupBy``; a column found above the limit
        sends none back); later value checks on them need no job. A text column with many
        distinct values is grouped once in that query (as ``expect_unique`` on it would be);
        an estimate of each column's distinct values in the first pass, to leave those out,
        cost more than it saved (HyperLogLog of 6 text columns: +7 s on 2M rows)."""
        name = self._type(column)
        if name not in (*_STRING, "BooleanType"):
            return None
        if self._text_counts is None:
            self._first_pass()
            wanted = [c for c in self.columns if self._type(c) in (*_STRING, "BooleanType")]
            self._text_counts = dict.fromkeys(self.columns)
            if wanted:
                self._text_counts.update(self._count_values(wanted))
        return self._text_counts.get(column)

    def _count_values(self, names: list[Any]) -> dict[Any, dict[Any, int] | None]:
        from pyspark.sql import Window

        F = _F()
        pairs = [
            F.struct(
                F.lit(i).alias("c"),
                F.when(self._present(c), self._col(c).cast("string")).alias("v"),
            )
            for i, c in enumerate(names)
        ]
        exploded = self.frame.select(F.explode(F.array(*pairs)).alias("p")).select("p.c", "p.v")
        grouped = exploded.filter(F.col("v").isNotNull()).groupBy("c", "v").count()
        sized = grouped.withColumn("k", F.count(F.lit(1)).over(Window.partitionBy("c")))
        kept = sized.filter(F.col("k") <= TEXT_LIMIT).select("c", "v", "count")
        rows = guarded(ENGINE, "the value counts of the text columns", kept.collect)
        found: dict[Any, dict[Any, int] | None] = dict.fromkeys(names)
        for c, v, n in rows:
            column = names[int(c)]
            value: Any = v == "true" if self._type(column) == "BooleanType" else v
            counts = found[column]
            if counts is None:
                counts = found[column] = {}
            counts[value] = int(n)
        for column in names:  # all-null columns: nothing to count; above the limit: unknown
            if found[column] is None and not self._nonnull(column):
                found[column] = {}
        return found

    def token_counts(
        self, column: Any, text: frozenset[str], numbers_: frozenset[float]
    ) -> dict[Any, int]:
        F = _F()
        c = self._col(column)
        name = self._type(column)
        counts = self._counts(column) if name in _STRING else None
        if counts is not None:  # the batched value counts: no job
            hits = {v: k for v, k in counts.items() if v.strip().lower() in text}
            return dict(sorted(hits.items(), key=lambda kv: -kv[1]))
        if name in _STRING and text:
            stripped = F.lower(F.regexp_replace(c, r"(?U)^\s+|\s+$", ""))
            found = self.frame.filter(stripped.isin(sorted(text))).groupBy(c.alias("v")).count()
        elif name in _INTEGER + _FLOAT + ("DecimalType",) and numbers_:
            found = self.frame.filter(c.isin(sorted(numbers_))).groupBy(c.alias("v")).count()
        else:
            return {}
        rows = guarded(ENGINE, f"the missing-value tokens of {column!r}", found.collect)
        out = {}
        for value, n in rows:
            if isinstance(value, str) and value.strip().lower() not in text:
                continue  # Java's whitespace is not quite Python's: Python decides
            out[value] = int(n)
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    # -- keys and rows --------------------------------------------------------------------

    def duplicate_rows(self, columns: Sequence[Any] | None, limit: int) -> Violations:
        F = _F()
        cols = self.columns if columns is None else list(columns)
        n = self.row_count()
        hashed = self.frame.select(*[self._col(c) for c in cols]).withColumn(
            "__mlgate_h", self._row_hash(cols)
        )
        repeated = hashed.groupBy("__mlgate_h").count().filter(F.col("count") > 1)
        row = guarded(
            ENGINE,
            "the repeated row hashes",
            lambda: repeated.agg(F.sum(F.col("count") - 1)).first(),
        )
        if not row[0]:
            return Violations(0, n, [])
        # exact: only rows whose hash repeats can repeat a row; count their distinct rows
        candidates = hashed.join(repeated.select("__mlgate_h"), "__mlgate_h", "left_semi")
        values = candidates.select(*[self._col(c) for c in cols])

        def exact() -> int:
            return int(values.count()) - int(values.distinct().count())

        return Violations(guarded(ENGINE, "the duplicate rows", exact), n, [])

    def duplicate_keys(self, columns: Sequence[Any], limit: int) -> Violations:
        F = _F()
        cols = list(columns)
        keys = [self._col(c).alias(f"k{i}") for i, c in enumerate(cols)]
        repeated = self.frame.groupBy(*keys).count().filter(F.col("count") > 1)
        row = guarded(
            ENGINE,
            f"the repeated keys of {cols!r}",
            lambda: repeated.agg(F.sum(F.col("count") - 1)).first(),
        )
        count = int(row[0] or 0)
        examples: list[Any] = []
        if count:
            order = [F.desc("count"), *[F.asc(f"k{i}") for i in range(len(cols))]]
            top = repeated.orderBy(*order).limit(limit)
            rows = guarded(ENGINE, f"examples of repeated keys {cols!r}", top.collect)
            examples = [_key(r, len(cols)) for r in rows]
        return Violations(count, self.row_count(), examples)

    def keys_in(self, columns: Sequence[Any], other: Table, limit: int) -> Violations:
        F = _F()
        cols = list(columns)
        mine = self.frame.select(*[self._col(c).alias(f"k{i}") for i, c in enumerate(cols)])
        if isinstance(other, SparkTable):
            theirs = other.frame.select(*[other._col(c).alias(f"k{i}") for i, c in enumerate(cols)])
        else:  # a table in memory (pandas): its distinct keys go into Spark
            keys = other.rows(cols, "expect_no_overlap")[cols].drop_duplicates()
            schema = ", ".join(f"k{i} {self._types[c].simpleString()}" for i, c in enumerate(cols))
            tuples = [tuple(_plain(v) for v in row) for row in keys.itertuples(index=False)]
            theirs = guarded(
                ENGINE,
                "the other frame's keys",
                lambda: self.frame.sparkSession.createDataFrame(tuples, schema),
            )
        names = [f"k{i}" for i in range(len(cols))]
        hits = mine.join(theirs.distinct(), names, "left_semi")
        grouped = hits.groupBy(*names).count()
        order = [F.desc("count"), *[F.asc(k) for k in names]]

        def answer() -> tuple[int, list[Any]]:
            total = grouped.agg(F.sum("count")).first()[0]
            top = grouped.orderBy(*order).limit(limit).collect() if total else []
            return int(total or 0), [_key(r, len(cols)) for r in top]

        count, examples = guarded(ENGINE, f"the keys of {cols!r} found in the other frame", answer)
        return Violations(count, self.row_count(), examples)

    # -- profiles -------------------------------------------------------------------------

    def min_max(self, column: Any) -> tuple[Any, Any]:
        F = _F()
        c = self._col(column)
        present = self.frame.filter(self._present(column))
        row = guarded(
            ENGINE, f"the range of {column!r}", lambda: present.agg(F.min(c), F.max(c)).first()
        )
        return row[0], row[1]

    def value_counts(self, column: Any, limit: int) -> dict[Any, int] | None:
        c = self._col(column)
        groups = self.frame.filter(self._present(column)).groupBy(c.alias("v")).count()
        rows = guarded(ENGINE, f"the value counts of {column!r}", groups.limit(limit + 1).collect)
        if len(rows) > limit:
            return None
        return {r[0]: int(r[1]) for r in sorted(rows, key=lambda r: -r[1])}

    def _number(self, column: Any) -> Any:
        """The column as double: datetimes as nanoseconds since the epoch (as pandas)."""
        F = _F()
        c = self._col(column)
        name = self._type(column)
        if name == "DateType":
            return F.unix_date(c).cast("double") * 86_400e9
        if name in ("TimestampType", "TimestampNTZType"):
            return F.unix_micros(c.cast("timestamp")).cast("double") * 1000.0
        return c.cast("double")

    def quantiles(self, column: Any, probabilities: Sequence[float]) -> list[float]:
        """``percentile_approx`` at ``probabilities`` (rank error at most ``1 / accuracy``:
        each answer is a value whose rank is within ``n / accuracy`` of ``p * n``)."""
        F = _F()
        probs = F.array(*[F.lit(float(p)) for p in probabilities])
        present = self.frame.filter(self._present(column))
        expr = F.percentile_approx(self._number(column), probs, self.accuracy)
        row = guarded(ENGINE, f"the quantiles of {column!r}", lambda: present.agg(expr).first())
        if row[0] is None:
            return [float("nan")] * len(probabilities)
        return [float(q) for q in row[0]]

    def histogram(self, column: Any, edges: Sequence[float]) -> list[int]:
        F = _F()
        value = self._number(column)
        index = F.lit(0)
        for e in sorted(float(x) for x in edges):
            index = index + (value > F.lit(e)).cast("int")
        present = self.frame.filter(self._present(column))
        rows = guarded(
            ENGINE,
            f"the histogram of {column!r}",
            present.groupBy(index.alias("b")).count().collect,
        )
        counts = [0] * (len(edges) + 1)
        for b, n in rows:
            counts[int(b)] += int(n)
        return counts

    def moments(self, column: Any) -> tuple[int, float, float, int]:
        """Count, mean, sum of squared deviations and exact number of distinct values of the
        non-null values (as numbers), in one aggregation."""
        F = _F()
        v = self._number(column)
        present = self.frame.filter(self._present(column))
        row = guarded(
            ENGINE,
            f"the moments of {column!r}",
            lambda: present.agg(
                F.count(v), F.avg(v), F.var_pop(v), F.count_distinct(self._col(column))
            ).first(),
        )
        n = int(row[0])
        return n, float(row[1] or 0.0), float(row[2] or 0.0) * n, int(row[3])

    def extremes(self, column: Any, k: int) -> tuple[list[float], list[float]]:
        """The ``k`` smallest and ``k`` largest non-null values (as numbers), ascending."""
        F = _F()
        values = self.frame.filter(self._present(column)).select(self._number(column).alias("v"))

        def both() -> tuple[list[float], list[float]]:
            low = [float(r[0]) for r in values.orderBy(F.asc("v")).limit(k).collect()]
            high = [float(r[0]) for r in values.orderBy(F.desc("v")).limit(k).collect()]
            return low, high[::-1]

        low, high = guarded(ENGINE, f"the extremes of {column!r}", both)
        return list(low), list(high)

    def distinct_count(self, column: Any) -> int:
        """Exact number of distinct non-null values."""
        if column in self._distincts:
            return self._distincts[column]
        present = self.frame.filter(self._present(column)).select(self._col(column))
        found = int(guarded(ENGINE, f"the distinct values of {column!r}", present.distinct().count))
        self._distincts[column] = found
        return found

    # -- profiles of many columns at once (engine_profile.Batches) ---------------------------

    def moments_of(self, columns: Sequence[Any]) -> dict[Any, tuple[int, float, float, int]]:
        """:meth:`moments` of every column (exact distinct counts):

        1. one ``agg`` of every column's count, mean, variance and an estimate of its distinct
           values (HyperLogLog at 5%: only to choose the next step, never reported);
        2. the columns estimated at most twice :data:`MAX_EXACT`
           distinct values: their exact distinct counts, and the value counts of those within
           ``MAX_EXACT`` (kept for :meth:`value_counts_of`), in one query
           (:meth:`_grouped_values`: few keys, so its aggregation stays in memory);
        3. each other column: its exact distinct count, one ``distinct().count()`` each.

        Step 3 is per column on purpose. In one query (every column's (column, value) pairs
        grouped together, or a union of the per-column counts) the map side of the
        aggregation holds every column's distinct values at once and spills: at 2M rows x 15
        columns of distinct floats on a 1 GiB local heap it took 105-112 s against about
        65 s column by column (and ``count_distinct`` of many columns in one ``agg`` expands
        every row once per column: it failed there)."""
        F = _F()
        exprs = []
        for column in columns:
            v = F.when(self._present(column), self._number(column))
            kept = F.when(self._present(column), self._col(column))
            exprs += [F.count(v), F.avg(v), F.var_pop(v), F.approx_count_distinct(kept, 0.05)]
        row = guarded(ENGINE, "the moments", lambda: self.frame.agg(*exprs).first())
        counted = {c: row[4 * i : 4 * i + 4] for i, c in enumerate(columns)}
        few = {c: MAX_EXACT for c in columns if int(counted[c][3] or 0) <= 2 * MAX_EXACT}
        if few:
            self._grouped_values(few)
        found = {}
        for column in columns:
            n, mean, var, _ = counted[column]
            distinct = self._distincts[column] if column in few else self.distinct_count(column)
            found[column] = (int(n), float(mean or 0.0), float(var or 0.0) * int(n), distinct)
        return found

    def distinct_counts(self, columns: Sequence[Any]) -> dict[Any, int]:
        """Exact numbers of distinct non-null values of many columns, in one job."""
        wanted = [c for c in columns if c not in self._distincts]
        if wanted:
            self._grouped_values(dict.fromkeys(wanted, 0))
        return {c: self._distincts[c] for c in columns}

    def value_counts_of(self, limits: dict[Any, int]) -> dict[Any, dict[Any, int] | None]:
        """:meth:`value_counts` of each column: those :meth:`moments_of` counted already need
        no job, the others are counted together in one job."""
        missing = {
            c: k
            for c, k in limits.items()
            if not (c in self._distincts and (c in self._value_counts or self._distincts[c] > k))
        }
        if missing:
            self._grouped_values(missing)
        found: dict[Any, dict[Any, int] | None] = {}
        for column, limit in limits.items():
            counts = self._value_counts.get(column)
            found[column] = (
                None
                if self._distincts[column] > limit or counts is None
                else dict(sorted(counts.items(), key=lambda kv: -kv[1]))
            )
        return found

    def _grouped_values(self, limits: dict[Any, int]) -> None:
        """Every column's exact distinct count and, where it is at most ``limits[column]``,
        its exact value counts, in one query: each row explodes into one (column, value) pair
        per column (a value typed as a long, a double or a string, so equal values group
        exactly; NaN and nulls dropped), one ``groupBy`` gives the distinct (column, value)
        counts, a ``groupBy`` of those gives each column's distinct count (broadcast back),
        and only the value counts of the columns within their limit come back, with one row
        per column carrying its distinct count. Not ``count_distinct`` in one ``agg``: Spark
        plans several distinct aggregates by expanding every row once per aggregate, which
        failed at 2M rows x 23 columns in a 1 GiB local heap."""
        F = _F()
        names = list(limits)
        pairs = []
        for i, column in enumerate(names):
            long_, double, text = self._typed(column)
            pairs.append(
                F.when(
                    self._present(column),
                    F.struct(
                        F.lit(i).alias("c"),
                        long_.cast("long").alias("l"),
                        double.cast("double").alias("d"),
                        text.cast("string").alias("s"),
                    ),
                )
            )
        exploded = self.frame.select(F.explode(F.array(*pairs)).alias("p"))
        grouped = (
            exploded.filter(F.col("p").isNotNull())
            .select("p.c", "p.l", "p.d", "p.s")
            .groupBy("c", "l", "d", "s")
            .count()
        )
        limit = F.lit(0)
        for i, column in enumerate(names):
            limit = F.when(F.col("c") == i, F.lit(int(limits[column]))).otherwise(limit)
        sizes = grouped.groupBy("c").agg(F.count(F.lit(1)).alias("k"))
        within = (
            grouped.join(F.broadcast(sizes), "c")
            .filter(F.col("k") <= limit)
            .select("c", "l", "d", "s", "count")
        )
        none = F.lit(None)
        summary = sizes.select(
            "c",
            none.cast("long").alias("l"),
            none.cast("double").alias("d"),
            none.cast("string").alias("s"),
            (-F.col("k")).alias("count"),  # a column's distinct count, negated
        )
        rows = guarded(ENGINE, "the distinct values", within.unionByName(summary).collect)
        counts: dict[Any, dict[Any, int]] = {}
        for c, long_, double, text, n in rows:
            column = names[int(c)]
            if n < 0:
                self._distincts[column] = -int(n)
            else:
                value = self._value_of(column, long_, double, text)
                counts.setdefault(column, {})[value] = int(n)
        for column in names:
            self._distincts.setdefault(column, 0)  # no non-null value
            if self._distincts[column] <= limits[column]:
                self._value_counts[column] = counts.get(column, {})

    def _typed(self, column: Any) -> tuple[Any, Any, Any]:
        """The column as (long, double, string) fields, one of them set: integers, bools
        (0/1), dates (days) and timestamps (microseconds) as a long; floats as a double
        (``-0.0`` as ``0.0``); decimals, timestamps without time zone and anything else as
        text."""
        F = _F()
        c = self._col(column)
        name = self._type(column)
        none = F.lit(None)
        if name in _INTEGER or name == "BooleanType":
            return c.cast("long"), none, none
        if name == "DateType":
            return F.unix_date(c), none, none
        if name == "TimestampType":
            return F.unix_micros(c), none, none
        if name in _FLOAT:
            return none, F.when(c == 0, F.lit(0.0)).otherwise(c.cast("double")), none
        return none, none, c.cast("string")

    def _value_of(self, column: Any, long_: Any, double: Any, text: Any) -> Any:
        """A value of :meth:`_typed` as the Python value Spark itself returns for it."""
        import decimal

        from pyspark.sql import types

        name = self._type(column)
        if name == "BooleanType":
            return bool(long_)
        if name in _INTEGER:
            return int(long_)
        if name == "DateType":
            return types.DateType().fromInternal(long_)
        if name == "TimestampType":
            return types.TimestampType().fromInternal(long_)
        if name in _FLOAT:
            return double
        if name == "DecimalType":
            return decimal.Decimal(text)
        if name == "TimestampNTZType":
            return _dt.datetime.fromisoformat(text)
        return text

    def sketches_of(
        self, columns: Sequence[Any], probabilities: Sequence[float], tails: dict[Any, int]
    ) -> dict[Any, tuple[list[float], list[float], list[float]]]:
        """Every column's ``percentile_approx`` at ``probabilities`` in one aggregation, and
        its exact tails in one more query (:meth:`_tails`)."""
        F = _F()
        n, nulls, _ = self._counted()
        cuts = {c: _tail_cuts(tails[c], n - nulls[c], self.accuracy) for c in columns}
        exprs = [
            F.percentile_approx(
                F.when(self._present(c), self._number(c)),
                F.array(*[F.lit(float(p)) for p in [*probabilities, *cuts[c]]]),
                self.accuracy,
            )
            for c in columns
        ]
        row = guarded(ENGINE, "the quantiles", lambda: self.frame.agg(*exprs).first())
        answers = {
            c: [float(q) for q in row[i]] if row[i] is not None else []
            for i, c in enumerate(columns)
        }
        ends = {c: (a[-2], a[-1]) for c, a in answers.items() if a}
        found_tails = self._tails(ends, tails)
        found = {}
        for column in columns:
            low, high = found_tails.get(column) or self.extremes(column, tails[column])
            found[column] = (answers[column][: len(probabilities)], low, high)
        return found

    def _tails(
        self, ends: dict[Any, tuple[float, float]], tails: dict[Any, int]
    ) -> dict[Any, tuple[list[float], list[float]]]:
        """Each column's ``tails[column]`` smallest and largest values, exact, in one query.

        Per side, the values strictly beyond the column's cut (a sketch quantile chosen by
        :func:`_tail_cuts` to have a few more than ``tails[column]`` values at or beyond it)
        come back sorted and cut to size in the engine, and the values equal to the cut only
        as a count: so a cut on a heavily repeated value (a column of mostly zeros) does not
        gather its repeats, and each side sorts at most about ``k + 3 n / accuracy`` values
        (the sketch's rank bound). The tail is the sorted values then the cut repeated. A side
        with fewer than ``tails[column]`` values at or beyond its cut (the sketch missed its
        bound) leaves the column out, and :meth:`sketches_of` takes its tails with two ordered
        queries instead. The high side is sorted negated, so both sides keep their first
        values."""
        F = _F()
        if not ends:
            return {}
        names = list(ends)
        k = max(tails[c] for c in names)
        pairs = []
        for i, column in enumerate(names):
            v, present = self._number(column), self._present(column)
            for side, value, cut in (
                (2 * i, v, ends[column][0]),
                (2 * i + 1, -v, -ends[column][1]),
            ):
                pairs.append(
                    F.when(
                        present & (value <= F.lit(cut)),
                        F.struct(
                            F.lit(side).alias("s"),
                            value.alias("v"),
                            (value == F.lit(cut)).alias("tie"),
                        ),
                    )
                )
        beyond = F.when(~F.col("tie"), F.col("v"))
        picked = (
            self.frame.select(F.explode(F.array(*pairs)).alias("p"))
            .filter(F.col("p").isNotNull())
            .select("p.s", "p.v", "p.tie")
            .groupBy("s")
            .agg(
                F.count(beyond).alias("n"),
                F.slice(F.sort_array(F.collect_list(beyond)), 1, k).alias("vs"),
                F.count(F.when(F.col("tie"), F.lit(1))).alias("ties"),
            )
        )
        rows = guarded(ENGINE, "the extremes", picked.collect)
        sides = {int(r[0]): (int(r[1]), [float(x) for x in r[2]], int(r[3])) for r in rows}
        found = {}
        for i, column in enumerate(names):
            want = tails[column]
            got = []
            for side, cut in ((2 * i, ends[column][0]), (2 * i + 1, -ends[column][1])):
                count, values, ties = sides.get(side, (0, [], 0))
                if count + ties >= want:
                    got.append((values + [float(cut)] * max(0, want - count))[:want])
            if len(got) == 2:
                found[column] = (got[0], [-x for x in got[1]][::-1])
        return found

    def histograms_of(self, edges: dict[Any, list[float]]) -> dict[Any, list[int]]:
        """:meth:`histogram` of every column in one ``agg``: per column its count of values
        and, per edge, its count of values above it; a bin is the difference of two
        neighbouring counts. Not one (column, bin) pair per row and column counted by a
        ``groupBy``: at 2M rows x 15 columns that took 23 s against 5 s for these counts."""
        F = _F()
        names = list(edges)
        exprs = []
        for column in names:
            value, present = self._number(column), self._present(column)
            exprs.append(F.count(F.when(present, F.lit(1))))
            for e in sorted(float(x) for x in edges[column]):
                exprs.append(F.count(F.when(present & (value > F.lit(e)), F.lit(1))))
        row = guarded(ENGINE, "the histograms", lambda: self.frame.agg(*exprs).first())
        counts, at = {}, 0
        for column in names:
            width = len(edges[column])
            above = [int(n) for n in row[at : at + width + 1]] + [0]
            counts[column] = [above[j] - above[j + 1] for j in range(width + 1)]
            at += width + 1
        return counts

    # -- rows -----------------------------------------------------------------------------

    def rows(self, columns: Sequence[Any], check: str) -> pd.DataFrame:
        try:
            size = f"{self.row_count():,} rows"
        except Exception:
            size = ""
        raise needs_rows(ENGINE, check, size)


def _tail_cuts(k: int, n: int, accuracy: int) -> tuple[float, float]:
    """The probabilities whose sketch quantiles bound a column's ``k`` smallest and ``k``
    largest of ``n`` values: ``percentile_approx`` misses a rank by at most ``n / accuracy``,
    so the quantile at ``(k + 2 n / accuracy) / n`` has at least ``k`` values at or below it
    (about ``k + 2 n / accuracy``: what the tails query sorts per side)."""
    if n <= 0:
        return 0.0, 1.0
    p = min(1.0, (k + 2.0 * n / accuracy + 1.0) / n)
    return p, 1.0 - p


def _plain(value: Any) -> Any:
    """A pandas cell as the Python value Spark takes (numpy scalars, Timestamps)."""
    import pandas as pd

    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    item = getattr(value, "item", None)
    return item() if callable(item) and getattr(value, "ndim", None) == 0 else value


def _key(row: Any, width: int) -> Any:
    return row[0] if width == 1 else tuple(row[i] for i in range(width))


def _timestamp(value: Any) -> _dt.datetime | None:
    """A bound as a naive Python datetime (an aware one in UTC), or None if it is not one."""
    import pandas as pd

    if isinstance(value, bool | numbers.Real):
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    if pd.isna(stamp):
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    result: _dt.datetime = stamp.to_pydatetime()
    return result
