"""The package's import graph follows its layers: a module imports only its own layer or a
lower one (docs/architecture.md). Imports inside functions count (a lazy import is still a
dependency); ``if TYPE_CHECKING:`` imports do not (they never run)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "pytest_mlgate"

# lowest first; a name stands for the module and everything under it
LAYERS: list[tuple[str, ...]] = [
    ("__init__", "errors", "results", "text", "paths", "files", "clock", "markers", "hookspec"),
    ("stats", "metrics", "frames", "tables", "integrations.dvc"),
    ("checks", "profile", "summaries", "engine_profile", "baselines"),
    ("recording", "card"),
    ("families",),
    ("gate",),
    ("report",),
    ("session", "crashes"),
    ("plugin", "integrations", "cli", "junit"),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def _layer(module: str) -> int:
    parts = module.split(".")
    for depth in range(len(parts), 0, -1):  # the most specific entry wins
        prefix = ".".join(parts[:depth])
        for level, names in enumerate(LAYERS):
            if prefix in names:
                return level
    raise AssertionError(f"pytest_mlgate.{module} is in no layer: add it to LAYERS and the map")


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                for sub in ast.walk(child):
                    if hasattr(sub, "lineno"):
                        lines.add(sub.lineno)
    return lines


def imports() -> list[tuple[str, str, int]]:
    """(importer, imported, line) for every import of a package module by another."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_lines(tree)
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        if module == "__init__":
            package = []
        for node in ast.walk(tree):
            if node.lineno in skip if hasattr(node, "lineno") else False:
                continue
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[: len(package) - (node.level - 1)]
                stem = [*base, *(node.module.split(".") if node.module else [])]
                if node.module:
                    targets.append(".".join(stem))
                else:  # from . import x: x may be a module
                    targets += [".".join([*stem, a.name]) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "pytest_mlgate."
            ):
                targets.append(node.module.removeprefix("pytest_mlgate."))
            elif isinstance(node, ast.Import):
                targets += [
                    a.name.removeprefix("pytest_mlgate.")
                    for a in node.names
                    if a.name.startswith("pytest_mlgate.")
                ]
            for target in targets:
                if target and target != module:
                    found.append((module, target, node.lineno))
    return found


def test_every_module_is_in_a_layer():
    for path in PACKAGE.rglob("*.py"):
        _layer(_module_name(path))


def test_no_module_imports_a_higher_layer():
    upward = [
        f"{importer} (layer {_layer(importer)}) imports {imported} (layer {_layer(imported)})"
        f" at line {line}"
        for importer, imported, line in imports()
        if _layer(imported) > _layer(importer)
    ]
    assert not upward, "\n".join(upward)


def test_no_import_cycles():
    graph: dict[str, set[str]] = {}
    for importer, imported, _ in imports():
        graph.setdefault(importer, set()).add(imported)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_the_checker_sees_an_upward_import(tmp_path, monkeypatch):
    """The test itself can fail: a stats module importing the gate is caught."""
    fake = tmp_path / "pytest_mlgate"
    (fake / "stats").mkdir(parents=True)
    (fake / "stats" / "bad.py").write_text("def f():\n    from ..gate import Gate\n")
    (fake / "gate.py").write_text("")
    monkeypatch.setattr(__import__(__name__, fromlist=["x"]), "PACKAGE", fake)
    found = imports()
    assert ("stats.bad", "gate", 2) in found
    assert _layer("gate") > _layer("stats.bad")
