"""Two verdicts on one model's figure: within a band (``expect``), and not worse than another
model on the same rows (``expect_not_worse_than``). With ``confidence=`` each is judged on the
interval's unfavourable bound."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...metrics import resolve
from ...results import Outcome
from ...text import figure, number, plural, signed
from ..bands import band_text, check_band
from ..targets import Targets
from .arguments import band_direction, check_interval, check_margin
from .estimate import compare, estimate

if TYPE_CHECKING:
    import numpy as np


def band_outcome(
    data: Targets,
    metric: str | Callable[..., float],
    low: float | None,
    high: float | None,
    confidence: float | None,
    n_boot: int,
    ci_method: str,
    greater_is_better: bool | None,
    seed: np.random.SeedSequence,
) -> Outcome:
    """The metric (its interval with ``confidence``) lies within ``[low, high]``."""
    check_band(low, high)
    check_interval(confidence, n_boot, ci_method)
    given = band_direction(metric, greater_is_better, low, high)
    band_only = callable(metric) and given is None  # both bounds: no side to favour
    m = resolve(metric, greater_is_better=True if band_only else given)
    est = estimate(data, m, confidence, n_boot, ci_method, seed)
    details = est.details()
    if band_only:
        details["direction"] = "not needed (a band)"
    if est.value is None:
        return Outcome(None, None, est.undefined_message(), details)
    if confidence is not None and est.low is None:
        return Outcome(None, est.value, est.no_interval_message(), details)
    bottom, top = est.bounds(confidence)
    which = ("its lower bound ", "its upper bound ") if confidence is not None else ("", "")
    failures = []
    if low is not None and bottom < low:
        failures.append(f"{which[0]}{figure(bottom)} < {number(low)}")
    if high is not None and top > high:
        failures.append(f"{which[1]}{figure(top)} > {number(high)}")
    message = f"{m.name} = {figure(est.value)}{est.interval_text()} on {est.size_text()}"
    message += (
        "; " + " and ".join(failures) + ". Improve the model or revisit the threshold."
        if failures
        else f", within {band_text(low, high)}."
    )
    return Outcome(not failures, est.value, message, details, est.interval())


def challenger_outcome(
    data: Targets,
    other: Any,
    metric: str | Callable[..., float],
    margin: float,
    confidence: float | None,
    n_boot: int,
    ci_method: str,
    other_name: str,
    greater_is_better: bool | None,
    seed: np.random.SeedSequence,
) -> Outcome:
    """This model minus ``other`` (positive = better): a superiority test with ``margin=0``
    (the lower bound above 0), else a non-inferiority test (the lower bound >= -margin)."""
    check_margin(margin)
    check_interval(confidence, n_boot, ci_method)
    m = resolve(
        metric,
        greater_is_better=greater_is_better,
        needed_for="to compare it with the other model",
    )
    est = compare(data, other, m, confidence, n_boot, ci_method, seed)
    details = est.details()
    details["other"] = other_name
    details["margin"] = margin
    if est.value is None:
        return Outcome(None, None, est.undefined_message(), details)
    if confidence is not None and est.low is None:
        return Outcome(None, est.value, est.no_interval_message(), details)
    low, _ = est.bounds(confidence)
    bound = "lower bound " if confidence is not None else ""
    message = (
        f"{m.name} difference vs {other_name} = {signed(est.value)}{est.interval_text()} "
        f"(positive = better) on {plural(est.n, 'row')}; "
    )
    if margin == 0:
        details["test"] = "superiority"
        ok = low > 0
        message += (
            f"superiority test (margin 0): {bound}{signed(low)} > 0, shown better."
            if ok
            else f"superiority test (margin 0): {bound}{signed(low)} <= 0, not shown "
            f"better than {other_name}. An equally good model fails this test; to "
            "accept one that is not worse, pass margin= (the largest loss you accept)."
        )
    else:
        details["test"] = "non-inferiority"
        ok = low >= -margin
        message += (
            f"non-inferiority test: {bound}{signed(low)} >= -{number(margin)}."
            if ok
            else f"non-inferiority test: {bound}{signed(low)} < -{number(margin)}: not shown "
            f"to be at most {number(margin)} worse than {other_name}. Keep the champion."
        )
    return Outcome(ok, est.value, message, details, est.interval())
