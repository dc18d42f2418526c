"""Accepting tabular input and fingerprinting it.

A frame is a pandas DataFrame, or anything with ``to_pandas()`` (a pyarrow Table, a polars
DataFrame), which is converted once. The fingerprint is ``"sha256:" + hex`` over the column
names, the dtypes and ``pandas.util.hash_pandas_object(df, index=False)``, computed once per
frame object.
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
    return frame


def fingerprint(frame: pd.DataFrame) -> str:
    """``"sha256:" + hex`` of the frame's column names, dtypes and row hashes (cached)."""
    key = id(frame)
    cached = _FINGERPRINTS.get(key)
    if cached is not None:
        return cached
    import hashlib

    digest = hashlib.sha256()
    for name, dtype in frame.dtypes.items():
        digest.update(f"{name!s}\x1f{dtype!s}\x1e".encode())
    if frame.shape[0]:
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
        s = frame.iloc[:, i]
        try:
            return pd.util.hash_pandas_object(s, index=False).to_numpy()
        except TypeError:  # unhashable cells (lists, dicts): hash their text instead
            return pd.util.hash_pandas_object(s.astype(str), index=False).to_numpy()

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
