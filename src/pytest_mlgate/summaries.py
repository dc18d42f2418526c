"""Per-column summaries of a reference profile: how a column is read (numbers sorted, or
counted as categories), the numeric summary (moments, fixed bins, exact values or a quantile
sketch with exact tails) and the column profile. :mod:`~pytest_mlgate.profile` assembles them
into the mergeable :class:`~pytest_mlgate.profile.Profile`; an engine table builds the same
summaries inside the engine (:mod:`~pytest_mlgate.engine_profile`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import MlgateInputError
from .stats.drift import bin_counts, quantile_edges

if TYPE_CHECKING:
    import pandas as pd

MAX_EXACT = 1000
SKETCH_KNOTS = 1001
KNOT_PROBABILITIES = np.linspace(0.0, 1.0, SKETCH_KNOTS)
SKETCH_STEP = 1.0 / (SKETCH_KNOTS - 1)
#: a sketch keeps this many smallest and largest values exactly (0.1% of 1M rows each side):
#: a linear interpolation between the top knot and the maximum of heavy-tailed data is where
#: a Wasserstein distance against a sketch went wrong (issue 12: lognormal sigma=2, 0.16
#: instead of 0.002 at 1M rows); merges keep them exact (the k smallest of a union are among
#: the k smallest of each part)
TAIL_VALUES = 1000


def family(dtype: Any) -> str:
    """``numeric``, ``datetime`` or ``categorical`` (bool, object, string, category)."""
    import pandas as pd

    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype):
        return "categorical"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        tz = getattr(dtype, "tz", None)  # aware and naive timestamps do not compare
        return "datetime" if tz is None else f"datetime[{tz}]"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    return "categorical"


def is_integer(dtype: Any) -> bool:
    import pandas as pd

    return pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def numeric_values(series: pd.Series, argument: str) -> np.ndarray:
    """Non-null values of a numeric or datetime column as float64 (datetimes in ns).

    Infinite values are bad input: an error naming the argument and the column.
    """
    values = series.dropna()
    if family(series.dtype).startswith("datetime"):
        if getattr(values.dtype, "tz", None) is not None:
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
        return values.to_numpy().astype("datetime64[ns]").astype(np.int64).astype(np.float64)
    out = values.to_numpy(dtype=np.float64)
    bad = np.isinf(out)
    if bad.any():
        raise MlgateInputError(
            argument,
            f"column {series.name!r} holds {int(bad.sum()):,} infinite values.",
            "Replace them with NaN (or clip them) before the drift check.",
        )
    return out


def sorted_numeric(series: pd.Series, argument: str) -> np.ndarray:
    """``numpy.sort(numeric_values(series, argument))``, with one copy and no null mask for
    plain numpy float and integer columns: the values are copied as float64 and sorted in
    place; NaNs sort to the end and are cut off by a binary search; infinite values, if any,
    sit at the two ends of the sorted values."""
    import pandas as pd

    dtype = series.dtype
    if not (isinstance(dtype, np.dtype) and dtype.kind in "fiu") or isinstance(
        series, pd.DataFrame
    ):
        return np.sort(numeric_values(series, argument))
    if dtype.kind in "iu":
        counted = counting_sort(series.to_numpy())
        if counted is not None:
            return counted
    elif _whole_numbers_likely(series.to_numpy()):
        counted = _counting_sort_floats(series.to_numpy())
        if counted is not None:
            return counted
    out = np.array(series.to_numpy(), dtype=np.float64, copy=True)
    out.sort()
    end = out.size
    if end and np.isnan(out[-1]):
        end = int(np.searchsorted(out, np.nan, side="left"))
        out = out[:end]
    if end and (out[0] == -np.inf or out[-1] == np.inf):
        bad = int(np.searchsorted(out, -np.inf, side="right")) + (
            end - int(np.searchsorted(out, np.inf, side="left"))
        )
        raise MlgateInputError(
            argument,
            f"column {series.name!r} holds {bad:,} infinite values.",
            "Replace them with NaN (or clip them) before the drift check.",
        )
    return out


def float_values(series: pd.Series, argument: str) -> np.ndarray | None:
    """The non-null values of a plain numpy float column as float64, unsorted and uncopied
    when it has no NaN (None for other dtypes and for float columns of whole numbers, which
    :func:`sorted_numeric` sorts by counting): for the drift check's sort-free path.
    Infinite values are bad input, named as :func:`sorted_numeric` names them."""
    import pandas as pd

    dtype = series.dtype
    if isinstance(series, pd.DataFrame) or not (isinstance(dtype, np.dtype) and dtype.kind == "f"):
        return None
    values = series.to_numpy()
    if _whole_numbers_likely(values):
        return None
    out = np.asarray(values, dtype=np.float64)
    if out.size == 0:
        return out
    low, high = out.min(), out.max()
    if np.isnan(low):  # min and max propagate NaN
        out = out[~np.isnan(out)]
        if out.size == 0:
            return out
        low, high = out.min(), out.max()
    if low == -np.inf or high == np.inf:
        raise MlgateInputError(
            argument,
            f"column {series.name!r} holds {int(np.isinf(out).sum()):,} infinite values.",
            "Replace them with NaN (or clip them) before the drift check.",
        )
    return out


#: an integer column whose values span at most this many integers (and at most twice its
#: length) is sorted by counting: ``bincount`` and ``repeat`` cost a few milliseconds per
#: million values on every CPU, where numpy's AVX-512 sort takes 60-90 ms on AMD Zen 4
COUNTING_MAX_SPAN = 1 << 22


def counting_sort(values: np.ndarray) -> np.ndarray | None:
    """``numpy.sort(values.astype(float64))`` of a 1-D integer array by counting, or None when
    its values span too many integers for counting to pay (then sort).

    The float64 conversion is monotone, so repeating each converted integer of the span by
    its count gives exactly the sorted converted values (ties and large integers included).
    """
    n = values.size
    if n == 0:
        return None
    low, high = int(values.min()), int(values.max())
    span = high - low + 1
    if span > COUNTING_MAX_SPAN or span > 2 * n + 1024 or high >= 1 << 63:
        return None
    shifted = values.astype(np.int64, copy=False)
    if low:
        shifted = shifted - low
    counts = np.bincount(shifted, minlength=span)
    keys = np.arange(low, high + 1, dtype=np.int64).astype(np.float64)
    return np.repeat(keys, counts)


def _whole_numbers_likely(values: np.ndarray) -> bool:
    """Whether about 1,000 evenly spaced values of a float array are all whole numbers or NaN
    (ages or counts read as float because of a missing value): the cheap test before the
    full one in :func:`_counting_sort_floats`."""
    if values.size < 4096:
        return False
    probe = values[:: values.size // 1024]
    with np.errstate(invalid="ignore"):
        return bool(np.all((probe == np.floor(probe)) | np.isnan(probe)))


def _counting_sort_floats(values: np.ndarray) -> np.ndarray | None:
    """The sorted non-null values of a float array whose finite values are all whole numbers
    of a small span, by counting (None otherwise, and when it holds an infinite value: the
    sorting path names those). ``-0.0`` comes out as ``0.0``, which compares equal."""
    finite = values[~np.isnan(values)]
    if finite.size == 0 or not np.isfinite(finite).all():
        return None
    low, high = float(finite.min()), float(finite.max())
    if low < -(2.0**62) or high > 2.0**62 or high - low + 1 > COUNTING_MAX_SPAN:
        return None
    if not np.array_equal(finite, np.floor(finite)):
        return None
    return counting_sort(finite.astype(np.int64))  # whole floats convert to int64 exactly


def number_key(value: float) -> str:
    """The text key of a number used as a category (``3.0`` and ``3`` are both ``"3"``)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def category_counts(series: pd.Series) -> dict[str, int]:
    """Exact counts of the non-null values, keyed by their text (a category that the dtype
    declares but no row holds is not a value of the sample)."""
    counts: dict[str, int] = {}
    for value, count in series.value_counts(dropna=True, sort=False).items():
        if not count:
            continue
        key = str(value)
        counts[key] = counts.get(key, 0) + int(count)
    return counts


@dataclass
class NumericSummary:
    """What the drift checks need of one numeric reference column."""

    count: int
    mean: float
    m2: float
    minimum: float
    maximum: float
    edges: np.ndarray
    bins: np.ndarray
    values: np.ndarray | None = None  # exact distinct values ...
    counts: np.ndarray | None = None  # ... and their counts
    knots: np.ndarray | None = None  # or a quantile sketch
    rank_error: float = 0.0
    unique: bool = False
    low_tail: np.ndarray | None = None  # a sketch's smallest TAIL_VALUES values, exact
    high_tail: np.ndarray | None = None  # ... and its largest
    bins_exact: bool = True  # False once a merge has interpolated the bin counts

    @property
    def std(self) -> float:
        return float(np.sqrt(self.m2 / self.count)) if self.count else 0.0

    @property
    def exact(self) -> bool:
        return self.values is not None

    @property
    def distinct(self) -> int | None:
        return None if self.values is None else int(self.values.size)

    def expanded(self) -> np.ndarray:
        """The sorted sample (exact summaries only)."""
        values, counts = self._exact()
        return np.repeat(values, counts)

    def _exact(self) -> tuple[np.ndarray, np.ndarray]:
        """The distinct values and their counts (exact summaries only)."""
        assert self.values is not None and self.counts is not None
        return self.values, self.counts

    def _sketch(self) -> np.ndarray:
        """The knots (sketches only)."""
        assert self.knots is not None
        return self.knots

    def breakpoints(self) -> np.ndarray:
        """The points where :meth:`cdf` jumps or changes slope: the distinct values of an
        exact summary; a sketch's knots and exact tails."""
        if self.values is not None:
            return self.values
        parts = [self._sketch()]
        if self.low_tail is not None and self.high_tail is not None:
            parts += [self.low_tail, self.high_tail]
        return np.unique(np.concatenate(parts))

    @classmethod
    def from_sorted(cls, a: np.ndarray, distribution: bool = True) -> NumericSummary:
        """Summary of a sorted, non-empty sample. ``distribution=False`` leaves out the
        distinct values / sketch and the ``unique`` flag (what a drift check against the raw
        reference does not need)."""
        n = int(a.size)
        mean = float(a.mean())
        dev = a - mean
        np.multiply(dev, dev, out=dev)  # what ``(a - mean) ** 2`` computes, one buffer less
        m2 = float(np.sum(dev))
        del dev
        edges = quantile_edges(a)
        summary = cls(n, mean, m2, float(a[0]), float(a[-1]), edges, bin_counts(a, edges))
        if not distribution:
            return summary
        keep = np.empty(n, dtype=bool)
        keep[0] = True
        np.not_equal(a[1:], a[:-1], out=keep[1:])
        distinct = int(keep.sum())
        summary.unique = distinct == n and n > 1
        if distinct <= MAX_EXACT:
            starts = np.flatnonzero(keep)
            summary.values = a[starts]
            summary.counts = np.diff(np.append(starts, n)).astype(np.int64)
        else:
            idx = np.rint(KNOT_PROBABILITIES * (n - 1)).astype(np.int64)
            summary.knots = a[idx]
            summary.rank_error = SKETCH_STEP + 1.0 / n
            k = min(TAIL_VALUES, n)
            summary.low_tail, summary.high_tail = a[:k].copy(), a[n - k :].copy()
        return summary

    @property
    def tails_exact(self) -> bool:
        return self.values is not None or self.low_tail is not None

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """The reference CDF at ``x``: exact for exact summaries and, for a sketch, below its
        last low-tail value and from its first high-tail value on; piecewise-linear through
        the knots in between."""
        if self.values is not None:
            values, counts = self._exact()
            cum = np.cumsum(counts)
            idx = np.searchsorted(values, x, side="right")
            found: np.ndarray = np.where(idx > 0, cum[np.maximum(idx - 1, 0)], 0) / self.count
            return found
        x = np.asarray(x, dtype=np.float64)
        out = np.interp(x, self._sketch(), KNOT_PROBABILITIES, left=0.0, right=1.0)
        if self.low_tail is not None and self.high_tail is not None:
            n, k = self.count, self.high_tail.size
            low = x < self.low_tail[-1]
            out = np.where(low, np.searchsorted(self.low_tail, x, side="right") / n, out)
            high = x >= self.high_tail[0]
            above = (n - k + np.searchsorted(self.high_tail, x, side="right")) / n
            out = np.where(high, above, out)
        result: np.ndarray = out
        return result

    def quantile(self, probs: np.ndarray) -> np.ndarray:
        """``numpy.quantile`` (linear) of the reference at ``probs``: exact for exact
        summaries and in a sketch's tails, interpolated between knots elsewhere."""
        probs = np.asarray(probs, dtype=np.float64)
        pos = probs * (self.count - 1)
        lo = np.floor(pos).astype(np.int64)
        frac = pos - lo
        if self.values is not None:
            values, counts = self._exact()
            cum = np.cumsum(counts)
            a = values[np.searchsorted(cum, lo, side="right")]
            b = values[np.searchsorted(cum, np.minimum(lo + 1, self.count - 1), side="right")]
            found: np.ndarray = a + (b - a) * frac
            return found
        out = np.interp(probs, KNOT_PROBABILITIES, self._sketch())
        if self.low_tail is not None and self.high_tail is not None:
            k, n = self.low_tail.size, self.count
            inside = lo + 1 < k
            i = np.clip(lo, 0, k - 1)
            j = np.clip(lo + 1, 0, k - 1)
            tail = self.low_tail[i] + (self.low_tail[j] - self.low_tail[i]) * frac
            out = np.where(inside, tail, out)
            first = n - k  # rank of high_tail[0]
            inside = lo >= first
            i = np.clip(lo - first, 0, k - 1)
            j = np.clip(lo + 1 - first, 0, k - 1)
            tail = self.high_tail[i] + (self.high_tail[j] - self.high_tail[i]) * frac
            out = np.where(inside, tail, out)
        result: np.ndarray = out
        return result

    def _tails(self, k: int) -> tuple[np.ndarray, np.ndarray] | None:
        """The ``k`` smallest and largest values, when this summary knows them exactly."""
        if self.values is not None:
            values, counts = self._exact()
            head = np.repeat(values, np.minimum(counts, k))[:k]
            rev = np.repeat(values[::-1], np.minimum(counts[::-1], k))[:k]
            return head, rev[::-1].copy()
        if self.low_tail is None or self.high_tail is None:
            return None
        return self.low_tail[:k], self.high_tail[
            self.high_tail.size - min(k, self.high_tail.size) :
        ]

    def merge(self, other: NumericSummary) -> NumericSummary:
        n = self.count + other.count
        delta = other.mean - self.mean
        mean = self.mean + delta * other.count / n
        m2 = self.m2 + other.m2 + delta * delta * self.count * other.count / n
        low, high = min(self.minimum, other.minimum), max(self.maximum, other.maximum)
        # every value unique in both batches and no value shared (disjoint ranges, for
        # sketches, where the values themselves are gone)
        unique = (
            self.unique
            and other.unique
            and (self.maximum < other.minimum or other.maximum < self.minimum)
        )
        if self.values is not None and other.values is not None:
            (own, own_counts), (others, other_counts) = self._exact(), other._exact()
            values = np.union1d(own, others)
            counts = np.zeros(values.size, dtype=np.int64)
            counts[np.searchsorted(values, own)] += own_counts
            counts[np.searchsorted(values, others)] += other_counts
            unique = bool(n > 1 and np.max(counts) == 1)
            if values.size <= MAX_EXACT:
                cum = np.cumsum(counts)
                ranks = (np.arange(1, 10) / 10) * (n - 1)
                lo = np.floor(ranks).astype(np.int64)
                a = values[np.searchsorted(cum, lo, side="right")]
                b = values[np.searchsorted(cum, np.minimum(lo + 1, n - 1), side="right")]
                frac = ranks - lo
                edges = np.unique(
                    np.where(frac >= 0.5, b - (b - a) * (1 - frac), a + (b - a) * frac)
                )
                summary = NumericSummary(
                    n,
                    mean,
                    m2,
                    low,
                    high,
                    edges,
                    np.zeros(0),
                    values=values,
                    counts=counts,
                    unique=unique,
                )
                summary.bins = bin_counts(summary.expanded(), edges)
                return summary
            idx = np.rint(KNOT_PROBABILITIES * (n - 1)).astype(np.int64)
            knots = values[np.searchsorted(np.cumsum(counts), idx, side="right")]
            error = SKETCH_STEP + 1.0 / n
            exact_bins = False
        else:
            exact_bins = False
            grid = np.union1d(self._knot_points(), other._knot_points())
            mixed = (self.count * self.cdf(grid) + other.count * other.cdf(grid)) / n
            knots = np.interp(KNOT_PROBABILITIES, mixed, grid)
            knots[0], knots[-1] = low, high
            error = (self.count * self.rank_error + other.count * other.rank_error) / n
            error += SKETCH_STEP
        k = min(TAIL_VALUES, n)
        mine, theirs = self._tails(k), other._tails(k)
        low_tail = high_tail = None
        if mine is not None and theirs is not None:
            low_tail = np.sort(np.concatenate([mine[0], theirs[0]]))[:k]
            high_tail = np.sort(np.concatenate([mine[1], theirs[1]]))[-k:]
        summary = NumericSummary(
            n,
            mean,
            m2,
            low,
            high,
            np.zeros(0),
            np.zeros(0, dtype=np.int64),
            knots=knots,
            rank_error=float(error),
            unique=unique,
            low_tail=low_tail,
            high_tail=high_tail,
            bins_exact=exact_bins,
        )
        # bin edges and counts of the merged data, from the merged sketch: interpolated
        # (within rank_error of each edge's share), which the drift note says
        summary.edges = np.unique(summary.quantile(np.arange(1, 10) / 10))
        cum = np.rint(summary.cdf(summary.edges) * n).astype(np.int64)
        summary.bins = np.diff(np.concatenate([[0], cum, [n]]))
        return summary

    def _knot_points(self) -> np.ndarray:
        return self.values if self.values is not None else self._sketch()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "moments": {
                "mean": self.mean,
                "m2": self.m2,
                "std": self.std,
                "min": self.minimum,
                "max": self.maximum,
            },
            "bins": {
                "edges": [float(e) for e in self.edges],
                "counts": [int(c) for c in self.bins],
            },
            "unique": bool(self.unique),
        }
        if not self.bins_exact:
            out["bins"]["interpolated"] = True
        if self.values is not None:
            values, counts = self._exact()
            out["distribution"] = {
                "exact": {
                    "values": [float(v) for v in values],
                    "counts": [int(c) for c in counts],
                }
            }
        else:
            out["distribution"] = {
                "sketch": {
                    "knots": [float(v) for v in self._sketch()],
                    "probabilities": f"j/{SKETCH_KNOTS - 1} for j = 0..{SKETCH_KNOTS - 1}",
                    "rank_error": self.rank_error,
                }
            }
            if self.low_tail is not None and self.high_tail is not None:
                out["distribution"]["sketch"]["tails"] = {
                    "low": [float(v) for v in self.low_tail],
                    "high": [float(v) for v in self.high_tail],
                }
        return out

    @classmethod
    def from_json(cls, doc: dict[str, Any], count: int) -> NumericSummary:
        moments, bins, dist = doc["moments"], doc["bins"], doc["distribution"]
        summary = cls(
            count,
            float(moments["mean"]),
            float(moments["m2"]),
            float(moments["min"]),
            float(moments["max"]),
            np.asarray(bins["edges"], dtype=float),
            np.asarray(bins["counts"], dtype=np.int64),
            unique=bool(doc["unique"]),
        )
        if "exact" in dist:
            summary.values = np.asarray(dist["exact"]["values"], dtype=float)
            summary.counts = np.asarray(dist["exact"]["counts"], dtype=np.int64)
        else:
            summary.knots = np.asarray(dist["sketch"]["knots"], dtype=float)
            summary.rank_error = float(dist["sketch"]["rank_error"])
            tails = dist["sketch"].get("tails")
            if tails is not None:
                summary.low_tail = np.asarray(tails["low"], dtype=float)
                summary.high_tail = np.asarray(tails["high"], dtype=float)
        summary.bins_exact = not bins.get("interpolated", False)
        return summary


@dataclass
class ColumnProfile:
    """One column of a profile."""

    family: str
    dtype: str
    integer: bool
    count: int
    nulls: int
    numeric: NumericSummary | None = None
    categories: dict[str, int] | None = None
    identifier: bool = False

    def merge(self, other: ColumnProfile, name: str) -> ColumnProfile:
        if other.family != self.family:
            raise MlgateInputError(
                "other",
                f"column {name!r} is {self.family} in one profile and {other.family} in the other.",
                "Profile batches of the same schema.",
            )
        merged = ColumnProfile(
            self.family,
            self.dtype,
            self.integer and other.integer,
            self.count + other.count,
            self.nulls + other.nulls,
        )
        if self.count == 0 or other.count == 0:
            src = other if self.count == 0 else self
            merged.numeric, merged.categories = src.numeric, src.categories
            merged.identifier = src.identifier
            return merged
        for side in (self, other):
            if (
                side.numeric is not None
                and side.numeric.values is None
                and side.numeric.knots is None
            ):
                raise MlgateInputError(
                    "other",
                    f"column {name!r} is an identifier saved without its values, so it cannot "
                    "be merged.",
                    "Merge the profiles before saving them.",
                )
        if self.numeric is not None and other.numeric is not None:
            merged.numeric = self.numeric.merge(other.numeric)
        if self.categories is not None and other.categories is not None:
            counts = dict(self.categories)
            for key, value in other.categories.items():
                counts[key] = counts.get(key, 0) + value
            merged.categories = counts
        if merged.numeric is not None:
            merged.identifier = self.identifier and other.identifier and merged.numeric.unique
        elif merged.categories is not None:
            merged.identifier = merged.count > 1 and max(merged.categories.values()) == 1
        else:  # identifiers saved without values: unique each, shared values unknowable
            merged.identifier = self.identifier and other.identifier
        return merged
