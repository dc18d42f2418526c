"""File lineage of a dataset: the source file's sha256 and its md5 as DVC computes it, and,
when DVC tracks the file (a ``.dvc`` file beside it or an output in a ``dvc.lock``), the tracked
hash and whether the file on disk matches it.

DVC itself is not imported: its files are YAML, read with PyYAML (the ``dvc`` extra).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from ..errors import MlgateInputError

CHUNK = 1 << 20
# DVC 2's test for a text file (its md5 of a text file ignores Windows line ends): the first
# 512 bytes hold no NUL and at most 30% bytes outside printable ASCII and whitespace
TEXT_CHARS = bytes(range(32, 127)) + b"\n\r\t\f\b"


def describe_source(source: Any, rootdir: Path) -> dict[str, Any]:
    """The lineage record of ``source`` (a path; relative paths resolve against the rootdir)."""
    if not isinstance(source, str | os.PathLike) or not str(source).strip():
        raise MlgateInputError(
            "source", f"must be the path of the data file, got {type(source).__name__}."
        )
    path = Path(source).expanduser()
    if not path.is_absolute():
        path = rootdir / path
    shown = display(path, rootdir)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise MlgateInputError(
            "source",
            f"{shown} {what}: lineage is recorded for one data file.",
            "Give the file the frame was read from (relative paths start at the rootdir).",
        )
    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            sha256.update(block)
            md5.update(block)
            size += len(block)
    record: dict[str, Any] = {
        "path": shown,
        "bytes": size,
        "sha256": "sha256:" + sha256.hexdigest(),
        "md5": md5.hexdigest(),
        "dvc": None,
    }
    tracked = find_tracking(path, rootdir)
    if tracked is not None:
        if "md5" in tracked:
            legacy = tracked.pop("legacy", False)
            on_disk = legacy_md5(path) if legacy else record["md5"]
            tracked["match"] = tracked["md5"] == on_disk
        record["dvc"] = tracked
    return record


def display(path: Path, rootdir: Path) -> str:
    try:
        return path.resolve().relative_to(rootdir.resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()


def legacy_md5(path: Path) -> str:
    """DVC 2's md5 (no ``hash: md5`` in the entry): text files with CRLF read as LF."""
    with path.open("rb") as handle:
        head = handle.read(512)
    nontext = head.translate(None, TEXT_CHARS)
    text = not head or (b"\x00" not in head and len(nontext) / len(head) <= 0.30)
    md5 = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            md5.update(block.replace(b"\r\n", b"\n") if text else block)
    return md5.hexdigest()


def find_tracking(path: Path, rootdir: Path) -> dict[str, Any] | None:
    """The DVC entry naming this file: ``<file>.dvc`` beside it, else an output of a stage in
    a ``dvc.lock`` of its folder or any folder above it up to the rootdir."""
    target = path.resolve()
    dvc_file = path.with_name(path.name + ".dvc")
    if dvc_file.is_file():
        entry = _read(dvc_file, rootdir)
        if "error" in entry:
            return entry
        for out in _outs(entry.pop("yaml")):
            if (dvc_file.parent / str(out.get("path", ""))).resolve() == target:
                return _tracked(display(dvc_file, rootdir), out)
    root = rootdir.resolve()
    folder = target.parent
    while True:
        lock = folder / "dvc.lock"
        if lock.is_file():
            entry = _read(lock, rootdir)
            if "error" in entry:
                return entry
            stages = entry["yaml"].get("stages") if isinstance(entry["yaml"], dict) else None
            for stage, body in (stages or {}).items():
                for out in _outs(body):
                    if (folder / str(out.get("path", ""))).resolve() == target:
                        return {"stage": str(stage)} | _tracked(display(lock, rootdir), out)
        if folder == root or folder.parent == folder or root not in folder.parents:
            return None
        folder = folder.parent


def _read(file: Path, rootdir: Path) -> dict[str, Any]:
    shown = display(file, rootdir)
    try:
        import yaml
    except ImportError:
        return {
            "file": shown,
            "error": "PyYAML is needed to read it: pip install 'pytest-mlgate[dvc]'",
        }
    try:
        return {"yaml": yaml.safe_load(file.read_text(encoding="utf-8")) or {}}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return {"file": shown, "error": f"unreadable: {type(exc).__name__}: {exc}"[:300]}


def _outs(body: Any) -> list[dict[str, Any]]:
    outs = body.get("outs") if isinstance(body, dict) else None
    return [o for o in outs or [] if isinstance(o, dict)]


def _tracked(file: str, out: dict[str, Any]) -> dict[str, Any]:
    md5 = out.get("md5")
    if not isinstance(md5, str):
        return {"file": file, "error": "the entry holds no md5 (another hash or a cloud etag)"}
    return {"file": file, "md5": md5, "legacy": out.get("hash") != "md5"}
