"""The CI examples parse as YAML and run only commands that the README documents."""

from __future__ import annotations

from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")
ROOT = Path(__file__).resolve().parent.parent


def commands(node) -> list[str]:
    """Every shell command in a workflow: `run:` values and GitLab script lists."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "run" and isinstance(value, str):
                found += [line.strip() for line in value.splitlines() if line.strip()]
            elif key in ("script", "before_script", "after_script") and isinstance(value, list):
                found += [str(v).strip() for v in value]
            else:
                found += commands(value)
    elif isinstance(node, list):
        for item in node:
            found += commands(item)
    return found


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_ci_example_runs_documented_commands(name):
    doc = yaml.safe_load((ROOT / "examples" / "ci" / name).read_text(encoding="utf-8"))
    cmds = commands(doc)
    assert any(c.startswith("pytest ") for c in cmds)
    assert any(c.startswith("mlgate verify") for c in cmds)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for cmd in cmds:
        assert f"    {cmd}\n" in readme, f"{name} runs {cmd!r}, which the README does not show"


def test_github_workflow_uploads_the_report():
    doc = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions.yml").read_text())
    steps = doc["jobs"]["gate"]["steps"]
    upload = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert upload and upload[0]["with"]["path"] == "mlgate-report/"
    assert upload[0]["if"] == "always()"
