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
and not updated this run are kept. A baseline never moves silently: every update is listed
(old -> new) in the record, regression checks of an update run are "written, not judged", and
a baseline is not moved when its new value breaks the check's rule against the committed one,
or when the run's gate otherwise fails or is incomplete, unless forced.
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


def decide_updates(
    checks: list[dict[str, Any]], *, force: bool, incomplete: list[str], commit: str | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Which requested baseline updates are written, and the checks amended to say so.

    Each regression check of an update run carries ``details["baseline_update"]`` with the new
    value, the committed one (``old``), and how the check would have judged it. An update is
    written when forced, or when the check did not refuse it (refused: the new value breaks the
    rule against the committed baseline) and no other check blocks and the run is complete.
    A written update leaves its check ``insufficient`` with severity ``warn`` ("written, not
    judged"); a refused one gets the verdict it was judged to have, so a regression still fails.
    """
    from .results import FAILED, INSUFFICIENT, PASSED, WARN, WARNED, is_blocking

    pending = [
        i
        for i, c in enumerate(checks)
        if isinstance(c.get("details", {}).get("baseline_update"), dict)
    ]
    others = [c for i, c in enumerate(checks) if i not in set(pending)]
    blocking_elsewhere = sum(1 for c in others if is_blocking(c["status"], c["severity"]))
    out = list(checks)
    decisions = []
    for i in pending:
        check = checks[i]
        update = check["details"]["baseline_update"]
        old, new = update.get("old"), update["value"]
        change = None
        if isinstance(old, int | float) and isinstance(new, int | float):
            change = (new - old) * (1 if update.get("greater_is_better", True) else -1)
        reason = None
        if update.get("refused") and not force:
            reason = update["refused"]
        elif not force and incomplete:
            reason = "the run is incomplete (" + "; ".join(incomplete) + ")"
        elif not force and blocking_elsewhere:
            reason = (
                f"the gate failed ({blocking_elsewhere} other blocking "
                f"check{'s' if blocking_elsewhere > 1 else ''})"
            )
        decision = {
            "baseline": update["baseline"],
            "key": update["key"],
            "value": new,
            "fingerprint": update.get("fingerprint"),
            "rows_fingerprint": update.get("rows_fingerprint"),
            "n": update.get("n"),
            "old": old,
            "old_commit": update.get("old_commit"),
            "change": change,
            "commit": commit,
            "nodeid": check["nodeid"],
            "forced": bool(force),
            "written": reason is None,
        }
        old_text = "none" if old is None else f"{old:.6g}"
        moved = f"{update['key']}: {old_text} -> {new:.6g}" + (
            "" if change is None else f" (change {change:+.4g} in the favourable direction)"
        )
        details = {**check["details"], "baseline_update": {**update, "written": reason is None}}
        if reason is None:
            amended = {
                **check,
                "status": INSUFFICIENT,
                "severity": WARN,
                "message": f"Baseline written, not judged: {moved}"
                + (" (forced)" if force else "")
                + f", commit {commit or 'unknown'}. Review and commit the file.",
                "details": details,
            }
        else:
            decision["reason"] = reason
            judged = update.get("judged_ok")
            severity = update.get("severity", check["severity"])
            status = PASSED if judged else (WARNED if severity == WARN else FAILED)
            amended = {
                **check,
                "status": status,
                "severity": severity,
                "message": f"{update.get('judged_message', '')} Baseline NOT written ({moved}): "
                f"{reason}. Fix the cause, or accept it with --mlgate-update-baselines=force.",
                "details": details,
            }
        out[i] = amended
        decisions.append(decision)
    return out, decisions


def write_updates(
    directory: Path, updates: list[dict[str, Any]], *, commit: str | None
) -> list[Path]:
    """Merge ``updates`` (``{"baseline", "key", "value", "fingerprint", "rows_fingerprint",
    "n"}``) into their files, atomically; returns the files written.
    A later update of a key wins."""
    from .files import atomic_write

    by_file: dict[str, dict[str, dict[str, Any]]] = {}
    for update in updates:
        entry: dict[str, Any] = {k: update[k] for k in ("value", "fingerprint", "n") if k in update}
        if update.get("rows_fingerprint"):  # the evaluation rows alone: "did the data change"
            entry["rows_fingerprint"] = update["rows_fingerprint"]
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
