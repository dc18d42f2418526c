"""Recording check results: severity, statuses, errors, and the records of one test.

The layer between the pure computations in ``checks/`` and the API the fixture returns
(``families/``, ``gate.py``). Nothing here knows pytest: the plugin hands a
:class:`TestRecord` to a :class:`Recorder`, and reads the results back after each phase.
"""

from __future__ import annotations

import functools
import hashlib
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import MlgateError, MlgateInputError, describe
from .results import (
    BLOCK,
    ERROR,
    FAILED,
    INSUFFICIENT,
    PASSED,
    SEVERITIES,
    WARN,
    WARNED,
    CheckResult,
    Outcome,
    plain,
)

if TYPE_CHECKING:
    import numpy as np

# the shape of the per-report payload (read by the controller; bump on change)
PAYLOAD_VERSION = 1


def guard_checks(category: str) -> Callable[[type], type]:
    """Class decorator: every public ``expect*`` method records an ``error`` result instead of
    raising, even when its arguments are unusable before the check starts (a title that cannot
    be formatted, an empty column list): one bad call never loses the test's other results."""

    def wrap(method: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
        @functools.wraps(method)
        def guarded(self: Any, *args: Any, **kwargs: Any) -> CheckResult:
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:
                owner = getattr(self, "_parent", self)
                recorder: Recorder = owner._recorder
                return recorder.error(
                    category, owner.name, f"{method.__name__}(...)", {}, describe(exc)
                )

        return guarded

    def decorate(cls: type) -> type:
        for attr, value in list(vars(cls).items()):
            if attr.startswith("expect") and callable(value):
                setattr(cls, attr, wrap(value))
        return cls

    return decorate


@dataclass
class DatasetUse:
    """A frame a test handed to the gate; fingerprinted when the test phase ends."""

    name: str
    role: str
    frame: Any
    description: str = ""
    source: dict[str, Any] | None = None


@dataclass
class TestRecord:
    """Everything one test recorded, tagged with the phase it was recorded in."""

    __test__ = False  # not a pytest test class

    nodeid: str
    phase: str = "setup"
    results: list[tuple[str, CheckResult]] = field(default_factory=list)
    datasets: list[tuple[str, DatasetUse]] = field(default_factory=list)
    notes: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    # phases whose records were attached to a report, and phases the gate itself failed
    reported: set[str] = field(default_factory=set)
    guard_failed: set[str] = field(default_factory=set)

    def results_of(self, phase: str) -> list[CheckResult]:
        return [r for p, r in self.results if p == phase]

    def payload(self, phase: str) -> dict[str, Any]:
        """This phase's records as plain values (they travel with the report through
        xdist); its frames are fingerprinted here, once, and released."""
        from .frames import fingerprint

        datasets = []
        for p, use in self.datasets:
            if p != phase:
                continue
            # an engine's dataset (tables/) fingerprints itself: the data stay in the engine
            own = getattr(use.frame, "mlgate_fingerprint", None)
            entry: dict[str, Any] = {
                "name": use.name,
                "role": use.role,
                "rows": int(use.frame.shape[0]),
                "columns": int(use.frame.shape[1]),
                "sha256": str(own()) if callable(own) else fingerprint(use.frame),
            }
            if use.description:
                entry["description"] = use.description
            if use.source is not None:
                entry["source"] = plain(use.source)
            datasets.append(entry)
        self.datasets = [(p, u) for p, u in self.datasets if p != phase]
        self.reported.add(phase)
        return {
            "v": PAYLOAD_VERSION,
            "gate": True,
            "checks": [r.to_dict() for r in self.results_of(phase)],
            "datasets": datasets,
            "notes": [dict(n) for p, n in self.notes if p == phase],
        }


def empty_payload() -> dict[str, Any]:
    """The payload of a report without gate records (a crash result may be added)."""
    return {"v": PAYLOAD_VERSION, "gate": False, "checks": [], "datasets": [], "notes": []}


@dataclass(frozen=True)
class GateSettings:
    """Session-wide settings that shape every check of one test."""

    nodeid: str
    markers: dict[str, Any]
    default_severity: str = BLOCK
    seed: int = 0
    # where relative paths resolve (source=, baselines) and the baseline flow's options
    rootdir: Path | None = None
    baseline_dir: Path | None = None
    update_baselines: bool = False
    force_baselines: bool = False


class Recorder:
    """Turns check computations into recorded :class:`CheckResult` values.

    It applies severity (argument > ``mlgate`` marker > ``block``), ``on_insufficient``, and
    converts bad input into ``error``. ``--mlgate-warn-only`` changes no record: it only keeps
    the phase guard from failing the test (see ``plugin._guard_phase``).
    """

    def __init__(
        self,
        settings: GateSettings,
        record: TestRecord,
        on_result: Callable[[CheckResult], None] | None = None,
        on_withdraw: Callable[[CheckResult], None] | None = None,
        on_start: Callable[[str], Callable[[], None]] | None = None,
    ) -> None:
        self.settings = settings
        self.record = record
        self._on_result = on_result
        self._on_withdraw = on_withdraw
        # told what a check is about to compute; returns what to call when it is done (the
        # plugin uses it to say what a long check is doing)
        self._on_start = on_start
        # a family's unusable input, recorded once by its factory; the first check on the
        # family records the same error in its place, so one mistake counts once
        self._standing: dict[tuple[str, str, str], CheckResult] = {}
        # model= of a family: its results are figures of that model (one card per model)
        self._models: dict[tuple[str, str], str] = {}

    def assign_model(self, category: str, subject: str, model: str | None) -> None:
        """Results of the family ``(category, subject)`` describe ``model`` (its own card)."""
        if model is not None and str(model).strip():
            self._models[(category, subject)] = str(model).strip()

    def seed_words(self) -> list[int]:
        """Entropy for the next check's random stream: seed, node id and position.

        Results do not depend on test order or on the xdist worker.
        """
        node = int.from_bytes(hashlib.sha256(self.settings.nodeid.encode()).digest()[:8], "big")
        return [self.settings.seed, node, len(self.record.results)]

    def run(
        self,
        category: str,
        subject: str,
        name: str,
        threshold: dict[str, Any],
        compute: Callable[[], Outcome],
        *,
        severity: str | None = None,
        on_insufficient: str = BLOCK,
    ) -> CheckResult:
        """Run ``compute`` and record its result; never raises for bad input."""
        done = (
            self._on_start(f"{category} · {subject} · {name}")
            if self._on_start is not None
            else None
        )
        try:
            chosen = self._severity(severity, on_insufficient)
            outcome = compute()
        except MlgateInputError as exc:
            return self._store(category, subject, name, threshold, ERROR, BLOCK, None, str(exc))
        except MlgateError as exc:
            return self._store(category, subject, name, threshold, ERROR, BLOCK, None, str(exc))
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            message = (
                f"the check could not be computed: {type(exc).__name__}: {exc} "
                f"(in {where.name}, {where.filename.rsplit('/', 1)[-1]}:{where.lineno})."
            )
            return self._store(category, subject, name, threshold, ERROR, BLOCK, None, message)
        finally:
            if done is not None:
                done()
        if outcome.ok is None:
            status = INSUFFICIENT
            if on_insufficient == WARN:
                chosen = WARN
        elif outcome.ok:
            status = PASSED
        else:
            status = FAILED if chosen == BLOCK else WARNED
        return self._store(
            category,
            subject,
            name,
            outcome.threshold if outcome.threshold is not None else threshold,
            status,
            chosen,
            outcome.observed,
            outcome.message,
            interval=outcome.interval,
            details=outcome.details,
        )

    def error(
        self, category: str, subject: str, name: str, threshold: dict[str, Any], message: str
    ) -> CheckResult:
        """Record an ``error`` result (bad input found before any computation)."""
        return self._store(category, subject, name, threshold, ERROR, BLOCK, None, message)

    def input_error(self, category: str, subject: str, name: str, message: str) -> CheckResult:
        """A factory's unusable input: recorded now (a family without checks still shows it),
        and replaced by the first check of the family, which reports the same error."""
        result = self.error(category, subject, name, {}, message)
        self._standing[(category, subject, message)] = result
        return result

    def _severity(self, severity: str | None, on_insufficient: str) -> str:
        if severity is not None and severity not in SEVERITIES:
            raise MlgateInputError("severity", f"must be 'block' or 'warn', got {severity!r}.")
        if on_insufficient not in SEVERITIES:
            raise MlgateInputError(
                "on_insufficient", f"must be 'block' or 'warn', got {on_insufficient!r}."
            )
        return severity or self.settings.default_severity

    def _store(
        self,
        category: str,
        subject: str,
        name: str,
        threshold: dict[str, Any],
        status: str,
        severity: str,
        observed: Any,
        message: str,
        *,
        interval: list[float] | None = None,
        details: dict[str, Any] | None = None,
    ) -> CheckResult:
        value = plain(observed)
        result = CheckResult(
            category=category,
            name=name,
            subject=subject,
            nodeid=self.settings.nodeid,
            status=status,
            severity=severity,
            observed=float(value) if value is not None else None,
            threshold=plain(threshold),
            interval=plain(interval) if interval is not None else None,
            message=message,
            markers=plain(self._markers(category, subject)),
            details=plain(details or {}),
        )
        standing = self._standing.pop((category, subject, message), None)
        phase = self.record.phase
        if (
            standing is not None
            and status == ERROR
            and any(p == phase and r is standing for p, r in self.record.results)
        ):
            # (only within one phase: an earlier phase's records have left with its report)
            self.record.results = [(p, r) for p, r in self.record.results if r is not standing]
            if self._on_withdraw is not None:
                self._on_withdraw(standing)
        self.record.results.append((self.record.phase, result))
        if self._on_result is not None:
            self._on_result(result)
        return result

    def _markers(self, category: str, subject: str) -> dict[str, Any]:
        model = self._models.get((category, subject))
        return (
            dict(self.settings.markers)
            if model is None
            else {**self.settings.markers, "model": model}
        )

    def use_dataset(self, name: str, role: str, frame: Any, description: str = "") -> None:
        """Remember a frame for the audit's dataset list (fingerprinted later, once)."""
        for _, use in self.record.datasets:
            if use.frame is frame and use.name == name and use.role == role:
                return
        self.record.datasets.append((self.record.phase, DatasetUse(name, role, frame, description)))

    def use_source(
        self, category: str, name: str, role: str, source: Any, rootdir: Path | None
    ) -> CheckResult | None:
        """Attach the lineage of ``source`` (a file path) to the dataset just recorded under
        ``name`` and ``role``; a source that cannot be read is an ``error`` result."""
        if source is None:
            return None
        from .integrations.dvc import describe_source

        try:
            lineage = describe_source(source, rootdir or Path.cwd())
        except MlgateError as exc:
            return self.error(category, name, "source", {}, str(exc))
        for _, use in reversed(self.record.datasets):
            if use.name == name and use.role == role:
                use.source = lineage
                break
        return None


class Family:
    """What every family of checks shares (``mlgate.data``, ``.performance``, ``.fairness``,
    ``.drift``): its recorder, its name, and the input problem its factory found.

    A factory that cannot use its input records one ``error`` (:meth:`unusable`); every check
    of the family then records that same error in its place, so one mistake counts once and
    never loses the test's other results.
    """

    category: str = ""

    def __init__(self, recorder: Recorder, name: str) -> None:
        self._recorder = recorder
        self.name = name
        self._problem: str | None = None

    def unusable(self, factory: str, what: str, exc: BaseException) -> None:
        """Record that the factory's input cannot be used: ``mlgate.<factory>(name): ...``."""
        self._problem = f"mlgate.{factory}({self.name!r}): {describe(exc)}"
        self._recorder.input_error(self.category, self.name, what, self._problem)

    def seed(self) -> np.random.SeedSequence:
        """The next check's random stream (:meth:`Recorder.seed_words`): the same in every
        family, independent of test order and xdist worker."""
        import numpy as np

        return np.random.SeedSequence(self._recorder.seed_words())

    def _record(
        self,
        name: str,
        threshold: dict[str, Any],
        compute: Callable[[], Outcome],
        severity: str | None,
        on_insufficient: str,
    ) -> CheckResult:
        """Run one check of the family (the factory's input problem stands in for it)."""
        if self._problem is not None:
            return self._recorder.error(self.category, self.name, name, threshold, self._problem)
        return self._recorder.run(
            self.category,
            self.name,
            name,
            threshold,
            compute,
            severity=severity,
            on_insufficient=on_insufficient,
        )
