"""Test fixtures: a real Neo4j for every test that needs one.

Strategy: one *test* Neo4j per session. When ``OWNERGRAPH_TEST_NEO4J_URI``
is set, that server is used as it is and never wiped (someone else's data).
Otherwise the local test instance (own ports 17687/17474, own data folder
under ``.ownergraph/instances/test``) is installed on first use, started or
reused if already up (``OWNERGRAPH_TEST_INSTANCE=N`` picks a parallel
one on ports +N*100, for running suites side by side), gets the schema, and is wiped before each test that
asks for ``repo``. It is left running after the session so the next run
starts warm; ``ownergraph neo4j stop --test`` stops it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver, GraphDatabase

from ownergraph.localneo4j import server as local_server
from ownergraph.queries.repository import Repository

# One headless Chromium (one Playwright loop) for the whole session: a second sync
# Playwright started while the first is alive fails, so no module defines its own.
from tests.browser import browser, page  # noqa: F401  (pytest fixtures)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def neo4j_is_local() -> bool:
    return "OWNERGRAPH_TEST_NEO4J_URI" not in os.environ


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_is_local: bool) -> Iterator[Driver]:
    if neo4j_is_local:
        instance = local_server.test_instance()
        local_server.start(instance)
        uri = instance.bolt_uri
        auth = ("neo4j", instance.password())
    else:
        uri = os.environ["OWNERGRAPH_TEST_NEO4J_URI"]
        auth = (
            os.environ.get("OWNERGRAPH_TEST_NEO4J_USERNAME", "neo4j"),
            os.environ.get("OWNERGRAPH_TEST_NEO4J_PASSWORD", ""),
        )
    # as the application connects: schema hints ("no such property yet") are not logged
    driver = GraphDatabase.driver(uri, auth=auth, notifications_min_severity="OFF")
    driver.verify_connectivity()
    Repository(driver).apply_schema()
    yield driver
    driver.close()


@pytest.fixture
def repo(neo4j_driver: Driver, neo4j_is_local: bool) -> Repository:
    """A repository on the test database, empty at the start of the test (local server only)."""
    repository = Repository(neo4j_driver)
    if neo4j_is_local:
        repository.wipe()
    return repository


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Any test using the database is marked ``neo4j`` so it can be selected (-m neo4j)."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "repo" in fixtures or "neo4j_driver" in fixtures:
            item.add_marker(pytest.mark.neo4j)
