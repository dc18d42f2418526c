"""``mlgate``: verify, diff, render and sign audit records without running the tests.

mlgate verify audit.json            exit 0 intact, 1 not intact, 2 unreadable
mlgate diff old.json new.json       what changed (text or markdown); 1 with
                                    --fail-on-regression when a check got worse
mlgate render audit.json -o DIR     audit.html and model_card.html again
mlgate sign audit.json --by NAME    append an approval of this exact digest
"""

from __future__ import annotations

import argparse
import hmac
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .report.audit import (
    canonical_json,
    compute_digest,
    compute_signature,
    dumps,
)

INTACT, NOT_INTACT, UNREADABLE = 0, 1, 2
REQUIRED = ("schema_version", "run", "checks", "summary", "digest")
CHECK_FIELDS = ("category", "name", "subject", "nodeid", "status", "severity", "observed")
# how bad a status is, for "a check got worse"
BADNESS = {"passed": 0, "warned": 1, "insufficient": 2, "failed": 3, "error": 4}


class Unreadable(Exception):
    """The input cannot be read as an audit record; the message says why."""


def load_audit(path: str | Path) -> dict[str, Any]:
    """Read and shape-check an ``audit.json``; raise :class:`Unreadable` with the reason."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Unreadable(f"{p}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise Unreadable(f"{p}: cannot be read ({exc})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unreadable(
            f"{p}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(doc, dict):
        raise Unreadable(f"{p}: not an audit record (the top level is not an object)")
    missing = [k for k in REQUIRED if k not in doc]
    if missing:
        raise Unreadable(f"{p}: not an audit record (missing {', '.join(missing)})")
    for key, kind in (("run", dict), ("summary", dict), ("checks", list), ("digest", str)):
        if not isinstance(doc[key], kind):
            raise Unreadable(f"{p}: not an audit record ('{key}' must be a {kind.__name__})")
    if doc["schema_version"] != 1:
        raise Unreadable(f"{p}: schema_version {doc['schema_version']!r} is not supported (1 is)")
    if not isinstance(doc["checks"], list) or not all(
        isinstance(c, dict) and all(f in c for f in CHECK_FIELDS) for c in doc["checks"]
    ):
        raise Unreadable(
            f"{p}: 'checks' must be a list of check records with {', '.join(CHECK_FIELDS)}"
        )
    if not isinstance(doc.get("approvals", []), list):
        raise Unreadable(f"{p}: 'approvals' must be a list")
    return doc


def signing_key() -> str | None:
    return os.environ.get("MLGATE_SIGNING_KEY") or None


def verify(doc: dict[str, Any], key: str | None) -> tuple[bool, list[str]]:
    """Check the digest, the signature (when keyed) and every approval; return (ok, lines)."""
    lines: list[str] = []
    ok = True
    try:
        digest = compute_digest(doc)
    except ValueError as exc:  # NaN or infinity was written into the file by hand
        return False, [f"NOT INTACT: the content cannot be canonicalised ({exc})"]
    if hmac.compare_digest(str(doc.get("digest")), digest):
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
    elif hmac.compare_digest(str(doc["signature"]), compute_signature(doc, key)):
        lines.append("signature ok (HMAC-SHA256)")
    else:
        ok = False
        lines.append("NOT INTACT: signature mismatch: wrong key, or the content was changed")
    for i, approval in enumerate(doc.get("approvals", []), start=1):
        who = approval.get("by", "?") if isinstance(approval, dict) else "?"
        if not isinstance(approval, dict) or approval.get("digest") != doc.get("digest"):
            ok = False
            lines.append(
                f"NOT INTACT: approval {i} by {who} approves another digest "
                f"({approval.get('digest') if isinstance(approval, dict) else approval})"
            )
            continue
        if key is None:
            lines.append(
                f"approval {i} by {who} at {approval.get('at')}: digest matches "
                "(signature not checked)"
            )
        elif not hmac.compare_digest(
            str(approval.get("signature")), approval_signature(approval, key)
        ):
            ok = False
            lines.append(f"NOT INTACT: approval {i} by {who}: signature missing or wrong")
        else:
            lines.append(f"approval {i} by {who} at {approval.get('at')}: signature ok")
    return ok, lines


def approval_signature(approval: dict[str, Any], key: str) -> str:
    body = {k: v for k, v in approval.items() if k != "signature"}
    mac = hmac.new(key.encode("utf-8"), canonical_json(body), "sha256")
    return "hmac-sha256:" + mac.hexdigest()


def _now() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = float(epoch) if epoch.isdigit() else datetime.now(tz=UTC).timestamp()
    return datetime.fromtimestamp(moment, tz=UTC).isoformat(timespec="seconds")


def sign(doc: dict[str, Any], by: str, note: str, key: str | None) -> dict[str, Any]:
    approval: dict[str, Any] = {"by": by, "at": _now(), "note": note, "digest": doc["digest"]}
    if key is not None:
        approval["signature"] = approval_signature(approval, key)
    return {**doc, "approvals": [*doc.get("approvals", []), approval]}


def _key(check: dict[str, Any]) -> tuple[str, str, str, str]:
    return (check["nodeid"], check["category"], check["subject"], check["name"])


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Checks added and removed, status changes, figure changes and the gate."""
    before = {_key(c): c for c in old["checks"]}
    after = {_key(c): c for c in new["checks"]}
    changed, worse, moved = [], [], []
    for key in before.keys() & after.keys():
        a, b = before[key], after[key]
        if a["status"] != b["status"]:
            changed.append((key, a, b))
            if BADNESS.get(b["status"], 0) > BADNESS.get(a["status"], 0):
                worse.append(key)
        elif a.get("observed") != b.get("observed"):
            moved.append((key, a, b))
    return {
        "gate": (old["summary"].get("gate"), new["summary"].get("gate")),
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": sorted(changed, key=lambda t: t[0]),
        "moved": sorted(moved, key=lambda t: t[0]),
        "worse": sorted(worse),
    }


def _fmt(value: Any) -> str:
    from .report.formatting import format_number

    return format_number(value)


def format_diff(d: dict[str, Any], fmt: str, after: dict[str, Any]) -> str:
    label = lambda k: f"{k[1]} · {k[2]} · {k[3]} ({k[0]})"  # noqa: E731
    lines: list[str] = []
    md = fmt == "markdown"
    g0, g1 = d["gate"]
    lines.append(("## " if md else "") + f"gate: {g0} -> {g1}")
    sections = [
        (
            "status changes",
            [
                f"{label(k)}: {a['status']} -> {b['status']}"
                + (" (worse)" if k in d["worse"] else "")
                for k, a, b in d["changed"]
            ],
        ),
        (
            "figures changed",
            [
                f"{label(k)}: {_fmt(a.get('observed'))} -> {_fmt(b.get('observed'))}"
                + _delta(a.get("observed"), b.get("observed"))
                for k, a, b in d["moved"]
            ],
        ),
        ("added", [f"{label(k)}: {after[k]['status'] if k in after else ''}" for k in d["added"]]),
        ("removed", [label(k) for k in d["removed"]]),
    ]
    for title, items in sections:
        if not items:
            continue
        lines.append("")
        lines.append((f"### {title} ({len(items)})") if md else f"{title} ({len(items)}):")
        lines.extend(("- " if md else "  ") + item for item in items)
    if not any(items for _, items in sections):
        lines.append("no check changed")
    return "\n".join(lines) + "\n"


def _delta(a: Any, b: Any) -> str:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return f" ({b - a:+.4g})"
    return ""


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    from .report.files import atomic_write

    atomic_write(path, dumps(doc))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mlgate", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("verify", help="check the digest, signature and approvals")
    p.add_argument("file")
    p = sub.add_parser("diff", help="what changed between two audits")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--format", choices=("text", "markdown"), default="text")
    p.add_argument(
        "--fail-on-regression", action="store_true", help="exit 1 when a check's status got worse"
    )
    p = sub.add_parser("render", help="write audit.html and model_card.html from audit.json")
    p.add_argument("file")
    p.add_argument("-o", "--output", required=True, help="output folder")
    p.add_argument("--template-dir", help="a folder of templates overriding the defaults")
    p = sub.add_parser("sign", help="append an approval of this audit's digest")
    p.add_argument("file")
    p.add_argument("--by", required=True, help="who approves")
    p.add_argument("--note", default="", help="why, or under which conditions")
    args = parser.parse_args(argv)
    out, err = sys.stdout, sys.stderr
    try:
        if args.command == "verify":
            doc = load_audit(args.file)
            ok, lines = verify(doc, signing_key())
            for line in lines:
                print(line, file=out)
            print(f"{args.file}: {'intact' if ok else 'NOT INTACT'}", file=out)
            return INTACT if ok else NOT_INTACT
        if args.command == "diff":
            old, new = load_audit(args.old), load_audit(args.new)
            d = diff(old, new)
            out.write(format_diff(d, args.format, {_key(c): c for c in new["checks"]}))
            return 1 if args.fail_on_regression and d["worse"] else 0
        if args.command == "render":
            doc = load_audit(args.file)
            from .report.files import atomic_write
            from .report.html import render_audit, render_model_card

            folder = Path(args.output)
            template_dir = Path(args.template_dir) if args.template_dir else None
            try:
                pages = {
                    "audit.html": render_audit(doc, template_dir),
                    "model_card.html": render_model_card(doc, template_dir),
                }
            except Exception as exc:
                raise Unreadable(
                    f"{args.file}: cannot be rendered ({type(exc).__name__}: {exc})"
                ) from None
            for name, html in pages.items():
                atomic_write(folder / name, html)
            print(f"wrote {folder / 'audit.html'} and {folder / 'model_card.html'}", file=out)
            return 0
        if args.command == "sign":
            doc = load_audit(args.file)
            key = signing_key()
            ok, lines = verify({k: v for k, v in doc.items() if k != "approvals"}, key)
            if not ok:
                raise Unreadable(
                    f"{args.file}: refusing to sign a record that is not intact: "
                    + "; ".join(line for line in lines if "NOT INTACT" in line)
                )
            if not args.by.strip():
                raise Unreadable("--by: give the approver's name")
            signed = sign(doc, args.by.strip(), args.note, key)
            _write_json(Path(args.file), signed)
            print(
                f"approved {doc['digest']} by {args.by.strip()}"
                + (" (signed)" if key else " (unsigned: MLGATE_SIGNING_KEY is not set)"),
                file=out,
            )
            return 0
    except Unreadable as exc:
        print(f"mlgate {args.command}: {exc}", file=err)
        return UNREADABLE
    except OSError as exc:
        print(f"mlgate {args.command}: {exc}", file=err)
        return UNREADABLE
    return UNREADABLE  # pragma: no cover - argparse enforces a command


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
