"""Neo4j goes away and comes back: 503 with Retry-After, then 200, without restarting the app.

Uses its own throwaway local server (not the shared test server), stopped
mid-test. The app's driver must reconnect by itself: nothing may cache the
broken state.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from ownergraph.api.app import create_app
from ownergraph.localneo4j import server as local_server
from ownergraph.queries.repository import Repository, connect
from ownergraph.queries.settings import Neo4jSettings
from tests.api.conftest import OUTAGE, load_cases, make_settings, start_outage_server

pytestmark = pytest.mark.neo4j

@pytest.fixture(scope="module")
def outage_settings() -> Iterator[Neo4jSettings]:
    if not local_server.is_installed():
        pytest.skip("the local Neo4j is not installed (run the queries tests once first)")
    start_outage_server()
    settings = Neo4jSettings(uri=OUTAGE.bolt_uri, username="neo4j", password=SecretStr(OUTAGE.password()))
    driver = connect(settings)
    try:
        repo = Repository(driver)
        repo.apply_schema()
        repo.wipe()
        load_cases(repo)
    finally:
        driver.close()
    try:
        yield settings
    finally:
        local_server.stop(OUTAGE)


def wait_until_ready(client: TestClient, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.get("/readyz").status_code == 200:
            return
        time.sleep(0.5)
    raise AssertionError("the API did not become ready again")


def test_neo4j_down_then_back_without_restarting_the_app(outage_settings: Neo4jSettings) -> None:
    with TestClient(create_app(make_settings(outage_settings, retry_after_seconds=7))) as client:
        assert client.get("/readyz").status_code == 200
        expected = client.get("/entities/chain-t/controllers").json()
        assert expected["ultimate_controllers"][0]["id"] == "chain-p"

        local_server.stop(OUTAGE)
        for path in ("/readyz", "/entities/chain-t/controllers"):
            response = client.get(path)
            assert response.status_code == 503, (path, response.text)
            assert response.json() == {"detail": "The graph database is unreachable; retry later.",
                                       "code": "database_unavailable"}
            assert response.headers["Retry-After"] == "7"
        assert client.get("/healthz").status_code == 200  # the process itself is fine

        local_server.start(OUTAGE)
        wait_until_ready(client)
        assert client.get("/entities/chain-t/controllers").json() == expected


def test_app_starts_while_neo4j_is_down() -> None:
    # Nothing listens on this port: start-up must not fail, /readyz must say 503.
    down = Neo4jSettings(uri="bolt://127.0.0.1:18699", username="neo4j", password=SecretStr("x"))
    with TestClient(create_app(make_settings(down))) as client:
        assert client.get("/healthz").status_code == 200
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
