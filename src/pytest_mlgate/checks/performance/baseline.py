"""Today's figure against the committed baseline (``expect_no_regression``).

The check reads the baseline file and never writes it: in an update run it requests the new
value in ``details["baseline_update"]`` and the controller decides (``baselines``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...metrics import resolve
from ...results import Outcome
from ...text import figure, number, percent
from ..bands import is_number
from ..targets import Targets
from .arguments import check_interval, check_regression_rule
from .estimate import Estimate, estimate

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class BaselineFlow:
    """Where baselines are and what this run does with them (from the gate's settings)."""

    directory: Path
    root: Path
    update: bool = False
    force: bool = False
    severity: str = "block"  # the check's declared severity, kept with a requested update


def regression_outcome(
    data: Targets,
    subject: str,
    metric: str | Callable[..., float],
    baseline: str,
    rules: dict[str, Any],
    confidence: float | None,
    n_boot: int,
    ci_method: str,
    greater_is_better: bool | None,
    flow: BaselineFlow,
    seed: np.random.SeedSequence,
) -> Outcome:
    """Today's value (its unfavourable bound with ``confidence``) against the baseline
    ``<subject>.<metric>`` of file ``baseline``, by the one rule in ``rules``."""
    from ...baselines import UPDATE_COMMAND, baseline_path, read_baseline
    from ...paths import display_path

    rule, limit = check_regression_rule(rules)
    shown = display_path(baseline_path(flow.directory, baseline), flow.root)
    check_interval(confidence, n_boot, ci_method)
    m = resolve(
        metric,
        greater_is_better=greater_is_better,
        needed_for="to compare it with a baseline",
    )
    est = estimate(data, m, confidence, n_boot, ci_method, seed)
    details = est.details()
    key = f"{subject}.{m.name}"
    fingerprint = data.fingerprint(m)
    rows = data.rows_fingerprint()
    details.update(baseline_file=shown, key=key, fingerprint=fingerprint)
    threshold: dict[str, Any] = {"baseline_name": baseline, **rules}
    if est.value is None:
        return Outcome(None, None, est.undefined_message(), details, threshold=threshold)
    stored = read_baseline(flow.directory, baseline)
    entry = None if stored is None else stored.get(key)
    base = entry.get("value") if isinstance(entry, dict) else None
    if flow.update:
        details["baseline_update"] = {
            "baseline": baseline,
            "key": key,
            "value": est.value,
            "fingerprint": fingerprint,
            "rows_fingerprint": rows,
            "n": est.n,
            "old": base if is_number(base) else None,
            "old_commit": entry.get("commit") if isinstance(entry, dict) else None,
            "greater_is_better": m.greater_is_better,
            "severity": flow.severity,
        }
    if not isinstance(entry, dict) or not is_number(base):
        where = f"{shown} does not exist" if stored is None else f"{shown} has no {key!r}"
        message = (
            f"No baseline to compare with: {where}. Create it with "
            f"`{UPDATE_COMMAND}`, review and commit the file."
        )
        if flow.update:
            return _update_outcome(details, False, message, est, threshold, flow.force)
        return Outcome(False, est.value, message, details, est.interval(), threshold)
    threshold["baseline"] = base
    base_value = float(entry["value"])
    details["baseline_fingerprint"] = entry.get("fingerprint")
    details["baseline_commit"] = entry.get("commit")
    details["fingerprint_changed"] = entry.get("fingerprint") not in (None, fingerprint)
    # "the data changed" compares the evaluation rows only: a new model changes the
    # predictions, and with them the combined fingerprint, on the very same rows
    stored_rows = entry.get("rows_fingerprint")
    changed = stored_rows not in (None, rows)
    details["baseline_rows_fingerprint"] = stored_rows
    details["rows_changed"] = changed if stored_rows is not None else None
    today = est.value
    if confidence is not None:
        if est.low is None or est.high is None:
            return Outcome(None, est.value, est.no_interval_message(), details, threshold=threshold)
        today = est.low if m.greater_is_better else est.high
    gain = (today - base_value) if m.greater_is_better else (base_value - today)
    details["change"] = gain
    ok, verdict = _judge(rule, limit, gain, base_value, details)
    bound = "" if confidence is None else f" (unfavourable bound {figure(today)})"
    if gain > 0:
        moved = f"better by {figure(gain)}"
    elif gain < 0:
        moved = f"worse by {figure(-gain)}"
    else:
        moved = "unchanged"
    message = (
        f"{m.name} = {figure(est.value)}{est.interval_text()}{bound} vs baseline "
        f"{figure(base_value)}: {moved}; {verdict}."
    )
    if not ok:
        message += " Find what regressed, or update the baseline if the drop is intended."
    if changed:
        message += (
            " Note: the evaluation rows differ from the baseline's (their hash changed), "
            "so the figures are not on the same data."
        )
    if flow.update:
        return _update_outcome(details, ok, message, est, threshold, flow.force, base_value)
    return Outcome(ok, est.value, message, details, est.interval(), threshold)


def _judge(
    rule: str, limit: float, gain: float, base: float, details: dict[str, Any]
) -> tuple[bool, str]:
    """Whether ``gain`` (positive = better) meets the rule, and the rule in words."""
    if rule == "max_drop":
        return gain >= -limit, f"a drop of at most {number(limit)} is allowed"
    if rule == "min_gain":
        return gain >= limit, f"a gain of at least {number(limit)} is required"
    if base == 0:
        details["relative_change"] = None
        return gain >= 0, (
            "the baseline is 0, so a relative drop is undefined (not divided by): "
            "no drop is allowed"
        )
    relative = gain / abs(base)
    details["relative_change"] = relative
    change = ("+" if relative >= 0 else "-") + percent(abs(relative))
    return relative >= -limit, (
        f"relative change {change}; a relative drop of at most {percent(limit)} is allowed"
    )


def _update_outcome(
    details: dict[str, Any],
    ok: bool,
    message: str,
    est: Estimate,
    threshold: dict[str, Any],
    force: bool,
    base: float | None = None,
) -> Outcome:
    """A regression check in an update run: the judgement against the committed baseline is
    kept in ``details`` for the controller. A new value that breaks the rule is refused here
    (the check fails as it would without the update); otherwise the result is "to be
    written, not judged" and the controller decides (baselines.decide_updates)."""
    update = details["baseline_update"]
    update["judged_ok"] = ok if base is not None else None
    update["judged_message"] = message
    if base is not None and not ok and not force:
        update["refused"] = "the new value breaks the check's rule against the committed baseline"
        return Outcome(
            False,
            est.value,
            message + " The baseline is not updated: a value worse than the rule allows is "
            "written only with --mlgate-update-baselines=force.",
            details,
            est.interval(),
            threshold,
        )
    old = "none" if base is None else number(base)
    return Outcome(
        None,
        est.value,
        f"Baseline update requested: {update['key']} {old} -> {number(est.value)}; not judged "
        "in an update run. It is written at the end of the session unless the gate fails.",
        details,
        est.interval(),
        threshold,
    )
