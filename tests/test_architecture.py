"""The shape of the code: no import cycles, and the engine free of Django.

Every import counts, including those inside functions: an import moved into a function
hides a cycle from Python's start-up, not from a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PACKAGES = ("claims", "newsfacts")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules that the module ``name`` imports anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from claims import services` imports the module claims.services.
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_there_are_no_import_cycles() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_check_finds_a_cycle_hidden_in_a_function() -> None:
    graph = import_graph()
    # claims.tasks imports the services; a service importing the tasks back inside a
    # function is the cycle this test exists to catch.
    graph["claims.services.jobs"] = graph["claims.services.jobs"] | {"claims.tasks"}
    cycle = find_cycle(graph)
    assert cycle is not None and "claims.tasks" in cycle


def test_relative_and_function_level_imports_are_read(tmp_path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from .engine import x\n    import claims.models\n")
    found = _imports("claims.extraction.m", module, set(_modules()))
    assert found == {"claims.extraction.engine", "claims.models"}


def test_the_celery_app_knows_nothing_of_claims() -> None:
    assert not {t for t in import_graph()["newsfacts.celery"] if t.startswith("claims")}


@pytest.mark.parametrize("name", sorted(n for n in _modules() if n.startswith("claims.extraction")))
def test_the_extraction_engine_imports_no_django(name: str) -> None:
    source = _modules()[name].read_text()
    tree = ast.parse(source)
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {m for m in imported if m.split(".")[0] in ("django", "claims", "newsfacts")} - {
        m for m in imported if m.startswith("claims.extraction")
    }


MAX_MODULE_LINES = 500


def test_every_runtime_module_reads_in_one_sitting() -> None:
    long = {
        name: lines
        for name, path in _modules().items()
        if ".migrations." not in name
        and (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"split these modules (over {MAX_MODULE_LINES} lines): {long}"
