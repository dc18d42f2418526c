"""Single-feature leakage scores: how well each feature alone predicts the target.

For a binary target a feature's score is its ROC AUC folded to >= 0.5 (Mann-Whitney ranks,
ties count one half: equal to scikit-learn's ``roc_auc_score``). A categorical feature is
scored through its per-category target rate, estimated out of fold (rows ``i % 5``), so that
an identifier, whose every category is unseen in the other folds, gets one constant score
instead of a perfect one. For a numeric target the score is the absolute Spearman
correlation. Nulls are dropped per feature (a categorical's nulls form their own category).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..errors import MlgateInputError
from ..frames import is_kind

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

FOLDS = 5
ROC_AUC = "roc_auc"
SPEARMAN = "spearman"


def leakage_scores(
    df: pd.DataFrame, target: Any, features: list[Any]
) -> tuple[dict[str, float], str, dict[str, str]]:
    """Score every feature against the target; returns ``(scores, scoring, skipped)``:
    scores by column name, ``"roc_auc"`` or ``"spearman"``, and why a feature was not scored.
    A target with more than two classes that are not numbers is bad input."""
    import numpy as np
    import pandas as pd

    y_all = df[target]
    keep = y_all.notna().to_numpy()
    y = y_all[keep]
    classes = pd.unique(y)
    skipped: dict[str, str] = {}
    if len(classes) < 2:
        return {}, ROC_AUC, {str(target): "the target has fewer than two distinct values"}
    if len(classes) == 2:
        scoring = ROC_AUC
        positive = np.sort(classes)[1] if _sortable(classes) else classes[1]
        yv = (y == positive).to_numpy(dtype=np.float64)
    elif pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y):
        scoring = SPEARMAN
        yv = y.to_numpy(dtype=np.float64)
    else:
        raise MlgateInputError(
            "target",
            f"{target!r} has {len(classes)} classes; leakage is scored for a binary or a "
            "numeric target.",
        )
    scores: dict[str, float] = {}
    for col in features:
        s = df[col][keep]
        if is_kind(s, "numeric") or is_kind(s, "datetime"):  # as they are; else by category
            x = _numeric_values(s)
            mask = ~np.isnan(x)
            x, yy = x[mask], yv[mask]
        else:
            x, yy = out_of_fold_rate(s, yv), yv
        if len(x) < 2 or np.all(x == x[0]):
            skipped[str(col)] = "constant or empty after dropping nulls"
            continue
        if scoring == ROC_AUC:
            value = rank_auc(x, yy)
            if value is None:
                skipped[str(col)] = "only one target class among its non-null rows"
                continue
            scores[str(col)] = max(value, 1.0 - value)
        else:
            rho = spearman(x, yy)
            if rho is None:
                skipped[str(col)] = "the target is constant among its non-null rows"
                continue
            scores[str(col)] = abs(rho)
    return scores, scoring, skipped


def rank_auc(score: np.ndarray, positive: np.ndarray) -> float | None:
    """ROC AUC by the Mann-Whitney rank formula (ties count one half); equals scikit-learn's
    ``roc_auc_score``. None when one class is absent."""
    from scipy.stats import rankdata

    n1 = float(positive.sum())
    n0 = float(len(positive) - n1)
    if n1 == 0 or n0 == 0:
        return None
    ranks = rankdata(score)
    return float((ranks[positive > 0].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman's rank correlation (average ranks for ties); None when one side is constant."""
    import numpy as np
    from scipy.stats import rankdata

    rx, ry = rankdata(x), rankdata(y)
    rx -= rx.mean()
    ry -= ry.mean()
    denom = math.sqrt(float(np.dot(rx, rx)) * float(np.dot(ry, ry)))
    if denom == 0:
        return None
    return float(np.dot(rx, ry) / denom)


def out_of_fold_rate(s: pd.Series, y: np.ndarray) -> np.ndarray:
    """Each row's category target mean, estimated on the other folds (rows ``i % 5``)."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    ncat = len(uniques) + 1
    codes = np.where(codes < 0, len(uniques), codes)  # nulls form their own category
    n = len(codes)
    fold = np.arange(n) % FOLDS
    flat = fold * ncat + codes
    fold_sum = np.bincount(flat, weights=y, minlength=FOLDS * ncat).reshape(FOLDS, ncat)
    fold_cnt = np.bincount(flat, minlength=FOLDS * ncat).reshape(FOLDS, ncat)
    train_sum = fold_sum.sum(axis=0)[None, :] - fold_sum
    train_cnt = fold_cnt.sum(axis=0)[None, :] - fold_cnt
    # A category unseen in the other folds gets the overall rate: the same for every such
    # row, so an identifier carries no ranking information.
    prior = float(y.mean())
    rate = np.where(train_cnt > 0, train_sum / np.maximum(train_cnt, 1), prior)
    out: np.ndarray = rate[fold, codes]
    return out


def _numeric_values(s: pd.Series) -> np.ndarray:
    import numpy as np
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(s):
        values = s.to_numpy(dtype="datetime64[ns]").astype("int64").astype(np.float64)
        values[s.isna().to_numpy()] = np.nan
        return values
    out: np.ndarray = s.to_numpy(dtype=np.float64, na_value=np.nan)
    return out


def _sortable(values: Any) -> bool:
    try:
        sorted(values)
    except TypeError:
        return False
    return True
