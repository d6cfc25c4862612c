"""Health, search, the entity record, and hostile ids."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from ownergraph.graph.params import ControlParams
from ownergraph.queries.repository import Repository
from ownergraph.service import OwnershipService
from tests.api.conftest import AS_OF


def test_healthz_and_readyz(cases_client: TestClient) -> None:
    assert cases_client.get("/healthz").json() == {"status": "ok"}
    assert cases_client.get("/readyz").json() == {"status": "ready", "database": "neo4j"}


def search_ids(client: TestClient, q: str, **params: object) -> list[str]:
    response = client.get("/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["results"]]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("华东控股集团有限公司", "chain-h"),  # Chinese registered name
        ("East China Holding", "chain-h"),  # English name
        ("ECHG", "chain-h"),  # alias
        ("91350100M000100Y43", "chain-h"),  # USCC
        ("5493001KJTIIGC8Y1R12", "agg-x"),  # LEI
        ("time-new", "time-new"),  # id
        ("Xavier", "agg-x"),  # Latin word
        ("Ypsil", "agg-y"),  # Latin prefix
    ],
)
def test_search_finds_by_every_identifier(cases_client: TestClient, q: str, expected: str) -> None:
    assert search_ids(cases_client, q)[0] == expected


def test_search_ranks_exact_identifier_first_and_is_safe_with_lucene_syntax(cases_client: TestClient) -> None:
    body = cases_client.get("/search", params={"q": "91350100M000100Y43"}).json()
    assert body["results"][0]["score"] >= body["results"][-1]["score"]
    assert cases_client.get("/search", params={"q": 'AND OR "( [ ~ * \\'}).status_code == 200
    assert search_ids(cases_client, "zzzznothing") == []


def test_search_result_shape(cases_client: TestClient) -> None:
    first = cases_client.get("/search", params={"q": "ECHG"}).json()["results"][0]
    assert {k: first[k] for k in ("id", "name", "kind", "name_en", "uscc", "aliases")} == {
        "id": "chain-h", "name": "华东控股集团有限公司", "kind": "company", "name_en": "East China Holding Group",
        "uscc": "91350100M000100Y43", "aliases": ["华东控股", "ECHG"],
    }


def test_entity_with_direct_owners_and_holdings_at_as_of(cases_client: TestClient) -> None:
    body = cases_client.get("/entities/chain-h", params={"as_of": AS_OF}).json()
    assert body["entity"]["id"] == "chain-h"
    assert body["entity"]["aliases"] == ["华东控股", "ECHG"]
    assert body["entity"]["registered_capital"] == 500000000
    assert [(o["entity"]["id"], o["stake"]["share"]["exact"]) for o in body["owners"]] == [("chain-p", 0.8)]
    assert [(h["entity"]["id"], h["stake"]["start"]) for h in body["holdings"]] == [("chain-t", "2016-01-01")]
    old = cases_client.get("/entities/time-t", params={"as_of": "2022-01-01"}).json()
    assert [o["entity"]["id"] for o in old["owners"]] == ["time-old"]
    new = cases_client.get("/entities/time-t", params={"as_of": "2024-01-01"}).json()
    assert [o["entity"]["id"] for o in new["owners"]] == ["time-new"]


HOSTILE_IDS = ["x'}) DETACH DELETE n //", "x\") MATCH (n) DETACH DELETE n //", "$id", "../../etc/passwd", "%00"]


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_cypher_looking_ids_answer_404_and_delete_nothing(
    cases_client: TestClient, neo4j_driver: Driver, hostile: str
) -> None:
    repo = Repository(neo4j_driver)
    before = repo.fingerprint()
    path = quote(hostile, safe="")
    for suffix in ("", "/controllers", "/owners", "/controlled", "/graph.json", "/beneficial-owners"):
        response = cases_client.get(f"/entities/{path}{suffix}")
        assert response.status_code == 404, (suffix, response.text)
        assert response.json()["code"] == "entity_not_found"
    assert cases_client.get("/search", params={"q": hostile}).status_code == 200
    assert cases_client.post("/screen", json={"listed": [hostile]}).status_code == 404
    assert repo.fingerprint() == before


def test_ids_with_a_slash_reach_their_routes(cases_client: TestClient) -> None:
    # ids are URL-encoded in paths; an encoded "/" is decoded before routing, so the
    # routes take the id as a path segment sequence and still answer 404, not 405.
    response = cases_client.get("/entities/a%2Fb/controllers")
    assert (response.status_code, response.json()["code"]) == (404, "entity_not_found")
    assert response.json()["detail"] == "No entity with id 'a/b'."


def test_service_answer_equals_the_route_answer(cases_client: TestClient, neo4j_driver: Driver) -> None:
    """``ownergraph controllers ID --json`` prints the service's model: the same JSON as the route."""
    from datetime import date

    service = OwnershipService(Repository(neo4j_driver))
    model = service.controllers_response("con-t", ControlParams(date.fromisoformat(AS_OF)))
    route = cases_client.get("/entities/con-t/controllers", params={"as_of": AS_OF}).json()
    assert model.model_dump(mode="json") == route
