"""Reading an audit record: JSON without NaN/Infinity, and the shape every command needs."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ..errors import Unreadable

SCHEMAS = (1, 2)


REQUIRED = ("schema_version", "run", "checks", "summary", "digest")


CHECK_TEXT = ("category", "name", "subject", "nodeid", "status", "severity")


CHECK_FIELDS = (*CHECK_TEXT, "observed")


APPROVAL_TEXT = ("by", "at", "digest")


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
        if not is_number_or_none(c["observed"]):
            raise bad("a check's 'observed' must be a number or null")
        for key, kind in (("details", dict), ("threshold", dict), ("markers", dict)):
            if key in c and not isinstance(c[key], kind):
                raise bad(f"a check's '{key}' must be an object")
        interval = c.get("interval")
        if interval is not None and not (
            isinstance(interval, list) and all(is_number_or_none(v) for v in interval)
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


def is_number_or_none(value: Any) -> bool:
    if value is None:
        return True
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
