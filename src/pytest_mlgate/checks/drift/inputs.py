"""The inputs of a drift comparison: its two sides (frames, saved profiles, or Spark/Dask
frames profiled inside their engine), the columns under check, and the arguments of every
drift check, validated with one vocabulary."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ...errors import MlgateInputError
from ...frames import as_frame, column_list
from ...profile import ColumnProfile, Profile, family
from ...tables.engines import engine_of
from ...text import preview

if TYPE_CHECKING:
    import pandas as pd

#: the tests a drift check can use (``auto``: KS for numeric columns, chi-square for categorical)
TESTS = ("auto", "ks", "chi2", "psi", "jensen_shannon", "wasserstein")
#: the tests judged by a p-value (the others by a distance)
P_VALUE_TESTS = ("auto", "ks", "chi2")
DISTANCE_DEFAULTS = {"psi": 0.2, "jensen_shannon": 0.1, "wasserstein": 0.1}
CONTROLS = {
    "bh": "false discovery rate (Benjamini-Hochberg)",
    "holm": "family-wise error rate (Holm)",
    "bonferroni": "family-wise error rate (Bonferroni)",
    None: "nothing (each column at alpha)",
}


class Side:
    """One side of a comparison: a frame, a saved :class:`Profile` (no raw rows), or a Spark
    or Dask frame, profiled inside its engine on first use (only the profile comes back)."""

    def __init__(self, data: Any, argument: str) -> None:
        self.argument = argument
        self.frame: pd.DataFrame | None = None
        self._profile: Profile | None = None
        self.table: Any = None  # an engine's Table
        self.engine: str | None = engine_of(data)
        self._wanted: list[Any] | None = None
        if isinstance(data, Profile):
            self._profile = data
            self.columns: list[Any] = list(data.columns)
        elif self.engine is not None:
            from ...tables import as_table

            self.table = as_table(data, argument)
            self.columns = list(self.table.columns)
            if not self.columns:
                raise MlgateInputError(argument, "has no columns.")
        else:
            self.frame = as_frame(data, argument, allow_empty=True)
            if self.frame.shape[1] == 0:
                raise MlgateInputError(argument, "has no columns.")
            self.columns = list(self.frame.columns)

    @property
    def profile(self) -> Profile | None:
        """The saved profile, or the engine frame's profile (built on first use, of the
        columns under check only; an engine failure raises ``EngineError``)."""
        if self._profile is None and self.table is not None:
            from ...engine_profile import profile_columns

            rows, columns = profile_columns(self.table, self._wanted)
            self._profile = Profile(rows=rows, columns=columns)
        return self._profile

    @property
    def rows(self) -> int:
        if self.frame is not None:
            return int(self.frame.shape[0])
        profile = self.profile
        assert profile is not None
        return profile.rows

    def restrict(self, columns: list[Any]) -> None:
        """Profile only ``columns`` of an engine frame (those under check)."""
        self._wanted = list(columns)

    def dtype(self, column: Any) -> tuple[str, str]:
        """(family, dtype name) of a column (an engine's from its schema, no job run)."""
        if self.frame is not None:
            dtype = self.frame[column].dtype
            return family(dtype), str(dtype)
        if self._profile is None and self.table is not None:
            from ...engine_profile import column_family

            return column_family(self.table, column), str(self.table.dtype(column))
        prof = self.column_profile(column)
        return prof.family, prof.dtype

    def column_profile(self, column: Any) -> ColumnProfile:
        profile = self.profile
        assert profile is not None
        columns = profile.columns
        return columns[str(column)] if str(column) in columns else columns[column]


def engine_note(side: Side) -> str:
    """What a drift record says of a side profiled inside its engine."""
    engine = {"spark": "Spark", "dask": "Dask"}.get(side.engine or "", str(side.engine))
    error = float(side.table.rank_error)
    return (
        f"{engine} frame profiled inside {engine} (nothing collected): the figures compare "
        "its profile; columns with at most 1,000 distinct values are exact, others use the "
        f"engine's quantile sketch (rank error at most {error:g} on top of the profile's "
        "1,001 knots; exact tails and bin counts), see approximation."
    )


@dataclass
class Comparison:
    """Both sides and the columns under check, validated once by the factory."""

    reference: Side
    current: Side
    columns: list[Any]
    categorical: set[Any] | None


def compare(reference: Any, current: Any, columns: Any, categorical: Any) -> Comparison:
    """Validate the factory's arguments: same columns (or the ones chosen), same dtype family
    on both sides, no complex numbers, ``categorical`` among the columns."""
    ref = Side(reference, "reference")
    cur = Side(current, "current")
    if columns is not None:
        wanted = column_list(columns, "columns")
        for side in (ref, cur):
            missing = [c for c in wanted if c not in set(side.columns)]
            if missing:
                raise MlgateInputError(
                    "columns", f"{side.argument} has no column {', '.join(map(repr, missing))}."
                )
        chosen = wanted
    else:
        cur_set, ref_set = set(cur.columns), set(ref.columns)
        missing = [c for c in ref.columns if c not in cur_set]
        extra = [c for c in cur.columns if c not in ref_set]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing {', '.join(map(repr, missing[:10]))}")
            if extra:
                parts.append(f"unexpected {', '.join(map(repr, extra[:10]))}")
            raise MlgateInputError(
                "current",
                "columns differ from the reference: " + "; ".join(parts) + ".",
                "Give both the same columns, or choose some with columns=[...].",
            )
        chosen = ref.columns
    for col in chosen:
        ref_family, ref_dtype = ref.dtype(col)
        cur_family, cur_dtype = cur.dtype(col)
        for argument, dtype in (("reference", ref_dtype), ("current", cur_dtype)):
            if is_complex(dtype):
                raise MlgateInputError(
                    argument,
                    f"column {col!r} holds complex numbers ({dtype}); drift compares "
                    "real values, and the imaginary part would be dropped.",
                    "Compare the real and imaginary parts (or the magnitude) as two columns.",
                )
        if cur_family != ref_family:
            raise MlgateInputError(
                "current",
                f"the dtype of column {col!r} changed: reference {ref_dtype} "
                f"({ref_family}), current {cur_dtype} ({cur_family}).",
                "Cast the column where the data is loaded.",
            )
    for side in (ref, cur):
        side.restrict(chosen)
    chosen_categorical: set[Any] | None = None
    if categorical is not None:
        named = (
            []
            if isinstance(categorical, list | tuple) and not categorical
            else column_list(categorical, "categorical")
        )
        unknown = [c for c in named if c not in set(chosen)]
        if unknown:
            raise MlgateInputError(
                "categorical",
                f"names columns not under check: {', '.join(map(repr, unknown))}.",
            )
        chosen_categorical = set(named)
    return Comparison(ref, cur, chosen, chosen_categorical)


def is_complex(dtype: Any) -> bool:
    """Whether a dtype (or its name, as a profile stores it) holds complex numbers."""
    try:
        return bool(np.dtype(dtype).kind == "c")
    except (TypeError, ValueError):  # pandas extension dtypes, an engine's type names
        return False


def check_test(test: Any) -> None:
    if test not in TESTS:
        raise MlgateInputError(
            "method", f"unknown drift method {test!r}.", f"Use one of: {', '.join(TESTS)}."
        )


def check_unit(value: Any, argument: str, open_low: bool = False) -> None:
    """A share or a significance level: a number in [0, 1] (``(0, 1]`` when ``open_low``)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1
    if not ok or (open_low and value == 0):
        raise MlgateInputError(
            argument, f"must be a number in {'(0' if open_low else '[0'}, 1], got {value!r}."
        )


def check_distance(value: Any, argument: str) -> None:
    """A distance bound is a finite number >= 0 (a distance is never negative, so a negative
    bound is a rule no column could meet)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise MlgateInputError(argument, f"must be a number >= 0, got {value!r}.")
    if value < 0:
        raise MlgateInputError(
            argument,
            f"is {value:g}; a distance is never negative, so no column could pass.",
            "Use a bound of 0 or more.",
        )


def check_min_rows(value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise MlgateInputError("min_rows", f"must be a positive integer, got {value!r}.")


def check_columns(use: list[Any], known: list[Any], argument: str = "columns") -> None:
    """Every column of ``use`` is among the columns given to the factory."""
    outside = [c for c in use if c not in set(known)]
    if outside:
        raise MlgateInputError(
            argument,
            f"{', '.join(map(repr, outside))} not among the columns given to mlgate.drift.",
            f"Choose among {preview(known, 8)}.",
        )


def not_applicable(test: str, kind: str) -> str | None:
    """Why ``test`` does not apply to a column of this kind (None: it applies)."""
    if test == "ks" and kind != "numeric":
        return "ks applies to numeric columns"
    if test == "chi2" and kind != "categorical":
        return "chi2 applies to categorical columns"
    if test == "wasserstein" and kind != "numeric":
        return "wasserstein applies to numeric columns"
    return None
