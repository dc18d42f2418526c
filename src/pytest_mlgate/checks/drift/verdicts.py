"""The verdicts of the drift checks over a comparison's column figures, and their messages.

One boundary rule for every drift verdict: a column passes at a distance equal to its
threshold (``statistic <= threshold``, drifted only above it), at a p-value equal to ``alpha``
(significant only below it), and drifts under ``auto`` once its effect reaches
``effect_floor`` (``effect >= effect_floor``, with a significant test).
"""

from __future__ import annotations

from typing import Any

from ...errors import MlgateInputError
from ...results import Outcome
from ...stats.multitest import adjust
from ...text import figure, number, percent
from .figures import ColumnFigures, Figures
from .inputs import CONTROLS, P_VALUE_TESTS, not_applicable


def no_drift(
    figures: Figures,
    use: list[Any],
    details: dict[str, Any],
    *,
    test: str,
    alpha: float,
    correction: str | None,
    effect_floor: float,
    max_drifted_share: float,
    min_rows: int,
    threshold: float | None,
) -> Outcome:
    """``expect_no_drift``: the share of judged columns that drifted, against
    ``max_drifted_share``; ``threshold`` is the distance bound (distances only)."""
    figures.prefetch(use)
    skipped: list[dict[str, str]] = []
    judged: dict[Any, ColumnFigures] = {}
    thin = []
    for col in use:
        fig = figures(col)
        reason = fig.skipped or not_applicable(test, fig.kind)
        if reason:
            skipped.append({"column": str(col), "reason": reason})
            continue
        judged[col] = fig
        if fig.n_ref < min_rows or fig.n_cur < min_rows:
            thin.append(col)
    details.update(test=test, skipped=skipped)
    if thin:
        details["columns"] = {
            str(c): {"n_reference": judged[c].n_ref, "n_current": judged[c].n_cur} for c in thin
        }
        return Outcome(
            None,
            None,
            f"Too few non-null rows to judge drift (min_rows={min_rows}): "
            + ", ".join(
                f"{c} ({judged[c].n_ref} reference, {judged[c].n_cur} current)" for c in thin[:5]
            )
            + ".",
            details,
        )
    if not judged:
        return Outcome(
            None,
            None,
            "No column left to judge: all were skipped ("
            + "; ".join(f"{s['column']}: {s['reason']}" for s in skipped[:5])
            + ").",
            details,
        )
    names = list(judged)
    if threshold is not None:
        short = too_few_for_distance(judged, test, threshold, alpha / len(names))
        if short:
            details["columns"] = short
            details["false_alarm_budget"] = alpha
            return Outcome(None, None, distance_message(short, test), details)
    p_adj: list[float | None] = [None] * len(names)
    if test in P_VALUE_TESTS:
        p_adj = list(adjust([_known(judged[c].p_value) for c in names], correction))
    per_column: dict[str, Any] = {}
    drifted = []
    for col, padj in zip(names, p_adj, strict=True):
        fig = judged[col]
        stat, p = fig.figure(test)
        is_drift = drifts(fig, test, padj, alpha, effect_floor, threshold)
        effect = fig.effect if test in P_VALUE_TESTS else stat
        if is_drift:
            drifted.append(col)
        per_column[str(col)] = column_record(fig, test, stat, p, padj, effect, is_drift)
    share = len(drifted) / len(names)
    details.update(columns=per_column, judged=len(names), drifted=[str(c) for c in drifted])
    approx = {str(c): judged[c].approximation for c in names if judged[c].approximation}
    if approx:
        details["approximation"] = approx
    if drifted:
        shown = ", ".join(describe(c, per_column[str(c)]) for c in drifted[:4])
        message = (
            f"{len(drifted)} of {len(names)} columns drifted ({percent(share)}; "
            f"allowed {percent(max_drifted_share)}): {shown}."
        )
        if share > max_drifted_share:
            message += " Investigate the upstream change, or retrain on recent data."
    else:
        message = f"No drift in {len(names)} column{'s' if len(names) != 1 else ''} ({test}" + (
            f", {correction} correction)."
            if test in P_VALUE_TESTS
            else f", threshold {number(threshold)})."
        )
    if test in P_VALUE_TESTS and len(names) > 1:
        details["correction_controls"] = CONTROLS[correction]
        if correction == "bh":
            message += (
                " BH bounds the false discovery rate (the expected share of flagged "
                "columns that did not drift), not the chance that any stable column "
                "is flagged; use correction='holm' for that."
            )
    if skipped:
        message += (
            f" Skipped {len(skipped)}: "
            + ", ".join(f"{s['column']} ({s['reason']})" for s in skipped[:3])
            + "."
        )
    return Outcome(share <= max_drifted_share, share, message, details)


def one_column(
    figures: Figures,
    column: Any,
    details: dict[str, Any],
    *,
    test: str,
    alpha: float,
    effect_floor: float,
    min_rows: int,
    max: float | None,
) -> Outcome:
    """``expect_column``: one column by one test; observes the distance (distances), the
    p-value (``ks``, ``chi2``) or the effect size (``auto``)."""
    fig = figures(column)
    if fig.skipped:
        details["skipped"] = [{"column": str(column), "reason": fig.skipped}]
        if fig.skipped == "constant in both":
            return Outcome(
                True,
                1.0 if test in ("ks", "chi2") else 0.0,
                f"{column} is constant in both samples: no drift.",
                details,
            )
        return Outcome(None, None, f"{column} cannot be judged: {fig.skipped}.", details)
    reason = not_applicable(test, fig.kind)
    if reason:
        raise MlgateInputError("method", f"{test!r} does not apply to {column!r}: {reason}.")
    if fig.n_ref < min_rows or fig.n_cur < min_rows:
        details["columns"] = {str(column): {"n_reference": fig.n_ref, "n_current": fig.n_cur}}
        return Outcome(
            None,
            None,
            f"Too few non-null rows in {column} to judge drift ({fig.n_ref} reference, "
            f"{fig.n_cur} current; min_rows={min_rows}).",
            details,
        )
    if max is not None:
        short = too_few_for_distance({column: fig}, test, max, alpha)
        if short:
            details["columns"] = short
            details["false_alarm_budget"] = alpha
            return Outcome(None, None, distance_message(short, test), details)
    stat, p = fig.figure(test)
    drifted = drifts(fig, test, p, alpha, effect_floor, max)
    if test == "auto":
        observed, effect = fig.effect, fig.effect
    elif test in ("ks", "chi2"):
        observed, effect = p, fig.effect
    else:
        observed, effect = stat, stat
    record = column_record(fig, test, stat, p, p, effect, drifted)
    details["columns"] = {str(column): record}
    if fig.approximation:
        details["approximation"] = {str(column): fig.approximation}
    message = (
        f"{column}: "
        + describe(column, record, named=False)
        + (" - drifted." if drifted else " - no drift.")
    )
    return Outcome(not drifted, observed, message, details)


def drifts(
    fig: ColumnFigures,
    test: str,
    p: float | None,
    alpha: float,
    effect_floor: float,
    threshold: float | None,
) -> bool:
    """The one rule of both checks: significant means ``p < alpha``; ``auto`` drifts when
    significant and ``effect >= effect_floor``; a distance drifts when ``statistic >
    threshold`` (a distance equal to its threshold passes)."""
    if test == "auto":
        return _known(p) < alpha and _known(fig.effect) >= effect_floor
    if test in P_VALUE_TESTS:
        return _known(p) < alpha
    return _known(fig.figure(test)[0]) > _known(threshold)


def _known(value: float | None) -> float:
    """A figure the column's kind guarantees (judged columns have every figure)."""
    assert value is not None
    return value


def too_few_for_distance(
    judged: dict[Any, ColumnFigures], test: str, threshold: float, alpha: float
) -> dict[str, Any]:
    """Columns on which ``test`` would exceed ``threshold`` on identical distributions with
    probability above ``alpha``: too few current (or reference) rows for that distance."""
    short: dict[str, Any] = {}
    for col, fig in judged.items():
        needed = fig.rows_needed(test, threshold, alpha)
        if needed is None or fig.n_cur < needed:
            short[str(col)] = {
                "n_reference": fig.n_ref,
                "n_current": fig.n_cur,
                "current_rows_needed": needed,
                "bins": fig.bins,
            }
    return short


def distance_message(short: dict[str, Any], test: str) -> str:
    parts = []
    for col, entry in list(short.items())[:5]:
        needed = entry["current_rows_needed"]
        parts.append(
            f"{col} ({entry['n_current']:,} current rows; needs {needed:,})"
            if needed is not None
            else f"{col} (the reference's {entry['n_reference']:,} rows are too few at any size)"
        )
    return (
        f"Too few rows for {test}: on identical distributions its noise alone would reach "
        f"the threshold more often than the false-alarm budget (alpha) allows: "
        + ", ".join(parts)
        + ". Collect more rows, or use method='auto' (a test with an effect size), which "
        "judges small samples."
    )


def column_record(
    fig: ColumnFigures,
    test: str,
    stat: float | None,
    p: float | None,
    padj: float | None,
    effect: float | None,
    drifted: bool,
) -> dict[str, Any]:
    """``details["columns"][name]``: ``test`` is the test that produced ``statistic``
    (``ks`` or ``chi2`` under ``auto``)."""
    return {
        "test": fig.test if test == "auto" else test,
        "statistic": stat,
        "p_value": p,
        "p_adjusted": padj,
        "effect": effect,
        "drifted": bool(drifted),
        "kind": fig.kind,
        "n_reference": fig.n_ref,
        "n_current": fig.n_cur,
        "histogram": fig.histogram,
    }


def describe(column: Any, record: dict[str, Any], named: bool = True) -> str:
    parts = [f"{record['test']} {figure(record['statistic'])}"]
    if record["p_adjusted"] is not None:
        parts.append(f"p={figure(record['p_adjusted'])}")
    if record["effect"] is not None and record["test"] in ("ks", "chi2"):
        parts.append(
            ("W" if record["kind"] == "numeric" else "shift") + f"={figure(record['effect'])}"
        )
    text = ", ".join(parts)
    return f"{column} ({text})" if named else text
