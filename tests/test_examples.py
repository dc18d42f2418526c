"""The README's first command: the example gate on real data passes and writes its report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_adult_example_gate_passes_and_writes_the_report(tmp_path):
    out = tmp_path / "report"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "examples/adult",
            "-p",
            "no:cacheprovider",
            "--mlgate-report-dir",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert doc["summary"]["gate"] == "passed"
    assert doc["summary"]["counts"]["warned"] >= 1  # the example shows findings as warnings
    assert doc["model"]["facts"]["model"]["name"] == "adult-income-classifier"
    assert {d["name"] for d in doc["datasets"]} >= {"adult-train", "adult-test"}
    for name in ("audit.html", "summary.md"):
        assert (out / name).stat().st_size > 0
