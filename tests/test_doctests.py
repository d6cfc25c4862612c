"""Every example in a docstring runs: the modules that carry examples are listed here.

The list is checked against the source: a module with examples that is not
listed, or a listed module without any, fails the collection test, so an
example can neither be forgotten nor silently lost.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The installed subpackage of each top-level folder (pyproject's package-dir).
LAYERS = {
    "ownergraph": "ownergraph",
    "graph": "ownergraph.graph",
    "queries": "ownergraph.queries",
    "localneo4j": "ownergraph.localneo4j",
    "loaders": "ownergraph.loaders",
    "api": "ownergraph.api",
}

WITH_EXAMPLES = [
    "ownergraph.api.security",
    "ownergraph.exports",
    "ownergraph.feed",
    "ownergraph.import_csv",
    "ownergraph.graph.beneficial",
    "ownergraph.graph.build",
    "ownergraph.graph.candidates",
    "ownergraph.graph.clusters",
    "ownergraph.graph.columnar",
    "ownergraph.graph.components",
    "ownergraph.graph.control",
    "ownergraph.graph.identifiers",
    "ownergraph.graph.materialised",
    "ownergraph.graph.model",
    "ownergraph.graph.names",
    "ownergraph.graph.neighbourhood",
    "ownergraph.graph.ownership",
    "ownergraph.graph.params",
    "ownergraph.graph.render",
    "ownergraph.graph.resolution",
    "ownergraph.graph.screening",
    "ownergraph.loaders.cn_registry",
    "ownergraph.loaders.inflate",
    "ownergraph.loaders.jsonrecords",
    "ownergraph.loaders.jsonstream",
    "ownergraph.loaders.normalise",
    "ownergraph.loaders.parts",
    "ownergraph.loaders.repeats",
    "ownergraph.loaders.skip",
    "ownergraph.loaders.validate",
    "ownergraph.localneo4j.server",
    "ownergraph.pipeline",
    "ownergraph.queries.records",
    "ownergraph.queries.resolution",
    "ownergraph.stored_answers",
    "ownergraph.terminal",
]


def _modules_with_examples() -> set[str]:
    found: set[str] = set()
    for folder, package in LAYERS.items():
        for path in (ROOT / folder).rglob("*.py"):
            if ">>> " in path.read_text(encoding="utf-8"):
                parts = path.relative_to(ROOT / folder).with_suffix("").parts
                found.add(".".join((package, *parts)).removesuffix(".__init__"))
    return found


def test_every_module_with_examples_is_listed_and_every_listed_one_has_examples() -> None:
    assert _modules_with_examples() == set(WITH_EXAMPLES)


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_examples(name: str) -> None:
    module = importlib.import_module(name)
    examples = sum(len(t.examples) for t in doctest.DocTestFinder().find(module))
    assert examples > 0, f"{name} lists no runnable example"
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
