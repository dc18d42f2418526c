"""The report writers: escaping, self-containment, size, the digest, atomic writes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pytest_mlgate.report.audit import (
    build_document,
    canonical_bytes,
    compute_digest,
    dumps,
)
from pytest_mlgate.report.files import atomic_write
from pytest_mlgate.report.html import packaged_template_dir, render_audit
from pytest_mlgate.report.markdown import render_summary
from pytest_mlgate.results import CheckResult

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = '<script>alert("x")</script>'
EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import|<script""",
    re.IGNORECASE,
)


def make_check(**overrides) -> dict:
    base = dict(
        category="data_quality",
        name="age in [0, 120]",
        subject="train",
        nodeid="test_gate.py::test_x",
        status="failed",
        severity="block",
        observed=0.25,
        threshold={"min": 0, "max": 120},
        interval=None,
        message="1 of 4 values.",
        markers={},
        details={"violations": 1, "examples": [150]},
    )
    base.update(overrides)
    return CheckResult(**base).to_dict()


def document(checks: list[dict], **kw) -> dict:
    run = {
        "time": "2024-01-01T00:00:00+00:00",
        "git": {"commit": None, "branch": None, "dirty": None},
        "python": "3.11",
        "platform": "linux",
        "packages": {"pytest": "9"},
        "pytest_args": [],
        "seed": 0,
    }
    return build_document(
        run=run,
        model=kw.get("model", {"facts": {}, "notes": {}}),
        datasets=kw.get("datasets", []),
        checks=checks,
        previous_digest=None,
        signing_key=kw.get("key"),
    )


def test_hostile_text_is_escaped_everywhere():
    check = make_check(
        name=f"{HOSTILE} in [0, 1]",
        subject=HOSTILE,
        nodeid=f"test_x.py::test[{HOSTILE}]",
        message=HOSTILE,
        threshold={HOSTILE: HOSTILE},
        details={"columns": {HOSTILE: {"nulls": 1}}, "examples": [HOSTILE]},
        markers={"requirement": HOSTILE},
    )
    doc = document(
        [check],
        datasets=[
            {
                "name": HOSTILE,
                "role": HOSTILE,
                "rows": 1,
                "columns": 1,
                "sha256": "sha256:" + "0" * 64,
            }
        ],
        model={"facts": {"model": {"name": HOSTILE, "version": HOSTILE}}, "notes": {}},
    )
    html = render_audit(doc)
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert html.count("&lt;script&gt;") >= 8


def test_no_external_asset_and_no_javascript():
    html = render_audit(document([make_check(), make_check(status="passed")]))
    assert not EXTERNAL.search(html)
    assert "<style>" in html


def test_empty_report_is_small_and_has_a_verdict():
    html = render_audit(document([]))
    assert len(html.encode()) < 100_000
    assert "GATE PASSED" in html and "No checks were recorded" in html


def test_500_checks_stay_under_one_megabyte():
    checks = [
        make_check(
            name=f"check {i}",
            nodeid=f"test_gate.py::test_{i // 10}",
            status=("passed", "failed", "warned")[i % 3],
            details={
                "violations": i,
                "fraction": i / 500,
                "examples": [1, 2, 3, 4, 5],
                "columns": {f"c{j}": {"nulls": j} for j in range(8)},
            },
        )
        for i in range(500)
    ]
    html = render_audit(document(checks))
    assert len(html.encode()) < 1_000_000


def test_digest_covers_everything_but_digest_signature_and_approvals():
    doc = document([make_check()], key="k")
    assert doc["digest"] == compute_digest(doc)
    body = json.loads(canonical_bytes(doc))
    assert "digest" not in body and "signature" not in body
    tampered = json.loads(dumps(doc))
    tampered["checks"][0]["status"] = "passed"
    assert compute_digest(tampered) != doc["digest"]
    # the on-disk text round-trips to the same digest
    assert compute_digest(json.loads(dumps(doc))) == doc["digest"]


def test_nan_never_reaches_the_json():
    check = make_check(observed=None)
    doc = document([check])
    assert '"observed": null' in dumps(doc)
    with pytest.raises(ValueError):
        document([{**check, "observed": float("nan")}])


def test_summary_markdown_escapes_table_cells():
    doc = document([make_check(message="a | b\nc", name="x|y")])
    text = render_summary(doc)
    assert "a \\| b c" in text and "x\\|y" in text
    assert text.startswith("## mlgate: gate FAILED")


def test_atomic_write_leaves_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "audit.json"
    atomic_write(target, "old")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(OSError):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["audit.json"]


def test_user_template_dir_overrides_a_template(tmp_path):
    (tmp_path / "audit.html.j2").write_text("custom {{ summary.gate }}", encoding="utf-8")
    assert render_audit(document([]), tmp_path) == "custom passed"


def test_templates_ship_in_the_wheel_and_render_from_it(tmp_path):
    pytest.importorskip("hatchling")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("pytest_mlgate-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        z.extractall(tmp_path / "site")
    for template in ("audit.html.j2", "_macros.html.j2", "_style.css"):
        assert f"pytest_mlgate/templates/{template}" in names
    assert "pytest_mlgate/py.typed" in names
    code = (
        "import pytest_mlgate.report.html as h, pathlib, sys;"
        "d = h.packaged_template_dir();"
        "assert 'site' in str(d), d;"
        "print(len(h.render_audit({'checks': [], 'run': {'time': 't', 'git': {}, 'python': '3',"
        " 'platform': 'p', 'packages': {}, 'pytest_args': [], 'seed': 0},"
        " 'summary': {'gate': 'passed', 'blocking': 0, 'total': 0, 'counts': dict.fromkeys("
        "['passed','failed','warned','insufficient','error'], 0), 'by_category': {}},"
        " 'datasets': [], 'partial': False, 'digest': 'sha256:0', 'previous_digest': None,"
        " 'model': {}})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert int(out.stdout) > 1000


def test_templates_are_found_from_a_checkout_or_an_installed_wheel():
    import pytest_mlgate

    package = Path(pytest_mlgate.__file__).resolve().parent
    if package == ROOT / "src" / "pytest_mlgate":  # an editable install, or PYTHONPATH=src
        assert packaged_template_dir() == ROOT / "templates"
    else:  # installed from a wheel or an sdist: the templates ship inside the package
        assert packaged_template_dir() == package / "templates"


def test_plugin_import_is_light():
    code = (
        "import sys, pytest_mlgate.plugin, pytest_mlgate;"
        "heavy = [m for m in ('pandas', 'numpy', 'scipy', 'sklearn', 'fairlearn', 'jinja2')"
        " if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_summary_markdown_neutralises_html():
    text = render_summary(document([make_check(subject='<img src="https://x/y.png">')]))
    assert "\\<img" in text and "<img" not in text.replace("\\<img", "")


def test_histogram_labels_use_inner_edges():
    from pytest_mlgate.report.charts import _bin_labels

    assert _bin_labels({"edges": [1, 2, 3]}, 4) == ["≤ 1", "1–2", "2–3", "> 3"]
    assert _bin_labels({"categories": ["a", "<unseen>"]}, 2) == ["a", "<unseen>"]


def test_atomic_write_respects_the_umask(tmp_path):
    import os
    import stat

    target = tmp_path / "a.txt"
    atomic_write(target, "x")
    mode = stat.S_IMODE(target.stat().st_mode)
    mask = os.umask(0)
    os.umask(mask)
    assert mode == 0o666 & ~mask
