"""Multiple-testing correction of p-values, as statsmodels' ``multipletests`` defines it.

``bh`` (Benjamini-Hochberg false discovery rate, equal to
``scipy.stats.false_discovery_control(p, method="bh")``), ``holm`` (Holm-Bonferroni step-down,
family-wise error), ``bonferroni`` and ``None`` (no correction). Adjusted p-values are clipped
to 1; a column is significant when its adjusted p-value is below ``alpha``.

>>> [round(p, 6) for p in adjust([0.01, 0.04, 0.03], "bh")]
[0.03, 0.04, 0.04]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import MlgateInputError

CORRECTIONS = ("bh", "holm", "bonferroni", None)


def check_correction(correction: object, argument: str = "correction") -> None:
    """Raise an error naming ``argument`` unless ``correction`` is a known method."""
    if correction not in CORRECTIONS:
        raise MlgateInputError(
            argument,
            f"unknown correction {correction!r}.",
            "Use 'bh' (default), 'holm', 'bonferroni' or None.",
        )


def adjust(p_values: Sequence[float], correction: str | None) -> list[float]:
    """Adjusted p-values in the order given (plain floats)."""
    check_correction(correction)
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0:
        return []
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise MlgateInputError("p_values", "must be numbers in [0, 1] without NaN.")
    if correction is None:
        out = p.copy()
    elif correction == "bonferroni":
        out = np.minimum(p * m, 1.0)
    elif correction == "holm":
        order = np.argsort(p, kind="mergesort")
        stepped = np.maximum.accumulate(p[order] * np.arange(m, 0, -1))
        out = np.empty(m)
        out[order] = np.minimum(stepped, 1.0)
    else:  # bh
        order = np.argsort(p, kind="mergesort")
        scaled = p[order] * m / np.arange(1, m + 1)
        stepped = np.minimum.accumulate(scaled[::-1])[::-1]
        out = np.empty(m)
        out[order] = np.minimum(stepped, 1.0)
    return [float(v) for v in out]
