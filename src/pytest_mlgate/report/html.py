"""HTML artifacts: Jinja2 over ``templates/``, server-side only (no JavaScript).

Templates are looked up in the user's folder (ini ``mlgate_template_dir``) first, then in the
templates shipped inside the wheel (``pytest_mlgate/templates``), then in the source checkout's
top-level ``templates/`` (editable installs).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from ..results import CATEGORIES, STATUS_ORDER, STATUSES
from .formatting import format_number, format_observed, format_threshold

CATEGORY_LABELS = {
    "data_quality": "Data quality",
    "performance": "Performance",
    "fairness": "Fairness",
    "drift": "Drift",
    "governance": "Governance",
    "session": "Session (tests that failed outside a check)",
}


def packaged_template_dir() -> Path:
    """The folder holding the default templates, in a wheel or in a source checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "templates", here.parent.parent / "templates"):
        if (candidate / "audit.html.j2").is_file():
            return candidate
    raise FileNotFoundError(
        f"pytest-mlgate's templates were not found next to {here}; the installation is broken."
    )


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _no_controls(value: Any) -> Any:
    """Every value a template prints: control characters (invalid in HTML, and escape
    sequences in a terminal that cats the file) shown escaped, as the terminal shows them."""
    if isinstance(value, str) and not hasattr(value, "__html__"):  # Markup is already safe
        return _CONTROLS.sub(lambda m: ascii(m.group(0))[1:-1], value)
    return value


@functools.lru_cache(maxsize=8)
def environment(user_dir: Path | None = None) -> Any:
    """The Jinja2 environment (cached: templates compile once per process)."""
    import jinja2

    search = [str(user_dir)] if user_dir is not None else []
    search.append(str(packaged_template_dir()))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        autoescape=True,
        finalize=_no_controls,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number"] = format_number
    env.filters["observed"] = format_observed
    env.filters["rule"] = format_threshold
    env.globals["category_label"] = lambda name: CATEGORY_LABELS.get(name, name)
    return env


def audit_context(doc: dict[str, Any], not_intact: list[str] | None = None) -> dict[str, Any]:
    """Group checks by category, then by test; blocking ones first in the verdict.

    ``not_intact`` (``mlgate render --force``) lists why the record failed verification; the
    pages then say so above everything else.
    """
    from .charts import charts_for
    from .terminal import headline, scope_line

    checks = [
        {**c, "charts": charts_for(c), "anchor": f"c{i}"} for i, c in enumerate(doc["checks"])
    ]
    order = {name: i for i, name in enumerate(CATEGORIES)}
    categories: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for c in checks:
        categories.setdefault(c["category"], {}).setdefault(c["nodeid"], []).append(c)
    grouped = []
    for name in sorted(categories, key=lambda n: order.get(n, 99)):
        tests = categories[name]
        counts = dict.fromkeys(STATUSES, 0)
        for items in tests.values():
            for c in items:
                counts[c["status"]] += 1
        grouped.append(
            {
                "name": name,
                "label": CATEGORY_LABELS.get(name, name),
                "counts": counts,
                "tests": [{"nodeid": k, "checks": v} for k, v in tests.items()],
            }
        )
    from ..results import is_blocking

    deciding = sorted(
        (c for c in checks if is_blocking(c["status"], c["severity"])),
        key=lambda c: (STATUS_ORDER[c["status"]], order.get(c["category"], 99)),
    )
    attention = sorted(
        (
            c
            for c in checks
            if c["status"] != "passed" and not is_blocking(c["status"], c["severity"])
        ),
        key=lambda c: (STATUS_ORDER[c["status"]], order.get(c["category"], 99)),
    )
    model = doc.get("model") or {}
    card_model = (model.get("facts") or {}).get("model") or {}
    run = {
        "time": "",
        "python": "",
        "platform": "",
        "packages": {},
        "pytest_args": [],
        "seed": None,
        **(doc.get("run") or {}),
    }
    run["git"] = {"commit": None, "branch": None, "dirty": None, **(run.get("git") or {})}
    summary = {"would_block": 0, "enforced": True, "incomplete": [], **doc["summary"]}
    enforced = bool(summary["enforced"])
    verdict_class = summary["gate"]
    if not enforced and summary["would_block"] and summary["gate"] != "incomplete":
        verdict_class = "warnonly"
    return {
        "doc": doc,
        "run": run,
        "summary": summary,
        "enforced": enforced,
        "verdict_class": verdict_class,
        "headline": headline({**doc, "summary": summary}),
        "scope_text": scope_line(doc),
        "not_intact": list(not_intact or []),
        "model_name": str(card_model.get("name") or ""),
        "model_version": str(card_model.get("version") or ""),
        "categories": grouped,
        "deciding": deciding,
        "attention": attention,
        "statuses": STATUSES,
        "model_cards": [(n, card_file(n)) for n in model_names(doc)],
    }


def _compact(html: str) -> str:
    """Drop indentation between tags (no <pre> in our pages): a tenth of a big report."""
    return _INDENT.sub("\n", html)


_INDENT = re.compile(r"\n[ \t]+")


def render_audit(
    doc: dict[str, Any], user_dir: Path | None = None, not_intact: list[str] | None = None
) -> str:
    context = audit_context(doc, not_intact)
    return _compact(environment(user_dir).get_template("audit.html.j2").render(**context))


SECTION_TITLES = {
    "model": "Model details",
    "intended_use": "Intended use",
    "factors": "Factors",
    "metrics": "Metrics",
    "evaluation_data": "Evaluation data",
    "training_data": "Training data",
    "quantitative_analyses": "Quantitative analyses",
    "ethical_considerations": "Ethical considerations",
    "caveats_and_recommendations": "Caveats and recommendations",
}
QUANTITATIVE = ("performance", "fairness", "drift")


def check_model(check: dict[str, Any]) -> str | None:
    """The model a check describes: ``model=`` of its family or of its test's marker."""
    name = (check.get("markers") or {}).get("model")
    return str(name) if isinstance(name, str) and name else None


def model_names(doc: dict[str, Any]) -> list[str]:
    """Models named by checks, other than the card's own ``[model]``: one card each."""
    own = (((doc.get("model") or {}).get("facts") or {}).get("model") or {}).get("name")
    named = {check_model(c) for c in doc.get("checks") or []}
    return sorted(n for n in named if n is not None and n != own)


def card_file(name: str) -> str:
    """``model_cards/<name>.html``, the name made safe for a file system."""
    return f"model_cards/{re.sub(r'[^A-Za-z0-9._-]+', '-', name).strip('.-') or 'model'}.html"


def _model_doc(doc: dict[str, Any], model: str | None) -> dict[str, Any]:
    """The record as one model's card sees it: its checks, and its facts from
    ``[models.<name>]`` over the card's shared sections."""
    names = model_names(doc)
    if not names:
        return doc
    if model is None:
        checks = [c for c in doc["checks"] if check_model(c) not in names]
        return {**doc, "checks": checks}
    checks = [c for c in doc["checks"] if check_model(c) == model]
    card = doc.get("model") or {}
    facts = dict(card.get("facts") or {})
    own = ((facts.get("models") or {}).get(model)) or {}
    details = {"name": model}
    for key, value in own.items() if isinstance(own, dict) else ():
        if isinstance(value, dict):
            facts[key] = value  # a section of this model's own
        else:
            details[key] = value
    facts["model"] = details
    return {**doc, "checks": checks, "model": {**card, "facts": facts}}


def render_pages(
    doc: dict[str, Any], user_dir: Path | None = None, not_intact: list[str] | None = None
) -> dict[str, str]:
    """Every HTML page of a record: the audit, the model card, and one card per model that
    checks named (``model_cards/<name>.html``) when a session gates several."""
    pages = {
        "audit.html": render_audit(doc, user_dir, not_intact),
        "model_card.html": render_model_card(doc, user_dir, not_intact),
    }
    for name in model_names(doc):
        pages[card_file(name)] = render_model_card(doc, user_dir, not_intact, model=name)
    return pages


def model_card_context(
    doc: dict[str, Any], not_intact: list[str] | None = None, model: str | None = None
) -> dict[str, Any]:
    """Card sections in Mitchell et al.'s order, with facts, notes and generated figures."""
    from ..text import is_placeholder

    others = [(n, card_file(n)) for n in model_names(doc) if n != model]
    doc = _model_doc(doc, model)
    base = audit_context(doc, not_intact)
    model_facts = doc.get("model") or {}
    facts = model_facts.get("facts") or {}
    notes = model_facts.get("notes") or {}
    sections = []
    for key, title in SECTION_TITLES.items():
        table = facts.get(key) or {}
        items = []
        if isinstance(table, dict):
            for name, value in table.items():
                if key == "model" and name == "description":
                    continue
                text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
                items.append((name.replace("_", " "), text, is_placeholder(text)))
        sections.append(
            {"key": key, "title": title, "entries": items, "notes": list(notes.get(key, []))}
        )
    quantitative = [
        {**cat, "checks": [c for test in cat["tests"] for c in test["checks"]]}
        for cat in base["categories"]
        if cat["name"] in QUANTITATIVE
    ]
    datasets, links = card_datasets(doc, [c for cat in quantitative for c in cat["checks"]])
    return {
        **base,
        "sections": sections,
        "quantitative": quantitative,
        "details": facts.get("model") or {},
        "datasets": datasets,
        "links": links,
        "home": "../" if model is not None else "",
        "own_card": "model_card.html" if model is not None else None,
        "other_cards": others,
        "model_name": str((facts.get("model") or {}).get("name") or ""),
        "model_version": str((facts.get("model") or {}).get("version") or ""),
    }


def card_datasets(
    doc: dict[str, Any], checks: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, dict[str, str]]]:
    """The card's Datasets table and, per figure, which of its rows it was computed on.

    The frames the gate saw come first (description from ``[datasets]`` of
    ``model_card.toml`` unless the test gave one); then, for performance figures, the
    evaluation rows (labels and weights) and the predictions, each by subject and hash, so
    every fingerprint beside a figure is a row of this table.
    """
    described = ((doc.get("model") or {}).get("facts") or {}).get("datasets") or {}
    rows: list[dict[str, Any]] = []
    anchors: dict[str, str] = {}  # a hash links to its first row
    seen: set[tuple[str, str, str]] = set()

    def add(entry: dict[str, Any]) -> str:
        sha = str(entry.get("sha256") or "")
        key = (str(entry.get("name")), str(entry.get("role")), sha)
        if key not in seen:
            seen.add(key)
            anchor = f"ds{len(rows)}"
            anchors.setdefault(sha, anchor)
            rows.append({**entry, "anchor": anchor})
        return anchors[sha]

    for d in doc.get("datasets") or []:
        text = d.get("description") or _description(described.get(d.get("name")))
        add({**d, "description": text})
    links: dict[str, dict[str, str]] = {}
    for c in checks:
        details = c.get("details") or {}
        rows_sha, pred_sha = details.get("rows_fingerprint"), details.get("predictions_fingerprint")
        if not isinstance(rows_sha, str) or not isinstance(pred_sha, str):
            continue
        n = details.get("n")
        subject = str(c.get("subject"))
        kind = {"scores": "scores", "labels": "predicted labels"}.get(
            str(details.get("predictions_kind")), "predictions"
        )
        links[c["anchor"]] = {
            "rows": add(
                {
                    "name": subject,
                    "role": "evaluation rows (labels, weights)",
                    "rows": n,
                    "columns": None,
                    "sha256": rows_sha,
                    "description": _description(described.get(subject))
                    or "the labels a performance figure was computed on",
                }
            ),
            "rows_sha": rows_sha,
            "predictions": add(
                {
                    "name": f"{subject} {kind}",
                    "role": "model output",
                    "rows": n,
                    "columns": None,
                    "sha256": pred_sha,
                    "description": f"the model's {kind} on these rows",
                }
            ),
            "predictions_sha": pred_sha,
        }
    return rows, links


def _description(value: Any) -> str:
    """A ``[datasets]`` entry: text, or a table with ``description``."""
    if isinstance(value, dict):
        value = value.get("description")
    return str(value) if isinstance(value, str) else ""


def render_model_card(
    doc: dict[str, Any],
    user_dir: Path | None = None,
    not_intact: list[str] | None = None,
    model: str | None = None,
) -> str:
    env = environment(user_dir)
    context = model_card_context(doc, not_intact, model)
    return _compact(env.get_template("model_card.html.j2").render(**context))
