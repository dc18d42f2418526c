"""Verifying a record (digest, signature, approvals, the pages beside it, the history chain)
and signing it with a chained approval."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Any

from ..errors import Unreadable
from ..report.audit import canonical_json, compute_digest, compute_signature
from .record import load_audit

SIBLINGS = ("audit.html", "model_card.html", "summary.md")


MAX_CHAIN = 10_000


def signing_key() -> str | None:
    return os.environ.get("MLGATE_SIGNING_KEY") or None


def _same(a: Any, b: str) -> bool:
    """Constant-time comparison of any value with a text (bytes, so non-ASCII is no error)."""
    return hmac.compare_digest(str(a).encode("utf-8"), b.encode("utf-8"))


def _mac(key: str, value: Any) -> str:
    return "hmac-sha256:" + hmac.new(key.encode(), canonical_json(value), "sha256").hexdigest()


def approval_signature(approval: dict[str, Any], key: str) -> str:
    """An approval's signature: its canonical JSON without ``signature``, HMAC'd."""
    return _mac(key, {k: v for k, v in approval.items() if k != "signature"})


def approval_hash(approval: dict[str, Any]) -> str:
    """What the next approval names as ``previous``: the hash of this one, signature included."""
    return "sha256:" + hashlib.sha256(canonical_json(approval)).hexdigest()


def seal_signature(digest: str, count: int, head: str | None, key: str) -> str:
    return _mac(key, {"digest": digest, "count": count, "head": head})


def verify(
    doc: dict[str, Any], key: str | None, folder: Path | None = None
) -> tuple[bool, list[str]]:
    """Check the digest, the signature (when keyed), the approvals' chain and seal, and, when
    ``folder`` is given, that the pages beside the record name its digest.
    Returns (intact, lines)."""
    lines: list[str] = []
    ok = True
    try:
        digest = compute_digest(doc)
    except ValueError as exc:  # NaN or infinity was written into the file by hand
        return False, [f"NOT INTACT: the content cannot be canonicalised ({exc})"]
    if _same(doc.get("digest"), digest):
        lines.append(f"digest ok: {digest}")
    else:
        ok = False
        lines.append(
            f"NOT INTACT: digest mismatch: the file says {doc.get('digest')}, its content "
            f"hashes to {digest}; it was changed after it was written"
        )
    if key is None:
        lines.append("signature not checked (MLGATE_SIGNING_KEY is not set)")
    elif "signature" not in doc:
        ok = False
        lines.append("NOT INTACT: unsigned, but MLGATE_SIGNING_KEY is set: a signature is required")
    elif _same(doc["signature"], compute_signature(doc, key)):
        lines.append("signature ok (HMAC-SHA256)")
    else:
        ok = False
        lines.append("NOT INTACT: signature mismatch: wrong key, or the content was changed")
    approvals_ok, approval_lines = verify_approvals(doc, key)
    lines += approval_lines
    ok = ok and approvals_ok
    if folder is not None:
        siblings_ok, sibling_lines = verify_siblings(doc, folder)
        lines += sibling_lines
        ok = ok and siblings_ok
    return ok, lines


def verify_approvals(doc: dict[str, Any], key: str | None) -> tuple[bool, list[str]]:
    """Each approval approves this digest and names the hash of the one before it; with a key,
    each must carry a valid signature, and the seal (count and last hash, signed) must match,
    so editing, reordering or deleting a signed approval is detected."""
    ok, lines = True, []
    previous: str | None = None
    approvals = doc.get("approvals", [])
    for i, a in enumerate(approvals, start=1):
        who = f"approval {i} by {a.get('by')}"
        if a.get("digest") != doc.get("digest"):
            ok = False
            lines.append(f"NOT INTACT: {who} approves another digest ({a.get('digest')})")
        if "previous" in a and a.get("previous") != previous:
            ok = False
            lines.append(
                f"NOT INTACT: {who} does not follow the approval before it: an approval was "
                "removed, inserted or changed"
            )
        signed = "signature" in a
        if key is not None and not signed:
            ok = False
            lines.append(f"NOT INTACT: {who} is unsigned, but MLGATE_SIGNING_KEY is set")
        elif key is not None and not _same(a["signature"], approval_signature(a, key)):
            ok = False
            lines.append(f"NOT INTACT: {who}: signature wrong (edited, or another key)")
        else:
            how = (
                "signature ok"
                if key is not None
                else ("signed, signature not checked" if signed else "unsigned")
            )
            chained = "" if "previous" in a else " (older format: not chained)"
            lines.append(f"{who} at {a.get('at')}: {how}{chained}")
        previous = approval_hash(a)
    seal = doc.get("approvals_seal")
    if seal is None:
        if key is not None and any("signature" in a for a in approvals):
            ok = False
            lines.append("NOT INTACT: signed approvals without their seal")
        return ok, lines
    if seal.get("count") != len(approvals) or seal.get("head") != previous:
        ok = False
        lines.append(
            f"NOT INTACT: the approvals' seal names {seal.get('count')} approvals, the file "
            f"holds {len(approvals)} (or the last one changed): an approval was deleted or edited"
        )
    elif key is not None and "signature" in seal:
        expected = seal_signature(str(doc.get("digest")), len(approvals), previous, key)
        if not _same(seal["signature"], expected):
            ok = False
            lines.append("NOT INTACT: the approvals' seal signature is wrong")
    return ok, lines


def verify_siblings(doc: dict[str, Any], folder: Path) -> tuple[bool, list[str]]:
    """The pages and summary written with a record name its digest: one naming another digest
    is stale (its write failed, or it was copied from another run)."""
    from ..report.files import named_digest
    from ..report.html import card_file, model_names

    ok, lines = True, []
    cards = sorted((folder / "model_cards").glob("*.html"))
    expected = {card_file(m) for m in model_names(doc)}
    for name in [*SIBLINGS, *(f"model_cards/{c.name}" for c in cards)]:
        path = folder / name
        if not path.is_file():
            continue
        if name.startswith("model_cards/") and name not in expected:
            ok = False
            lines.append(f"NOT INTACT: {name} is a card of a model this record does not gate")
            continue
        named = named_digest(path)
        if named is None:
            lines.append(f"{name}: names no digest (a custom template?): not checked")
        elif named != doc.get("digest"):
            ok = False
            lines.append(f"NOT INTACT: {name} names another record ({named}): it is stale")
        else:
            lines.append(f"{name}: names this record")
    return ok, lines


def verify_chain(folder: Path, key: str | None) -> tuple[bool, list[str]]:
    """Walk from ``folder/audit.json`` through ``previous_digest`` into ``history/``, verifying
    every record; say where the chain breaks."""
    from ..report.files import HISTORY, history_name

    path = folder / "audit.json"
    doc = load_audit(path)
    ok, lines = True, []
    seen: set[str] = set()
    for depth in range(MAX_CHAIN):
        intact, found = verify(doc, key, folder if depth == 0 else None)
        state = "intact" if intact else "NOT INTACT"
        lines.append(f"{path.relative_to(folder).as_posix()}: {doc['digest']}: {state}")
        lines += [f"  {line}" for line in found if line.startswith("NOT INTACT")]
        ok = ok and intact
        previous = doc.get("previous_digest")
        if previous is None:
            lines.append(f"chain of {depth + 1} record{'s' if depth else ''} starts here")
            return ok, lines
        if not isinstance(previous, str) or previous in seen:
            lines.append(f"BROKEN: previous_digest {previous!r} is not a usable link")
            return False, lines
        seen.add(previous)
        path = folder / HISTORY / history_name(previous)
        try:
            doc = load_audit(path)
        except Unreadable as exc:
            lines.append(f"BROKEN: the record names {previous} before it, but {exc}")
            return False, lines
        if not _same(doc["digest"], previous):
            lines.append(f"BROKEN: {path.name} holds another record ({doc['digest']})")
            return False, lines
    lines.append(f"BROKEN: the chain is longer than {MAX_CHAIN} records or loops")
    return False, lines


def _now() -> str:
    from ..clock import timestamp

    return timestamp()


def sign(doc: dict[str, Any], by: str, note: str, key: str | None) -> dict[str, Any]:
    """A copy of ``doc`` with one more approval, chained to the one before it, and the seal."""
    approvals = list(doc.get("approvals", []))
    approval: dict[str, Any] = {
        "by": by,
        "at": _now(),
        "note": note,
        "digest": doc["digest"],
        "previous": approval_hash(approvals[-1]) if approvals else None,
    }
    if key is not None:
        approval["signature"] = approval_signature(approval, key)
    approvals.append(approval)
    head = approval_hash(approval)
    seal: dict[str, Any] = {"count": len(approvals), "head": head}
    if key is not None:
        seal["signature"] = seal_signature(doc["digest"], len(approvals), head, key)
    return {**doc, "approvals": approvals, "approvals_seal": seal}
