"""The one metric registry shared by performance and fairness checks.

Every metric knows its direction (greater is better or not), whether it needs labels
(``y_pred``) or scores (``y_score``), and which tasks it applies to. Variants use
scikit-learn's scorer names (``f1_macro``, ``roc_auc_ovr_weighted``, ...). Any callable
``f(y_true, y) -> float`` works too, with its direction given by ``greater_is_better=``.

The functions here are the reference definitions (scikit-learn's); fast paths elsewhere (the
vectorised bootstrap, the per-group confusion counts) are tested against them.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import MlgateInputError

LABELS = "labels"
SCORES = "scores"
BINARY = "binary"
MULTICLASS = "multiclass"
REGRESSION = "regression"
CLASSIFICATION = frozenset({BINARY, MULTICLASS})


@dataclass(frozen=True)
class Metric:
    """One metric: ``compute(y_true, y, sample_weight=None, pos_label=1)`` returns a float.

    ``y`` is ``y_pred`` when ``needs == "labels"`` and ``y_score`` when ``needs == "scores"``.
    ``rate`` names the confusion-count ratio for rate metrics (numerator/denominator cells),
    so fairness can compute them per group in one vectorised pass.
    """

    name: str
    compute: Callable[..., float]
    greater_is_better: bool
    needs: str
    tasks: frozenset[str]
    rate: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    description: str = ""

    @property
    def direction(self) -> str:
        return "greater_is_better" if self.greater_is_better else "lower_is_better"


def _sk(name: str) -> Any:
    import sklearn.metrics as m

    return getattr(m, name)


def _binary_label_metric(sk_name: str, **fixed: Any) -> Callable[..., float]:
    def compute(y_true: Any, y: Any, sample_weight: Any = None, pos_label: Any = 1) -> float:
        kwargs = dict(fixed)
        if kwargs.get("average", "binary") == "binary":
            kwargs["pos_label"] = pos_label
        kwargs.setdefault("zero_division", float("nan"))
        return float(_sk(sk_name)(y_true, y, sample_weight=sample_weight, **kwargs))

    return compute


def _plain(sk_name: str, **fixed: Any) -> Callable[..., float]:
    def compute(y_true: Any, y: Any, sample_weight: Any = None, pos_label: Any = 1) -> float:
        return float(_sk(sk_name)(y_true, y, sample_weight=sample_weight, **fixed))

    return compute


def _positive_score(sk_name: str) -> Callable[..., float]:
    def compute(y_true: Any, y: Any, sample_weight: Any = None, pos_label: Any = 1) -> float:
        import numpy as np

        truth = np.asarray(y_true) == pos_label
        return float(_sk(sk_name)(truth, y, sample_weight=sample_weight))

    return compute


def _log_loss(y_true: Any, y: Any, sample_weight: Any = None, pos_label: Any = 1) -> float:
    import numpy as np

    truth = np.asarray(y_true)
    score = np.asarray(y)
    if score.ndim == 1:
        return float(
            _sk("log_loss")(
                truth == pos_label, score, sample_weight=sample_weight, labels=[False, True]
            )
        )
    return float(_sk("log_loss")(truth, score, sample_weight=sample_weight))


def _rmse(y_true: Any, y: Any, sample_weight: Any = None, pos_label: Any = 1) -> float:
    import math

    return math.sqrt(float(_sk("mean_squared_error")(y_true, y, sample_weight=sample_weight)))


def _rate(numerator: tuple[str, ...], denominator: tuple[str, ...]) -> Callable[..., float]:
    """A ratio of confusion-matrix cells (tp, fp, fn, tn), NaN when the denominator is 0."""

    def compute(y_true: Any, y: Any, sample_weight: Any = None, pos_label: Any = 1) -> float:
        import numpy as np

        truth = np.asarray(y_true) == pos_label
        pred = np.asarray(y) == pos_label
        w = np.ones(len(truth)) if sample_weight is None else np.asarray(sample_weight, float)
        cells = {
            "tp": float(w[truth & pred].sum()),
            "fp": float(w[~truth & pred].sum()),
            "fn": float(w[truth & ~pred].sum()),
            "tn": float(w[~truth & ~pred].sum()),
        }
        den = sum(cells[c] for c in denominator)
        return sum(cells[c] for c in numerator) / den if den else float("nan")

    return compute


RATES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "selection_rate": (("tp", "fp"), ("tp", "fp", "fn", "tn"), "share predicted positive"),
    "true_positive_rate": (("tp",), ("tp", "fn"), "recall: share of positives found"),
    "false_positive_rate": (("fp",), ("fp", "tn"), "share of negatives flagged"),
    "false_negative_rate": (("fn",), ("tp", "fn"), "share of positives missed"),
    "true_negative_rate": (("tn",), ("fp", "tn"), "specificity"),
}
RATE_DIRECTION = {
    "selection_rate": True,
    "true_positive_rate": True,
    "false_positive_rate": False,
    "false_negative_rate": False,
    "true_negative_rate": True,
}


def _build() -> dict[str, Metric]:
    reg: dict[str, Metric] = {}

    def add(
        name: str,
        compute: Callable[..., float],
        gib: bool,
        needs: str,
        tasks: frozenset[str],
        rate: Any = None,
        description: str = "",
    ) -> None:
        reg[name] = Metric(name, compute, gib, needs, tasks, rate, description)

    b, mc = frozenset({BINARY}), frozenset({MULTICLASS})
    add(
        "accuracy",
        _plain("accuracy_score"),
        True,
        LABELS,
        CLASSIFICATION,
        (("tp", "tn"), ("tp", "fp", "fn", "tn")),
        "share of correct predictions",
    )
    add("balanced_accuracy", _plain("balanced_accuracy_score"), True, LABELS, CLASSIFICATION)
    add(
        "precision",
        _binary_label_metric("precision_score"),
        True,
        LABELS,
        b,
        (("tp",), ("tp", "fp")),
        "share of predicted positives that are positive",
    )
    add(
        "recall",
        _binary_label_metric("recall_score"),
        True,
        LABELS,
        b,
        (("tp",), ("tp", "fn")),
        "share of positives found",
    )
    add("f1", _binary_label_metric("f1_score"), True, LABELS, b)
    for avg in ("macro", "weighted", "micro"):
        for base, sk in (
            ("f1", "f1_score"),
            ("precision", "precision_score"),
            ("recall", "recall_score"),
        ):
            add(
                f"{base}_{avg}", _binary_label_metric(sk, average=avg), True, LABELS, CLASSIFICATION
            )
    add("roc_auc", _positive_score("roc_auc_score"), True, SCORES, b)
    add("average_precision", _positive_score("average_precision_score"), True, SCORES, b)
    for multi, avg in (("ovr", "macro"), ("ovo", "macro")):
        add(
            f"roc_auc_{multi}",
            _plain("roc_auc_score", multi_class=multi, average=avg),
            True,
            SCORES,
            mc,
        )
        add(
            f"roc_auc_{multi}_weighted",
            _plain("roc_auc_score", multi_class=multi, average="weighted"),
            True,
            SCORES,
            mc,
        )
    add("log_loss", _log_loss, False, SCORES, CLASSIFICATION)
    add("brier", _positive_score("brier_score_loss"), False, SCORES, b)
    r = frozenset({REGRESSION})
    add("mae", _plain("mean_absolute_error"), False, LABELS, r)
    add("mse", _plain("mean_squared_error"), False, LABELS, r)
    add("rmse", _rmse, False, LABELS, r)
    add("r2", _plain("r2_score"), True, LABELS, r)
    add("mape", _plain("mean_absolute_percentage_error"), False, LABELS, r)
    for name, (num, den, text) in RATES.items():
        add(name, _rate(num, den), RATE_DIRECTION[name], LABELS, b, (num, den), text)
    return reg


REGISTRY: dict[str, Metric] = _build()


def resolve(
    metric: str | Callable[..., float],
    *,
    greater_is_better: bool | None = None,
    needs: str | None = None,
    needed_for: str = "",
) -> Metric:
    """A registry metric by name, or a callable ``f(y_true, y) -> float`` wrapped as one.

    >>> resolve("roc_auc").needs
    'scores'
    """
    if callable(metric):
        if greater_is_better is None:
            raise MlgateInputError(
                "greater_is_better",
                f"is required with a callable metric ({getattr(metric, '__name__', metric)!r})"
                + (f" {needed_for}" if needed_for else "")
                + ".",
                "Say whether a higher value is better: greater_is_better=True or False.",
            )
        func = metric

        def compute(y_true: Any, y: Any, sample_weight: Any = None, pos_label: Any = 1) -> float:
            return float(func(y_true, y))

        return Metric(
            getattr(metric, "__name__", "custom"),
            compute,
            bool(greater_is_better),
            needs or LABELS,
            frozenset({BINARY, MULTICLASS, REGRESSION}),
        )
    if not isinstance(metric, str) or metric not in REGISTRY:
        raise MlgateInputError(
            "metric",
            f"unknown metric {metric!r}.",
            f"Known metrics: {', '.join(sorted(REGISTRY))}; or pass a callable f(y_true, y).",
        )
    return REGISTRY[metric]


def is_registered(metric: Metric) -> bool:
    """Whether ``metric`` is the registry's own (its fast paths and input rules apply)."""
    return REGISTRY.get(metric.name) is metric


@contextlib.contextmanager
def handled_warnings(metric: Metric) -> Iterator[None]:
    """Silence only the warnings the checks turn into an answer themselves.

    A registered metric's ``UndefinedMetricWarning`` and numpy's ``RuntimeWarning`` (0/0) mean
    an undefined figure, which the check reports as ``insufficient`` with the reason. Every
    other warning (a FutureWarning of scikit-learn, a user metric's DeprecationWarning) passes
    through, so ``-W error`` still sees it.
    """
    if not is_registered(metric):
        yield
        return
    from sklearn.exceptions import UndefinedMetricWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        yield
