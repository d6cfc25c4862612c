"""POST /controllers:batch and ``ownergraph controllers --ids-file``: one answer per id, streamed."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from typer.testing import CliRunner

from ownergraph.batch import controllers_jsonl
from ownergraph.cli import app
from ownergraph.graph.params import ControlParams
from ownergraph.queries.repository import Repository
from ownergraph.queries.settings import Neo4jSettings
from ownergraph.service import OwnershipService
from tests.api.conftest import AS_OF
from tests.api.test_lenient_loads import cli_env

IDS = ["chain-t", "no-such-id", "chain-t", "agg-x"]


def _lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_batch_answers_each_id_in_order(cases_client: TestClient) -> None:
    response = cases_client.post("/controllers:batch", params={"as_of": AS_OF}, json={"ids": IDS})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = _lines(response.text)
    assert [line["target_id"] for line in lines] == IDS
    assert lines[1] == {"target_id": "no-such-id", "detail": "No entity with id 'no-such-id'.",
                        "code": "entity_not_found"}
    for i in (0, 2, 3):  # the very body GET /entities/{id}/controllers gives
        single = cases_client.get(f"/entities/{IDS[i]}/controllers", params={"as_of": AS_OF}).json()
        assert lines[i] == single
    assert lines[0]["ultimate_controllers"][0]["id"] == "chain-p"


def test_batch_takes_the_control_parameters(cases_client: TestClient) -> None:
    params = {"as_of": AS_OF, "ruleset": "relative"}
    [line] = _lines(cases_client.post("/controllers:batch", params=params, json={"ids": ["chain-t"]}).text)
    assert line["ruleset"] == "relative"


@pytest.mark.parametrize("body", [{"ids": []}, {"ids": ["x"] * 10_001}, {"ids": [""]}, {"nope": 1}])
def test_batch_bounds(cases_client: TestClient, body: object) -> None:
    response = cases_client.post("/controllers:batch", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_batch_memory_is_flat_in_the_number_of_ids(cases_client: TestClient, neo4j_driver: Driver) -> None:
    service = OwnershipService(Repository(neo4j_driver))
    params = ControlParams(date.fromisoformat(AS_OF))

    def peak(n: int) -> int:
        tracemalloc.start()
        count = sum(1 for _ in controllers_jsonl(service, ["chain-t"] * n, params))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert count == n
        return top

    peak(5)  # first-use costs (lazy imports, the driver's pool) out of the comparison
    few, many = peak(20), peak(200)
    assert many < 1.5 * few + 200_000


def test_cli_ids_file_jsonl_and_csv(cases_client: TestClient, neo4j_settings: Neo4jSettings, tmp_path: Path) -> None:
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("# watch list\nchain-t\n\nno-such-id\nagg-x\n", encoding="utf-8")
    runner = CliRunner(env=cli_env(neo4j_settings))
    result = runner.invoke(app, ["controllers", "--ids-file", str(ids_file), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    route = cases_client.post("/controllers:batch", params={"as_of": AS_OF},
                              json={"ids": ["chain-t", "no-such-id", "agg-x"]}).text
    assert _lines(result.stdout) == _lines(route)
    result = runner.invoke(app, ["controllers", "--ids-file", str(ids_file), "--as-of", AS_OF, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["target_id"], r["status"], r["error"]) for r in rows][:2] == [
        ("chain-t", "controlled", ""), ("no-such-id", "", "entity_not_found")]
    assert rows[0]["ultimate_controllers"] == "chain-p"
    both = runner.invoke(app, ["controllers", "chain-t", "--ids-file", str(ids_file)])
    assert both.exit_code == 2
