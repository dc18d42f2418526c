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
# id(frame) -> its row hashes (computed once for the duplicate-row check and the fingerprint)
_ROW_HASHES: dict[int, Any] = {}


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
        digest.update(cached_row_hashes(frame).tobytes())
    value = "sha256:" + digest.hexdigest()
    _FINGERPRINTS[key] = value
    _ROW_HASHES.pop(key, None)  # the fingerprint was what they were kept for
    weakref.finalize(frame, _FINGERPRINTS.pop, key, None)
    return value


def cached_row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """:func:`row_hashes` of a frame object, computed once (the duplicate-row check computes
    them, the fingerprint at the end of the test reuses them)."""
    key = id(frame)
    cached = _ROW_HASHES.get(key)
    if cached is None:
        cached = row_hashes(frame)
        _ROW_HASHES[key] = cached
        weakref.finalize(frame, _ROW_HASHES.pop, key, None)
    return cached


#: SplitMix64's finaliser constants, as pandas' ``_hash_ndarray`` redistributes 64-bit values
_MIX1, _MIX2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB


def _pandas_canonical_floats() -> bool:
    """Whether this pandas hashes 0.0 and -0.0 (and every NaN) alike (pandas >= 3)."""
    import numpy as np
    import pandas as pd

    probe = pd.util.hash_array(np.array([0.0, -0.0, np.nan, -np.nan]))
    return bool(probe[0] == probe[1] and probe[2] == probe[3])


def _hash_numbers(values: np.ndarray, canonical_floats: bool) -> np.ndarray:
    """``pandas.util.hash_array`` of a numpy bool, integer, float, datetime or timedelta array,
    the same operations in place on one buffer (pandas allocates a temporary per step); a
    test keeps the two equal."""
    import numpy as np

    kind = values.dtype.kind
    if kind == "b":
        out = values.astype(np.uint64)
    elif kind in "mM":
        out = values.view(np.int64).astype(np.uint64)
    else:
        width = values.dtype.itemsize
        out = values.view(f"u{width}").astype(np.uint64)
        if kind == "f" and canonical_floats:
            nan_bits = np.array(np.nan, dtype=values.dtype).view(f"u{width}")
            out[np.isnan(values)] = nan_bits
            out[out == np.array(-0.0, dtype=values.dtype).view(f"u{width}")] = 0
    tmp = np.empty_like(out)
    for shift, mult in ((30, _MIX1), (27, _MIX2)):
        np.right_shift(out, np.uint64(shift), out=tmp)
        out ^= tmp
        out *= np.uint64(mult)
    np.right_shift(out, np.uint64(31), out=tmp)
    out ^= tmp
    return out


def _plain_numbers(s: pd.Series) -> bool:
    import numpy as np

    dtype = s.dtype
    return isinstance(dtype, np.dtype) and dtype.kind in "biufmM" and dtype.itemsize <= 8


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """``pandas.util.hash_pandas_object(frame, index=False)`` as a uint64 array, computed
    column by column on two threads (numpy releases the GIL) and combined exactly as pandas
    combines them; a test keeps the two equal."""
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    import pandas as pd

    canonical = _pandas_canonical_floats()

    def column_hash(i: int) -> np.ndarray:
        s = _unit_free(frame.iloc[:, i])
        try:
            if _plain_numbers(s):
                return _hash_numbers(s.to_numpy(), canonical)
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


def duplicated_rows(frame: pd.DataFrame, columns: list[Any] | None = None) -> np.ndarray:
    """``frame.duplicated(subset=columns).to_numpy()``, from the row hashes.

    Equal rows have equal hashes, so a row can repeat an earlier one only where its hash
    does: the rows whose hash occurs more than once (none, or the duplicates and the rare
    collisions) are compared exactly by ``DataFrame.duplicated``. The hashes are those of the
    fingerprint (cached, so the fingerprint reuses them) for all columns. Column types whose
    hash could differ for values pandas calls equal (Python objects, where ``1 == 1.0``;
    floats, on a pandas that hashes ``0.0`` and ``-0.0`` apart; extension types other than
    strings and categories) use ``DataFrame.duplicated`` directly.
    """
    import numpy as np
    import pandas as pd

    sub = frame if columns is None else frame[columns]
    n = sub.shape[0]
    canonical: bool | None = None
    for i in range(sub.shape[1]):
        dtype = sub.iloc[:, i].dtype
        if isinstance(dtype, pd.CategoricalDtype | pd.StringDtype):
            continue
        if not (isinstance(dtype, np.dtype) and dtype.kind in "biufmM" and dtype.itemsize <= 8):
            break
        if dtype.kind == "f":
            if canonical is None:
                canonical = _pandas_canonical_floats()
            if not canonical:
                break
    else:
        if n and sub.shape[1]:
            hashes = cached_row_hashes(frame) if columns is None else row_hashes(sub)
            candidates = np.flatnonzero(pd.Series(hashes).duplicated(keep=False).to_numpy())
            out = np.zeros(n, dtype=bool)
            if candidates.size:
                out[candidates] = sub.iloc[candidates].duplicated().to_numpy()
            return out
    return sub.duplicated().to_numpy()


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
