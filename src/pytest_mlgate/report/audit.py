"""The audit document (``audit.json``): assembly, canonical form, digest and signature."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter
from typing import Any

from ..results import CATEGORIES, ERROR, STATUSES, is_blocking

SCHEMA_VERSION = 2
# approvals are added after the record is sealed; they carry their own chain and seal
UNSIGNED_KEYS = ("digest", "signature", "approvals", "approvals_seal")


def canonical_bytes(doc: dict[str, Any]) -> bytes:
    """The bytes the digest and the signature cover: the document without ``digest``,
    ``signature``, ``approvals`` and ``approvals_seal``, as canonical JSON."""
    body = {k: v for k, v in doc.items() if k not in UNSIGNED_KEYS}
    return canonical_json(body)


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def compute_digest(doc: dict[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(canonical_bytes(doc)).hexdigest()


def compute_signature(doc: dict[str, Any], key: str) -> str:
    mac = hmac.new(key.encode("utf-8"), canonical_bytes(doc), hashlib.sha256)
    return "hmac-sha256:" + mac.hexdigest()


def summarize(
    checks: list[dict[str, Any]],
    *,
    enforced: bool = True,
    incomplete: list[str] | None = None,
    scope: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Counts per status and per category, what blocks, and the gate of the whole run.

    ``would_block`` counts the checks that block under their declared severity; ``blocking``
    those that blocked this run (the same when enforced; under ``--mlgate-warn-only`` only
    errors, which fail the build in every mode). The gate is ``incomplete`` when the run did
    not run to its end (the reasons are listed), else ``failed`` when any check would block,
    else ``passed``: a warn-only run still says what it would have decided.
    """
    counts = Counter(c["status"] for c in checks)
    by_category: dict[str, dict[str, int]] = {}
    for c in checks:
        row = by_category.setdefault(c["category"], dict.fromkeys(STATUSES, 0))
        row[c["status"]] = row.get(c["status"], 0) + 1
    would_block = sum(1 for c in checks if is_blocking(c["status"], c["severity"]))
    blocking = would_block if enforced else sum(1 for c in checks if c["status"] == ERROR)
    reasons = list(incomplete or [])
    order = {name: i for i, name in enumerate(CATEGORIES)}
    return {
        "total": len(checks),
        "counts": {s: counts.get(s, 0) for s in STATUSES},
        "by_category": dict(sorted(by_category.items(), key=lambda kv: order.get(kv[0], 99))),
        "blocking": blocking,
        "would_block": would_block,
        "enforced": enforced,
        "incomplete": reasons,
        "subset": bool(scope and scope.get("subset")),
        "gate": "incomplete" if reasons else ("failed" if would_block else "passed"),
    }


def build_document(
    *,
    run: dict[str, Any],
    model: dict[str, Any],
    datasets: list[dict[str, Any]],
    checks: list[dict[str, Any]],
    previous_digest: str | None,
    signing_key: str | None,
    enforced: bool = True,
    incomplete: list[str] | None = None,
    scope: dict[str, Any] | None = None,
    baselines: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Assemble the document and seal it with its digest (and signature when keyed).

    ``partial`` is kept for readers of schema 1: it is true exactly when the gate is
    ``incomplete``.
    """
    summary = summarize(checks, enforced=enforced, incomplete=incomplete, scope=scope)
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "partial": summary["gate"] == "incomplete",
        "run": run,
        "scope": scope or {"subset": False},
        "model": model,
        "datasets": datasets,
        "checks": checks,
        "summary": summary,
        "baselines_written": [b for b in baselines or [] if b.get("written")],
        "baselines_refused": [b for b in baselines or [] if not b.get("written")],
        "previous_digest": previous_digest,
    }
    doc["digest"] = compute_digest(doc)
    if signing_key:
        doc["signature"] = compute_signature(doc, signing_key)
    return doc


def dumps(doc: dict[str, Any]) -> str:
    """The on-disk text of ``audit.json``: sorted keys, two-space indent, a final newline."""
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
