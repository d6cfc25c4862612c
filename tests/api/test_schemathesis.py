"""Property-based requests generated from the app's own OpenAPI schema: no answer may be a 5xx.

Bounded (few examples per operation) so the run stays well under a minute.
Responses are also checked against the documented response schemas.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from neo4j import Driver
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error, response_schema_conformance

from ownergraph.api.app import create_app
from ownergraph.localneo4j import server as local_server
from ownergraph.queries.repository import Repository
from ownergraph.queries.settings import Neo4jSettings
from tests.api.conftest import load_cases, make_settings

pytestmark = pytest.mark.neo4j

# The schema is read at collection time, so the app is built here; the fixture below
# gives it the test server's password (which a fresh checkout only has once the server
# has started) and runs its lifespan (the driver) once the cases are loaded.
_INSTANCE = local_server.test_instance()
_SETTINGS = make_settings(Neo4jSettings(uri=_INSTANCE.bolt_uri, password=SecretStr("")))
APP = create_app(_SETTINGS)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _app_with_cases(neo4j_driver: Driver) -> Iterator[None]:
    if "OWNERGRAPH_TEST_NEO4J_URI" in os.environ:
        pytest.skip("loads fixtures: needs the local test server it may wipe")
    _SETTINGS.neo4j.password = SecretStr(_INSTANCE.password())
    repo = Repository(neo4j_driver)
    repo.wipe()
    load_cases(repo)
    with TestClient(APP):
        yield


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
