"""The demo, end to end: the demo data set loaded by the registry-csv loader into the real
Neo4j, the three questions of demo/README.md asked over HTTP, the answers checked exactly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from pydantic import SecretStr

from ownergraph.api.app import create_app
from ownergraph.api.browser_guide import ready_questions, split_question
from ownergraph.api.settings import ApiSettings
from ownergraph.localneo4j import server as local_server
from ownergraph.pipeline import load
from ownergraph.queries.repository import Repository
from ownergraph.queries.settings import Neo4jSettings

DEMO = Path(__file__).resolve().parents[1] / "demo" / "data"
AS_OF = "2025-06-30"
PROJECT_1 = "ph-qh-dc-project-1"
PROJECT_2 = "ph-qh-dc-project-2"
BORONG = "qh-borong-group"
QINGSHU = "sc-chengdu-qingshu"


@pytest.fixture(scope="module")
def demo_repo(neo4j_driver: Driver, neo4j_is_local: bool) -> Repository:
    if not neo4j_is_local:
        pytest.skip("the demo test loads data and needs the local test server it may wipe")
    repo = Repository(neo4j_driver)
    repo.wipe()
    load(repo, "registry-csv", DEMO, materialise=True)
    return repo


@pytest.fixture(scope="module")
def demo_client(demo_repo: Repository) -> Iterator[TestClient]:
    instance = local_server.test_instance()
    neo4j = Neo4jSettings(uri=instance.bolt_uri, username="neo4j", password=SecretStr(instance.password()))
    with TestClient(create_app(ApiSettings(neo4j=neo4j, api_token=None))) as client:
        yield client


def test_demo_clusters_find_the_two_project_companies_under_both_groups(demo_client: TestClient) -> None:
    response = demo_client.get(
        "/clusters", params={"founded_from": "2024-12-01", "founded_to": "2024-12-31", "as_of": AS_OF}
    )
    assert response.status_code == 200
    clusters = response.json()["clusters"]
    assert len(clusters) == 1  # the background holds no cluster of its own
    first = clusters[0]
    assert {m["id"] for m in first["members"]} == {PROJECT_1, PROJECT_2}
    assert [o["id"] for o in first["common_owners"]] == [BORONG, QINGSHU]
    assert first["controller"]["id"] == BORONG


def test_demo_project_one_is_controlled_by_borong_through_the_partnership(demo_client: TestClient) -> None:
    answer = demo_client.get(f"/entities/{PROJECT_1}/controllers", params={"as_of": AS_OF}).json()
    assert answer["status"] == "controlled"
    assert [c["id"] for c in answer["ultimate_controllers"]] == [BORONG]
    chain = answer["ultimate_controllers"][0]["chain"]
    steps = [(s["from_id"], s["to_id"], s["rule"]) for s in chain]
    assert steps == [(BORONG, "ph-qh-holding-a", "majority"),
                     ("ph-qh-holding-a", "ph-qh-compute-lp", "controls_edge"),
                     ("ph-qh-compute-lp", PROJECT_1, "majority")]
    assert chain[0]["pooled_voting_share"] == 0.95
    assert chain[1]["basis"] == "general_partner"
    assert all(s["source"].startswith("illustrative") for s in answer["ultimate_controllers"][0]["chain"])


def test_demo_project_two_has_no_controller_and_lists_its_largest_holders(demo_client: TestClient) -> None:
    answer = demo_client.get(f"/entities/{PROJECT_2}/controllers", params={"as_of": AS_OF}).json()
    assert answer["status"] == "no_controller"
    assert answer["ultimate_controllers"] == []
    holders = [(h["id"], round(h["integrated_ownership"], 4)) for h in answer["largest_holders"][:5]]
    assert holders == [("ph-qh-holding-a", 0.4824), (BORONG, 0.48), ("ph-sc-venture-lp", 0.42),
                       (QINGSHU, 0.42), ("ph-qh-person-a", 0.1)]
    relative = demo_client.get(
        f"/entities/{PROJECT_2}/controllers", params={"as_of": AS_OF, "ruleset": "relative"}
    ).json()
    assert [c["id"] for c in relative["ultimate_controllers"]] == [BORONG]


def test_demo_state_group_controls_its_two_new_subsidiaries(demo_client: TestClient) -> None:
    answer = demo_client.get("/entities/cn-chn-energy/controlled", params={"as_of": AS_OF}).json()
    assert {c["id"] for c in answer["controlled"]} == {"ph-ceic-digital", "ph-ceic-dc-sub-1", "ph-ceic-dc-sub-2"}
    new = demo_client.get(
        "/entities/cn-chn-energy/controlled", params={"as_of": AS_OF, "founded_from": "2025-01-01"}
    ).json()
    assert {c["id"] for c in new["controlled"]} == {"ph-ceic-dc-sub-1", "ph-ceic-dc-sub-2"}
    top = demo_client.get("/entities/cn-chn-energy/controllers", params={"as_of": AS_OF}).json()
    assert [(c["id"], c["kind"]) for c in top["ultimate_controllers"]] == [("cn-sasac", "state_body")]


def test_demo_materialised_control_matches_the_engine(demo_repo: Repository) -> None:
    records, _, _ = demo_repo.driver.execute_query(
        "MATCH (e:Entity {id: $id})-[r:ULTIMATELY_CONTROLLED_BY]->(c) RETURN c.id AS id, r.definite AS definite",
        id=PROJECT_1,
        bookmark_manager_=None,  # as the repository reads: the test store may have been replaced by an import
    )
    assert [(r["id"], r["definite"]) for r in records] == [(BORONG, True)]


def test_demo_ready_browser_questions_answer(demo_repo: Repository) -> None:
    """Every ready question of queries/browser/ runs with its own :param values and finds something."""
    for path in ready_questions():
        _, params, query = split_question(path)
        values = {}
        for line in params:
            name, _, expression = line.removeprefix(":param").partition("=>")
            values[name.strip()] = demo_repo.driver.execute_query(f"RETURN {expression.strip()} AS v",
                                                                     bookmark_manager_=None).records[0]["v"]
        records = demo_repo.driver.execute_query(query, values, bookmark_manager_=None).records
        assert records, f"{path.name} found nothing on the demo data"
