"""Exact KS statistic, Wasserstein-1 and reference quantiles of two unsorted float samples,
without sorting them in full (issue 14: numpy's AVX-512 sort is slow on AMD Zen 4).

Both samples are cut into the same ~65,000 buckets by arithmetic on their values: a bucket
id is a monotone (non-decreasing) function of the value, so bucket order is value order. The
function is piecewise linear: 4,096 equal cells between the pooled minimum and maximum, each
split into equal sub-buckets in proportion to the share of a strided sample it holds (heavy
tails get few buckets, the bulk many). One pass over each sample counts its values per bucket
and sums their offsets from the bucket's cell edge (``bincount``), in cache-sized chunks.

From the cumulative counts ``R`` (reference, n1) and ``C`` (current, n2):

- **KS.** At the end of bucket k the state ``(R_k, C_k)`` is attained by the largest value of
  buckets 0..k, so ``R_k / n1 - C_k / n2`` is one of scipy's differences. Inside bucket k the
  difference is at most ``R_k / n1 - C_{k-1} / n2`` (floating-point division and subtraction
  are monotone). Only the buckets whose bound exceeds the best attained value can hold the
  maximum; their values are sorted (a small subset, globally ordered because bucket order is
  value order) and the difference evaluated at each of them with global counts, the same
  floating-point operations as :func:`~pytest_mlgate.stats.drift.ks_statistic`; likewise for
  the minimum. The statistic is scipy's, bit for bit.
- **Wasserstein-1** ``= integral |F_ref - F_cur| dx``. Where the integer bounds of a bucket fix
  the sign of the difference, its integral over the bucket is ``((R_k n2 - C_k n1) width -
  (S_ref n2 - S_cur n1)) / (n1 n2)`` from counts and offset sums (S: sum of the values' offsets
  from the bucket's lower edge). The sign-ambiguous buckets are integrated exactly from their
  sorted values. Equal to ``scipy.stats.wasserstein_distance`` up to rounding (relative 1e-12
  in the tests).
- **Reference quantiles and bin counts**: a rank's bucket follows from ``R``; the buckets of
  the ranks asked for, and of the bin edges between them, join the sorted subset.

When the buckets do not split the data (spikes of equal values, a few far outliers with the
bulk in one bucket, identical samples, a span that overflows), the subset grows: above
``MAX_SUBSET_SHARE`` of the values :func:`bucket_figures` returns None and the caller sorts.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass

import numpy as np

VALUES_PER_BUCKET = 24  # fewer buckets for smaller samples, down to 2 per cell
CELLS = 4096  # equal-width cells between the pooled minimum and maximum
TARGET_BUCKETS = 60_000  # sub-buckets in all, shared by the cells by sample mass (ids fit
# in 16 bits: a pass keeps them for the next at 2 bytes a value)
SAMPLE = 8192  # values per side in the strided sample that shares the sub-buckets out
CHUNK = 1 << 16  # values per chunk of a pass (in cache)
MAX_SUBSET_SHARE = 0.2  # above this share of values to sort, sort everything instead


@dataclass
class BucketFigures:
    """What the drift figures need of two samples: the KS statistic (before its p-value),
    Wasserstein-1, and the reference at given ranks / counts at given points on demand."""

    statistic: float
    wasserstein: float
    grid: _Grid
    a: _Side
    b: _Side

    def ref_at(self, ranks: np.ndarray) -> np.ndarray:
        """The reference's sorted values at ``ranks`` (ranks asked for when it was built)."""
        return self.a.at(ranks)

    def counts_le(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """How many reference and current values are <= each point (None: a point fell in a
        bucket whose values were not kept)."""
        ids = self.grid.ids(np.asarray(points, dtype=np.float64))
        found_a, found_b = self.a.count_le(points, ids), self.b.count_le(points, ids)
        if found_a is None or found_b is None:
            return None
        return found_a, found_b


class _Grid:
    """The monotone bucket function: ``floor(start[c] + frac * width[c])`` where ``c`` and
    ``frac`` are the cell and the position in it of ``u = (x - low) * scale``: every step
    (subtraction, products, truncation) is monotone in x, and a value whose sum rounds up to
    the next cell's first bucket stays in order."""

    def __init__(self, low: float, high: float, sample: np.ndarray, target: int) -> None:
        self.low, self.high = low, high
        self.scale = CELLS / (high - low)
        mass = np.bincount(self._cells(sample), minlength=CELLS + 1).astype(np.float64)
        free = target - (CELLS + 1)
        width = 1.0 + np.floor(mass * (free / max(mass.sum(), 1.0)))
        width[CELLS] = 1.0  # the cell of the maximum alone (u == CELLS)
        start = np.zeros(CELLS + 2)
        np.cumsum(width, out=start[1:])
        self.width = width
        self.start = start[:-1].copy()
        self.table = width + 1j * self.start  # one gather fetches both
        # one spare bucket after the last: start + frac * width may round up to the next
        # cell's first bucket, and the last cell has no next one
        self.size = int(start[-1]) + 1
        k = np.arange(self.size, dtype=np.float64)
        cell_of = np.repeat(np.arange(CELLS + 1), width.astype(np.int64))
        cell_of = np.append(cell_of, CELLS)  # the spare bucket
        # bucket widths and (approximate) lower edges in the values' units
        self.bucket_width = 1.0 / (width[cell_of] * self.scale)
        lower = low + (cell_of + (k - self.start[cell_of]) / width[cell_of]) / self.scale
        lower[-1] = high
        np.minimum(lower, high, out=lower)
        self.lower = lower
        self.upper = np.append(lower[1:], high)
        self.bucket_width[-1] = 0.0

    def _cells(self, x: np.ndarray) -> np.ndarray:
        u = np.subtract(x, self.low)
        u *= self.scale
        cells: np.ndarray = u.astype(np.int64)  # u >= 0: truncation is floor
        np.minimum(cells, CELLS, out=cells)
        return cells

    def ids(self, x: np.ndarray) -> np.ndarray:
        """Bucket ids of ``x`` (monotone: x <= y gives id(x) <= id(y)); values outside
        [low, high] get the first or the last bucket."""
        x = np.clip(x, self.low, self.high)
        work = _Work(x.size)
        found: np.ndarray = self._ids(x, work, x.size).copy()
        return found

    def _ids(self, x: np.ndarray, work: _Work, m: int) -> np.ndarray:
        """Bucket ids of a chunk (in ``work.ids``; ``work.u`` keeps the position ``v``,
        whose fractional part is the offset in the bucket, in units of its width)."""
        u, g, cells, ids = work.u[:m], work.g[:m], work.cells[:m], work.ids[:m]
        np.subtract(x, self.low, out=u)
        u *= self.scale  # in [0, CELLS] for x in [low, high]
        np.copyto(cells, u, casting="unsafe")  # truncation is floor: u >= 0
        np.subtract(u, cells, out=u)  # the position in the cell, in [0, 1)
        np.take(self.table, cells, out=g)
        u *= g.real  # times the cell's width ...
        u += g.imag  # ... plus its first bucket: below size - 1, no clipping needed
        np.copyto(ids, u, casting="unsafe")
        return ids

    def count(self, x: np.ndarray, work: _Work) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Values per bucket, the sum of their offsets from their bucket's lower edge (in
        the values' units), and every value's bucket id (16 bits)."""
        counts = np.zeros(self.size, dtype=np.int64)
        sums = np.zeros(self.size)
        stored = np.empty(x.size, dtype=np.uint16)
        for s in range(0, x.size, CHUNK):
            part = x[s : s + CHUNK]
            m = part.size
            ids = self._ids(part, work, m)
            np.copyto(stored[s : s + m], ids, casting="unsafe")  # size <= 2**16
            offset = np.subtract(work.u[:m], ids, out=work.u[:m])  # in [0, 1): exact
            counts += np.bincount(ids, minlength=self.size)
            sums += np.bincount(ids, weights=offset, minlength=self.size)
        sums *= self.bucket_width
        return counts, sums, stored

    def select(
        self, x: np.ndarray, stored: np.ndarray, keep: np.ndarray, work: _Work
    ) -> np.ndarray:
        """The values of ``x`` whose bucket is kept, sorted."""
        parts = []
        for s in range(0, x.size, CHUNK):
            part = x[s : s + CHUNK]
            m = part.size
            ids = work.ids[:m]
            np.copyto(ids, stored[s : s + m], casting="unsafe")
            mask = np.take(keep, ids, out=work.mask[:m])
            parts.append(part[mask])
        out = np.concatenate(parts) if parts else np.empty(0)
        out.sort()
        return out


class _Work:
    """Chunk-sized buffers, allocated once per comparison (fresh large arrays cost page
    faults that matter at this speed)."""

    def __init__(self, size: int) -> None:
        self.u = np.empty(size)
        self.g = np.empty(size, dtype=np.complex128)
        self.cells = np.empty(size, dtype=np.int64)
        self.ids = np.empty(size, dtype=np.int64)
        self.mask = np.empty(size, dtype=bool)


class _Side:
    """One sample's counts, cumulative counts and kept values (sorted) with their ids."""

    def __init__(self, counts: np.ndarray, sums: np.ndarray, n: int) -> None:
        self.counts, self.sums, self.n = counts, sums, n
        self.cum = np.cumsum(counts)
        self.before = self.cum - counts  # values in earlier buckets
        self.kept: np.ndarray = np.empty(0)
        self.kept_ids: np.ndarray = np.empty(0, dtype=np.int64)
        self.keep: np.ndarray = np.zeros(counts.size, dtype=bool)
        self.skipped_before: np.ndarray = self.before  # values of earlier buckets not kept

    def hold(self, keep: np.ndarray, values: np.ndarray, ids: np.ndarray) -> None:
        self.keep = keep
        kept = np.where(keep, self.counts, 0)
        self.skipped_before = self.before - (np.cumsum(kept) - kept)
        self.kept, self.kept_ids = values, ids

    def le(self, x: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Values <= x for points x whose bucket is kept (global counts)."""
        found: np.ndarray = np.searchsorted(self.kept, x, side="right") + self.skipped_before[ids]
        return found

    def at(self, ranks: np.ndarray) -> np.ndarray:
        ranks = np.asarray(ranks, dtype=np.int64)
        bucket = np.searchsorted(self.cum, ranks, side="right")
        if not self.keep[bucket].all():
            raise ValueError("a rank whose bucket was not kept")
        values: np.ndarray = self.kept[ranks - self.skipped_before[bucket]]
        return values

    def count_le(self, points: np.ndarray, ids: np.ndarray) -> np.ndarray | None:
        if not self.keep[ids].all():
            return None
        return self.le(points, ids)


def bucket_figures(
    a: np.ndarray, b: np.ndarray, ranks: np.ndarray, spans: np.ndarray
) -> BucketFigures | None:
    """KS statistic and Wasserstein-1 of two unsorted, finite, non-empty float64 samples
    (reference ``a``, current ``b``), keeping the reference's values at ``ranks`` and both
    samples' values between the ranks of each pair of ``spans`` (an (m, 2) array of
    reference ranks: the bin edges interpolated between them can then be counted), or None
    when the buckets do not split the data well enough (the caller sorts instead)."""
    n1, n2 = a.size, b.size
    low = min(float(a.min()), float(b.min()))
    high = max(float(a.max()), float(b.max()))
    if not (np.isfinite(high - low) and high > low) or not np.isfinite(CELLS / (high - low)):
        return None
    step_a, step_b = max(1, n1 // SAMPLE), max(1, n2 // SAMPLE)
    target = int(min(TARGET_BUCKETS, max(2 * CELLS, (n1 + n2) // VALUES_PER_BUCKET)))
    grid = _Grid(low, high, np.concatenate([a[::step_a], b[::step_b]]), target)
    work = _Work(min(CHUNK, max(n1, n2)))
    counts_a, sums_a, ids_a = grid.count(a, work)
    counts_b, sums_b, ids_b = grid.count(b, work)
    sa = _Side(counts_a, sums_a, n1)
    sb = _Side(counts_b, sums_b, n2)
    R, C = sa.cum, sb.cum
    Rp, Cp = sa.before, sb.before

    # KS: the best attained values at bucket ends, the buckets whose bound exceeds them
    high_end = R / n1 - C / n2
    low_end = C / n2 - R / n1
    best_high = float(high_end.max())
    best_low = float(low_end.max())
    candidates = (R / n1 - Cp / n2 > best_high) | (C / n2 - Rp / n1 > best_low)

    # Wasserstein: buckets where the sign of F_ref - F_cur is not fixed by the bounds
    upper_num = R * n2 - Cp * n1
    lower_num = Rp * n2 - C * n1
    ambiguous = (upper_num > 0) & (lower_num < 0)

    # reference ranks and the spans of bin edges
    rank_buckets = np.searchsorted(R, np.asarray(ranks, dtype=np.int64), side="right")
    marks = np.zeros(grid.size + 1, dtype=np.int64)
    spans = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    if spans.size:
        first = np.searchsorted(R, spans[:, 0], side="right")
        last = np.searchsorted(R, spans[:, 1], side="right")
        np.add.at(marks, first, 1)
        np.add.at(marks, last + 1, -1)
    in_span = np.cumsum(marks[:-1]) > 0

    both = candidates | ambiguous | in_span
    keep_a = both.copy()
    keep_a[rank_buckets] = True
    kept = int(sa.counts[keep_a].sum()) + int(sb.counts[both].sum())
    if kept > MAX_SUBSET_SHARE * (n1 + n2):
        return None
    va, vb = grid.select(a, ids_a, keep_a, work), grid.select(b, ids_b, both, work)
    del ids_a, ids_b
    sa.hold(keep_a, va, grid.ids(va))
    sb.hold(both, vb, grid.ids(vb))

    # KS at every value of the candidate buckets (kept on both sides)
    on_a = candidates[sa.kept_ids]
    if on_a.any():
        xa, ia = va[on_a], sa.kept_ids[on_a]
        best_high = max(best_high, float(np.max(sa.le(xa, ia) / n1 - sb.le(xa, ia) / n2)))
    on_b = candidates[sb.kept_ids]
    if on_b.any():
        xb, ib = vb[on_b], sb.kept_ids[on_b]
        best_low = max(best_low, float(np.max(sb.le(xb, ib) / n2 - sa.le(xb, ib) / n1)))
    low_s = float(np.clip(best_low, 0, 1))
    statistic = low_s if low_s > best_high else best_high

    w = _wasserstein(grid, sa, sb, ambiguous)
    return BucketFigures(statistic, w, grid, sa, sb)


def _wasserstein(grid: _Grid, sa: _Side, sb: _Side, ambiguous: np.ndarray) -> float:
    n1, n2 = sa.n, sb.n
    width = grid.upper - grid.lower
    s_a, s_b = sa.sums, sb.sums  # sums of offsets from the bucket's lower edge
    fixed = ~ambiguous
    num = (sa.cum * n2 - sb.cum * n1)[fixed].astype(np.float64)
    part = num * width[fixed] - (s_a[fixed] * n2 - s_b[fixed] * n1)
    total = float(np.sum(np.abs(part))) / (float(n1) * float(n2))
    if not ambiguous.any():
        return total
    # exact integral over the ambiguous buckets, from their merged sorted values
    on_a, on_b = ambiguous[sa.kept_ids], ambiguous[sb.kept_ids]
    merged = np.concatenate([sa.kept[on_a], sb.kept[on_b]])
    ids = np.concatenate([sa.kept_ids[on_a], sb.kept_ids[on_b]])
    order = np.argsort(merged, kind="stable")
    merged, ids = merged[order], ids[order]
    diff = sa.le(merged, ids) / n1 - sb.le(merged, ids) / n2
    # each value's piece reaches to the next value of its bucket, or the bucket's upper edge
    nxt = np.empty_like(merged)
    nxt[:-1] = merged[1:]
    last = np.ones(merged.size, dtype=bool)
    last[:-1] = ids[1:] != ids[:-1]
    nxt[last] = grid.upper[ids[last]]
    pieces = float(np.sum(np.abs(diff) * (nxt - merged)))
    # and the piece from each ambiguous bucket's lower edge to its first value
    first = np.ones(merged.size, dtype=bool)
    first[1:] = ids[1:] != ids[:-1]
    k = ids[first]
    start = np.abs(sa.before[k] / n1 - sb.before[k] / n2) * (merged[first] - grid.lower[k])
    return total + (pieces + float(np.sum(start)))


def moments(x: np.ndarray) -> tuple[float, float]:
    """Mean and sum of squared deviations of a float sample (in chunks: no full-size
    temporary)."""
    mean = float(x.mean())
    m2 = 0.0
    buffer = np.empty(min(CHUNK, x.size))
    for s in range(0, x.size, CHUNK):
        part = x[s : s + CHUNK]
        dev = np.subtract(part, mean, out=buffer[: part.size])
        np.multiply(dev, dev, out=dev)  # not np.dot: BLAS threads would spin beside ours
        m2 += float(np.sum(dev))
    return mean, m2


@functools.cache
def sort_is_slow() -> bool:
    """Whether numpy sorts float64 here with its AVX-512 kernel on an AMD CPU (Zen 4), where
    that sort takes 50-90 ms per million values against 11-14 ms for its AVX2 kernel: there
    the bucket path costs a third of sorting; elsewhere (AVX2, Intel's AVX-512, ARM) sorting
    costs about as much as it or less (measured: ``benchmarks/README.md``, issue 14). Read
    from numpy's dispatch table (``NPY_DISABLE_CPU_FEATURES`` applies) and /proc/cpuinfo."""
    try:
        module = importlib.import_module("numpy._core._multiarray_umath")
    except ImportError:
        return False
    features = getattr(module, "__cpu_features__", {})
    if not (features.get("X86_V4") or features.get("AVX512_SKX")):
        return False
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("vendor_id"):
                    return "AuthenticAMD" in line
    except OSError:
        pass
    return False
