"""A mergeable reference profile: what drift checks need of the reference, without raw rows.

Per column it holds the row count and nulls, and

- numeric and datetime columns: moments (mean, sum of squared deviations, std, min, max), the
  10 fixed reference-quantile bins with their counts, and the distribution: exact value counts
  when the column has at most 1,000 distinct values, else a quantile sketch of 1,001 knots
  whose piecewise-linear CDF is within ``rank_error`` of the exact empirical CDF (1/1000 + 1/n
  for a profile built from one frame; merging adds 1/1000), plus the 1,000 smallest and largest
  values kept exactly (the tails, where heavy-tailed data put most of a Wasserstein distance;
  merges keep them exact); after a merge of sketches the bin counts are interpolated from
  the merged sketch and the file says so (``bins.interpolated``);
- categorical columns: exact category counts (keys are the values as text);
- identifier columns (every value unique): nothing but the counts.

The JSON file is versioned, sorted and indented (diff-friendly) and carries the sha256 of its
content.

>>> profile = Profile.from_frame(train)          # doctest: +SKIP
>>> profile.save("profiles/train.json")          # doctest: +SKIP
>>> Profile.load("profiles/train.json").sha256   # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import MlgateInputError
from .summaries import (
    COUNTING_MAX_SPAN,
    KNOT_PROBABILITIES,
    MAX_EXACT,
    SKETCH_KNOTS,
    SKETCH_STEP,
    TAIL_VALUES,
    ColumnProfile,
    NumericSummary,
    category_counts,
    counting_sort,
    family,
    is_integer,
    number_key,
    numeric_values,
    sorted_numeric,
)

if TYPE_CHECKING:
    import pandas as pd

# the summaries are importable from here too, as before the split
__all__ = [
    "COUNTING_MAX_SPAN",
    "FORMAT",
    "KNOT_PROBABILITIES",
    "MAX_EXACT",
    "SKETCH_KNOTS",
    "SKETCH_STEP",
    "TAIL_VALUES",
    "VERSION",
    "ColumnProfile",
    "NumericSummary",
    "Profile",
    "category_counts",
    "counting_sort",
    "family",
    "is_integer",
    "number_key",
    "numeric_values",
    "sorted_numeric",
]

FORMAT = "pytest-mlgate-profile"
VERSION = 1


@dataclass
class Profile:
    """A compact, mergeable summary of reference data for drift checks (no raw rows).

    >>> ref = Profile.from_batches(pd.read_csv("big.csv", chunksize=100_000))  # doctest: +SKIP
    >>> ref.save("profiles/reference.json")                                      # doctest: +SKIP
    >>> reference = Profile.load("profiles/reference.json")                       # doctest: +SKIP
    >>> mlgate.drift(reference, prod).expect_no_drift()                           # doctest: +SKIP
    """

    rows: int
    columns: dict[str, ColumnProfile] = field(default_factory=dict)

    @classmethod
    def from_frame(cls, df: Any) -> Profile:
        """Profile one frame (a pandas DataFrame, or anything with ``to_pandas()``); a Spark
        or Dask frame is profiled inside its engine, only the summaries come back."""
        from .frames import as_frame
        from .tables.engines import engine_of

        if engine_of(df) is not None:
            from .engine_profile import profile_columns
            from .tables import as_table

            rows, columns = profile_columns(as_table(df, "df"))
            return cls(rows=rows, columns=columns)

        frame = as_frame(df, "df", allow_empty=True)
        profile = cls(rows=int(frame.shape[0]))
        for name in frame.columns:
            profile.columns[str(name)] = _profile_column(frame[name])
        return profile

    @classmethod
    def from_batches(cls, batches: Iterable[Any]) -> Profile:
        """Profile data batch by batch (e.g. ``pd.read_csv(..., chunksize=...)``) and merge."""
        result: Profile | None = None
        for batch in batches:
            part = cls.from_frame(batch)
            result = part if result is None else result.merge(part)
        if result is None:
            raise MlgateInputError("batches", "is empty; give at least one frame.")
        return result

    def merge(self, other: Profile) -> Profile:
        """A new profile of both data sets (same columns and column families)."""
        if not isinstance(other, Profile):
            raise MlgateInputError("other", f"expected a Profile, got {type(other).__name__}.")
        if list(other.columns) != list(self.columns):
            raise MlgateInputError(
                "other",
                "the profiles have different columns: "
                f"{sorted(set(self.columns) ^ set(other.columns)) or 'same set, other order'}.",
            )
        return Profile(
            self.rows + other.rows,
            {n: c.merge(other.columns[n], n) for n, c in self.columns.items()},
        )

    # -- file format ----------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        columns: dict[str, Any] = {}
        for position, (name, col) in enumerate(self.columns.items()):
            entry: dict[str, Any] = {
                "position": position,
                "family": col.family,
                "dtype": col.dtype,
                "integer": col.integer,
                "count": col.count,
                "nulls": col.nulls,
            }
            if col.count == 0:
                entry["kind"] = "empty"
            elif col.identifier:
                entry["kind"] = "identifier"
            elif col.numeric is not None:
                entry["kind"] = "numeric"
                entry.update(col.numeric.to_json())
            else:
                entry["kind"] = "categorical"
                entry["categories"] = dict(sorted((col.categories or {}).items()))
            columns[name] = entry
        return {"format": FORMAT, "version": VERSION, "rows": self.rows, "columns": columns}

    @property
    def sha256(self) -> str:
        """``"sha256:" + hex`` of the canonical JSON of the profile's content."""
        text = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"), allow_nan=False)
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()

    def save(self, path: str | Path) -> Path:
        """Write the profile as sorted, indented JSON with its sha256; returns the path."""
        doc = self.to_json()
        doc["sha256"] = self.sha256
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(doc, sort_keys=True, indent=1, allow_nan=False) + "\n")
        return target

    @classmethod
    def load(cls, path: str | Path) -> Profile:
        """Read a saved profile; the sha256 must match its content."""
        try:
            doc = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:
            problem = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise MlgateInputError(
                "path", f"cannot read a profile from {str(path)!r}: {problem}"
            ) from exc
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise MlgateInputError("path", f"{str(path)!r} is not a pytest-mlgate profile.")
        if doc.get("version") != VERSION:
            raise MlgateInputError(
                "path",
                f"profile version {doc.get('version')!r} is not supported (expected {VERSION}).",
                "Rebuild it with this version of pytest-mlgate.",
            )
        stored = doc.pop("sha256", None)
        try:
            profile = cls._from_json(doc)
            digest = profile.sha256
        except MlgateInputError:
            raise
        except Exception as exc:  # a wrongly shaped document: a missing key, a wrong type
            raise MlgateInputError(
                "path",
                f"{str(path)!r} is not a well-formed profile ({type(exc).__name__}: {exc}).",
                "Rebuild it with Profile.from_frame(...).save(...).",
            ) from exc
        if stored != digest:
            raise MlgateInputError(
                "path",
                f"the sha256 of {str(path)!r} does not match its content (edited or damaged).",
                "Rebuild the profile with Profile.from_frame(...).save(...).",
            )
        return profile

    @classmethod
    def _from_json(cls, doc: dict[str, Any]) -> Profile:
        columns: dict[str, ColumnProfile] = {}
        for name, entry in sorted(doc["columns"].items(), key=lambda kv: kv[1]["position"]):
            col = ColumnProfile(
                entry["family"],
                entry["dtype"],
                bool(entry["integer"]),
                int(entry["count"]),
                int(entry["nulls"]),
            )
            if entry["kind"] == "identifier":
                col.identifier = True
            elif entry["kind"] == "numeric":
                col.numeric = NumericSummary.from_json(entry, col.count)
            elif entry["kind"] == "categorical":
                col.categories = {str(k): int(v) for k, v in entry["categories"].items()}
            columns[name] = col
        return cls(int(doc["rows"]), columns)

    def __repr__(self) -> str:
        return f"Profile(rows={self.rows}, columns={len(self.columns)}, {self.sha256[:19]})"


def _profile_column(series: pd.Series) -> ColumnProfile:
    fam = family(series.dtype)
    col = ColumnProfile(fam, str(series.dtype), is_integer(series.dtype), 0, 0)
    if fam == "categorical":
        counts = category_counts(series)
        col.count = sum(counts.values())
        col.categories = counts
        col.identifier = col.count > 1 and len(counts) == col.count and identifier_dtype(series)
    else:
        values = sorted_numeric(series, "df")
        col.count = int(values.size)
        if values.size:
            col.numeric = NumericSummary.from_sorted(values)
            col.identifier = col.integer and col.numeric.unique
    col.nulls = int(series.shape[0] - col.count)
    return col


def identifier_dtype(series: pd.Series) -> bool:
    """Whether a column of this dtype can be an identifier (not a category, not a bool)."""
    import pandas as pd

    return not isinstance(series.dtype, pd.CategoricalDtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    )
