"""Writing artifacts: atomically per file, one set per folder under a lock, with history."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import MlgateError
from ..files import atomic_write, atomic_write_bytes, umask

__all__ = ["atomic_write", "atomic_write_bytes"]  # the artifacts' writers use these

# written in this order: the record first, then the views that name its digest
ARTIFACTS = ("audit.json", "audit.html", "model_card.html", "summary.md")
HISTORY = "history"
LOCK = ".mlgate.lock"
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def history_name(digest: str) -> str:
    """The file name a record with this digest is kept under in ``history/``."""
    return digest.replace(":", "-") + ".json"


def keep_history(folder: Path) -> str | None:
    """Keep the folder's current ``audit.json`` as ``history/<digest>.json`` (approvals and
    all, byte for byte) before a new record replaces it; return its digest for the new
    record's ``previous_digest``. A file that is not a record with a digest is kept too, under
    the hash of its bytes, and the chain starts afresh (None)."""
    path = folder / "audit.json"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        doc: Any = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        doc = None
    digest = doc.get("digest") if isinstance(doc, dict) else None
    valid = isinstance(digest, str) and DIGEST.fullmatch(digest) is not None
    name = (
        history_name(str(digest))
        if valid
        else f"unreadable-{hashlib.sha256(data).hexdigest()}.json"
    )
    atomic_write_bytes(folder / HISTORY / name, data)
    return digest if valid else None


def remove_leftovers(folder: Path) -> list[str]:
    """Temporary files of a killed run (``.<artifact>.<random>.tmp``): only ever ours, and
    only removed while the folder's lock is held."""
    ours = tuple(f".{name}." for name in ARTIFACTS)
    removed = []
    for directory in (folder, folder / HISTORY):
        for tmp in directory.glob(".*.tmp"):
            if directory.name == HISTORY or tmp.name.startswith(ours):
                with contextlib.suppress(OSError):
                    tmp.unlink()
                    removed.append(tmp.name)
    return removed


@contextlib.contextmanager
def folder_lock(folder: Path, timeout: float) -> Iterator[None]:
    """Hold the report folder's lock while writing: a second session on the same folder
    waits up to ``timeout`` seconds, then fails with a message saying so."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666 & ~umask())
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise MlgateError(
                    f"the report folder {folder} is being written by another session (its lock "
                    f"{LOCK} was held for {timeout:g} s); give each session its own "
                    "--mlgate-report-dir, or raise MLGATE_LOCK_TIMEOUT."
                )
            time.sleep(0.05)
        try:
            remove_leftovers(folder)
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


def named_digest(path: Path) -> str | None:
    """The digest an artifact names (its first ``sha256:…``), or None."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    found = DIGEST.search(text)
    return found.group(0) if found else None
