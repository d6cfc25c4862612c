"""The layout's rules: imports flow one way, and the repository refers to nothing outside itself."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Each layer (a top-level folder, installed as ``ownergraph.<layer>``; ``ownergraph/`` is the
# application) and the layers it may import: graph <- queries <- loaders <- application <- api.
ALLOWED = {
    "graph": {"graph"},
    "localneo4j": {"localneo4j"},
    "queries": {"graph", "queries", "localneo4j"},
    "loaders": {"graph", "queries", "localneo4j", "loaders"},
    "ownergraph": {"graph", "queries", "localneo4j", "loaders", "ownergraph"},
    "api": {"graph", "queries", "localneo4j", "loaders", "ownergraph", "api"},
}
LAYERS = {"graph", "queries", "localneo4j", "loaders", "api"}


def _layer_of(module: str) -> str | None:
    """``ownergraph.queries.repository`` -> ``queries``; ``ownergraph.service`` -> ``ownergraph``."""
    parts = module.split(".")
    if parts[0] != "ownergraph":
        return None
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else "ownergraph"


def _imports(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _violations(layer: str) -> list[str]:
    out = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for line, module in _imports(path):
            target = _layer_of(module)
            if target is not None and target not in ALLOWED[layer]:
                out.append(f"{path.relative_to(ROOT)}:{line} imports {module} (layer {target})")
    return out


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_imports_flow_one_way(layer: str) -> None:
    assert _violations(layer) == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    upward = tmp_path / "x.py"
    upward.write_text("from ownergraph.api.app import create_app\nimport ownergraph.service\n")
    assert [_layer_of(m) for _, m in _imports(upward)] == ["api", "api", "ownergraph"]


# Pieces joined at run time, so that this file does not match itself.
OUTSIDE = [re.escape(".." + "/shared"), "/" + "work/", "/" + "home/", "/" + "root/", "/" + "Users/"]


def test_no_path_outside_the_repository() -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    pattern = re.compile("|".join(OUTSIDE))
    hits = []
    for name in files:
        path = ROOT / name
        if not path.is_file() or path.suffix in {".png", ".gz", ".xlsx", ".zip"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        hits += [f"{name}:{text.count(chr(10), 0, m.start()) + 1}: {m.group()}" for m in pattern.finditer(text)]
    assert hits == []
