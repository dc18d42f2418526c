"""``mlgate``: verify, diff, render and sign audit records without running the tests.

mlgate verify audit.json            exit 0 intact, 1 not intact, 2 unreadable or malformed
mlgate verify --chain DIR           the folder's record and every earlier one in history/
mlgate diff old.json new.json       what changed (text or markdown); 1 with
                                    --fail-on-regression when a check got worse
mlgate render audit.json -o DIR     audit.html and model_card.html again (verified first)
mlgate sign audit.json --by NAME    append a chained approval of this exact digest
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import MlgateError, Unreadable
from .report.audit import (
    canonical_json,
    compute_digest,
    compute_signature,
    dumps,
)
from .report.formatting import plain_text

INTACT, NOT_INTACT, UNREADABLE = 0, 1, 2
SCHEMAS = (1, 2)
REQUIRED = ("schema_version", "run", "checks", "summary", "digest")
CHECK_TEXT = ("category", "name", "subject", "nodeid", "status", "severity")
CHECK_FIELDS = (*CHECK_TEXT, "observed")
APPROVAL_TEXT = ("by", "at", "digest")
SIBLINGS = ("audit.html", "model_card.html", "summary.md")
MAX_CHAIN = 10_000
# how bad a status is, for "a check got worse"
BADNESS = {"passed": 0, "warned": 1, "insufficient": 2, "failed": 3, "error": 4}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


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
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise Unreadable(
            f"{p}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except ValueError as exc:
        raise Unreadable(f"{p}: not an audit record ({exc})") from None
    except RecursionError:
        raise Unreadable(f"{p}: not an audit record (nested too deeply)") from None
    _check_shape(p, doc)
    return doc  # type: ignore[no-any-return]


def _check_shape(p: Path, doc: Any) -> None:
    def bad(why: str) -> Unreadable:
        return Unreadable(f"{p}: not an audit record ({why})")

    if not isinstance(doc, dict):
        raise bad("the top level is not an object")
    missing = [k for k in REQUIRED if k not in doc]
    if missing:
        raise Unreadable(f"{p}: not an audit record (missing {', '.join(missing)})")
    for key, kind in (("run", dict), ("summary", dict), ("checks", list), ("digest", str)):
        if not isinstance(doc[key], kind):
            raise bad(f"'{key}' must be a {kind.__name__}")
    if doc["schema_version"] not in SCHEMAS or isinstance(doc["schema_version"], bool):
        raise Unreadable(
            f"{p}: schema_version {doc['schema_version']!r} is not supported "
            f"({', '.join(map(str, SCHEMAS))} are)"
        )
    for key, kind in (("model", dict), ("datasets", list), ("scope", dict)):
        if key in doc and not isinstance(doc[key], kind):
            raise bad(f"'{key}' must be a {kind.__name__}")
    for c in doc["checks"]:
        if not isinstance(c, dict) or not all(f in c for f in CHECK_FIELDS):
            raise Unreadable(
                f"{p}: 'checks' must be a list of check records with {', '.join(CHECK_FIELDS)}"
            )
        wrong = [f for f in CHECK_TEXT if not isinstance(c[f], str)]
        if wrong:
            raise bad(f"a check's {', '.join(wrong)} must be text")
        if not _is_number_or_none(c["observed"]):
            raise bad("a check's 'observed' must be a number or null")
        for key, kind in (("details", dict), ("threshold", dict), ("markers", dict)):
            if key in c and not isinstance(c[key], kind):
                raise bad(f"a check's '{key}' must be an object")
        interval = c.get("interval")
        if interval is not None and not (
            isinstance(interval, list) and all(_is_number_or_none(v) for v in interval)
        ):
            raise bad("a check's 'interval' must be a list of numbers or null")
    approvals = doc.get("approvals", [])
    if not isinstance(approvals, list):
        raise Unreadable(f"{p}: 'approvals' must be a list")
    for a in approvals:
        if not isinstance(a, dict) or not all(isinstance(a.get(k), str) for k in APPROVAL_TEXT):
            raise bad("each approval must be an object with text 'by', 'at' and 'digest'")
    seal = doc.get("approvals_seal")
    if seal is not None and not isinstance(seal, dict):
        raise bad("'approvals_seal' must be an object")


def _is_number_or_none(value: Any) -> bool:
    if value is None:
        return True
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


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
    from .report.files import named_digest
    from .report.html import card_file, model_names

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
    from .report.files import HISTORY, history_name

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
    from .clock import timestamp

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


def _key(check: dict[str, Any]) -> tuple[str, str, str, str]:
    return (check["nodeid"], check["category"], check["subject"], check["name"])


def keyed_checks(checks: list[dict[str, Any]]) -> dict[tuple[str, ...], dict[str, Any]]:
    """Checks by (test, category, subject, name), with an ordinal when those repeat within a
    test (the same rule checked twice), so no check hides another."""
    out: dict[tuple[str, ...], dict[str, Any]] = {}
    seen: dict[tuple[str, str, str, str], int] = {}
    for c in checks:
        base = _key(c)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out[(*base, f"#{n + 1}") if n else base] = c
    return out


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Checks added and removed, status changes, figure changes, the gate and the run."""
    before = keyed_checks(old["checks"])
    after = keyed_checks(new["checks"])
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
        "run": [_run_text(old), _run_text(new)],
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": sorted(changed, key=lambda t: t[0]),
        "moved": sorted(moved, key=lambda t: t[0]),
        "worse": sorted(worse),
        "after": after,
    }


def _run_text(doc: dict[str, Any]) -> str:
    """How the run was made, when that matters for reading a diff: subset, warn-only,
    incomplete."""
    summary = doc["summary"]
    scope = doc.get("scope") or {}
    parts = []
    if scope.get("subset"):
        total = scope.get("selected", 0) + scope.get("deselected", 0)
        parts.append(f"subset run ({scope.get('selected')} of {total} tests)")
    if summary.get("enforced") is False:
        parts.append(f"warn-only run ({summary.get('would_block', 0)} would block)")
    if summary.get("gate") == "incomplete":
        parts.append("incomplete run (" + "; ".join(map(str, summary.get("incomplete", []))) + ")")
    return ", ".join(parts) or "full run"


def _label(key: tuple[str, ...]) -> str:
    ordinal = f" {key[4]}" if len(key) > 4 else ""
    return f"{key[1]} · {key[2]} · {key[3]}{ordinal} ({key[0]})"


def _figures(a: dict[str, Any], b: dict[str, Any]) -> str:
    from .report.formatting import format_number as number

    return f"{number(a.get('observed'))} -> {number(b.get('observed'))}" + _delta(
        a.get("observed"), b.get("observed")
    )


def format_diff(d: dict[str, Any], fmt: str) -> str:
    lines: list[str] = []
    md = fmt == "markdown"
    g0, g1 = d["gate"]
    lines.append(("## " if md else "") + f"gate: {g0} -> {g1}")
    r0, r1 = d["run"]
    if r0 != "full run" or r1 != "full run":
        lines.append(f"runs: {r0} -> {r1}")
        if "subset" in r1:
            lines.append(
                "note: the new record is a subset run: checks it did not run show as removed, "
                "and its gate is not the full gate's"
            )
    sections = [
        (
            "status changes",
            [
                f"{_label(k)}: {a['status']} -> {b['status']}, observed {_figures(a, b)}"
                + (" (worse)" if k in d["worse"] else "")
                for k, a, b in d["changed"]
            ],
        ),
        ("figures changed", [f"{_label(k)}: {_figures(a, b)}" for k, a, b in d["moved"]]),
        ("added", [f"{_label(k)}: {d['after'][k]['status']}" for k in d["added"]]),
        ("removed", [_label(k) for k in d["removed"]]),
    ]
    for title, items in sections:
        if not items:
            continue
        lines.append("")
        lines.append((f"### {title} ({len(items)})") if md else f"{title} ({len(items)}):")
        lines.extend(("- " if md else "  ") + item for item in items)
    if not any(items for _, items in sections):
        lines.append("no check changed")
    return "\n".join(plain_text(line) for line in lines) + "\n"


def _delta(a: Any, b: Any) -> str:
    if _is_number_or_none(a) and _is_number_or_none(b) and a is not None and b is not None:
        return f" ({b - a:+.4g})"
    return ""


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    from .report.files import atomic_write

    atomic_write(path, dumps(doc))


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"mlgate (pytest-mlgate) {version('pytest-mlgate')}"
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "mlgate (pytest-mlgate) unknown version"


def _parser() -> argparse.ArgumentParser:
    head, _, commands = (__doc__ or "").partition("\n\n")
    parser = argparse.ArgumentParser(
        prog="mlgate",
        description=head.replace("``", ""),  # the docstring's markup is not for a terminal
        epilog=commands.strip(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("verify", help="check the digest, signature, approvals and pages")
    p.add_argument("file", help="an audit.json, or with --chain its report folder")
    p.add_argument(
        "--chain", action="store_true", help="verify the folder's record and all of history/"
    )
    p.add_argument(
        "--min-approvals",
        type=int,
        default=0,
        metavar="N",
        help="not intact unless at least N approvals verify (signed ones when keyed)",
    )
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
    p.add_argument(
        "--force", action="store_true", help="render a record that is not intact, stamped so"
    )
    p = sub.add_parser("sign", help="append an approval of this audit's digest")
    p.add_argument("file")
    p.add_argument("--by", required=True, help="who approves")
    p.add_argument("--note", default="", help="why, or under which conditions")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    out, err = sys.stdout, sys.stderr

    def say(lines: Sequence[str], stream: Any = out) -> None:
        for line in lines:
            print(plain_text(line), file=stream)

    try:
        if args.command == "verify":
            key = signing_key()
            if args.chain:
                ok, lines = verify_chain(Path(args.file), key)
                say(lines)
                say([f"{args.file}: chain {'intact' if ok else 'NOT INTACT'}"])
                return INTACT if ok else NOT_INTACT
            path = Path(args.file)
            doc = load_audit(path)
            ok, lines = verify(doc, key, path.parent)
            approved = sum(1 for line in lines if line.startswith("approval "))
            if approved < args.min_approvals:
                ok = False
                lines.append(
                    f"NOT INTACT: {approved} approval(s) verify, {args.min_approvals} required"
                )
            say(lines)
            say([f"{args.file}: {'intact' if ok else 'NOT INTACT'}"])
            return INTACT if ok else NOT_INTACT
        if args.command == "diff":
            old, new = load_audit(args.old), load_audit(args.new)
            d = diff(old, new)
            for name, doc in ((args.old, old), (args.new, new)):
                if not verify(doc, signing_key())[0]:
                    say([f"warning: {name} is NOT INTACT: its figures cannot be trusted"])
            out.write(format_diff(d, args.format))
            return 1 if args.fail_on_regression and d["worse"] else 0
        if args.command == "render":
            return _render(args, say)
        if args.command == "sign":
            return _sign(args, say)
    except Unreadable as exc:
        say([f"mlgate {args.command}: {exc}"], err)
        return UNREADABLE
    except (OSError, MlgateError) as exc:
        say([f"mlgate {args.command}: {exc}"], err)
        return UNREADABLE
    return UNREADABLE  # pragma: no cover - argparse enforces a command


def _render(args: argparse.Namespace, say: Any) -> int:
    doc = load_audit(args.file)
    from .report.files import atomic_write
    from .report.html import render_pages

    ok, lines = verify(doc, signing_key())
    problems = [line.removeprefix("NOT INTACT: ") for line in lines if "NOT INTACT" in line]
    if not ok and not args.force:
        say(lines, sys.stderr)
        say(
            [
                f"mlgate render: {args.file} is not intact; refusing to render it "
                "(--force renders it stamped NOT INTACT)"
            ],
            sys.stderr,
        )
        return NOT_INTACT
    folder = Path(args.output)
    template_dir = Path(args.template_dir) if args.template_dir else None
    stamp = problems if not ok else None
    try:
        pages = render_pages(doc, template_dir, stamp)
    except Exception as exc:
        raise Unreadable(f"{args.file}: cannot be rendered ({type(exc).__name__}: {exc})") from None
    for name, html in pages.items():
        atomic_write(folder / name, html)
    cards = [name for name in pages if name.startswith("model_cards/")]
    say(
        [f"wrote {folder / 'audit.html'} and {folder / 'model_card.html'}"]
        + [f"wrote {folder / name}" for name in cards]
    )
    if not ok:
        say(["mlgate render: the record is NOT INTACT; the pages say so (--force)"], sys.stderr)
    return 0


def _sign(args: argparse.Namespace, say: Any) -> int:
    from .report.files import folder_lock

    by = args.by.strip()
    if not by or plain_text(by) != by:
        raise Unreadable("--by: give the approver's name on one line, without control characters")
    path = Path(args.file)
    key = signing_key()
    with folder_lock(path.parent, float(os.environ.get("MLGATE_LOCK_TIMEOUT", 60))):
        doc = load_audit(path)
        ok, lines = verify(doc, key)
        if not ok:
            raise Unreadable(
                f"{args.file}: refusing to sign a record that is not intact: "
                + "; ".join(line for line in lines if "NOT INTACT" in line)
            )
        _write_json(path, sign(doc, by, args.note, key))
    say(
        [
            f"approved {doc['digest']} by {by}"
            + (" (signed)" if key else " (unsigned: MLGATE_SIGNING_KEY is not set)")
        ]
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
