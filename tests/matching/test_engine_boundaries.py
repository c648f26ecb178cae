"""The matching engine is plain Python: no Django, no torch, nothing of the desk."""

from __future__ import annotations

import ast

import pytest

from tests.test_architecture import _modules, import_graph

ENGINE = sorted(n for n in _modules() if n.startswith("claims.matching"))
FORBIDDEN = {"django", "newsfacts", "torch", "transformers", "sklearn", "spacy", "training"}


@pytest.mark.parametrize("name", ENGINE)
def test_the_matching_engine_imports_only_itself_and_light_libraries(name: str) -> None:
    project = {m for m in import_graph()[name] if not m.startswith("claims.matching")}
    assert not project, f"{name} imports {project}"
    tree = ast.parse(_modules()[name].read_text())
    top_level = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and not node.level
    }
    assert not top_level & FORBIDDEN, f"{name} imports {top_level & FORBIDDEN}"


def test_the_engine_package_is_found():
    assert "claims.matching.ranking" in ENGINE and "claims.matching.conflicts" in ENGINE
