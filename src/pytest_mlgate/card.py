"""The model card: static facts from ``model_card.toml`` plus what tests add.

Sections follow Mitchell et al., "Model Cards for Model Reporting" (2019). Quantitative
analyses are generated from the checks; the other sections come from the TOML file and from
``mlgate.card.note(section, text)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import MlgateError, MlgateInputError
from .frames import as_frame

if TYPE_CHECKING:
    from .gate import Recorder

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


def load_card_facts(path: Path) -> dict[str, Any]:
    """Read ``model_card.toml``; a syntax error names the file and the line."""
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MlgateError(f"model card {path}: cannot be read ({exc.strerror}).") from exc
    try:
        facts = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MlgateError(f"model card {path}: invalid TOML: {exc}.") from exc
    unknown = sorted(set(facts) - set(SECTIONS))
    if unknown:
        raise MlgateError(
            f"model card {path}: unknown table{'s' if len(unknown) > 1 else ''} "
            f"[{'], ['.join(unknown)}]; the sections are {', '.join(SECTIONS)}."
        )
    return facts


class Card:
    """``mlgate.card``: add notes and datasets to the model card from a test.

    >>> mlgate.card.note("caveats_and_recommendations", "Not validated under 21.")  # doctest: +SKIP
    >>> mlgate.card.dataset("evaluation", test_df, description="Adult test split")  # doctest: +SKIP
    """

    def __init__(self, facts: dict[str, Any], recorder: Recorder) -> None:
        self.facts = facts
        self._recorder = recorder

    def note(self, section: str, text: str) -> None:
        """Append ``text`` to one section of the model card."""
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

    def dataset(
        self, role: str, df: Any, *, description: str = "", name: str | None = None
    ) -> None:
        """Record a dataset (rows, columns, sha256 fingerprint) under ``role``, e.g.
        ``"training"`` or ``"evaluation"``."""
        if not isinstance(role, str) or not role.strip():
            raise MlgateInputError("role", "must be a non-empty string, e.g. 'evaluation'.")
        frame = as_frame(df, "df")
        self._recorder.use_dataset(name or role, role, frame, description)
