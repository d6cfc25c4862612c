"""API fixtures: the app on the real test Neo4j, with the spec's cases loaded by the registry-csv loader.

The read-only tests share one load per module (``cases_client``): loading
once keeps the suite fast, and nothing in those modules writes. Tests that
write or wipe use the function-scoped ``repo`` fixture and their own client.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from pydantic import SecretStr

from ownergraph.api.app import create_app
from ownergraph.api.settings import ApiSettings
from ownergraph.localneo4j import server as local_server
from ownergraph.pipeline import load
from ownergraph.queries.repository import Repository
from ownergraph.queries.settings import Neo4jSettings
from tests.throwaway import BackgroundStart

API_CASES = Path(__file__).resolve().parents[1] / "fixtures" / "api_cases"
TOKEN = "k3J9-test-token-9f8e7d6c5b4a3f2e1d0c"
AS_OF = "2024-06-30"


@pytest.fixture(scope="session")
def neo4j_settings(neo4j_driver: Driver, neo4j_is_local: bool) -> Neo4jSettings:
    """Connection settings of the same server the ``neo4j_driver`` fixture talks to."""
    if neo4j_is_local:
        instance = local_server.test_instance()
        return Neo4jSettings(uri=instance.bolt_uri, username="neo4j", password=SecretStr(instance.password()))
    return Neo4jSettings(
        uri=os.environ["OWNERGRAPH_TEST_NEO4J_URI"],
        username=os.environ.get("OWNERGRAPH_TEST_NEO4J_USERNAME", "neo4j"),
        password=SecretStr(os.environ.get("OWNERGRAPH_TEST_NEO4J_PASSWORD", "")),
    )


def make_settings(neo4j: Neo4jSettings, *, token: str | None = TOKEN, **overrides: object) -> ApiSettings:
    # _env_file / env vars must not leak into tests: every field the tests rely on is explicit.
    overrides = {"refresh_on_start": False, **overrides}
    return ApiSettings(neo4j=neo4j, api_token=SecretStr(token) if token else None, **overrides)  # type: ignore[arg-type]


def load_cases(repo: Repository) -> None:
    load(repo, "registry-csv", API_CASES, materialise=False)


@pytest.fixture(scope="module")
def cases_client(neo4j_driver: Driver, neo4j_is_local: bool, neo4j_settings: Neo4jSettings) -> Iterator[TestClient]:
    """A client on an app whose database holds exactly the api_cases fixture."""
    if not neo4j_is_local:
        pytest.skip("the api tests load fixtures and need the local test server they may wipe")
    repo = Repository(neo4j_driver)
    repo.wipe()
    load_cases(repo)
    with TestClient(create_app(make_settings(neo4j_settings))) as client:
        yield client


@pytest.fixture
def client(repo: Repository, neo4j_settings: Neo4jSettings) -> Iterator[TestClient]:
    """A client on an empty database (``repo`` wiped it), with a write token configured."""
    with TestClient(create_app(make_settings(neo4j_settings))) as client:
        yield client


# -- the outage test's own server --------------------------------------------------

# A throwaway server that test_outage stops and starts again (never the shared test server).
OUTAGE = local_server.Instance("apitest-outage", bolt_port=18687, http_port=18474, heap="512m", pagecache="128m")
OUTAGE_START = BackgroundStart(OUTAGE, wanted_by="test_outage", wait_s=180)


@pytest.fixture(scope="session", autouse=True)
def _prestart_outage_server(request: pytest.FixtureRequest) -> None:
    """Start the outage server in the background while the other tests run: a JVM start takes 15 s or more."""
    OUTAGE_START.begin(request.session.items)


def start_outage_server() -> None:
    OUTAGE_START.wait()
