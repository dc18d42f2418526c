"""The object the ``mlgate`` fixture returns: factories for each family of checks.

:class:`Gate` is a façade: the families live in ``families/``, the recording machinery in
``recording.py``. Nothing here knows pytest.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .recording import Recorder

if TYPE_CHECKING:
    from .card import Card
    from .families.data import DataChecks
    from .families.drift import DriftChecks
    from .families.fairness import FairnessChecks
    from .families.performance import PerformanceChecks
    from .profile import Profile
    from .results import CheckResult


class Gate:
    """The ``mlgate`` fixture: factories for each family of checks, and the model card.

    Every ``expect_*`` call records one :class:`CheckResult` and returns it. Checks are soft:
    when the test body ends, every failed blocking check is reported together.

    >>> def test_gate(mlgate, train):                     # doctest: +SKIP
    ...     dq = mlgate.data(train, name="train")
    ...     dq.expect_not_null(["age", "income"])
    ...     dq.expect_between("age", min=18, max=100)
    """

    def __init__(self, recorder: Recorder, card: Card) -> None:
        self._recorder = recorder
        self.card = card

    @property
    def results(self) -> list[CheckResult]:
        """The results this test recorded so far, in order."""
        return [r for _, r in self._recorder.record.results]

    def data(
        self, df: Any, *, name: str = "data", source: Any = None, model: str | None = None
    ) -> DataChecks:
        """Data-quality checks on one frame. ``source=`` (the file it was read from) records
        the file's sha256, its DVC md5 and whether it matches what DVC tracks. ``model=``
        names the model the data belongs to when a session gates several (its own card).

        >>> dq = mlgate.data(train, name="train", source="data/train.csv")  # doctest: +SKIP
        >>> dq.expect_columns(["age", "income", "target"])                  # doctest: +SKIP
        """
        from .families.data import DataChecks

        self._recorder.assign_model("data_quality", name, model)
        checks = DataChecks(self._recorder, df, name=name)
        self._recorder.use_source("data_quality", name, "data", source, self._rootdir)
        return checks

    @property
    def _rootdir(self) -> Path | None:
        return self._recorder.settings.rootdir

    def performance(
        self,
        y_true: Any,
        y_pred: Any = None,
        y_score: Any = None,
        *,
        name: str = "performance",
        task: str = "auto",
        sample_weight: Any = None,
        pos_label: Any = None,
        model: str | None = None,
        target: str | None = None,
    ) -> PerformanceChecks:
        """Performance checks on one set of predictions. ``model=`` names the model they
        describe when a session gates several: its figures go to its own card.

        A prediction table in an engine (a ``pyspark.sql.DataFrame``, a Dask DataFrame, a
        polars ``LazyFrame`` or ``DataFrame``) may be passed as ``y_true``: ``target=`` then
        names its column of true labels and ``y_pred``, ``y_score`` and ``sample_weight``
        name its other columns (a pandas frame takes the same names). The figures come from
        one aggregation in the engine (counts per true x predicted label, or a regression's
        sums); what needs the rows themselves (scores, bootstrap intervals, slices) is an
        ``error`` saying to gate a sample.

        >>> perf = mlgate.performance(y_test, y_pred=pred, y_score=score)  # doctest: +SKIP
        >>> perf.expect("roc_auc", min=0.85, confidence=0.95)               # doctest: +SKIP
        >>> perf = mlgate.performance(sdf, target="label", y_pred="pred")   # doctest: +SKIP
        >>> perf.expect("recall", min=0.6, confidence=0.95)                 # doctest: +SKIP
        """
        from .families.performance import PerformanceChecks

        self._recorder.assign_model("performance", name, model)
        return PerformanceChecks(
            self._recorder,
            y_true,
            y_pred=y_pred,
            y_score=y_score,
            name=name,
            task=task,
            sample_weight=sample_weight,
            pos_label=pos_label,
            target=target,
        )

    def fairness(
        self,
        y_true: Any,
        y_pred: Any,
        *,
        sensitive_features: Any,
        y_score: Any = None,
        name: str | None = None,
        min_group_size: int = 30,
        expected_groups: dict[str, list[Any]] | None = None,
        pos_label: Any = None,
        missing_group: str = "error",
        model: str | None = None,
        target: str | None = None,
    ) -> FairnessChecks:
        """Fairness checks across the groups of one or more sensitive features.

        Without ``name=`` the results are labelled after the sensitive columns ("by sex",
        "by sex, age_band"), or "fairness" when they have no names.

        A prediction table in an engine (Spark, Dask, polars) may be passed as ``y_true``:
        ``target=`` names its column of true labels, ``y_pred`` and ``y_score`` name its
        other columns and ``sensitive_features`` one column or a list of them. One group-by
        in the engine counts the rows per group x true x predicted label; the rate metrics
        come from those counts, and a metric that needs the rows is an ``error``.

        >>> fair = mlgate.fairness(y, pred, sensitive_features=test[["sex"]])  # doctest: +SKIP
        >>> fair.expect_ratio("selection_rate", min=0.8)                        # doctest: +SKIP
        >>> fair = mlgate.fairness(sdf, "pred", target="label",
        ...                        sensitive_features=["sex", "race"])          # doctest: +SKIP
        """
        from .families.fairness import FairnessChecks

        if name is None:
            name = _fairness_name(sensitive_features, target is not None)
        self._recorder.assign_model("fairness", name, model)

        return FairnessChecks(
            self._recorder,
            y_true,
            y_pred,
            sensitive_features=sensitive_features,
            y_score=y_score,
            name=name,
            min_group_size=min_group_size,
            expected_groups=expected_groups,
            pos_label=pos_label,
            missing_group=missing_group,
            target=target,
        )

    def drift(
        self,
        reference: Any,
        current: Any,
        *,
        name: str = "drift",
        columns: list[Any] | None = None,
        categorical: list[Any] | None = None,
        reference_source: Any = None,
        current_source: Any = None,
        model: str | None = None,
    ) -> DriftChecks:
        """Drift checks between reference and current data, each a frame or a saved Profile
        (two profiles: a monitoring job profiles each window, the gate keeps no rows).
        ``reference_source=`` / ``current_source=`` record the files' lineage (as ``data``);
        ``model=`` names the model whose inputs drift: its results go to its own card.

        >>> drift = mlgate.drift(train, prod, name="prod-vs-train")   # doctest: +SKIP
        >>> drift.expect_no_drift()                                   # doctest: +SKIP
        >>> mlgate.drift(Profile.load("train.json"), Profile.load("week.json"))  # doctest: +SKIP
        """
        from .families.drift import DriftChecks

        self._recorder.assign_model("drift", name, model)
        checks = DriftChecks(
            self._recorder,
            reference,
            current,
            name=name,
            columns=columns,
            categorical=categorical,
        )
        for role, source in (("reference", reference_source), ("current", current_source)):
            self._recorder.use_source("drift", name, role, source, self._rootdir)
        return checks

    def profile(self, df: Any, *, name: str = "profile") -> Profile:
        """Build and record a reference :class:`Profile` of ``df`` (no raw rows kept).

        >>> ref = mlgate.profile(train, name="train")   # doctest: +SKIP
        >>> ref.save("profiles/train.json")             # doctest: +SKIP
        """
        from .families.drift import record_profile

        return record_profile(self._recorder, df, name=name)


def _fairness_name(sensitive_features: Any, named: bool = False) -> str:
    """``by sex, age_band`` from the sensitive columns' names; ``fairness`` without names.
    ``named``: the features are column names of an engine table (``target=`` given)."""
    columns = getattr(sensitive_features, "columns", None)
    if named and isinstance(sensitive_features, str):
        names = [sensitive_features]
    elif named and isinstance(sensitive_features, list | tuple):
        names = [str(c) for c in list(sensitive_features)[:4]]
    elif columns is not None:
        names = [str(c) for c in list(columns)[:4]]
    elif isinstance(sensitive_features, dict):
        names = [str(k) for k in list(sensitive_features)[:4]]
    elif isinstance(getattr(sensitive_features, "name", None), str):
        names = [sensitive_features.name]
    else:
        names = []
    return f"by {', '.join(names)}" if names else "fairness"
