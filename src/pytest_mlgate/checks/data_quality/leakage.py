"""Single-feature leakage: no feature alone predicts the target almost perfectly.

Scored out of fold on the rows themselves (``stats.leakage``), so it asks the table for its
rows: an engine table answers with an ``error`` that says to gate a sample.
"""

from __future__ import annotations

from typing import Any

from ...errors import MlgateInputError
from ...frames import require_columns
from ...results import Outcome
from ...stats.leakage import ROC_AUC, leakage_scores
from ...tables import Table
from ...text import figure, number
from .common import examples, score_arg

CHECK = "expect_no_leakage"


def no_leakage(table: Table, target: Any, columns: list[Any] | None, max_score: float) -> Outcome:
    """Observed is the highest single-feature score (``details["scoring"]`` says which)."""
    score_arg(max_score, "max_score")
    require_columns(table, [target], "target")
    features = [c for c in (table.columns if columns is None else columns) if c != target]
    if columns is not None:
        require_columns(table, features, "columns")
    if not features:
        raise MlgateInputError("columns", "no feature columns besides the target.")
    rows = table.rows([target, *features], CHECK)
    scores, scoring, skipped = leakage_scores(rows, target, features)
    if not scores:
        return Outcome(
            ok=None,
            observed=None,
            message=f"No feature could be scored against {target}: "
            + "; ".join(f"{c}: {r}" for c, r in list(skipped.items())[:4])
            + ".",
            details={
                "violations": 0,
                "fraction": 0.0,
                "skipped": skipped,
                "examples": [],
                "scoring": scoring,
            },
        )
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    leaking = [c for c, s in ranked if s > max_score]
    top, top_score = ranked[0]
    metric = "ROC AUC" if scoring == ROC_AUC else "|Spearman|"
    limit = number(max_score)
    message = (
        f"Highest single-feature {metric}: {top} = {figure(top_score)}, within {limit}."
        if not leaking
        else f"{len(leaking)} feature{'s' if len(leaking) > 1 else ''} alone predict "
        f"{target} almost perfectly ({metric} > {limit}): "
        + ", ".join(f"{c} = {figure(scores[c])}" for c in leaking[:5])
        + ". Drop features computed from the outcome, or explain them."
    )
    return Outcome(
        ok=not leaking,
        observed=top_score,
        message=message,
        details={
            "violations": len(leaking),
            "fraction": len(leaking) / len(features),
            "scoring": scoring,
            "scores": dict(ranked[:20]),
            "skipped": skipped,
            "examples": examples(leaking),
        },
    )
