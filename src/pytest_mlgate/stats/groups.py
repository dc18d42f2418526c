"""Per-group confusion counts, their rates and disparities, and a group-stratified bootstrap.

Everything here works on integer group codes (``0 .. n_groups - 1``) and boolean label arrays;
nothing knows pytest or the gate. Rates follow fairlearn's definitions, except that a rate
whose denominator is 0 is NaN (undefined) instead of 0.0.

The confusion table of every group comes from one ``numpy.bincount`` over
``code * 4 + cell`` with cells ``tp, fp, fn, tn``. The bootstrap resamples rows *within each
group* (so no group vanishes from a resample). For rate metrics a resample of ``n_g`` rows of
group ``g`` only matters through its four cell counts, which follow the multinomial
distribution ``Multinomial(n_g, counts_g / n_g)``: drawing those counts directly is the same
bootstrap, with cost ``O(groups x resamples)`` instead of ``O(rows x resamples)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

CELLS = ("tp", "fp", "fn", "tn")
_CELL_INDEX = {c: i for i, c in enumerate(CELLS)}
DIFFERENCE = "difference"
RATIO = "ratio"
BETWEEN_GROUPS = "between_groups"
TO_OVERALL = "to_overall"
METHODS = (BETWEEN_GROUPS, TO_OVERALL)


def confusion_counts(
    codes: np.ndarray, n_groups: int, truth: np.ndarray, pred: np.ndarray
) -> np.ndarray:
    """Per-group confusion counts, shape ``(n_groups, 4)`` with columns ``tp, fp, fn, tn``.

    ``truth`` and ``pred`` are booleans (``label == pos_label``); one bincount pass.

    >>> confusion_counts(np.array([0, 0, 1]), 2, np.array([True, False, True]),
    ...                  np.array([True, True, False])).tolist()
    [[1, 1, 0, 0], [0, 0, 1, 0]]
    """
    cell = (~pred).astype(np.int64) * 2 + (~truth).astype(np.int64)
    flat = np.bincount(codes.astype(np.int64) * 4 + cell, minlength=n_groups * 4)
    return flat.reshape(n_groups, 4)


def cell_sum(counts: np.ndarray, cells: Sequence[str]) -> np.ndarray:
    """Sum of the named cells along the last axis (works on any leading shape)."""
    idx = [_CELL_INDEX[c] for c in cells]
    return np.asarray(counts[..., idx].sum(axis=-1))


def rate(
    counts: np.ndarray, numerator: Sequence[str], denominator: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """``(values, denominators)``: the rate per row of ``counts``; NaN where the denominator
    is 0."""
    num = cell_sum(counts, numerator).astype(np.float64)
    den = cell_sum(counts, denominator)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    return values, den


def disparity(
    values: np.ndarray, overall: np.ndarray | float, kind: str, method: str
) -> np.ndarray:
    """fairlearn's difference or ratio over the last axis, ignoring nothing.

    ``values`` has groups on its last axis (only the groups being compared); ``overall`` has
    the leading shape. ``between_groups``: ``max - min`` or ``min / max``; ``to_overall``:
    ``max |g - overall|`` or ``min_g min(r, 1/r)`` with ``r = g / overall``. NaN where the figure
    is undefined (a NaN value, or ``0 / 0``).
    """
    values = np.asarray(values, dtype=np.float64)
    overall = np.asarray(overall, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == BETWEEN_GROUPS:
            high = values.max(axis=-1)
            low = values.min(axis=-1)
            if kind == DIFFERENCE:
                return np.asarray(high - low)
            return np.where(high > 0, low / np.where(high > 0, high, 1.0), np.nan)
        if kind == DIFFERENCE:
            return np.asarray(np.abs(values - overall[..., None]).max(axis=-1))
        r = values / overall[..., None]
        folded = np.where(r > 1, 1.0 / r, r)
        folded = np.where(np.isnan(r), np.nan, folded)
        out = folded.min(axis=-1)
        return np.where(np.isnan(folded).any(axis=-1), np.nan, out)


def worst_pair(
    values: np.ndarray, overall: float, kind: str, method: str
) -> tuple[int, int | None]:
    """Positions of the groups behind the figure: ``(lowest, highest)`` between groups, or
    ``(worst, None)`` against the overall value."""
    if method == BETWEEN_GROUPS:
        return int(np.argmin(values)), int(np.argmax(values))
    if kind == DIFFERENCE:
        return int(np.argmax(np.abs(values - overall))), None
    with np.errstate(invalid="ignore", divide="ignore"):
        r = values / overall
        folded = np.where(r > 1, 1.0 / r, r)
    return int(np.nanargmin(folded)), None


def bootstrap_counts(counts: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Group-stratified bootstrap of confusion counts: shape ``(n_boot, n_groups, 4)``.

    Each group's rows are resampled with replacement within the group, through the multinomial
    distribution of its four cell counts (see the module docstring). Empty groups stay empty.

    >>> c = np.array([[3, 1, 0, 6], [1, 0, 1, 0]])
    >>> b = bootstrap_counts(c, 5, np.random.default_rng(0))
    >>> b.shape, bool((b.sum(axis=2) == c.sum(axis=1)).all())
    ((5, 2, 4), True)
    """
    counts = np.asarray(counts, dtype=np.int64)
    n = counts.sum(axis=1)
    safe = np.where(n > 0, n, 1)
    pvals = counts / safe[:, None]
    pvals[n == 0] = np.array([0.0, 0.0, 0.0, 1.0])
    return rng.multinomial(n, pvals, size=(n_boot, counts.shape[0]))


def jackknife_counts(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Leave-one-row-out confusion tables and how many rows give each.

    Leaving out one row only lowers one cell of one group by 1, so the ``n`` jackknife tables
    collapse into at most ``4 x n_groups`` distinct ones: returns ``(tables, weights)`` with
    ``tables`` of shape ``(k, n_groups, 4)`` and ``weights`` the number of rows behind each.
    """
    counts = np.asarray(counts, dtype=np.int64)
    groups, cells = np.nonzero(counts)
    tables = np.repeat(counts[None, :, :], len(groups), axis=0)
    tables[np.arange(len(groups)), groups, cells] -= 1
    return tables, counts[groups, cells].astype(np.float64)
