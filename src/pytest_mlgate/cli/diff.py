"""What changed between two records: per check, keyed by node id, category, subject, name and
ordinal."""

from __future__ import annotations

from typing import Any

from ..report.formatting import plain_text
from .record import is_number_or_none

# how bad a status is, for "a check got worse"
BADNESS = {"passed": 0, "warned": 1, "insufficient": 2, "failed": 3, "error": 4}


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
    from ..report.formatting import format_number as number

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
    if is_number_or_none(a) and is_number_or_none(b) and a is not None and b is not None:
        return f" ({b - a:+.4g})"
    return ""
