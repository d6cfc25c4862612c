#!/usr/bin/env bash
# mypy --strict over the installed namespace. The layers are top-level folders mapped to
# ownergraph.* by setuptools (pyproject's package-dir), which mypy cannot follow: it checks
# a tree of symbolic links laid out as the package installs.
set -euo pipefail
cd "$(dirname "$0")/.."
tree=.typecheck/ownergraph
rm -rf .typecheck && mkdir -p "$tree"
for f in ownergraph/*.py ownergraph/py.typed; do [ -e "$f" ] && ln -s "../../$f" "$tree/"; done
for layer in graph queries localneo4j loaders api; do ln -s "../../$layer" "$tree/$layer"; done
cd .typecheck && exec "../${VENV:-.venv}/bin/mypy" --config-file ../pyproject.toml -p ownergraph
