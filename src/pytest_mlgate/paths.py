"""Paths as artifacts show them: relative to pytest's rootdir when inside it, so the same run in
two checkouts records the same text."""

from __future__ import annotations

from pathlib import Path


def display_path(path: Path | str, root: Path | str) -> str:
    """``path`` relative to ``root`` (POSIX separators) when inside it, else as given."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)
