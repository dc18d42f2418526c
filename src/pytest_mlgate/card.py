"""The model card: static facts from ``model_card.toml`` plus what tests add.

Sections follow Mitchell et al., "Model Cards for Model Reporting" (2019). Quantitative
analyses are generated from the checks; the other sections come from the TOML file and from
``mlgate.card.note(section, text)``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import MlgateError, MlgateInputError, describe
from .frames import as_frame
from .results import CheckResult, Outcome
from .text import is_placeholder

if TYPE_CHECKING:
    from .recording import Recorder

SECTIONS = (
    "model",
    "intended_use",
    "factors",
    "metrics",
    "evaluation_data",
    "training_data",
    "ethical_considerations",
    "caveats_and_recommendations",
)

#: optional tables that are not card sections: ``[datasets]`` maps a dataset's name to its
#: description (the Datasets table of the card); ``[models.<name>]`` holds the facts of one
#: model when a session gates several (one card per model)
EXTRA_TABLES = ("datasets", "models")


def load_card_facts(path: Path) -> dict[str, Any]:
    """Read ``model_card.toml``; a syntax error names the file and the line."""
    import tomllib

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MlgateError(f"model card {path}: cannot be read ({exc.strerror}).") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MlgateError(
            f"model card {path}: is not UTF-8 text ({_encoding_hint(raw)}; byte {exc.start} "
            "cannot be decoded). TOML files are UTF-8: save it as UTF-8 without a byte-order mark."
        ) from exc
    if text.startswith("\ufeff"):
        text = text[1:]  # a UTF-8 byte-order mark is harmless
    try:
        facts = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MlgateError(f"model card {path}: invalid TOML: {exc}.") from exc
    unknown = sorted(set(facts) - set(SECTIONS) - set(EXTRA_TABLES))
    if unknown:
        raise MlgateError(
            f"model card {path}: unknown table{'s' if len(unknown) > 1 else ''} "
            f"[{'], ['.join(unknown)}]; the sections are {', '.join(SECTIONS)} (and the "
            f"optional tables {', '.join(EXTRA_TABLES)})."
        )
    for table in EXTRA_TABLES:
        if table in facts and not isinstance(facts[table], dict):
            raise MlgateError(
                f"model card {path}: [{table}] must be a table, e.g. "
                + (
                    '[datasets] adult-test = "UCI Adult test file".'
                    if table == "datasets"
                    else '[models.challenger] name = "...", version = "...".'
                )
            )
    return facts


def _encoding_hint(raw: bytes) -> str:
    """What a file that is not UTF-8 most likely is."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "it starts with a UTF-32 byte-order mark"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "it starts with a UTF-16 byte-order mark"
    return "it looks like a legacy encoding such as Latin-1 or cp1252"


USAGE = {
    "note": "mlgate.card.note(section, text)",
    "dataset": "mlgate.card.dataset(role, df, description=...)",
    "expect_complete": "mlgate.card.expect_complete(sections=None)",
}


def _recorded(method: Callable[..., Any]) -> Callable[..., Any]:
    """Card calls answer like every ``expect_*``: bad arguments (a missing one, an unknown
    section) record an ``error`` result with the fix and return it, instead of raising."""

    @functools.wraps(method)
    def guarded(self: Card, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            usage = USAGE[method.__name__]
            message = describe(exc)
            if not isinstance(exc, MlgateError):
                message += f" Call it as {usage}."
            return self._recorder.error(
                "governance", "model card", f"card.{method.__name__}(...)", {}, message
            )

    return guarded


class Card:
    """``mlgate.card``: add notes and datasets to the model card from a test.

    >>> mlgate.card.note("caveats_and_recommendations", "Not validated under 21.")  # doctest: +SKIP
    >>> mlgate.card.dataset("evaluation", test_df, description="Adult test split")  # doctest: +SKIP
    """

    def __init__(
        self, facts: dict[str, Any], recorder: Recorder, rootdir: Path | None = None
    ) -> None:
        self.facts = facts
        self._recorder = recorder
        self.rootdir = rootdir

    @_recorded
    def note(self, section: str, text: str) -> CheckResult | None:
        """Append ``text`` to one section of the model card (bad arguments record an
        ``error`` result, which is returned)."""
        if section not in SECTIONS:
            raise MlgateInputError(
                "section",
                f"unknown model-card section {section!r}.",
                f"Use one of: {', '.join(SECTIONS)}.",
            )
        if not isinstance(text, str) or not text.strip():
            raise MlgateInputError("text", "must be a non-empty string.")
        record = self._recorder.record
        record.notes.append((record.phase, {"section": section, "text": text.strip()}))
        return None

    @_recorded
    def dataset(
        self,
        role: str,
        df: Any,
        *,
        description: str = "",
        name: str | None = None,
        source: Any = None,
    ) -> CheckResult | None:
        """Record a dataset (rows, columns, sha256 fingerprint) under ``role``, e.g.
        ``"training"`` or ``"evaluation"`` (bad arguments record an ``error`` result, which
        is returned). ``source=`` records the file's lineage (sha256, DVC md5 and status)."""
        if not isinstance(role, str) or not role.strip():
            raise MlgateInputError("role", "must be a non-empty string, e.g. 'evaluation'.")
        if not isinstance(description, str):
            raise MlgateInputError(
                "description", f"must be text, got {type(description).__name__}."
            )
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise MlgateInputError("name", "must be a non-empty string, or left out.")
        frame = as_frame(df, "df")
        self._recorder.use_dataset(name or role, role, frame, description)
        return self._recorder.use_source("governance", name or role, role, source, self.rootdir)

    @_recorded
    def expect_complete(
        self,
        sections: list[str] | tuple[str, ...] | None = None,
        *,
        severity: str | None = None,
        on_insufficient: str = "block",
    ) -> CheckResult:
        """Every required section of the card is present, non-empty and free of placeholders
        ("TODO", "TBD", "[More Information Needed]"). It judges ``model_card.toml`` together
        with the notes this test added. ``observed`` is the number of sections that fail.

        >>> mlgate.card.expect_complete()                                  # doctest: +SKIP
        >>> mlgate.card.expect_complete(["model", "intended_use"])         # doctest: +SKIP
        """
        if isinstance(sections, str) or not (
            sections is None or isinstance(sections, list | tuple)
        ):
            raise MlgateInputError(
                "sections",
                f"must be a list of section names, got {sections!r}.",
                f"Use e.g. expect_complete(['model', 'intended_use']); the sections are "
                f"{', '.join(SECTIONS)}.",
            )
        wanted = list(SECTIONS if sections is None else sections)
        threshold = {"sections": wanted}
        name = "model card complete" + ("" if sections is None else f": {', '.join(wanted)}")

        def compute() -> Outcome:
            unknown = [s for s in wanted if s not in SECTIONS]
            if unknown or not wanted:
                raise MlgateInputError(
                    "sections",
                    f"unknown section{'s' if len(unknown) > 1 else ''} {unknown}"
                    if unknown
                    else "is empty.",
                    f"Use any of: {', '.join(SECTIONS)}.",
                )
            notes: dict[str, list[str]] = {}
            for _, note in self._recorder.record.notes:
                notes.setdefault(note["section"], []).append(note["text"])
            missing, placeholders = [], {}
            for section in wanted:
                texts = _texts(self.facts.get(section)) + notes.get(section, [])
                filled = [t for t in texts if t.strip()]
                if not filled:
                    missing.append(section)
                    continue
                held = [t for t in filled if is_placeholder(t)]
                if held:
                    placeholders[section] = [t[:80] for t in held[:3]]
            failing = len(missing) + len(placeholders)
            parts = []
            if missing:
                parts.append(f"missing or empty: {', '.join(missing)}")
            if placeholders:
                parts.append(f"placeholders left in: {', '.join(placeholders)}")
            message = (
                f"All {len(wanted)} sections are filled in."
                if not failing
                else "Model card incomplete: "
                + "; ".join(parts)
                + ". Fill them in model_card.toml or with mlgate.card.note(section, text)."
            )
            return Outcome(
                ok=failing == 0,
                observed=failing,
                message=message,
                details={
                    "violations": failing,
                    "missing": missing,
                    "placeholders": placeholders,
                    "examples": (missing + list(placeholders))[:5],
                },
            )

        return self._recorder.run(
            "governance",
            "model card",
            name,
            threshold,
            compute,
            severity=severity,
            on_insufficient=on_insufficient,
        )


def _texts(value: Any) -> list[str]:
    """Every text inside a TOML value (tables and lists flattened)."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [str(value)]
