"""Accepting tabular input, naming the kinds of its dtypes, and fingerprinting it.

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
from .stats.parallel import map_threads, threads_for

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

# id(frame) -> fingerprint; an entry goes when its frame is garbage-collected (DataFrames are
# unhashable, so a WeakKeyDictionary cannot hold them).
_FINGERPRINTS: dict[int, str] = {}
# id(frame) -> its row hashes (computed once for the duplicate-row check and the fingerprint)
_ROW_HASHES: dict[int, Any] = {}


def unique_names(names: list[Any], argument: str) -> None:
    """A frame's column names name one column each (any engine's frame)."""
    from collections import Counter

    dupes = sorted({str(c) for c, n in Counter(names).items() if n > 1})
    if dupes:
        raise MlgateInputError(argument, f"duplicate column names: {', '.join(dupes)}.")


def as_frame(obj: Any, argument: str, *, allow_empty: bool = False) -> pd.DataFrame:
    """Return ``obj`` as a pandas DataFrame or raise an error naming ``argument``."""
    import pandas as pd

    frame: pd.DataFrame = obj
    if not isinstance(obj, pd.DataFrame):
        to_pandas = getattr(obj, "to_pandas", None)
        if not callable(to_pandas):
            lazy = type(obj).__name__ == "LazyFrame" and type(obj).__module__.startswith("polars")
            raise MlgateInputError(
                argument,
                f"expected a pandas DataFrame (or an object with to_pandas()), "
                f"got {type(obj).__name__}.",
                "A LazyFrame is not collected here: profile it (Profile.from_frame) and pass the "
                "profile, or collect it (.collect()) if it fits in memory."
                if lazy
                else "",
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
    unique_names(list(frame.columns), argument)
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


#: the dtype kinds ``expect_dtypes`` knows (:func:`is_kind` says whether a column is one)
DTYPE_KINDS = ("integer", "float", "numeric", "bool", "string", "category", "datetime")


def is_kind(series: pd.Series, kind: str) -> bool:
    """Whether a column is of one of the :data:`DTYPE_KINDS`: ``integer`` (any width, nullable
    ``Int64``; not bool), ``float``, ``numeric`` (integer or float, not bool), ``bool``,
    ``string`` (a pandas or Arrow string dtype, or an object column holding only text),
    ``category``, ``datetime``."""
    import pandas as pd
    from pandas.api import types as t

    dtype = series.dtype
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
            return t.infer_dtype(series, skipna=True) in ("string", "empty")
        return t.is_string_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype)
    return False


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


def pandas_canonical_floats() -> bool:
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
    return plain_number_dtype(s.dtype)


def plain_number_dtype(dtype: Any) -> bool:
    """A numpy bool, integer, float, datetime or timedelta dtype of at most 64 bits: hashed by
    :func:`_hash_numbers`."""
    import numpy as np

    return isinstance(dtype, np.dtype) and dtype.kind in "biufmM" and dtype.itemsize <= 8


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """``pandas.util.hash_pandas_object(frame, index=False)`` as a uint64 array, computed
    column by column on two threads (numpy releases the GIL) and combined exactly as pandas
    combines them; a test keeps the two equal."""
    import numpy as np
    import pandas as pd

    canonical = pandas_canonical_floats()

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
    columns = map_threads(column_hash, range(k), threads_for(frame.shape[0] * k, 1_000_000))
    return _combine(columns)


def _combine(columns: list[np.ndarray]) -> np.ndarray:
    """pandas.core.util.hashing.combine_hash_arrays of column hashes (at least one)."""
    import numpy as np

    k = len(columns)
    mult = np.uint64(1000003)
    out = np.zeros_like(columns[0]) + np.uint64(0x345678)
    for i, h in enumerate(columns):
        inverse = k - i
        out ^= h
        out *= mult
        mult += np.uint64(82520 + inverse + inverse)
    out += np.uint64(97531)
    return out


#: the hash of a missing cell in a text column of Python objects (None, NaN and pd.NA alike)
_MISSING_TEXT = 0x9E3779B97F4A7C15


def equality_hashes(frame: pd.DataFrame) -> np.ndarray | None:
    """Row hashes equal for every two rows ``DataFrame.duplicated`` calls equal, or None when
    a column's values cannot be hashed that way (Python objects other than text, extension
    types other than strings and categories). Where :func:`row_hashes` (the fingerprint's)
    already has that property they are its cached hashes; otherwise floats are hashed with
    ``-0.0`` as ``0.0`` and one NaN, and text held as Python objects (pandas 2's default) with
    one hash for None, NaN and ``pd.NA``, which pandas hashes apart but compares equal.
    """
    import numpy as np
    import pandas as pd

    dtypes = list(frame.dtypes)
    if not dtypes or not frame.shape[0]:
        return None
    canonical = pandas_canonical_floats()
    own = False
    for dtype in dtypes:
        if isinstance(dtype, pd.CategoricalDtype | pd.StringDtype):
            continue
        if plain_number_dtype(dtype):
            own = own or (dtype.kind == "f" and not canonical)
        elif isinstance(dtype, np.dtype) and dtype.kind == "O":
            own = True
        else:
            return None
    if not own:
        return cached_row_hashes(frame)

    def column_hash(i: int) -> np.ndarray | None:
        s = frame.iloc[:, i]
        if plain_number_dtype(s.dtype):
            return _hash_numbers(s.to_numpy(), True)
        text = isinstance(s.dtype, np.dtype) and s.dtype.kind == "O"  # not a category
        if text and pd.api.types.infer_dtype(s, skipna=True) not in ("string", "empty"):
            return None
        h = pd.util.hash_pandas_object(s, index=False).to_numpy()
        if text:
            missing = s.isna().to_numpy()
            if missing.any():
                h = np.where(missing, np.uint64(_MISSING_TEXT), h)
        return h

    k = frame.shape[1]
    columns = map_threads(column_hash, range(k), threads_for(frame.shape[0] * k, 1_000_000))
    if any(h is None for h in columns):
        return None
    return _combine([h for h in columns if h is not None])


def _unit_free(s: pd.Series) -> pd.Series:
    """Datetimes and timedeltas in nanoseconds when they fit, so the unit a pandas version
    infers (``ns`` on pandas 2, ``us`` on pandas 3) does not change the hash."""
    from pandas.api import types

    if types.is_datetime64_any_dtype(s.dtype) or types.is_timedelta64_dtype(s.dtype):
        try:
            ns: pd.Series = s.dt.as_unit("ns")
            return ns
        except Exception:  # out of the nanosecond range, or an Arrow type: hashed as it is
            return s
    return s


def _text(value: Any) -> str:
    """A cell as text for hashing; never raises."""
    try:
        return f"{type(value).__name__}:{value!r}"
    except Exception:
        return f"{type(value).__name__}:<unprintable>"


def missing_columns(frame: Any, columns: list[Any]) -> list[Any]:
    """The entries of ``columns`` that the frame (or table: anything with ``columns``) does
    not have."""
    present = set(frame.columns)
    return [c for c in columns if c not in present]


def require_columns(frame: Any, columns: list[Any], argument: str) -> None:
    """Raise an error naming ``argument`` when any of ``columns`` is absent from the frame (or
    table: anything with ``columns``)."""
    missing = missing_columns(frame, columns)
    if missing:
        have = list(frame.columns)
        shown = ", ".join(repr(c) for c in missing[:10])
        raise MlgateInputError(
            argument,
            f"no such column{'s' if len(missing) > 1 else ''} {shown}.",
            f"The frame has {len(have)} columns, e.g. {', '.join(repr(c) for c in have[:8])}.",
        )


def column_list(columns: Any, argument: str) -> list[Any]:
    """Normalise a column argument (one name or a list of names) to a list."""
    if isinstance(columns, str) or not hasattr(columns, "__iter__"):
        return [columns]
    out = list(columns)
    if not out:
        raise MlgateInputError(argument, "is empty; name at least one column.")
    return out
