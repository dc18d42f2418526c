"""Accepting tabular input and fingerprinting it.

A frame is a pandas DataFrame, or anything with ``to_pandas()`` (a pyarrow Table, a polars
DataFrame), which is converted once. The fingerprint is ``"sha256:" + hex`` over the column
names, each column's dtype family (:func:`dtype_family`: what the values are, not how a pandas
version names their dtype) and ``pandas.util.hash_pandas_object(df, index=False)``, computed once
per frame object. It never raises: a cell pandas cannot hash is hashed through its text.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from .errors import MlgateInputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

# id(frame) -> fingerprint; an entry goes when its frame is garbage-collected (DataFrames are
# unhashable, so a WeakKeyDictionary cannot hold them).
_FINGERPRINTS: dict[int, str] = {}


def as_frame(obj: Any, argument: str, *, allow_empty: bool = False) -> pd.DataFrame:
    """Return ``obj`` as a pandas DataFrame or raise an error naming ``argument``."""
    import pandas as pd

    frame = obj
    if not isinstance(obj, pd.DataFrame):
        to_pandas = getattr(obj, "to_pandas", None)
        if not callable(to_pandas):
            raise MlgateInputError(
                argument,
                f"expected a pandas DataFrame (or an object with to_pandas()), "
                f"got {type(obj).__name__}.",
            )
        try:
            frame = to_pandas()
        except Exception as exc:
            raise MlgateInputError(
                argument, f"{type(obj).__name__}.to_pandas() failed: {exc}"
            ) from exc
        if not isinstance(frame, pd.DataFrame):
            raise MlgateInputError(
                argument,
                f"{type(obj).__name__}.to_pandas() returned {type(frame).__name__}, "
                "not a DataFrame.",
            )
    if not allow_empty and (frame.shape[0] == 0 or frame.shape[1] == 0):
        raise MlgateInputError(
            argument,
            f"the frame is empty ({frame.shape[0]} rows x {frame.shape[1]} columns).",
            "Pass the data the gate should judge.",
        )
    if not frame.columns.is_unique:
        dupes = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise MlgateInputError(argument, f"duplicate column names: {', '.join(dupes)}.")
    texts: dict[str, Any] = {}
    for column in frame.columns:
        other = texts.setdefault(str(column), column)
        if other is not column:
            raise MlgateInputError(
                argument,
                f"columns {other!r} and {column!r} have the same name as text ({str(column)!r}); "
                "every report would confuse them.",
                "Rename one of them (e.g. df.columns = df.columns.map(str) to merge the types).",
            )
    return frame


def dtype_family(dtype: Any) -> str:
    """The kind of values a dtype holds, independent of how a pandas version names it.

    ``object``, ``str``, ``string[python]``, ``string[pyarrow]`` and Arrow strings are all
    ``"text"`` (pandas 2 reads a CSV's text as ``object``, pandas 3 as ``str``); every integer
    width and nullable ``Int64`` is ``"integer"``; datetimes are ``"datetime"`` (plus the time
    zone) whatever their unit.
    """
    import pandas as pd
    from pandas.api import types

    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if types.is_bool_dtype(dtype):
        return "bool"
    if types.is_integer_dtype(dtype):
        return "integer"
    if types.is_float_dtype(dtype):
        return "float"
    if types.is_complex_dtype(dtype):
        return "complex"
    if types.is_datetime64_any_dtype(dtype):
        tz = getattr(dtype, "tz", None) or getattr(
            getattr(dtype, "pyarrow_dtype", None), "tz", None
        )
        return f"datetime[{tz}]" if tz else "datetime"
    if types.is_timedelta64_dtype(dtype):
        return "timedelta"
    if types.is_string_dtype(dtype) or types.is_object_dtype(dtype):
        return "text"
    return str(dtype)


def fingerprint(frame: pd.DataFrame) -> str:
    """``"sha256:" + hex`` of the frame's column names, dtype families and row hashes (cached).

    The same values give the same fingerprint on pandas 2 and 3 (see :func:`dtype_family`)."""
    key = id(frame)
    cached = _FINGERPRINTS.get(key)
    if cached is not None:
        return cached
    import hashlib

    digest = hashlib.sha256()
    for name, dtype in frame.dtypes.items():
        digest.update(f"{name!s}\x1f{dtype_family(dtype)}\x1e".encode())
    if frame.shape[0] and frame.shape[1]:
        digest.update(row_hashes(frame).tobytes())
    value = "sha256:" + digest.hexdigest()
    _FINGERPRINTS[key] = value
    weakref.finalize(frame, _FINGERPRINTS.pop, key, None)
    return value


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """``pandas.util.hash_pandas_object(frame, index=False)`` as a uint64 array, computed
    column by column on two threads (numpy releases the GIL) and combined exactly as pandas
    combines them; a test keeps the two equal."""
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    import pandas as pd

    def column_hash(i: int) -> np.ndarray:
        s = _unit_free(frame.iloc[:, i])
        try:
            return pd.util.hash_pandas_object(s, index=False).to_numpy()
        except Exception:  # cells pandas cannot hash (lists, tuples beside numbers): their text
            text = np.array([_text(v) for v in s.tolist()], dtype=object)
            return pd.util.hash_pandas_object(pd.Series(text, dtype=object), index=False).to_numpy()

    k = frame.shape[1]
    if frame.shape[0] * k >= 1_000_000 and k > 1:
        with ThreadPoolExecutor(max_workers=2) as pool:
            columns = list(pool.map(column_hash, range(k)))
    else:
        columns = [column_hash(i) for i in range(k)]
    # pandas.core.util.hashing.combine_hash_arrays
    mult = np.uint64(1000003)
    out = np.zeros_like(columns[0]) + np.uint64(0x345678)
    for i, h in enumerate(columns):
        inverse = k - i
        out ^= h
        out *= mult
        mult += np.uint64(82520 + inverse + inverse)
    out += np.uint64(97531)
    return out


def _unit_free(s: pd.Series) -> pd.Series:
    """Datetimes and timedeltas in nanoseconds when they fit, so the unit a pandas version
    infers (``ns`` on pandas 2, ``us`` on pandas 3) does not change the hash."""
    from pandas.api import types

    if types.is_datetime64_any_dtype(s.dtype) or types.is_timedelta64_dtype(s.dtype):
        try:
            return s.dt.as_unit("ns")
        except Exception:  # out of the nanosecond range, or an Arrow type: hashed as it is
            return s
    return s


def _text(value: Any) -> str:
    """A cell as text for hashing; never raises."""
    try:
        return f"{type(value).__name__}:{value!r}"
    except Exception:
        return f"{type(value).__name__}:<unprintable>"


def missing_columns(frame: pd.DataFrame, columns: list[Any]) -> list[Any]:
    """The entries of ``columns`` that the frame does not have."""
    present = set(frame.columns)
    return [c for c in columns if c not in present]


def require_columns(frame: pd.DataFrame, columns: list[Any], argument: str) -> None:
    """Raise an error naming ``argument`` when any of ``columns`` is absent."""
    missing = missing_columns(frame, columns)
    if missing:
        shown = ", ".join(repr(c) for c in missing[:10])
        raise MlgateInputError(
            argument,
            f"no such column{'s' if len(missing) > 1 else ''} {shown}.",
            f"The frame has {frame.shape[1]} columns, e.g. "
            f"{', '.join(repr(c) for c in list(frame.columns)[:8])}.",
        )


def column_list(columns: Any, argument: str) -> list[Any]:
    """Normalise a column argument (one name or a list of names) to a list."""
    if isinstance(columns, str) or not hasattr(columns, "__iter__"):
        return [columns]
    out = list(columns)
    if not out:
        raise MlgateInputError(argument, "is empty; name at least one column.")
    return out
