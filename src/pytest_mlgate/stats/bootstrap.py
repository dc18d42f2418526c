"""Vectorised bootstrap: resample counts, metric values of every resample, and intervals.

A resample is a vector of row counts (how many times each row was drawn), so the statistics
below never copy the data: a metric of all resamples at once is a few matrix products
(confusion cells, error sums) or, for ROC AUC and average precision, cumulative counts over the
rows sorted by score once.

A statistic may keep its rows in its own ``order`` (ROC AUC: sorted by score); the counts it
receives are then in that order, which saves a gather over every resample. Counts are drawn in
the order of the first statistic of a (paired) bootstrap and permuted for the others.

Resamples come in fixed-size chunks, each drawn from its own child of the check's seed
sequence, so the values do not depend on how many threads computed them.

>>> import numpy as np
>>> y = np.array([0, 1, 0, 1, 1, 0, 1, 0])
>>> s = np.array([0.1, 0.8, 0.3, 0.6, 0.9, 0.4, 0.35, 0.2])
>>> values = bootstrap_values(AUCStatistic(y, s), 200, np.random.SeedSequence(0))
>>> values.shape
(200,)
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np

#: Elements (resamples x rows) per chunk: 1 MiB of counts, so every pass stays in cache
#: (measured: 1.5 s instead of 2.3 s for 1,000 resamples of 100,000 rows on one core).
CHUNK_ELEMENTS = 1 << 17
#: Below this many elements in all, threads do not pay.
THREAD_MIN_ELEMENTS = 1 << 22
JACKKNIFE_BLOCKS = 200
#: rows shorter than this are summed in one ``cumsum(axis=1)`` (the same sequential sums):
#: at 100 rows the per-row loop cost 5x the arithmetic (issue 12's coverage simulations)
ROW_CUMSUM_MIN = 4096
#: row indices are drawn this many at a time (64 KiB): pieces this small come from the
#: allocator's free lists, while a whole resample's draws (800 KB at 100k rows) were mapped
#: and faulted in again for every chunk (issue 14: 640k page faults, 1.5 s of system time)
DRAW_PIECE = 1 << 13


class Workspace(threading.local):
    """Working buffers of one thread, allocated once and reused for every chunk.

    >>> ws = Workspace()
    >>> ws.get("counts", (2, 5), np.int64).shape
    (2, 5)
    """

    def __init__(self) -> None:
        self.buffers: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        """A buffer of at least ``shape`` (its leading rows), contents undefined."""
        buf = self.buffers.get(name)
        dtype = np.dtype(dtype)
        if (
            buf is None
            or buf.dtype != dtype
            or buf.shape[1:] != shape[1:]
            or buf.shape[0] < shape[0]
        ):
            buf = np.empty(shape, dtype=dtype)
            self.buffers[name] = buf
        return buf[: shape[0]]


class Statistic(Protocol):
    """A metric of weighted rows: ``batch(counts)`` gives one value per row of ``counts``."""

    n: int
    #: rows in the order ``batch`` expects its counts (None: the given order)
    order: np.ndarray | None

    def batch(self, counts: np.ndarray) -> np.ndarray: ...


# -- resampling ---------------------------------------------------------------------------


def chunk_size(n: int) -> int:
    """Resamples per chunk for ``n`` rows (depends on ``n`` only, never on the machine)."""
    return max(1, min(256, CHUNK_ELEMENTS // max(n, 1)))


def draw_counts(
    n: int, size: int, rng: np.random.Generator, out: np.ndarray | None = None
) -> np.ndarray:
    """Counts of ``size`` bootstrap resamples of ``n`` rows: an int64 array (size, n),
    written into ``out`` when given (a reused buffer).

    Row indices come from ``Generator.integers`` (Lemire's method with rejection: exactly
    uniform), ``DRAW_PIECE`` at a time, and are counted with ``add.at``. Successive calls of
    ``integers`` continue one stream, so the counts equal those of one call for all the
    resamples of the chunk (tested).
    """
    counts = np.zeros((size, n), dtype=np.int64) if out is None else out
    counts.fill(0)
    for row in counts:
        for start in range(0, n, DRAW_PIECE):
            draws = rng.integers(0, n, size=min(DRAW_PIECE, n - start), dtype=np.int64)
            np.add.at(row, draws, 1)
    return counts


def resample_rows(counts: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """The row indices of one resample, from its counts in ``order`` (for reference
    computations and tests)."""
    rows = np.arange(len(counts)) if order is None else order
    return np.repeat(rows, counts)


def iter_counts(n: int, n_boot: int, seed: np.random.SeedSequence) -> Iterator[np.ndarray]:
    """The count matrices of ``n_boot`` resamples, chunk by chunk (serial)."""
    step = chunk_size(n)
    children = seed.spawn(math.ceil(n_boot / step))
    for j, child in enumerate(children):
        size = min(step, n_boot - j * step)
        yield draw_counts(n, size, np.random.Generator(np.random.PCG64(child)))


def bootstrap_values(
    statistic: Statistic, n_boot: int, seed: np.random.SeedSequence, *, threads: int | None = None
) -> np.ndarray:
    """The statistic on ``n_boot`` resamples (NaN where a resample leaves it undefined)."""
    values = bootstrap_many([statistic], n_boot, seed, threads=threads)
    return values[0]


def bootstrap_many(
    statistics: Sequence[Statistic],
    n_boot: int,
    seed: np.random.SeedSequence,
    *,
    threads: int | None = None,
) -> list[np.ndarray]:
    """Several statistics of the same rows on the same resamples (a paired bootstrap)."""
    n = statistics[0].n
    step = chunk_size(n)
    children = seed.spawn(math.ceil(n_boot / step))
    out = [np.empty(n_boot) for _ in statistics]
    first = statistics[0].order
    inverse = None if first is None else np.argsort(first)
    perms: list[np.ndarray | None] = []
    for stat in statistics:
        if stat.order is first:
            perms.append(None)
        elif inverse is None:
            perms.append(stat.order)
        elif stat.order is None:
            perms.append(inverse)
        else:
            perms.append(inverse[stat.order])

    workspace = Workspace()

    def work(j: int) -> None:
        size = min(step, n_boot - j * step)
        counts = draw_counts(
            n,
            size,
            np.random.Generator(np.random.PCG64(children[j])),
            out=workspace.get("counts", (size, n), np.int64),
        )
        for stat, perm, target in zip(statistics, perms, out, strict=True):
            mine = counts if perm is None else np.take(counts, perm, axis=1)
            target[j * step : j * step + size] = stat.batch(mine)

    if threads is None:
        threads = min(2, os.cpu_count() or 1) if n * n_boot >= THREAD_MIN_ELEMENTS else 1
    if threads > 1 and len(children) > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(work, range(len(children))))
    else:
        for j in range(len(children)):
            work(j)
    return out


# -- statistics ---------------------------------------------------------------------------


def _row_cumsum(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Cumulative sums along each row, one 1-D ``cumsum`` per row: numpy releases the GIL for
    a 1-D accumulate but not along ``axis=1`` of a 2-D array, and this runs on two threads
    (measured: 1.06 s serial vs 0.53 s on two threads for 4,000 rows of 100k, against no gain
    with ``axis=1``)."""
    if out is None:
        out = np.empty_like(x)
    if x.shape[1] < ROW_CUMSUM_MIN:  # short rows: one call, no per-row Python overhead
        return np.cumsum(x, axis=1, out=out)
    for r in range(x.shape[0]):
        np.cumsum(x[r], out=out[r])
    return out


def _weights(weights: Any, n: int) -> np.ndarray | None:
    return None if weights is None else np.asarray(weights, dtype=np.float64)


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


class MeanStatistic:
    """A weighted mean of per-row values: MAE, MSE, MAPE, log loss, Brier (``transform``
    maps the mean, e.g. ``sqrt`` for RMSE)."""

    order: np.ndarray | None = None

    def __init__(
        self,
        values: np.ndarray,
        weights: Any = None,
        transform: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        w = _weights(weights, len(values))
        v = np.asarray(values, dtype=np.float64)
        self.n = len(v)
        self._cols = np.column_stack(
            [v if w is None else w * v, np.ones(self.n) if w is None else w]
        )
        self._transform = transform

    def batch(self, counts: np.ndarray) -> np.ndarray:
        sums = counts.astype(np.float64) @ self._cols
        value = _divide(sums[:, 0], sums[:, 1])
        return self._transform(value) if self._transform is not None else value


class R2Statistic:
    """The coefficient of determination from weighted sums (scikit-learn's ``r2_score``: 1.0
    for a perfect fit of a constant target, 0.0 for an imperfect one)."""

    order: np.ndarray | None = None

    def __init__(self, y_true: np.ndarray, y_pred: np.ndarray, weights: Any = None) -> None:
        yt = np.asarray(y_true, dtype=np.float64)
        yp = np.asarray(y_pred, dtype=np.float64)
        self.n = len(yt)
        w = np.ones(self.n) if weights is None else _weights(weights, self.n)
        assert w is not None
        yc = yt - np.average(yt, weights=w)
        self._cols = np.column_stack([w, w * yc, w * yc * yc, w * (yt - yp) ** 2])

    def batch(self, counts: np.ndarray) -> np.ndarray:
        s = counts.astype(np.float64) @ self._cols
        sw, swy, swy2, sse = s[:, 0], s[:, 1], s[:, 2], s[:, 3]
        mean = _divide(swy, sw)
        sst = swy2 - swy * mean
        sst = np.where(sst <= 1e-12 * np.maximum(swy2, 1e-300), 0.0, sst)
        r2 = 1.0 - _divide(sse, sst)
        r2 = np.where(sst == 0, np.where(sse == 0, 1.0, 0.0), r2)
        return np.where(sw > 0, r2, np.nan)


class ConfusionStatistic:
    """Metrics of the confusion matrix: one matrix product gives every resample's cells.

    ``truth`` and ``pred`` are class codes in ``range(k)``; ``func`` maps an array of
    confusion matrices (b, k, k), rows = truth, to values (b,).
    """

    order: np.ndarray | None = None

    def __init__(
        self,
        truth: np.ndarray,
        pred: np.ndarray,
        k: int,
        func: Callable[[np.ndarray], np.ndarray],
        weights: Any = None,
    ) -> None:
        self.n = len(truth)
        self.k = k
        cell = np.asarray(truth, dtype=np.intp) * k + np.asarray(pred, dtype=np.intp)
        w = _weights(weights, self.n)
        onehot = np.zeros((self.n, k * k))
        onehot[np.arange(self.n), cell] = 1.0 if w is None else w
        self._onehot = onehot
        self._func = func

    def batch(self, counts: np.ndarray) -> np.ndarray:
        cells = counts.astype(np.float64) @ self._onehot
        return self._func(cells.reshape(-1, self.k, self.k))


class AUCStatistic:
    """ROC AUC of every resample from one sort: the Mann-Whitney sum of weighted cumulative
    negative counts at each positive (ties count one half). Equals ``roc_auc_score``.

    With the rows sorted by score and ``a`` the (weighted) counts, the sum over positives of
    ``a_i`` times the inclusive cumulative count at ``i`` counts every negative below ``i`` plus
    the positive pairs, ``(P**2 + sum a_i**2) / 2``, which are subtracted.
    """

    def __init__(self, positive: np.ndarray, score: np.ndarray, weights: Any = None) -> None:
        pos = np.asarray(positive).astype(bool)
        s = np.asarray(score, dtype=np.float64)
        self.n = len(s)
        self.order = np.argsort(s, kind="stable")
        ss = s[self.order]
        spos = pos[self.order]
        self._pos_at = np.flatnonzero(spos)
        new = np.empty(self.n, dtype=bool)
        new[:1] = True
        new[1:] = ss[1:] != ss[:-1]
        self._ties = bool(np.count_nonzero(new) < self.n)
        if self._ties:
            starts = np.flatnonzero(new)
            group = np.cumsum(new) - 1
            ends = np.append(starts[1:], self.n)
            start = starts[group[self._pos_at]]
            end = ends[group[self._pos_at]]
            # positives strictly before a position, as an index into the positives' cumsum
            self._start = start
            self._end = end
            self._pstart = np.searchsorted(self._pos_at, start)
            self._pend = np.searchsorted(self._pos_at, end)
        w = _weights(weights, self.n)
        self._w = None if w is None else w[self.order]
        self._mask_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._workspace = Workspace()

    def _masks(self, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
        """0/1 masks of the positive and negative rows, in the counts' dtype (cached)."""
        key = np.dtype(dtype).str
        if key not in self._mask_cache:
            pos = np.zeros(self.n, dtype=dtype)
            pos[self._pos_at] = 1
            self._mask_cache[key] = (pos, 1 - pos)
        return self._mask_cache[key]

    def batch(self, counts: np.ndarray) -> np.ndarray:
        a = counts if self._w is None else counts * self._w
        b = a.shape[0]
        if not self._ties:
            # U = sum over positives of a_i times the negatives counted below i: full-width
            # products instead of gathers (fewer passes over the counts)
            is_pos, is_neg = self._masks(a.dtype)
            ws = self._workspace
            apos = np.multiply(a, is_pos, out=ws.get("apos", a.shape, a.dtype))
            total_pos = apos.sum(axis=1)
            total = a.sum(axis=1)
            aneg = np.multiply(a, is_neg, out=ws.get("aneg", a.shape, a.dtype))
            below = _row_cumsum(aneg, out=ws.get("below", a.shape, a.dtype))
            twice = 2 * np.einsum("ij,ij->i", apos, below)
        else:
            apos = a[:, self._pos_at]
            total_pos = apos.sum(axis=1)
            cum = np.zeros((b, self.n + 1), dtype=a.dtype)
            _row_cumsum(a, out=cum[:, 1:])
            total = cum[:, -1]
            cpos = np.zeros((b, len(self._pos_at) + 1), dtype=a.dtype)
            _row_cumsum(apos, out=cpos[:, 1:])
            below = cum[:, self._start] - cpos[:, self._pstart]
            upto = cum[:, self._end] - cpos[:, self._pend]
            twice = np.einsum("ij,ij->i", apos, below + upto)
        total_neg = total - total_pos
        return _divide(twice / 2.0, (total_pos * total_neg).astype(np.float64))


class APStatistic:
    """Average precision of every resample (scikit-learn's step-wise definition) from
    cumulative true and false positives over the scores sorted once, descending."""

    def __init__(self, positive: np.ndarray, score: np.ndarray, weights: Any = None) -> None:
        pos = np.asarray(positive).astype(bool)
        s = np.asarray(score, dtype=np.float64)
        self.n = len(s)
        order = np.argsort(-s, kind="stable")
        ss = s[order]
        last = np.empty(self.n, dtype=bool)
        last[-1:] = True
        last[:-1] = ss[1:] != ss[:-1]
        self.order = order
        self._last = np.flatnonzero(last)
        self._pos = pos[order]
        w = _weights(weights, self.n)
        self._w = None if w is None else w[order]

    def batch(self, counts: np.ndarray) -> np.ndarray:
        c = counts.astype(np.float64)
        if self._w is not None:
            c *= self._w
        tp = np.where(self._pos, c, 0.0)
        ctp = _row_cumsum(tp)[:, self._last]
        call = _row_cumsum(c)[:, self._last]
        gained = np.diff(ctp, axis=1, prepend=0.0)
        precision = _divide(ctp, call)
        precision = np.where(gained > 0, precision, 0.0)
        total = ctp[:, -1]
        return _divide(np.einsum("ij,ij->i", gained, precision), total)


class LoopStatistic:
    """Any metric ``f(rows) -> float`` on each resample in turn (the slow, general path)."""

    order: np.ndarray | None = None

    def __init__(self, n: int, func: Callable[[np.ndarray], float]) -> None:
        self.n = n
        self._func = func

    def batch(self, counts: np.ndarray) -> np.ndarray:
        out = np.empty(counts.shape[0])
        for i, row in enumerate(counts):
            try:
                value = float(self._func(resample_rows(row)))
            except (ValueError, ZeroDivisionError, FloatingPointError):
                value = math.nan
            out[i] = value
        return out


class DifferenceStatistic:
    """``sign * (a - b)`` on the same resamples: a paired bootstrap of two statistics."""

    def __init__(self, a: Statistic, b: Statistic, sign: float = 1.0) -> None:
        self.n = a.n
        self.order = a.order
        self._a, self._b, self._sign = a, b, sign
        inverse = None if a.order is None else np.argsort(a.order)
        if b.order is a.order:
            self._perm = None
        elif inverse is None:
            self._perm = b.order
        elif b.order is None:
            self._perm = inverse
        else:
            self._perm = inverse[b.order]

    def batch(self, counts: np.ndarray) -> np.ndarray:
        other = counts if self._perm is None else np.take(counts, self._perm, axis=1)
        values: np.ndarray = self._sign * (self._a.batch(counts) - self._b.batch(other))
        return values


# -- intervals ----------------------------------------------------------------------------


def jackknife_values(statistic: Statistic, seed: np.random.SeedSequence) -> np.ndarray:
    """Leave-one-out values (exact for up to 200 rows), else delete-a-block values over 200
    blocks of a seeded permutation of the rows."""
    n = statistic.n
    blocks = min(n, JACKKNIFE_BLOCKS)
    perm = np.random.default_rng(seed).permutation(n)
    groups = np.array_split(perm, blocks)
    out = np.empty(blocks)
    step = max(1, CHUNK_ELEMENTS // max(n, 1))
    for start in range(0, blocks, step):
        part = groups[start : start + step]
        counts = np.ones((len(part), n), dtype=np.int64)
        for i, g in enumerate(part):
            counts[i, g] = 0
        if statistic.order is not None:
            counts = counts[:, statistic.order]
        out[start : start + len(part)] = statistic.batch(counts)
    return out


CI_METHODS = ("auto", "clopper_pearson", "percentile", "bca")


def check_interval_args(confidence: Any, n_boot: Any, ci_method: Any) -> None:
    """The one validator of ``confidence=``, ``n_boot=`` and ``ci_method=`` (performance and
    fairness checks take the same arguments)."""
    import numbers

    from ..errors import MlgateInputError

    if confidence is not None and (
        isinstance(confidence, bool)
        or not isinstance(confidence, numbers.Real)
        or not 0 < float(confidence) < 1
    ):
        raise MlgateInputError(
            "confidence", f"must be a level in (0, 1) such as 0.95, got {confidence!r}."
        )
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 10:
        raise MlgateInputError("n_boot", f"must be an integer >= 10, got {n_boot!r}.")
    if ci_method not in CI_METHODS:
        raise MlgateInputError(
            "ci_method", f"must be one of {', '.join(CI_METHODS)}, got {ci_method!r}."
        )
