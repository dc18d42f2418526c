"""Baseline files: reading a stored figure, and writing the figures checks asked to store.

A baseline file ``<baseline_dir>/<NAME>.json`` holds one entry per ``<subject>.<metric>`` key,
one entry per line with sorted keys, so that a change reads well in a diff::

    {
      "metrics": {
        "holdout.roc_auc": {"commit": "3f2a", "fingerprint": "sha256:9c", "n": 1628, "value": 0.9}
      },
      "schema_version": 1
    }

Only the session controller writes (a check never writes a file); entries already in the file
and not updated this run are kept.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import MlgateInputError

SCHEMA_VERSION = 1
UPDATE_COMMAND = "pytest --mlgate-update-baselines"


def baseline_path(directory: Path, name: str) -> Path:
    """The file of baseline ``name`` (a plain file name: no folders, no dots in front)."""
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name[0] == ".":
        raise MlgateInputError(
            "baseline", f"must be a plain file name such as 'credit', got {name!r}."
        )
    return Path(directory) / f"{name}.json"


def read_baseline(directory: Path, name: str) -> dict[str, Any] | None:
    """The stored entries of baseline ``name`` (``{key: entry}``), or None when the file is
    absent. An unreadable file is bad input."""
    path = baseline_path(directory, name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise MlgateInputError(
            "baseline",
            f"{path} is not valid JSON ({exc}).",
            f"Fix or delete it, then run `{UPDATE_COMMAND}`.",
        ) from exc
    metrics = doc.get("metrics") if isinstance(doc, dict) else None
    if not isinstance(metrics, dict):
        raise MlgateInputError(
            "baseline",
            f"{path} has no 'metrics' table.",
            f"Delete it and run `{UPDATE_COMMAND}`.",
        )
    return metrics


def render(metrics: dict[str, dict[str, Any]]) -> str:
    """The file text: sorted keys, one metric per line."""
    lines = ["{", '  "metrics": {']
    keys = sorted(metrics)
    for i, key in enumerate(keys):
        entry = json.dumps(metrics[key], sort_keys=True, ensure_ascii=False, allow_nan=False)
        comma = "," if i < len(keys) - 1 else ""
        lines.append(f"    {json.dumps(key, ensure_ascii=False)}: {entry}{comma}")
    lines.append("  },")
    lines.append(f'  "schema_version": {SCHEMA_VERSION}')
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_updates(
    directory: Path, updates: list[dict[str, Any]], *, commit: str | None
) -> list[Path]:
    """Merge ``updates`` (``{"baseline", "key", "value", "fingerprint", "n"}``) into their
    files, atomically; returns the files written. A later update of a key wins."""
    from .report.files import atomic_write

    by_file: dict[str, dict[str, dict[str, Any]]] = {}
    for update in updates:
        entry = {k: v for k, v in update.items() if k not in ("baseline", "key")}
        entry["commit"] = commit
        by_file.setdefault(update["baseline"], {})[update["key"]] = entry
    written = []
    for name in sorted(by_file):
        path = baseline_path(directory, name)
        try:
            metrics = read_baseline(directory, name) or {}
        except MlgateInputError:
            metrics = {}
        metrics.update(by_file[name])
        atomic_write(path, render(metrics))
        written.append(path)
    return written
