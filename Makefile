# The two commands of the README: `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: setup demo test lint typecheck browser wrk neo4j-start neo4j-stop bench bench-small

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24,<26"
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

# Neo4j, the demo data set, the API and the graph pages, with the URLs to open.
demo: setup
	$(BIN)/ownergraph demo

# Debian's Chromium for the page tests (never a browser download).
browser:
	bash scripts/ensure-chromium.sh

wrk:
	bash scripts/ensure-wrk.sh

lint: setup
	$(BIN)/ruff check .

# mypy --strict over the installed namespace (see scripts/typecheck.sh)
typecheck: setup
	VENV=$(VENV) bash scripts/typecheck.sh

# The whole suite; the test Neo4j is installed and started by the test setup.
test: setup browser wrk lint typecheck
	$(BIN)/pytest

neo4j-start: setup
	$(BIN)/ownergraph neo4j start

neo4j-stop: setup
	$(BIN)/ownergraph neo4j stop

bench: setup wrk
	$(BIN)/python -m bench.run

bench-small: setup wrk
	$(BIN)/python -m bench.run --companies 10000
