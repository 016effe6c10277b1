"""The import graph, checked from the source: no cycles, and arrows only point down
(entry points -> application -> adapters -> core). Lazy imports inside functions count too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "versionbot"

ENTRY_POINTS = {"cli", "hook", "ci", "__main__"}
APPLICATION = {"workspace", "onboarding", "timeline", "doctor", "fixing"}
ADAPTERS = {"git", "github", "history", "writer", "files", "store", "parallel", "directory"}
# Everything else is the core: it takes data and returns data.


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE).with_suffix("")
    parts = [part for part in relative.parts if part != "__init__"]
    return ".".join(parts) or "__init__"


def imports(path: Path) -> set[str]:
    """The versionbot modules that `path` imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("versionbot"):
            base = node.module.removeprefix("versionbot").removeprefix(".")
            if base:
                found.add(base.split(".")[0])
            else:  # from versionbot import a, b
                found.update(alias.name for alias in node.names if alias.name != "__version__")
        elif isinstance(node, ast.Import):
            found.update(
                alias.name.split(".")[1] for alias in node.names if alias.name.startswith("versionbot.")
            )
    return found


def graph() -> dict[str, set[str]]:
    """Top-level modules and packages (`git/`, `github/`) with what they import, themselves left out."""
    merged: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        top = module_name(path).split(".")[0]
        merged.setdefault(top, set()).update(imports(path) - {top})
    return merged


GRAPH = graph()


def layer(module: str) -> int:
    if module in ENTRY_POINTS:
        return 3
    if module in APPLICATION:
        return 2
    if module in ADAPTERS:
        return 1
    return 0


def test_the_graph_is_read() -> None:
    assert {"cli", "workspace", "git", "plan", "judge"} <= GRAPH.keys()
    assert "workspace" in GRAPH["cli"]


def test_no_import_cycle() -> None:
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            pytest.fail("import cycle: " + " -> ".join([*path[path.index(module) :], module]))
        if module in done:
            return
        for imported in sorted(GRAPH.get(module, ())):
            visit(imported, [*path, module])
        done.add(module)

    for module in sorted(GRAPH):
        visit(module, [])


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_arrows_point_down(module: str) -> None:
    upward = {
        imported
        for imported in GRAPH[module]
        if layer(imported) > layer(module) or (layer(imported) == 3 and module not in ("cli", "__main__"))
    }
    assert upward == set(), f"{module} imports a higher layer: {sorted(upward)}"


def test_no_module_is_imported_from_an_entry_point() -> None:
    for module, imported in GRAPH.items():
        if module not in ("cli", "__main__"):
            assert not imported & ENTRY_POINTS, module
