"""Governance artifacts: the model card, the CLI (verify, diff, render, sign) and a real
browser rendering of both HTML files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pytest_mlgate.cli import main
from pytest_mlgate.report.audit import compute_digest, dumps
from pytest_mlgate.report.html import render_model_card

from .test_report import EXTERNAL, HOSTILE, document, make_check

CARD = """
[model]
name = "credit-model"
version = "2.1"
owners = ["Risk team"]
description = "Scores loan applications."

[intended_use]
primary_uses = "Pre-screening of loan applications."

[factors]
relevant = "Sex and age band."

[metrics]
performance = "ROC AUC."

[evaluation_data]
dataset = "German credit holdout."

[training_data]
dataset = "German credit training split."

[ethical_considerations]
risks = "TODO"

[caveats_and_recommendations]
caveats = "[More Information Needed]"
"""

CARD_GATE = """
import pytest

@pytest.mark.governance
def test_card_complete(mlgate):
    result = mlgate.card.expect_complete()
    assert result.status == "failed"
    assert result.details["placeholders"] == {
        "ethical_considerations": ["TODO"],
        "caveats_and_recommendations": ["[More Information Needed]"],
    }

def test_notes_fill_sections(mlgate):
    mlgate.card.note("ethical_considerations", "Reviewed by the ethics board.")
    r = mlgate.card.expect_complete(["intended_use", "training_data"])
    assert r.status == "passed" and r.observed == 0
"""


@pytest.fixture
def card_session(pytester: pytest.Pytester) -> pytest.Pytester:
    (pytester.path / "model_card.toml").write_text(CARD, encoding="utf-8")
    pytester.makepyfile(test_card=CARD_GATE)
    return pytester


def test_expect_complete_and_model_card_html(card_session: pytest.Pytester) -> None:
    result = card_session.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    report = card_session.path / "mlgate-report"
    html = (report / "model_card.html").read_text(encoding="utf-8")
    assert "Model card: credit-model" in html
    for title in (
        "Model details",
        "Intended use",
        "Factors",
        "Metrics",
        "Evaluation data",
        "Training data",
        "Quantitative analyses",
        "Ethical considerations",
        "Caveats and recommendations",
    ):
        assert f"<h2>{title}</h2>" in html
    assert "Reviewed by the ethics board." in html
    assert '<span class="placeholder">TODO</span>' in html
    assert not EXTERNAL.search(html)


def test_quantitative_analyses_show_figures_and_groups() -> None:
    fair = make_check(
        category="fairness",
        name="selection_rate ratio >= 0.8",
        observed=0.7,
        interval=[0.6, 0.8],
        threshold={"min": 0.8},
        status="failed",
        details={
            "kind": "ratio",
            "metric": "selection_rate",
            "groups": {
                "female": {"value": 0.2, "n": 40, "denominator": 40},
                "male": {"value": 0.3, "n": 60, "denominator": 60},
            },
        },
    )
    html = render_model_card(document([fair, make_check()]))
    assert "selection_rate ratio &gt;= 0.8" in html
    assert "selection_rate by group" in html and "<svg" in html
    assert "age in [0, 120]" not in html  # data-quality checks stay in the audit


def test_model_card_escapes_hostile_text() -> None:
    doc = document(
        [make_check(category="performance", name=HOSTILE)],
        model={
            "facts": {
                "model": {"name": HOSTILE, "description": HOSTILE},
                "factors": {HOSTILE: HOSTILE},
            },
            "notes": {"caveats_and_recommendations": [HOSTILE]},
        },
    )
    html = render_model_card(doc)
    assert "<script" not in html.lower() and "&lt;script&gt;" in html


# -- CLI -----------------------------------------------------------------------------------


@pytest.fixture
def audit_file(tmp_path: Path) -> Path:
    path = tmp_path / "audit.json"
    path.write_text(
        dumps(document([make_check(), make_check(name="b", status="passed")])), encoding="utf-8"
    )
    return path


def run(*args: str) -> int:
    return main(list(args))


def test_verify_intact_tampered_and_unreadable(audit_file, tmp_path, capsys):
    assert run("verify", str(audit_file)) == 0
    assert "signature not checked" in capsys.readouterr().out
    doc = json.loads(audit_file.read_text())
    doc["checks"][0]["status"] = "passed"
    audit_file.write_text(json.dumps(doc))
    assert run("verify", str(audit_file)) == 1
    assert "digest mismatch" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert run("verify", str(bad)) == 2
    assert "not JSON" in capsys.readouterr().err
    bad.write_text('{"checks": []}')
    assert run("verify", str(bad)) == 2
    assert "missing schema_version" in capsys.readouterr().err
    assert run("verify", str(tmp_path / "absent.json")) == 2


def test_verify_with_a_key_requires_a_valid_signature(audit_file, monkeypatch, capsys):
    monkeypatch.setenv("MLGATE_SIGNING_KEY", "k1")
    assert run("verify", str(audit_file)) == 1  # unsigned
    assert "unsigned" in capsys.readouterr().out
    doc = json.loads(audit_file.read_text())
    signed = document(doc["checks"], key="k1")
    audit_file.write_text(dumps(signed))
    assert run("verify", str(audit_file)) == 0
    monkeypatch.setenv("MLGATE_SIGNING_KEY", "other")
    assert run("verify", str(audit_file)) == 1


def test_sign_appends_an_approval_that_verify_checks(audit_file, monkeypatch, capsys):
    monkeypatch.setenv("MLGATE_SIGNING_KEY", "k1")
    audit_file.write_text(dumps(document(json.loads(audit_file.read_text())["checks"], key="k1")))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert run("sign", str(audit_file), "--by", "Ada Lovelace", "--note", "ok to ship") == 0
    doc = json.loads(audit_file.read_text())
    approval = doc["approvals"][0]
    assert approval["by"] == "Ada Lovelace" and approval["note"] == "ok to ship"
    assert approval["digest"] == doc["digest"] == compute_digest(doc)
    assert approval["at"] == "2023-11-14T22:13:20+00:00"
    assert run("verify", str(audit_file)) == 0
    assert "approval 1 by Ada Lovelace" in capsys.readouterr().out
    doc["approvals"][0]["by"] = "Mallory"
    audit_file.write_text(json.dumps(doc))
    assert run("verify", str(audit_file)) == 1
    doc["approvals"][0]["by"] = "Ada Lovelace"
    doc["approvals"][0]["digest"] = "sha256:" + "0" * 64
    audit_file.write_text(json.dumps(doc))
    assert run("verify", str(audit_file)) == 1


def test_sign_refuses_a_tampered_record(audit_file, capsys):
    doc = json.loads(audit_file.read_text())
    doc["summary"]["gate"] = "passed"
    audit_file.write_text(json.dumps(doc))
    assert run("sign", str(audit_file), "--by", "Eve") == 2
    assert "refusing to sign" in capsys.readouterr().err


def test_diff_reports_changes_and_regressions(tmp_path, capsys):
    old = document(
        [
            make_check(name="a", status="passed", observed=0.9),
            make_check(name="b", status="passed", observed=1.0),
            make_check(name="gone", status="passed"),
        ]
    )
    new = document(
        [
            make_check(name="a", status="failed", observed=0.7),
            make_check(name="b", status="passed", observed=1.5),
            make_check(name="fresh", status="warned"),
        ]
    )
    (tmp_path / "old.json").write_text(dumps(old))
    (tmp_path / "new.json").write_text(dumps(new))
    assert run("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")) == 0
    text = capsys.readouterr().out
    assert "gate: passed -> failed" in text
    # every changed check shows its figure old -> new, status changes too
    assert "a (test_gate.py::test_x): passed -> failed, observed 0.9 -> 0.7 (-0.2) (worse)" in text
    assert "b (test_gate.py::test_x): 1 -> 1.5 (+0.5)" in text
    assert "added (1)" in text and "removed (1)" in text
    assert (
        run(
            "diff",
            str(tmp_path / "old.json"),
            str(tmp_path / "new.json"),
            "--fail-on-regression",
            "--format",
            "markdown",
        )
        == 1
    )
    assert "### status changes (1)" in capsys.readouterr().out
    assert (
        run("diff", str(tmp_path / "old.json"), str(tmp_path / "old.json"), "--fail-on-regression")
        == 0
    )


def test_render_writes_both_pages(audit_file, tmp_path, capsys):
    out = tmp_path / "html"
    assert run("render", str(audit_file), "-o", str(out)) == 0
    assert (out / "audit.html").read_text().startswith("<!DOCTYPE html>")
    assert "Model card" in (out / "model_card.html").read_text()
    custom = tmp_path / "tpl"
    custom.mkdir()
    (custom / "audit.html.j2").write_text("custom {{ summary.gate }}")
    assert run("render", str(audit_file), "-o", str(out), "--template-dir", str(custom)) == 0
    assert (out / "audit.html").read_text() == "custom failed"


def test_console_script_is_installed(audit_file):
    from .test_lint import tool

    exe = tool("mlgate")
    assert exe is not None, "the mlgate console script is not installed beside sys.executable"
    done = subprocess.run(
        [exe, "verify", str(audit_file)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "intact" in done.stdout


# -- a real browser ------------------------------------------------------------------------


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.mark.skipif(
    _chromium() is None and not os.environ.get("CI"),
    reason="chromium is not installed (CI installs it)",
)
def test_both_pages_render_with_content_in_headless_chromium(card_session, tmp_path):
    from PIL import Image

    card_session.runpytest("-p", "no:cacheprovider")
    report = card_session.path / "mlgate-report"
    browser = _chromium()
    assert browser is not None, "chromium must be installed in CI (.ci/run does it)"
    for page in ("audit.html", "model_card.html"):
        shot = tmp_path / f"{page}.png"
        base = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
        ]
        # (--blink-settings=scriptEnabled=false makes headless Chromium produce neither a
        # screenshot nor a DOM dump; the pages hold no script at all, see test_report.py)
        done = subprocess.run(
            [*base, "--window-size=1280,1600", f"--screenshot={shot}", (report / page).as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert shot.is_file(), done.stderr[-2000:]
        image = Image.open(shot).convert("L")
        assert image.size == (1280, 1600)
        histogram = image.histogram()  # 256 bins of grey levels
        dark = sum(histogram[:128])
        assert dark > 2000, f"{page} looks blank ({dark} dark pixels)"
        dom = subprocess.run(
            [*base, "--dump-dom", (report / page).as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        ).stdout
        assert "GATE FAILED" in dom if page == "audit.html" else "Model card" in dom


MUTATIONS = [
    lambda d: d.update(summary=[]),
    lambda d: d.update(run="yesterday"),
    lambda d: d.update(checks=[1, 2]),
    lambda d: d["checks"][0].pop("status"),
    lambda d: d["checks"][0].update(details="none"),
    lambda d: d.update(approvals="all of them"),
    lambda d: d.update(approvals=["not an approval"]),
    lambda d: d.update(digest=5),
    lambda d: d.update(schema_version=99),
    lambda d: d.update(model=[]),
    lambda d: d["checks"][0].update(observed="high"),
]


@pytest.mark.parametrize("mutate", MUTATIONS)
def test_hand_edited_records_get_an_exit_code_never_a_traceback(
    mutate, audit_file, tmp_path, capsys
):
    doc = json.loads(audit_file.read_text())
    mutate(doc)
    audit_file.write_text(json.dumps(doc))
    good = tmp_path / "good.json"
    good.write_text(dumps(document([make_check()])))
    for args in (
        ["verify", str(audit_file)],
        ["render", str(audit_file), "-o", str(tmp_path / "o")],
        ["diff", str(good), str(audit_file)],
        ["diff", str(audit_file), str(good)],
        ["sign", str(audit_file), "--by", "x"],
    ):
        # a malformed record is "unreadable or malformed" (2) for every command, with a reason
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert "audit.json" in err and "Traceback" not in err, (args, err)


HOSTILE_RECORDS = [
    # (what, how the file is changed, the exit code verify must give)
    ("non-ASCII digest", lambda d: d.update(digest="sha256:é" + "0" * 63), 1),
    ("non-ASCII signature", lambda d: d.update(signature="hmac-sha256:ü"), 1),
    (
        "NaN inside an approval",
        lambda d: d.update(
            approvals=[{"by": "a", "at": "t", "digest": d["digest"], "n": float("nan")}]
        ),
        2,
    ),
    ("null check name", lambda d: d["checks"][0].update(name=None), 2),
    ("list check status", lambda d: d["checks"][0].update(status=["passed"]), 2),
    ("boolean observed", lambda d: d["checks"][0].update(observed=True), 2),
    ("unknown schema", lambda d: d.update(schema_version=99), 2),
]


@pytest.mark.parametrize(
    ("what", "mutate", "code"), HOSTILE_RECORDS, ids=[h[0] for h in HOSTILE_RECORDS]
)
def test_hostile_records_get_the_right_exit_code(
    what, mutate, code, audit_file, tmp_path, monkeypatch
):
    monkeypatch.setenv("MLGATE_SIGNING_KEY", "k")
    doc = json.loads(audit_file.read_text())
    mutate(doc)
    audit_file.write_text(json.dumps(doc))  # json writes NaN as NaN
    assert main(["verify", str(audit_file)]) == code, what
    good = tmp_path / "good.json"
    good.write_text(dumps(document([make_check()])))
    expected_diff = 2 if code == 2 else 0
    assert main(["diff", str(good), str(audit_file)]) == expected_diff, what
    assert main(["render", str(audit_file), "-o", str(tmp_path / "o")]) in (
        (2,) if code == 2 else (1,)
    ), what


def test_json_nested_200000_deep_is_unreadable(tmp_path, capsys):
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    for args in (["verify", str(path)], ["render", str(path), "-o", str(tmp_path)]):
        assert main(args) == 2
    assert "nested too deeply" in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("mlgate (pytest-mlgate) 0.")
