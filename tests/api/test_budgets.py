"""Budgets of the read routes on a hub: paged entity lists, bounded search pages and cluster windows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from ownergraph.api.app import create_app
from ownergraph.graph.model import Dataset, Entity, Share, Stake
from ownergraph.pagination import encode_cursor
from ownergraph.queries.repository import SEARCH_WINDOW, Repository
from ownergraph.queries.settings import Neo4jSettings
from ownergraph.service import MAX_CLUSTER_CANDIDATES
from tests.api.conftest import make_settings

OWNERS = 25
HOLDINGS = 2 * MAX_CLUSTER_CANDIDATES + 10


def _hub() -> Dataset:
    owners = [Entity(f"o-{i:03d}", f"Owner {i}", "person") for i in range(OWNERS)]
    held = [Entity(f"h-{i:05d}", f"Held company {i}", "company", founded=date(2020, 1, 1))
            for i in range(HOLDINGS)]
    stakes = [Stake(o.id, "hub", Share(exact=(i + 1) / 1000)) for i, o in enumerate(owners)]
    stakes += [Stake("hub", h.id, Share(exact=0.6)) for h in held]
    return Dataset(entities=[Entity("hub", "Hub Holdings", "company"), *owners, *held], stakes=stakes)


@pytest.fixture(scope="module")
def hub_client(neo4j_driver: Driver, neo4j_is_local: bool, neo4j_settings: Neo4jSettings) -> Iterator[TestClient]:
    if not neo4j_is_local:
        pytest.skip("writes a fixture into the local test server")
    repo = Repository(neo4j_driver)
    repo.wipe()
    repo.write_dataset(_hub(), load={"id": "hub", "format": "test", "path": "hub"})
    with TestClient(create_app(make_settings(neo4j_settings))) as client:
        yield client


def test_entity_lists_are_paged_largest_stake_first(hub_client: TestClient) -> None:
    seen: list[str] = []
    shares: list[float] = []
    cursor: str | None = None
    pages = 0
    while True:
        params = {"limit": 10, **({"cursor": cursor} if cursor else {})}
        body = hub_client.get("/entities/hub", params=params).json()
        assert body["owners_total"] == OWNERS
        assert body["holdings_total"] == HOLDINGS
        assert len(body["owners"]) <= 10
        assert len(body["holdings"]) <= 10
        seen += [n["entity"]["id"] for n in body["owners"]]
        shares += [n["stake"]["share"]["exact"] for n in body["owners"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None or not body["owners"]:
            break
    assert sorted(seen) == sorted(f"o-{i:03d}" for i in range(OWNERS))
    assert shares == sorted(shares, reverse=True)
    far = hub_client.get("/entities/hub", params={"limit": 1000, "cursor": encode_cursor(4000)}).json()
    assert [n["entity"]["id"] for n in far["holdings"]] == [f"h-{i:05d}" for i in range(4000, HOLDINGS)]


def test_search_pages_stop_at_the_window(hub_client: TestClient) -> None:
    answer = hub_client.get("/search", params={"q": "Held", "limit": 1000, "cursor": encode_cursor(SEARCH_WINDOW)})
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_parameter"
    last = hub_client.get("/search", params={"q": "Held", "limit": 1000}).json()
    assert len(last["results"]) == SEARCH_WINDOW
    assert last["next_cursor"] is None


def test_a_cluster_window_holding_too_many_foundings_is_refused(hub_client: TestClient) -> None:
    answer = hub_client.get("/clusters", params={"founded_from": "2019-01-01", "founded_to": "2021-01-01"})
    assert answer.status_code == 422
    assert str(MAX_CLUSTER_CANDIDATES) in answer.json()["detail"]


def test_a_read_past_its_time_limit_is_503_too_expensive(
    neo4j_settings: Neo4jSettings, hub_client: TestClient
) -> None:
    with TestClient(create_app(make_settings(neo4j_settings, read_timeout_seconds=0.001))) as client:
        answer = client.get("/entities/hub/controlled", params={"limit": 1000})
    assert answer.status_code == 503
    assert answer.json()["code"] == "too_expensive"
    assert answer.headers["retry-after"]
