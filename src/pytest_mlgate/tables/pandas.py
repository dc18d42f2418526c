"""The pandas :class:`~pytest_mlgate.tables.base.Table`: vectorised pandas over one frame.

Duplicate rows come from the fingerprint's row hashes (``frames.cached_row_hashes``): equal
rows have equal hashes, so only rows whose hash occurs more than once are compared exactly,
and the fingerprint at the end of the test reuses the hashes. Columns are read one at a time
(``df[cols]`` would copy the frame on pandas 2, which has no copy-on-write).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import frames
from .base import Table, Violations

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: repeated keys read to find ``limit`` distinct examples (the first repeats suffice)
EXAMPLE_SCAN = 200


class PandasTable:
    """A pandas DataFrame seen through the :class:`Table` protocol.

    >>> import pandas as pd
    >>> t = PandasTable(pd.DataFrame({"x": [1, 2, 2, None]}))
    >>> t.null_counts(["x"]), t.duplicate_rows(None, 5).count
    ({'x': 1}, 1)
    """

    engine = "pandas"

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    @property
    def columns(self) -> list[Any]:
        return list(self.frame.columns)

    def dataset(self) -> pd.DataFrame:
        return self.frame

    def row_count(self) -> int:
        return len(self.frame)

    def dtype(self, column: Any) -> str:
        return str(self.frame[column].dtype)

    def is_kind(self, column: Any, kind: str) -> bool:
        return frames.is_kind(self.frame[column], kind)

    def null_counts(self, columns: Sequence[Any]) -> dict[Any, int]:
        return {c: int(self.frame[c].isna().sum()) for c in columns}

    def null_rows(self, column: Any, limit: int) -> list[Any]:
        df = self.frame
        return list(df.index[df[column].isna()][:limit].tolist())

    def outside(self, column: Any, low: Any, high: Any, limit: int) -> Violations:
        s = self.frame[column]
        bad = None
        if low is not None:
            bad = s < low
        if high is not None:
            over = s > high
            bad = over if bad is None else (bad | over)
        if bad is None:
            raise ValueError("outside() needs a bound")
        bad = bad.fillna(False).astype(bool)
        return _violations(s, bad, int(s.count()), limit)

    def not_in(self, column: Any, values: list[Any], limit: int) -> Violations:
        s = self.frame[column]
        present = s.notna()
        try:
            inside = s.isin(values)
        except Exception:  # Arrow-backed columns refuse values of another type
            inside = s.astype(object).isin(values)
        return _violations(s, ~inside & present, int(present.sum()), limit)

    def token_counts(
        self, column: Any, text: frozenset[str], numbers: frozenset[float]
    ) -> dict[Any, int]:
        from pandas.api import types as t

        s = self.frame[column]
        if t.is_bool_dtype(s.dtype):
            return {}
        if t.is_numeric_dtype(s.dtype):
            if not numbers:
                return {}
            hit = s.isin(list(numbers))
            if not hit.any():
                return {}
            return {v: int(n) for v, n in s[hit].value_counts().items()}
        out: dict[Any, int] = {}
        for value, n in s.value_counts(dropna=True, sort=False).items():
            if isinstance(value, str):
                found = value.strip().lower() in text
            elif isinstance(value, int | float) and not isinstance(value, bool):
                found = value in numbers
            else:
                found = False
            if found:
                out[value] = int(n)
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def duplicate_rows(self, columns: Sequence[Any] | None, limit: int) -> Violations:
        dup = duplicated_rows(self.frame, None if columns is None else list(columns))
        rows = self.frame.index[dup][:limit].tolist()
        return Violations(int(dup.sum()), len(self.frame), list(rows))

    def duplicate_keys(self, columns: Sequence[Any], limit: int) -> Violations:
        df, cols = self.frame, list(columns)
        keys = df[cols[0]] if len(cols) == 1 else df[cols]
        dup = keys.duplicated().to_numpy() if len(cols) == 1 else duplicated_rows(df, cols)
        count = int(dup.sum())
        examples = _distinct_keys(keys[dup], limit) if count else []
        return Violations(count, len(df), examples)

    def keys_in(self, columns: Sequence[Any], other: Table, limit: int) -> Violations:
        import pandas as pd

        df, cols = self.frame, list(columns)
        theirs = other.rows(cols, "expect_no_overlap")
        if len(cols) == 1:
            hit = df[cols[0]].isin(pd.unique(theirs[cols[0]])).to_numpy()
        else:
            mine = pd.MultiIndex.from_frame(df[cols])
            hit = mine.isin(pd.MultiIndex.from_frame(theirs[cols].drop_duplicates()))
        count = int(hit.sum())
        keys = df[cols[0]] if len(cols) == 1 else df[cols]
        examples = _distinct_keys(keys[hit], limit) if count else []
        return Violations(count, len(df), examples)

    def min_max(self, column: Any) -> tuple[Any, Any]:
        s = self.frame[column].dropna()
        if s.empty:
            return None, None
        return s.min(), s.max()

    def value_counts(self, column: Any, limit: int) -> dict[Any, int] | None:
        s = self.frame[column]
        if s.nunique(dropna=True) > limit:
            return None
        counts = s.value_counts(dropna=True)
        return {v: int(n) for v, n in counts.items() if n}

    def quantiles(self, column: Any, probabilities: Sequence[float]) -> list[float]:
        import numpy as np

        values = _numbers(self.frame[column])
        if not values.size:
            return [float("nan")] * len(probabilities)
        return [float(q) for q in np.quantile(values, np.asarray(probabilities, dtype=float))]

    def histogram(self, column: Any, edges: Sequence[float]) -> list[int]:
        import numpy as np

        from ..stats.drift import bin_counts

        values = np.sort(_numbers(self.frame[column]))
        return [int(c) for c in bin_counts(values, np.asarray(edges, dtype=float))]

    def rows(self, columns: Sequence[Any], check: str) -> pd.DataFrame:
        return self.frame


def _violations(s: pd.Series, bad: pd.Series, among: int, limit: int) -> Violations:
    count = int(bad.sum())
    if not count:
        return Violations(0, among, [])
    counts = s[bad].value_counts()
    counts = counts[counts > 0]  # a categorical also counts its unused categories
    return Violations(count, among, list(counts.index[:limit].tolist()))


def _distinct_keys(keys: Any, limit: int) -> list[Any]:
    """The first ``limit`` distinct keys among the first repeats: values, or tuples."""
    head = keys.head(EXAMPLE_SCAN)
    if getattr(head, "ndim", 1) == 1:
        values = list(head.tolist())
    else:
        values = list(head.itertuples(index=False, name=None))
    return list(dict.fromkeys(values))[:limit]


def _numbers(s: pd.Series) -> np.ndarray:
    """Non-null values as float64 (datetimes as nanoseconds since the epoch)."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(s):
        stamps: np.ndarray = s.dropna().to_numpy(dtype="datetime64[ns]")
        return stamps.astype("int64").astype(np.float64)
    values: np.ndarray = s.to_numpy(dtype=np.float64, na_value=np.nan)
    present: np.ndarray = values[~np.isnan(values)]
    return present


def duplicated_rows(frame: pd.DataFrame, columns: list[Any] | None = None) -> np.ndarray:
    """``frame.duplicated(subset=columns).to_numpy()``, from the row hashes.

    Equal rows have equal hashes, so a row can repeat an earlier one only where its hash
    does: the rows whose hash occurs more than once (none, or the duplicates and the rare
    collisions) are compared exactly by ``DataFrame.duplicated``. The hashes are
    :func:`frames.equality_hashes`: the fingerprint's where they suit (cached, so the
    fingerprint reuses them), canonical ones for floats and text held as Python objects on
    pandas 2. Columns that cannot be hashed so (Python objects other than text, where
    ``1 == 1.0``; extension types other than strings and categories) use
    ``DataFrame.duplicated`` directly.
    """
    import numpy as np
    import pandas as pd

    sub = frame if columns is None else frame[columns]
    hashes = frames.equality_hashes(sub)
    if hashes is None:
        return np.asarray(sub.duplicated().to_numpy(), dtype=bool)
    candidates = np.flatnonzero(pd.Series(hashes).duplicated(keep=False).to_numpy())
    out = np.zeros(sub.shape[0], dtype=bool)
    if candidates.size:
        out[candidates] = sub.iloc[candidates].duplicated().to_numpy()
    return out
