"""``mlgate.data(df)``: the data-quality checks of one table.

Each ``expect_*`` names the check, states its threshold and records the
:class:`~pytest_mlgate.results.Outcome` a pure computation of
:mod:`pytest_mlgate.checks.data_quality` draws from the table's aggregates
(:mod:`pytest_mlgate.tables`). Value checks ignore nulls (nulls are ``expect_not_null``'s
business). Every result reports ``violations`` and at most five example values; no check
copies a column into the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..checks.data_quality import cells, keys, leakage, schema
from ..checks.data_quality.common import CATEGORY, names
from ..errors import MlgateInputError
from ..frames import column_list
from ..recording import Family, Recorder, guard_checks
from ..tables import Table, as_table
from ..text import number, preview

if TYPE_CHECKING:
    import pandas as pd

    from ..results import CheckResult


@guard_checks(CATEGORY)
class DataChecks(Family):
    """Data-quality checks bound to one frame (what ``mlgate.data(df, name=...)`` returns).

    >>> dq = mlgate.data(train, name="train")            # doctest: +SKIP
    >>> dq.expect_not_null(["age"], max_fraction=0.0)    # doctest: +SKIP
    >>> dq.expect_values_in("sex", ["Female", "Male"])   # doctest: +SKIP
    """

    category = CATEGORY

    def __init__(self, recorder: Recorder, df: Any, *, name: str = "data") -> None:
        super().__init__(recorder, name)
        self._table: Table | None = None
        try:
            self._table = as_table(df, "df")
            refuse_empty = getattr(self._table, "refuse_empty", None)
            if refuse_empty is not None:  # an empty frame in memory: refused here, as pandas'
                refuse_empty()
        except Exception as exc:  # unusable input of any kind: one error result
            self.unusable("data", "usable frame", exc)
        else:
            recorder.use_dataset(name, "data", self._table.dataset())

    @property
    def table(self) -> Table:
        """The table under check (a pandas frame seen through :mod:`pytest_mlgate.tables`)."""
        if self._table is None:
            raise MlgateInputError("df", self._problem or "no frame.")
        return self._table

    @property
    def frame(self) -> pd.DataFrame:
        """The frame under check (converted to pandas if it was not)."""
        return self.table.rows(self.table.columns, "DataChecks.frame")

    # -- schema ---------------------------------------------------------------------------

    def expect_columns(
        self,
        columns: Sequence[Any],
        *,
        exact: bool = False,
        ordered: bool = False,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """The listed columns are present (``exact=True``: and no others; ``ordered=True``:
        in this order). A missing column is ``failed``, not ``error``.

        >>> dq.expect_columns(["age", "sex", "target"], exact=False)   # doctest: +SKIP
        """
        wanted = names(columns, "columns")
        threshold = {"columns": wanted, "exact": exact, "ordered": ordered}
        title = ("columns exactly " if exact else "has columns ") + preview(wanted)
        return self._record(
            title,
            threshold,
            lambda: schema.columns(self.table, wanted, exact, ordered),
            severity,
            on_insufficient,
        )

    def expect_dtypes(
        self,
        dtypes: dict[Any, str],
        *,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """Each column has the given kind of dtype: ``integer``, ``float``, ``numeric``,
        ``bool``, ``string`` (text in object columns, or a pandas string dtype), ``category``
        or ``datetime``.

        >>> dq.expect_dtypes({"age": "integer", "sex": "category"})   # doctest: +SKIP
        """
        threshold = {"dtypes": dict(dtypes) if isinstance(dtypes, dict) else dtypes}
        title = (
            "dtypes " + preview([f"{k}={v}" for k, v in dtypes.items()])
            if isinstance(dtypes, dict)
            else "dtypes"
        )
        return self._record(
            title, threshold, lambda: schema.dtypes(self.table, dtypes), severity, on_insufficient
        )

    def expect_row_count(
        self,
        *,
        min: int | None = None,
        max: int | None = None,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """The frame has between ``min`` and ``max`` rows (inclusive).

        >>> dq.expect_row_count(min=500)   # doctest: +SKIP
        """
        low, high = min, max
        threshold = {k: v for k, v in (("min", low), ("max", high)) if v is not None}
        title = "row count " + " and ".join(
            f"{op} {v:,}" if isinstance(v, int) else f"{op} {v}"
            for op, v in ((">=", low), ("<=", high))
            if v is not None
        )
        return self._record(
            title,
            threshold,
            lambda: schema.row_count(self.table, low, high),
            severity,
            on_insufficient,
        )

    # -- missing values -------------------------------------------------------------------

    def expect_not_null(
        self,
        columns: Any = None,
        *,
        max_fraction: float = 0.0,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """No column has more than ``max_fraction`` nulls (``columns=None``: every column).

        ``observed`` is the largest null fraction among the columns.

        >>> dq.expect_not_null(["age", "income"], max_fraction=0.01)   # doctest: +SKIP
        """
        cols = None if columns is None else column_list(columns, "columns")
        threshold = {"max_fraction": max_fraction}
        title = "not null: " + (preview(cols) if cols is not None else "all columns")
        if max_fraction:
            title += f" (<= {number(max_fraction)})"
        return self._record(
            title,
            threshold,
            lambda: cells.not_null(self.table, cols, max_fraction),
            severity,
            on_insufficient,
        )

    def expect_consistent_missing(
        self,
        columns: Any = None,
        *,
        tokens: Iterable[Any] | None = None,
        max_count: int = 0,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """Missing values are real nulls, not tokens: ``""``, ``"NA"``, ``"null"``, ``"?"``,
        ``-999`` and the like (compared case-insensitively after stripping spaces).

        ``observed`` is the number of cells holding such a token.

        >>> dq.expect_consistent_missing(["workclass", "occupation"])   # doctest: +SKIP
        """
        cols = None if columns is None else column_list(columns, "columns")
        token_list = list(tokens) if tokens is not None else None
        threshold: dict[str, Any] = {"max_count": max_count}
        if token_list is not None:
            threshold["tokens"] = token_list
        title = "consistent missing values: " + (
            preview(cols) if cols is not None else "all columns"
        )
        return self._record(
            title,
            threshold,
            lambda: cells.consistent_missing(self.table, cols, token_list, max_count),
            severity,
            on_insufficient,
        )

    # -- values ---------------------------------------------------------------------------

    def expect_between(
        self,
        column: Any,
        *,
        min: Any = None,
        max: Any = None,
        max_fraction: float = 0.0,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """Non-null values of ``column`` lie in ``[min, max]`` (inclusive; one bound may be
        omitted). ``observed`` is the offending share of non-null rows.

        >>> dq.expect_between("age", min=18, max=100)   # doctest: +SKIP
        """
        low, high = min, max
        threshold: dict[str, Any] = {}
        if low is not None:
            threshold["min"] = low
        if high is not None:
            threshold["max"] = high
        threshold["max_fraction"] = max_fraction
        return self._record(
            f"{column} in {cells.band(low, high)}",
            threshold,
            lambda: cells.between(self.table, column, low, high, max_fraction),
            severity,
            on_insufficient,
        )

    def expect_values_in(
        self,
        column: Any,
        values: Iterable[Any],
        *,
        max_fraction: float = 0.0,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """Non-null values of ``column`` belong to ``values``. ``observed`` is the offending
        share of non-null rows.

        >>> dq.expect_values_in("sex", ["Female", "Male"])   # doctest: +SKIP
        """
        allowed = list(values) if not isinstance(values, str) else [values]
        threshold = {"values": allowed, "max_fraction": max_fraction}
        return self._record(
            f"{column} in {{{preview(allowed)}}}",
            threshold,
            lambda: cells.values_in(self.table, column, allowed, max_fraction),
            severity,
            on_insufficient,
        )

    # -- rows and keys --------------------------------------------------------------------

    def expect_unique(
        self,
        columns: Any,
        *,
        max_count: int = 0,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """The key (one column, or a compound of several) identifies each row.

        ``observed`` is the number of rows that repeat an earlier key. A null in a key column
        is bad input (``error``).

        >>> dq.expect_unique(["id"])                 # doctest: +SKIP
        >>> dq.expect_unique(["store", "date"])      # doctest: +SKIP
        """
        cols = column_list(columns, "columns")
        threshold = {"columns": cols, "max_count": max_count}
        title = "unique " + (str(cols[0]) if len(cols) == 1 else f"({preview(cols)})")
        return self._record(
            title,
            threshold,
            lambda: keys.unique(self.table, cols, max_count),
            severity,
            on_insufficient,
        )

    def expect_no_duplicate_rows(
        self,
        columns: Any = None,
        *,
        max_count: int = 0,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """No row repeats an earlier row (over ``columns``, default all).

        ``observed`` is the number of rows that repeat an earlier row.

        >>> dq.expect_no_duplicate_rows()   # doctest: +SKIP
        """
        cols = None if columns is None else column_list(columns, "columns")
        threshold: dict[str, Any] = {"max_count": max_count}
        if cols is not None:
            threshold["columns"] = cols
        title = "no duplicate rows" + (f" over {preview(cols)}" if cols is not None else "")
        return self._record(
            title,
            threshold,
            lambda: keys.duplicate_rows(self.table, cols, max_count),
            severity,
            on_insufficient,
        )

    def expect_no_overlap(
        self,
        other: Any,
        *,
        columns: Any,
        other_name: str = "other",
        max_count: int = 0,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """No key of this frame occurs in ``other`` (train/test contamination).

        ``observed`` is the number of rows of this frame whose key occurs in ``other``.

        >>> dq.expect_no_overlap(test, columns=["id"], other_name="test")   # doctest: +SKIP
        """
        cols = column_list(columns, "columns")
        threshold = {"columns": cols, "max_count": max_count}
        return self._record(
            f"no overlap with {other_name} on {preview(cols)}",
            threshold,
            lambda: keys.overlap(self.table, self.name, other, other_name, cols, max_count),
            severity,
            on_insufficient,
        )

    def expect_no_leakage(
        self,
        target: Any,
        *,
        max_score: float = 0.95,
        columns: Any = None,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """No single feature predicts ``target`` almost perfectly.

        A feature's score is its single-feature ROC AUC folded to >= 0.5 for a binary target
        (categorical features through their per-category target rate, estimated out of fold
        so that identifiers do not look predictive), and its absolute Spearman correlation for
        a numeric target (``details["scoring"]``: ``roc_auc`` or ``spearman``). ``observed``
        is the highest score. It needs the rows themselves (see :mod:`pytest_mlgate.tables`).

        >>> dq.expect_no_leakage("target", max_score=0.95)   # doctest: +SKIP
        """
        cols = None if columns is None else column_list(columns, "columns")
        return self._record(
            f"no single-feature leakage into {target}",
            {"max_score": max_score},
            lambda: leakage.no_leakage(self.table, target, cols, max_score),
            severity,
            on_insufficient,
        )
