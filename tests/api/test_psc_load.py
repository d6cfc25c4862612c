"""The UK PSC snapshot through POST /loads and the CLI, on the real Neo4j."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ownergraph.cli import app
from ownergraph.queries.repository import Repository
from ownergraph.queries.settings import Neo4jSettings
from tests.api.conftest import TOKEN
from tests.api.test_lenient_loads import cli_env

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "psc" / "snapshot-sample.jsonl"


def test_post_loads_psc_then_ask(client: TestClient, repo: Repository) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/octet-stream"}
    response = client.post("/loads", params={"format": "psc"}, content=SAMPLE.read_bytes(), headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["counts"]["stakes"] == 11
    assert {w["code"] for w in body["warnings"]} == {"psc_statement", "psc_super_secure"}
    answer = client.get("/entities/GB-COH-04120481/controllers", params={"as_of": "2024-12-19"}).json()
    assert [u["id"] for u in answer["ultimate_controllers"]] == ["GB-COH-PSC-SYNTHETICpscAnnaSample00000002"]
    entity = client.get("/entities/GB-COH-08209948").json()["entity"]
    assert entity["extra"]["psc_statement"].startswith("no-individual-or-entity-with-signficant-control")


def test_cli_load_psc(repo: Repository, neo4j_settings: Neo4jSettings) -> None:
    result = CliRunner(env=cli_env(neo4j_settings)).invoke(app, ["load", "psc", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "11 stakes" in result.output
    assert repo.entity("GB-COH-00686734") is not None
