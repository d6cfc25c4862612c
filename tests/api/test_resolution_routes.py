"""Resolution over HTTP and the CLI: entities by any source's id, candidates, judgements with the token."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ownergraph.cli import app
from ownergraph.pipeline import load
from ownergraph.queries.repository import Repository
from ownergraph.queries.settings import Neo4jSettings
from tests.api.conftest import TOKEN

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SERGIO_ROSSI = "5493006QJ5ZEMSP80508"
FOSUN_FASHION = "529900OU45EJZAH9OM37"


@pytest.fixture
def two_sources(repo: Repository) -> Repository:
    load(repo, "gleif", FIXTURES / "gleif" / "sergio-rossi")
    load(repo, "bods", FIXTURES / "resolution" / "bods-fosun-fashion.jsonl")
    return repo


def test_routes_resolve_a_source_id_and_show_the_records(client: TestClient, two_sources: Repository) -> None:
    body = client.get("/entities/ent-fosun-fashion").json()
    assert body["entity"]["id"] == FOSUN_FASHION
    assert {r["record_id"]: r["loaded_from"] for r in body["records"]} == {
        "ent-fosun-fashion": "bods:bods-fosun-fashion.jsonl", FOSUN_FASHION: "gleif:sergio-rossi"}
    controllers = client.get(f"/entities/{SERGIO_ROSSI}/controllers").json()
    assert [u["id"] for u in controllers["ultimate_controllers"]] == ["per-jane"]
    assert client.get("/entities/ent-fosun-fashion/controllers").json()["target_id"] == FOSUN_FASHION
    owners = client.get("/entities/ent-fosun-fashion/owners").json()
    assert owners["target_id"] == FOSUN_FASHION
    assert [o["id"] for o in owners["owners"]] == ["per-jane"]
    assert client.get("/entities/no-such-record").status_code == 404


def test_judgements_need_the_token_and_apply(client: TestClient, two_sources: Repository) -> None:
    pair = {"a": "ent-fosun-fashion", "b": FOSUN_FASHION, "note": "two companies, one LEI typo"}
    assert client.post("/resolution/reject", json=pair).status_code == 401
    response = client.post("/resolution/reject", json=pair, headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["judgement"]["verdict"] == "negative"
    assert body["entities"] == {"ent-fosun-fashion": "ent-fosun-fashion", FOSUN_FASHION: FOSUN_FASHION}
    listed = client.get("/resolution/judgements").json()["judgements"]
    assert [(j["a"], j["b"], j["note"]) for j in listed] == [(FOSUN_FASHION, "ent-fosun-fashion", pair["note"])]
    undone = client.post("/resolution/undo", json=pair, headers=AUTH).json()
    assert undone["judgement"] is None
    assert set(undone["entities"].values()) == {FOSUN_FASHION}
    unknown = client.post("/resolution/accept", json={"a": "nowhere", "b": FOSUN_FASHION}, headers=AUTH)
    assert unknown.status_code == 404


def test_candidates_route_and_cli(client: TestClient, repo: Repository, neo4j_settings: Neo4jSettings,
                                  tmp_path: Path) -> None:
    load(repo, "registry-csv", FIXTURES / "resolution" / "registry-csv")
    (tmp_path / "entities.csv").write_text(
        'id,name,kind,jurisdiction\nen-fj,"Fujian Shili Konggu Co., Ltd.",company,CN\n')
    (tmp_path / "ownership.csv").write_text("owner_id,owned_id,share\n")
    load(repo, "registry-csv", tmp_path, source="english")
    body = client.get("/resolution/candidates", params={"source": "english", "min_score": 0.8}).json()
    assert [(c["a"]["id"], c["b"]["id"]) for c in body["candidates"]] == [("en-fj", "fj-holding")]
    assert body["candidates"][0]["evidence"][0]["what"] == "name"
    assert client.get("/resolution/candidates", params={"min_score": 2}).status_code == 422
    assert neo4j_settings.uri is not None
    assert neo4j_settings.password is not None
    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_USERNAME": neo4j_settings.username,
           "NEO4J_PASSWORD": neo4j_settings.password.get_secret_value(), "COLUMNS": "250"}
    result = CliRunner().invoke(app, ["resolve", "candidates", "--source", "english", "--min-score", "0.8", "--json"],
                                env=env)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == body
    result = CliRunner().invoke(app, ["resolve", "accept", "en-fj", "fj-holding"], env=env)
    assert result.exit_code == 0
    assert "fj-holding -> entity en-fj" in result.stdout
    result = CliRunner().invoke(app, ["entity", "fj-holding", "--json"], env=env)
    assert json.loads(result.stdout)["entity"]["id"] == "en-fj"
