"""Data-quality checks on one frame.

Each check is one method of :class:`DataChecks`: it validates its arguments, computes its
figure with vectorised pandas, and returns an :class:`~pytest_mlgate.results.Outcome` that the
recorder turns into a :class:`~pytest_mlgate.results.CheckResult`. Value checks ignore nulls
(nulls are ``expect_not_null``'s business). Every result reports ``violations`` and at most
five example values; no check copies a column into the report.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import MlgateInputError, describe
from ..frames import as_frame, column_list, duplicated_rows, require_columns
from ..recording import guard_checks
from ..results import CheckResult, Outcome, plain, short_number

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ..recording import Recorder

CATEGORY = "data_quality"
MAX_EXAMPLES = 5
DTYPE_KINDS = ("integer", "float", "numeric", "bool", "string", "category", "datetime")
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
LEAKAGE_FOLDS = 5


@guard_checks(CATEGORY)
class DataChecks:
    """Data-quality checks bound to one frame (what ``mlgate.data(df, name=...)`` returns).

    >>> dq = mlgate.data(train, name="train")            # doctest: +SKIP
    >>> dq.expect_not_null(["age"], max_fraction=0.0)    # doctest: +SKIP
    >>> dq.expect_values_in("sex", ["Female", "Male"])   # doctest: +SKIP
    """

    def __init__(self, recorder: Recorder, df: Any, *, name: str = "data") -> None:
        self._recorder = recorder
        self.name = name
        self._problem: str | None = None
        self._frame: pd.DataFrame | None = None
        try:
            self._frame = as_frame(df, "df")
        except Exception as exc:  # unusable input of any kind: one error result
            self._problem = f"mlgate.data({name!r}): {describe(exc)}"
            recorder.input_error(CATEGORY, name, "usable frame", self._problem)
        else:
            recorder.use_dataset(name, "data", self._frame)

    @property
    def frame(self) -> pd.DataFrame:
        """The frame under check (converted to pandas if it was not)."""
        if self._frame is None:
            raise MlgateInputError("df", self._problem or "no frame.")
        return self._frame

    # -- plumbing -------------------------------------------------------------------------

    def _run(
        self,
        name: str,
        threshold: dict[str, Any],
        compute: Callable[[pd.DataFrame], Outcome],
        severity: str | None,
        on_insufficient: str,
    ) -> CheckResult:
        if self._problem is not None:
            return self._recorder.error(CATEGORY, self.name, name, threshold, self._problem)
        frame = self.frame
        return self._recorder.run(
            CATEGORY,
            self.name,
            name,
            threshold,
            lambda: compute(frame),
            severity=severity,
            on_insufficient=on_insufficient,
        )

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
        wanted = _names(columns, "columns")
        threshold = {"columns": wanted, "exact": exact, "ordered": ordered}
        title = ("columns exactly " if exact else "has columns ") + _preview(wanted)

        def compute(df: pd.DataFrame) -> Outcome:
            have = list(df.columns)
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
                parts.append(f"missing {len(missing)}: {_preview(missing)}")
            if unexpected:
                parts.append(f"unexpected {len(unexpected)}: {_preview(unexpected)}")
            if not order_ok:
                parts.append(
                    f"order differs: found {_preview([c for c in have if c in wanted_set])}"
                )
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
                    "examples": _examples(missing + unexpected),
                },
            )

        return self._run(title, threshold, compute, severity, on_insufficient)

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
            "dtypes " + _preview([f"{k}={v}" for k, v in threshold["dtypes"].items()])
            if (isinstance(dtypes, dict))
            else "dtypes"
        )

        def compute(df: pd.DataFrame) -> Outcome:
            if not isinstance(dtypes, dict) or not dtypes:
                raise MlgateInputError(
                    "dtypes",
                    "expected a non-empty dict of column -> kind, e.g. {'age': 'integer'}.",
                )
            unknown = {c: k for c, k in dtypes.items() if k not in DTYPE_KINDS}
            if unknown:
                col, kind = next(iter(unknown.items()))
                raise MlgateInputError(
                    "dtypes",
                    f"unknown dtype kind {kind!r} for column {col!r}.",
                    f"Use one of: {', '.join(DTYPE_KINDS)}.",
                )
            require_columns(df, list(dtypes), "dtypes")
            mismatched = {
                str(c): str(df[c].dtype) for c, k in dtypes.items() if not _is_kind(df[c], k)
            }
            n = len(mismatched)
            message = (
                f"All {len(dtypes)} column{'s have' if len(dtypes) != 1 else ' has'} the expected "
                "dtypes."
                if not n
                else "Unexpected dtypes: "
                + ", ".join(
                    f"{c} is {d}, expected {dtypes_by_str(dtypes)[c]}"
                    for c, d in list(mismatched.items())[:5]
                )
                + ". Cast the columns where the data is loaded, or update the expectation."
            )
            return Outcome(
                ok=n == 0,
                observed=n,
                message=message,
                details={
                    "violations": n,
                    "fraction": n / len(dtypes),
                    "mismatched": mismatched,
                    "examples": _examples(list(mismatched)),
                },
            )

        return self._run(title, threshold, compute, severity, on_insufficient)

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
        title = "not null: " + (_preview(cols) if cols is not None else "all columns")
        if max_fraction:
            title += f" (<= {short_number(max_fraction)})"

        def compute(df: pd.DataFrame) -> Outcome:
            _fraction_arg(max_fraction, "max_fraction")
            use = list(df.columns) if cols is None else cols
            require_columns(df, use, "columns")
            import pandas as pd

            # column by column: df[use] would copy the frame (pandas 2, no copy-on-write)
            nulls = pd.Series({c: int(df[c].isna().sum()) for c in use}, dtype="int64")
            n = len(df)
            worst = nulls.idxmax()
            worst_count = int(nulls[worst])
            fraction = worst_count / n
            per_column = {
                str(c): {"nulls": int(v), "fraction": int(v) / n} for c, v in nulls.items() if v
            }
            offenders = [c for c, v in per_column.items() if v["fraction"] > max_fraction]
            examples = (
                _examples(df.index[df[worst].isna()][:MAX_EXAMPLES].tolist()) if worst_count else []
            )
            if not per_column:
                message = (
                    f"No nulls in {len(use)} column{'s' if len(use) > 1 else ''} ({n:,} rows)."
                )
            else:
                message = (
                    f"Largest null fraction: {worst} with {worst_count:,} of {n:,} rows "
                    f"({_pct(fraction)})"
                    + (
                        f"; {len(offenders)} column{'s' if len(offenders) > 1 else ''} above "
                        f"{_pct(max_fraction)}: {_preview(offenders)}. Impute or drop them "
                        "upstream, or raise max_fraction."
                        if offenders
                        else f", within {_pct(max_fraction)}."
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
                    "examples": examples,
                    "example_kind": "row index",
                },
            )

        return self._run(title, threshold, compute, severity, on_insufficient)

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
            _preview(cols) if cols is not None else "all columns"
        )

        def compute(df: pd.DataFrame) -> Outcome:
            _count_arg(max_count, "max_count")
            use = list(df.columns) if cols is None else cols
            require_columns(df, use, "columns")
            text_tokens, number_tokens = _split_tokens(token_list)
            found: dict[str, dict[str, int]] = {}
            mixed: list[str] = []
            for col in use:
                counts = _token_counts(df[col], text_tokens, number_tokens)
                if counts:
                    found[str(col)] = counts
                    if df[col].isna().any() or len(counts) > 1:
                        mixed.append(str(col))
            total = sum(sum(c.values()) for c in found.values())
            cells = len(df) * len(use)
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
                    "examples": _examples([t for v in found.values() for t in v][:MAX_EXAMPLES]),
                },
            )

        return self._run(title, threshold, compute, severity, on_insufficient)

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
        title = f"{column} in [{_num(low, '-inf')}, {_num(high, 'inf')}]"

        def compute(df: pd.DataFrame) -> Outcome:
            _fraction_arg(max_fraction, "max_fraction")
            if low is None and high is None:
                raise MlgateInputError("min/max", "give at least one bound.")
            _bounds_args(low, high)
            require_columns(df, [column], "column")
            s = df[column]
            try:
                bad = _outside(s, low, high)
            except TypeError as exc:
                raise MlgateInputError(
                    "column",
                    f"{column!r} has dtype {s.dtype}, which cannot be compared with "
                    f"min={low!r}/max={high!r} ({exc}).",
                ) from exc
            nonnull = int(s.count())
            violations = int(bad.sum())
            return _share_outcome(
                s, bad, violations, nonnull, max_fraction, f"outside {title.split(' in ', 1)[1]}"
            )

        return self._run(title, threshold, compute, severity, on_insufficient)

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
        title = f"{column} in {{{_preview(allowed)}}}"

        def compute(df: pd.DataFrame) -> Outcome:
            _fraction_arg(max_fraction, "max_fraction")
            if not allowed:
                raise MlgateInputError("values", "is empty; list the allowed values.")
            require_columns(df, [column], "column")
            s = df[column]
            present = s.notna()
            try:
                inside = s.isin(allowed)
            except Exception:  # Arrow-backed columns refuse values of another type
                inside = s.astype(object).isin(allowed)
            bad = ~inside & present
            nonnull = int(present.sum())
            violations = int(bad.sum())
            return _share_outcome(
                s, bad, violations, nonnull, max_fraction, "not in the allowed set"
            )

        return self._run(title, threshold, compute, severity, on_insufficient)

    # -- rows and keys --------------------------------------------------------------------

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

        def compute(df: pd.DataFrame) -> Outcome:
            if low is None and high is None:
                raise MlgateInputError("min/max", "give at least one bound.")
            for arg, v in (("min", low), ("max", high)):
                if v is not None and (isinstance(v, bool) or not isinstance(v, numbers.Real)):
                    raise MlgateInputError(arg, f"must be a number of rows, got {v!r}.")
                if v is not None and math.isnan(v):
                    raise MlgateInputError(arg, "is NaN; give a number of rows, or leave it out.")
                if v is not None and v < 0:
                    raise MlgateInputError(
                        arg,
                        f"is {v}; a frame never has a negative number of rows.",
                        "Use 0 or more.",
                    )
            _bounds_args(low, high)
            n = len(df)
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

        return self._run(title, threshold, compute, severity, on_insufficient)

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
        title = "unique " + (str(cols[0]) if len(cols) == 1 else f"({_preview(cols)})")

        def compute(df: pd.DataFrame) -> Outcome:
            _count_arg(max_count, "max_count")
            require_columns(df, cols, "columns")
            _no_null_keys(df, cols, "columns")
            keys = df[cols[0]] if len(cols) == 1 else df[cols]
            dup = keys.duplicated().to_numpy() if len(cols) == 1 else duplicated_rows(df, cols)
            violations = int(dup.sum())
            examples: list[Any] = []
            if violations:
                repeated = keys[dup]
                head = repeated.head(200)
                examples = _examples(list(dict.fromkeys(_key_values(head)))[:MAX_EXAMPLES])
            message = (
                f"Every key {'value' if len(cols) == 1 else 'combination'} is unique "
                f"({len(df):,} rows)."
                if not violations
                else f"{violations:,} {'rows repeat' if violations > 1 else 'row repeats'} an "
                f"earlier key; repeated keys include "
                f"{_preview(examples, 2)}."
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
                details={
                    "violations": violations,
                    "fraction": violations / len(df),
                    "examples": examples,
                },
            )

        return self._run(title, threshold, compute, severity, on_insufficient)

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
        title = "no duplicate rows" + (f" over {_preview(cols)}" if cols is not None else "")

        def compute(df: pd.DataFrame) -> Outcome:
            _count_arg(max_count, "max_count")
            if cols is not None:
                require_columns(df, cols, "columns")
            dup = duplicated_rows(df, cols)
            violations = int(dup.sum())
            examples = _examples(df.index[dup][:MAX_EXAMPLES].tolist())
            message = (
                f"No duplicate rows among {len(df):,}."
                if not violations
                else f"{violations:,} of {len(df):,} rows ({_pct(violations / len(df))}) repeat "
                f"an earlier row (row index e.g. {_preview(examples)})."
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
                    "fraction": violations / len(df),
                    "examples": examples,
                    "example_kind": "row index",
                },
            )

        return self._run(title, threshold, compute, severity, on_insufficient)

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
        title = f"no overlap with {other_name} on {_preview(cols)}"

        def compute(df: pd.DataFrame) -> Outcome:
            _count_arg(max_count, "max_count")
            theirs = as_frame(other, "other")
            require_columns(df, cols, "columns")
            require_columns(theirs, cols, "columns (in other)")
            _no_null_keys(df, cols, "columns")
            _no_null_keys(theirs, cols, "columns (in other)")
            hit = _key_isin(df, theirs, cols)
            violations = int(hit.sum())
            examples: list[Any] = []
            if violations:
                sample = (df[cols[0]] if len(cols) == 1 else df[cols])[hit].head(200)
                examples = _examples(list(dict.fromkeys(_key_values(sample)))[:MAX_EXAMPLES])
            differing = [str(c) for c in cols if str(df[c].dtype) != str(theirs[c].dtype)]
            message = (
                f"No key of {self.name} ({len(df):,} rows) occurs in {other_name}."
                if not violations
                else f"{violations:,} rows of {self.name} share their key with {other_name} "
                f"(e.g. {_preview(examples, 2)}): an evaluation on them is contaminated. Split "
                "by key before training."
            )
            if differing:
                message += f" Key dtypes differ between the frames: {_preview(differing)}."
            return Outcome(
                ok=violations <= max_count,
                observed=violations,
                message=message,
                details={
                    "violations": violations,
                    "fraction": violations / len(df),
                    "examples": examples,
                    "dtype_mismatch": differing,
                },
            )

        return self._run(title, threshold, compute, severity, on_insufficient)

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
        a numeric target. ``observed`` is the highest score.

        >>> dq.expect_no_leakage("target", max_score=0.95)   # doctest: +SKIP
        """
        cols = None if columns is None else column_list(columns, "columns")
        threshold = {"max_score": max_score}
        title = f"no single-feature leakage into {target}"

        def compute(df: pd.DataFrame) -> Outcome:
            if (
                isinstance(max_score, bool)
                or not isinstance(max_score, numbers.Real)
                or not (0 <= max_score <= 1)
            ):
                raise MlgateInputError(
                    "max_score", f"must be a number in [0, 1], got {max_score!r}."
                )
            require_columns(df, [target], "target")
            features = [c for c in (cols if cols is not None else list(df.columns)) if c != target]
            if cols is not None:
                require_columns(df, features, "columns")
            if not features:
                raise MlgateInputError("columns", "no feature columns besides the target.")
            scores, kind, skipped = leakage_scores(df, target, features)
            if not scores:
                return Outcome(
                    ok=None,
                    observed=None,
                    message=f"No feature could be scored against {target}: "
                    + "; ".join(f"{c}: {r}" for c, r in list(skipped.items())[:4])
                    + ".",
                    details={
                        "violations": 0,
                        "fraction": 0.0,
                        "skipped": skipped,
                        "examples": [],
                        "method": kind,
                    },
                )
            ranked = sorted(scores.items(), key=lambda kv: -kv[1])
            leaking = [c for c, s in ranked if s > max_score]
            top, top_score = ranked[0]
            metric = "ROC AUC" if kind == "roc_auc" else "|Spearman|"
            message = (
                f"Highest single-feature {metric}: {top} = {top_score:.3f}, within {max_score:g}."
                if not leaking
                else f"{len(leaking)} feature{'s' if len(leaking) > 1 else ''} alone predict "
                f"{target} almost perfectly ({metric} > {max_score:g}): "
                + ", ".join(f"{c} = {scores[c]:.3f}" for c in leaking[:5])
                + ". Drop features computed from the outcome, or explain them."
            )
            return Outcome(
                ok=not leaking,
                observed=top_score,
                message=message,
                details={
                    "violations": len(leaking),
                    "fraction": len(leaking) / len(features),
                    "method": kind,
                    "scores": dict(ranked[:20]),
                    "skipped": skipped,
                    "examples": _examples(leaking),
                },
            )

        return self._run(title, threshold, compute, severity, on_insufficient)


# -- computations (no pytest, no recording) ----------------------------------------------


def leakage_scores(
    df: pd.DataFrame, target: Any, features: list[Any]
) -> tuple[dict[str, float], str, dict[str, str]]:
    """Score every feature against the target; returns (scores, method, skipped)."""
    import numpy as np
    import pandas as pd

    y_all = df[target]
    keep = y_all.notna().to_numpy()
    y = y_all[keep]
    classes = pd.unique(y)
    skipped: dict[str, str] = {}
    if len(classes) < 2:
        return {}, "roc_auc", {str(target): "the target has fewer than two distinct values"}
    if len(classes) == 2:
        kind = "roc_auc"
        positive = np.sort(classes)[1] if _sortable(classes) else classes[1]
        yv = (y == positive).to_numpy(dtype=np.float64)
    elif pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y):
        kind = "spearman"
        yv = y.to_numpy(dtype=np.float64)
    else:
        raise MlgateInputError(
            "target",
            f"{target!r} has {len(classes)} classes; leakage is scored for a binary or a "
            "numeric target.",
        )
    scores: dict[str, float] = {}
    for col in features:
        s = df[col][keep]
        if _is_kind(s, "numeric") or _is_kind(s, "datetime"):
            x = _numeric_values(s)
            mask = ~np.isnan(x)
            x, yy = x[mask], yv[mask]
        else:
            x, yy = _out_of_fold_rate(s, yv), yv
        if len(x) < 2 or np.all(x == x[0]):
            skipped[str(col)] = "constant or empty after dropping nulls"
            continue
        if kind == "roc_auc":
            value = rank_auc(x, yy)
            if value is None:
                skipped[str(col)] = "only one target class among its non-null rows"
                continue
            scores[str(col)] = max(value, 1.0 - value)
        else:
            rho = _spearman(x, yy)
            if rho is None:
                skipped[str(col)] = "the target is constant among its non-null rows"
                continue
            scores[str(col)] = abs(rho)
    return scores, kind, skipped


def rank_auc(score: np.ndarray, positive: np.ndarray) -> float | None:
    """ROC AUC by the Mann-Whitney rank formula (ties count one half); equals scikit-learn's
    ``roc_auc_score``. None when one class is absent."""
    from scipy.stats import rankdata

    n1 = float(positive.sum())
    n0 = float(len(positive) - n1)
    if n1 == 0 or n0 == 0:
        return None
    ranks = rankdata(score)
    return float((ranks[positive > 0].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def _spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    import numpy as np
    from scipy.stats import rankdata

    rx, ry = rankdata(x), rankdata(y)
    rx -= rx.mean()
    ry -= ry.mean()
    denom = math.sqrt(float(np.dot(rx, rx)) * float(np.dot(ry, ry)))
    if denom == 0:
        return None
    return float(np.dot(rx, ry) / denom)


def _out_of_fold_rate(s: pd.Series, y: np.ndarray) -> np.ndarray:
    """Each row's category target mean, estimated on the other folds (rows i % 5)."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    ncat = len(uniques) + 1
    codes = np.where(codes < 0, len(uniques), codes)  # nulls form their own category
    n = len(codes)
    fold = np.arange(n) % LEAKAGE_FOLDS
    flat = fold * ncat + codes
    fold_sum = np.bincount(flat, weights=y, minlength=LEAKAGE_FOLDS * ncat).reshape(
        LEAKAGE_FOLDS, ncat
    )
    fold_cnt = np.bincount(flat, minlength=LEAKAGE_FOLDS * ncat).reshape(LEAKAGE_FOLDS, ncat)
    train_sum = fold_sum.sum(axis=0)[None, :] - fold_sum
    train_cnt = fold_cnt.sum(axis=0)[None, :] - fold_cnt
    # A category unseen in the other folds gets the overall rate: the same for every such
    # row, so an identifier carries no ranking information.
    prior = float(y.mean())
    rate = np.where(train_cnt > 0, train_sum / np.maximum(train_cnt, 1), prior)
    return rate[fold, codes]


def _numeric_values(s: pd.Series) -> np.ndarray:
    import numpy as np
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(s):
        values = s.to_numpy(dtype="datetime64[ns]").astype("int64").astype(np.float64)
        values[s.isna().to_numpy()] = np.nan
        return values
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def _is_kind(s: pd.Series, kind: str) -> bool:
    import pandas as pd
    from pandas.api import types as t

    dtype = s.dtype
    if kind == "integer":
        return t.is_integer_dtype(dtype) and not t.is_bool_dtype(dtype)
    if kind == "float":
        return t.is_float_dtype(dtype)
    if kind == "numeric":
        return t.is_numeric_dtype(dtype) and not t.is_bool_dtype(dtype)
    if kind == "bool":
        return t.is_bool_dtype(dtype)
    if kind == "category":
        return isinstance(dtype, pd.CategoricalDtype)
    if kind == "datetime":
        return t.is_datetime64_any_dtype(dtype)
    if kind == "string":
        if t.is_object_dtype(dtype):
            return t.infer_dtype(s, skipna=True) in ("string", "empty")
        return t.is_string_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype)
    return False


def _outside(s: pd.Series, low: Any, high: Any) -> pd.Series:
    bad = None
    if low is not None:
        bad = s < low
    if high is not None:
        over = s > high
        bad = over if bad is None else (bad | over)
    return bad.fillna(False).astype(bool)


def _share_outcome(
    s: pd.Series, bad: pd.Series, violations: int, nonnull: int, max_fraction: float, what: str
) -> Outcome:
    if nonnull == 0:
        return Outcome(
            ok=None,
            observed=None,
            message=f"{s.name}: no non-null values to judge.",
            details={"violations": 0, "fraction": None, "nonnull": 0, "examples": []},
        )
    fraction = violations / nonnull
    counts = s[bad].value_counts()
    counts = counts[counts > 0]  # a categorical also counts its unused categories
    examples = _examples(counts.index[:MAX_EXAMPLES].tolist())
    ok = fraction <= max_fraction
    if not violations:
        message = f"All {nonnull:,} non-null values of {s.name} pass."
    else:
        message = (
            f"{violations:,} of {nonnull:,} non-null values of {s.name} ({_pct(fraction)}) are "
            f"{what}; e.g. {_preview(examples)}."
        )
        message += (
            " Fix the data or the expectation." if not ok else f" Within {_pct(max_fraction)}."
        )
    return Outcome(
        ok=ok,
        observed=fraction,
        message=message,
        details={
            "violations": violations,
            "fraction": fraction,
            "nonnull": nonnull,
            "examples": examples,
        },
    )


def _token_counts(
    s: pd.Series, text_tokens: frozenset[str], number_tokens: frozenset[float]
) -> dict[str, int]:
    """Counts of missing-value tokens in one column, computed on its distinct values."""
    from pandas.api import types as t

    if t.is_bool_dtype(s.dtype):
        return {}
    if t.is_numeric_dtype(s.dtype):
        if not number_tokens:
            return {}
        hit = s.isin(list(number_tokens))
        if not hit.any():
            return {}
        counts = s[hit].value_counts()
        return {_token_label(v): int(n) for v, n in counts.items()}
    counts = s.value_counts(dropna=True, sort=False)
    out: dict[str, int] = {}
    for value, n in counts.items():
        if isinstance(value, str):
            label = repr(value) if value.strip().lower() in text_tokens else None
        elif isinstance(value, int | float) and not isinstance(value, bool):
            label = _token_label(value) if value in number_tokens else None
        else:
            label = None
        if label is not None:
            out[label] = out.get(label, 0) + int(n)
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _token_label(value: Any) -> str:
    v = float(value)
    return str(int(v)) if v.is_integer() else str(v)


def _split_tokens(tokens: list[Any] | None) -> tuple[frozenset[str], frozenset[float]]:
    if tokens is None:
        return frozenset(MISSING_TOKENS), frozenset(float(x) for x in MISSING_NUMBERS)
    text = frozenset(str(t).strip().lower() for t in tokens if isinstance(t, str))
    nums = frozenset(
        float(t) for t in tokens if isinstance(t, int | float) and not isinstance(t, bool)
    )
    return text, nums


def _key_isin(df: pd.DataFrame, other: pd.DataFrame, cols: list[Any]) -> pd.Series:
    import pandas as pd

    if len(cols) == 1:
        return df[cols[0]].isin(pd.unique(other[cols[0]]))
    mine = pd.MultiIndex.from_frame(df[cols])
    theirs = pd.MultiIndex.from_frame(other[cols].drop_duplicates())
    return pd.Series(mine.isin(theirs), index=df.index)


def _key_values(keys: Any) -> list[Any]:
    if getattr(keys, "ndim", 1) == 1:
        return list(keys.tolist())
    return [tuple(row) for row in keys.itertuples(index=False, name=None)]


def _no_null_keys(df: pd.DataFrame, cols: list[Any], argument: str) -> None:
    nulls = df[cols].isna().sum()
    bad = nulls[nulls > 0]
    if len(bad):
        raise MlgateInputError(
            argument,
            "key column "
            + ", ".join(f"{c!r} has {int(n):,} null{'s' if n > 1 else ''}" for c, n in bad.items())
            + "; a key must identify every row.",
            "Drop or fill those rows first, or check with expect_not_null.",
        )


def _bounds_args(low: Any, high: Any) -> None:
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


def _fraction_arg(value: Any, argument: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        raise MlgateInputError(argument, f"must be a fraction in [0, 1], got {value!r}.")


def _count_arg(value: Any, argument: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise MlgateInputError(argument, f"must be a non-negative integer, got {value!r}.")


def _names(columns: Any, argument: str) -> list[Any]:
    if columns is None:
        raise MlgateInputError(argument, "is required.")
    return column_list(columns, argument)


def _sortable(values: Any) -> bool:
    try:
        sorted(values)
    except TypeError:
        return False
    return True


def _examples(values: list[Any]) -> list[Any]:
    import numpy as np

    out = []
    for v in values[:MAX_EXAMPLES]:
        p = plain(v)
        if p is None and isinstance(v, float | np.floating):  # inf: JSON has no number for it
            p = str(float(v))
        if isinstance(p, str) and len(p) > 60:
            p = p[:57] + "..."
        out.append(p)
    return out


def _preview(items: Sequence[Any], limit: int = 4) -> str:
    shown = ", ".join(str(i) for i in list(items)[:limit])
    extra = len(items) - limit
    return shown + (f", +{extra} more" if extra > 0 else "")


def _pct(fraction: float) -> str:
    if fraction == 0:
        return "0%"
    pct = 100 * fraction
    return f"{pct:.2g}%" if pct < 1 else f"{pct:.1f}%"


def _num(value: Any, default: str) -> str:
    return default if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def dtypes_by_str(dtypes: dict[Any, str]) -> dict[str, str]:
    return {str(k): v for k, v in dtypes.items()}
