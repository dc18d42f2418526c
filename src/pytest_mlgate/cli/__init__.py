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
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import MlgateError, Unreadable
from ..report.audit import dumps
from ..report.formatting import plain_text
from .diff import diff, format_diff
from .record import load_audit
from .verify import sign, signing_key, verify, verify_chain

INTACT, NOT_INTACT, UNREADABLE = 0, 1, 2


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    from ..report.files import atomic_write

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
    from ..report.files import atomic_write
    from ..report.html import render_pages

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
    from ..report.files import folder_lock

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
