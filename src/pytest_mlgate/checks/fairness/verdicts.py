"""Verdicts and their words: the ``Outcome`` of a fairness check from its figures, with a
message that names the groups, the excluded ones and what to do; and the cap that keeps the
details of a feature with 100,000 groups small."""

from __future__ import annotations

import dataclasses
from typing import Any

from ...results import Outcome
from ...text import figure, number, preview
from .inputs import Groups

#: at most this many groups (and as many excluded groups) are stored in a check's details; the
#: rest are counted, so a sensitive feature with 100,000 groups keeps the audit small
MAX_LISTED_GROUPS = 500


def disparity_verdict(
    groups: Groups,
    details: dict[str, Any],
    value: float | None,
    ci: list[float] | None,
    kind: str,
    bound: float,
    title: str,
) -> Outcome:
    """Judge a difference (``value <= bound``) or a ratio (``value >= bound``) on the
    unfavourable end of ``ci`` when there is one; no value: ``insufficient``."""
    excluded = details["excluded"]
    if groups.expected_absent:
        return Outcome(False, value, absent_message(groups), details, ci)
    if value is None:
        if "undefined" in details:
            reason = f"The {title} {kind} is undefined: {details['undefined']}."
        else:
            compared = len(groups.labels) - len(excluded)
            reason = (
                f"Fewer than two groups can be compared ({compared}); excluded: "
                + excluded_list(excluded)
                + "."
            )
        return Outcome(None, None, reason + " " + more_data_hint(groups), details)
    if kind == "difference":
        judged = ci[1] if ci is not None else value
        ok = judged <= bound
        sign, side = "<=", "upper"
    else:
        judged = ci[0] if ci is not None else value
        ok = judged >= bound
        sign, side = ">=", "lower"
    pair = details["worst_pair"]
    values = details["groups"]
    other = values[pair[1]]["value"] if pair[1] in values else details["overall"]
    between = f"{pair[0]} {figure(values[pair[0]]['value'])} vs {pair[1]} {figure(other)}"
    ci_text = (
        f" ({round(details['confidence'] * 100)}% interval {figure(ci[0])} to {figure(ci[1])}; "
        f"{side} bound judged)"
        if ci is not None
        else ""
    )
    head = f"{title} {kind} {figure(value)}{ci_text}: {between}"
    if ok:
        message = f"{head}; within {sign} {number(bound)}." + excluded_note(excluded)
    else:
        message = (
            f"{head}; breaks {sign} {number(bound)}."
            + excluded_note(excluded)
            + f" Investigate the model's treatment of {pair[0]}, or record an accepted "
            "exception with severity='warn'."
        )
    return Outcome(ok, value, message, details, ci)


def group_verdict(
    groups: Groups,
    details: dict[str, Any],
    judged: dict[int, float],
    failing: list[int],
    worst: int | None,
    band: str,
    title: str,
    confidence: float | None,
) -> Outcome:
    """Every eligible group within ``band`` (``>= 0.5``, ``<= 0.2``, ``in [0.5, 0.9]``): the
    failing groups named; a group too small to judge makes it ``insufficient`` unless another
    group already fails."""
    excluded = details["excluded"]
    observed = judged[worst] if worst is not None else None
    interval = (
        details["groups"][groups.labels[worst]].get("interval") if worst is not None else None
    )
    if groups.expected_absent:
        return Outcome(False, observed, absent_message(groups), details, interval)
    if failing:
        shown = preview((f"{groups.labels[g]} {figure(judged[g])}" for g in failing), 4)
        what = "unfavourable interval bound" if confidence is not None else "value"
        verb = "groups miss" if len(failing) > 1 else "group misses"
        message = (
            f"{len(failing)} {verb} {title} {band} ({what}): {shown}."
            + excluded_note(excluded)
            + " Look into the model's errors for these groups."
        )
        return Outcome(False, observed, message, details, interval)
    small = [e for e in excluded if e["n"] > 0]
    if small or worst is None:
        message = (
            f"Too little data to judge {title} in every group: "
            + excluded_list(small or excluded)
            + ". "
            + more_data_hint(groups)
        )
        return Outcome(None, None, message, details)
    message = (
        f"Every group has {title} {band}; worst {groups.labels[worst]} "
        f"{figure(judged[worst])} over {len(judged)} groups." + excluded_note(excluded)
    )
    return Outcome(True, observed, message, details, interval)


def absent_message(groups: Groups) -> str:
    absent = groups.expected_absent
    return (
        f"Expected group{'s' if len(absent) > 1 else ''} absent from the data: "
        + preview(absent, 6)
        + ". The check cannot vouch for a group it never saw; add its rows to the evaluation data."
    )


def excluded_list(excluded: list[dict[str, Any]]) -> str:
    shown = [f"{e['group']} ({e['reason']})" for e in excluded[:4]]
    extra = len(excluded) - 4
    return "; ".join(shown) + (f"; +{extra} more" if extra > 0 else "")


def excluded_note(excluded: list[dict[str, Any]]) -> str:
    """One compact line, however many groups: ``2 groups excluded (A 19, B 25 positives
    for true_positive_rate; under min_group_size=30).``"""
    if not excluded:
        return ""
    reasons = {_reason_without_count(e["reason"]) for e in excluded}
    counted = all(isinstance(e["denominator"], int) for e in excluded)
    if len(reasons) == 1 and counted and reasons != {excluded[0]["reason"]}:
        shown = preview((f"{e['group']} {e['denominator']:,}" for e in excluded), 6)
        listed = f"{shown}: {reasons.pop()}"
    else:
        listed = excluded_list(excluded)
    word = "group" if len(excluded) == 1 else "groups"
    return f" {len(excluded)} {word} excluded ({listed})."


def _reason_without_count(reason: str) -> str:
    """``19 positives for true_positive_rate, under min_group_size=30`` without its leading
    count, which the compact list already gives per group."""
    head, _, rest = reason.partition(" ")
    return rest if head.replace(",", "").isdigit() else reason


def more_data_hint(groups: Groups) -> str:
    return (
        "Add evaluation rows for the small groups; lowering "
        f"min_group_size (now {groups.min_group_size}) makes the figure rest on a few rows."
    )


def finish(outcome: Outcome, groups: Groups) -> Outcome:
    """The data fingerprint added, the group lists capped (:func:`capped`)."""
    details = {**outcome.details, "data_fingerprint": groups.fingerprint}
    return capped(dataclasses.replace(outcome, details=details))


def capped(outcome: Outcome) -> Outcome:
    """Keep at most ``MAX_LISTED_GROUPS`` groups and excluded groups in the details, with
    counts of the rest. Listed first: the groups the verdict names (worst pair, worst group),
    then those furthest from the overall value; excluded groups in their order."""
    details = outcome.details
    groups = details.get("groups")
    if isinstance(groups, dict) and len(groups) > MAX_LISTED_GROUPS:
        named = [*(details.get("worst_pair") or []), details.get("worst_group")]
        pinned = [g for g in dict.fromkeys(named) if g in groups]
        overall = details.get("overall")

        def distance(item: tuple[str, dict[str, Any]]) -> float:
            value = item[1].get("value")
            if value is None or overall is None:
                return -1.0
            return float(abs(value - overall))

        ranked = sorted(groups.items(), key=distance, reverse=True)
        chosen = set(pinned)
        for label, _ in ranked:
            if len(chosen) >= MAX_LISTED_GROUPS:
                break
            chosen.add(label)
        details["groups"] = {k: v for k, v in groups.items() if k in chosen}
        details["groups_not_listed"] = len(groups) - len(chosen)
    excluded = details.get("excluded")
    if isinstance(excluded, list) and len(excluded) > MAX_LISTED_GROUPS:
        details["excluded"] = excluded[:MAX_LISTED_GROUPS]
        details["excluded_not_listed"] = len(excluded) - MAX_LISTED_GROUPS
    return outcome
