"""Exports of a neighbourhood: BODS 0.4 (Open Ownership's validator, round trip), GraphML and FtM."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from libcovebods import config as cove_config
from libcovebods import data_reader, jsonschemavalidate, run_tasks
from libcovebods import schema as cove_schema
from libcovebods.tasks.checks import legacy_checks, record_based_checks
from typer.testing import CliRunner

from ownergraph.cli import app
from ownergraph.graph.model import Dataset, Share
from ownergraph.loaders.bods import parse_bods
from ownergraph.loaders.ftm import parse_ftm
from ownergraph.pipeline import load
from ownergraph.queries.repository import Repository
from ownergraph.queries.settings import Neo4jSettings
from ownergraph.service import OwnershipService
from tests.api.test_lenient_loads import cli_env
from tests.application.living import write_registry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PSC = FIXTURES / "psc" / "snapshot-sample.jsonl"
BANDS = FIXTURES / "bods" / "psc-0.3-banded.json"
CENTER = "GB-COH-04120481"  # Clientlogic Holding Limited's company, held by Anna Sample through it
AS_OF = "2024-12-19"
# The identifier schemes our exports use, as org-id.guide lists them: the validator fetches that list
# from the internet, which the tests never reach.
ORG_ID_SCHEMES = ["GB-COH", "XI-LEI", "CN-SAIC"]


@pytest.fixture
def graph(repo: Repository, tmp_path: Path) -> Repository:
    """The PSC sample, the 0.3 bands and a registry folder with exact shares, a partnership and a control."""
    load(repo, "psc", PSC)
    load(repo, "bods", BANDS)
    reg = write_registry(tmp_path / "reg", [("gp-fund", "partnership"), ("gp", "company")],
                         [("GB-COH-PSC-SYNTHETICpscAnnaSample00000002", "gp-fund", 33.3, "2020-01-01", "2030-01-01"),
                          ("gp-fund", "GB-COH-04120481", 0.5, "2021-06-30", "")],
                         controls=(("gp", "gp-fund", "general_partner"),))
    load(repo, "registry-csv", reg)
    return repo


def validate(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[Any]]:
    """Open Ownership's validator: (JSON schema errors, additional check failures)."""
    monkeypatch.setattr(legacy_checks, "get_orgids_prefixes", lambda *_: ORG_ID_SCHEMES)
    monkeypatch.setattr(record_based_checks, "get_orgids_prefixes", lambda *_: ORG_ID_SCHEMES)
    reader = data_reader.DataReader(str(path))
    settings = cove_config.LibCoveBODSConfig()
    schema = cove_schema.SchemaBODS(reader, settings)
    assert schema.is_schema_version_equal_to_or_greater_than("0.4")
    errors = [e.json() for e in jsonschemavalidate.JSONSchemaValidator(schema).validate(reader)]
    checks = run_tasks.process_additional_checks(reader, settings, schema, run_tasks.TASK_CLASSES)
    return errors, checks["additional_checks"]


def _projection(data: Dataset) -> dict[str, Any]:
    """The graph as control sees it: entities and the edges with shares, bases and dates."""
    def share(s: Share | None) -> tuple[float | None, ...] | None:
        return None if s is None else (s.exact, s.minimum, s.maximum)
    return {
        "entities": sorted((e.id, e.name, e.kind, e.jurisdiction, e.lei, e.founded) for e in data.entities),
        "stakes": sorted((s.owner_id, s.owned_id, share(s.share), share(s.voting_share), s.start, s.end)
                         for s in data.stakes),
        "controls": sorted((c.controller_id, c.controlled_id, c.basis, c.start, c.end) for c in data.controls),
        "links": sorted((k.source_id, k.target_id, k.link_type, k.start, k.end) for k in data.links),
    }


def _records(repo: Repository, center: str, direction: str) -> Dataset:
    from ownergraph import exports

    view, data, _ = OwnershipService(repo)._neighbourhood(center, as_of=date.fromisoformat(AS_OF), depth=6,
                                                          direction=direction)
    return exports.records_between(data, {n.id for n in view.nodes if n.kind != "more"})


@pytest.mark.parametrize("direction", ["up", "both"])
def test_bods_export_passes_the_validator_and_loads_back(
    graph: Repository, client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direction: str
) -> None:
    response = client.get(f"/entities/{CENTER}/export.bods.json", params={"as_of": AS_OF, "direction": direction})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    path = tmp_path / "export.json"
    path.write_bytes(response.content)
    statements = response.json()
    assert {s["publicationDetails"]["bodsVersion"] for s in statements} == {"0.4"}
    errors, failures = validate(path, monkeypatch)
    assert errors == []
    assert failures == []
    center = next(s for s in statements if s["recordId"] == CENTER)
    notes = [a["description"] for a in center["annotations"]]
    assert any("Ultimate controller:" in n and "GB-COH-PSC-SYNTHETICpscAnnaSample00000002" in n for n in notes)
    # back through our own loader: the same graph
    before = _records(graph, CENTER, direction)
    parsed = parse_bods(path)
    assert parsed.errors == []
    assert _projection(parsed) == _projection(before)
    assert any(s.share.minimum == before.stakes[0].share.minimum for s in parsed.stakes)


def test_bods_round_trip_through_the_database(
    graph: Repository, client: TestClient, tmp_path: Path
) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(client.get(f"/entities/{CENTER}/export.bods.json", params={"as_of": AS_OF}).content)
    before = _records(graph, CENTER, "up")
    answer = client.get(f"/entities/{CENTER}/controllers", params={"as_of": AS_OF}).json()
    graph.wipe()
    load(graph, "bods", path)
    assert _projection(_records(graph, CENTER, "up")) == _projection(before)
    again = client.get(f"/entities/{CENTER}/controllers", params={"as_of": AS_OF}).json()
    assert again["status"] == answer["status"]
    assert [u["id"] for u in again["ultimate_controllers"]] == [u["id"] for u in answer["ultimate_controllers"]]


def test_exclusive_bounds_stay_exclusive(graph: Repository, client: TestClient) -> None:
    statements = client.get("/entities/gb-coh-00000050/export.bods.json", params={"as_of": AS_OF}).json()
    [relationship] = [s for s in statements if s["recordType"] == "relationship"]
    shares = [i["share"] for i in relationship["recordDetails"]["interests"]]
    assert shares == [{"exclusiveMinimum": 50, "maximum": 75}, {"exclusiveMinimum": 50, "maximum": 75}]


def _graphml(client: TestClient, center: str) -> Any:
    response = client.get(f"/entities/{center}/export.graphml", params={"as_of": AS_OF})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/graphml+xml")
    return nx.read_graphml(io.BytesIO(response.content), force_multigraph=True)


def test_graphml_export_reads_back(graph: Repository, client: TestClient) -> None:
    g = _graphml(client, CENTER)
    records = _records(graph, CENTER, "up")
    assert set(g.nodes) == {e.id for e in records.entities}
    assert g.number_of_edges() == len(records.stakes) + len(records.controls) + len(records.links)
    assert g.nodes["GB-COH-PSC-SYNTHETICpscAnnaSample00000002"]["ultimate_controller"] is True
    assert g.nodes["GB-COH-03530981"]["name"] == "Clientlogic Holding Limited"
    owns = [d for _, _, d in g.in_edges("GB-COH-04120481", data=True) if d["relation"] == "OWNS"]
    assert sorted(d.get("share", d.get("share_min")) for d in owns) == sorted(
        s.share.exact if s.share.exact is not None else s.share.minimum
        for s in records.stakes if s.owned_id == "GB-COH-04120481")
    boards = [(a, d["basis"]) for a, _, d in g.in_edges("GB-COH-04120481", data=True) if d["relation"] == "CONTROLS"]
    assert boards == [("GB-COH-03530981", "board")]


def test_ftm_export_loads_back(graph: Repository, client: TestClient, tmp_path: Path) -> None:
    response = client.get(f"/entities/{CENTER}/export.ftm.json", params={"as_of": AS_OF})
    assert response.status_code == 200
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert {line["schema"] for line in lines} >= {"Company", "Person", "Ownership", "Control"}
    path = tmp_path / "export.ftm.json"
    path.write_bytes(response.content)
    parsed = parse_ftm(path)
    assert parsed.errors == []
    before = _records(graph, CENTER, "up")
    kinds = {"partnership": "company", "fund": "company", "unknown": "other"}  # FtM has no such schemata
    assert sorted((e.id, e.name, kinds.get(e.kind, e.kind)) for e in parsed.entities) == sorted(
        (e.id, e.name, kinds.get(e.kind, e.kind)) for e in before.entities)
    # equity shares and dates (FtM has no voting share; a (50, 75] band is written "50-75")
    assert sorted((s.owner_id, s.owned_id, s.share.exact, s.start, s.end) for s in parsed.stakes) == sorted(
        (s.owner_id, s.owned_id, s.share.exact, s.start, s.end) for s in before.stakes)
    assert sorted((c.controller_id, c.controlled_id, c.basis, c.start, c.end) for c in parsed.controls) == sorted(
        (c.controller_id, c.controlled_id, c.basis, c.start, c.end) for c in before.controls)
    assert {c.basis for c in parsed.controls} == {"board", "general_partner"}


def test_cli_export_is_the_route_body(graph: Repository, client: TestClient, neo4j_settings: Neo4jSettings,
                                      tmp_path: Path) -> None:
    out = tmp_path / "cli.graphml"
    result = CliRunner(env=cli_env(neo4j_settings)).invoke(
        app, ["export", "graphml", CENTER, "--as-of", AS_OF, "-o", str(out)])
    assert result.exit_code == 0, result.output
    route = client.get(f"/entities/{CENTER}/export.graphml", params={"as_of": AS_OF}).content
    assert out.read_bytes() == route
    unknown = CliRunner(env=cli_env(neo4j_settings)).invoke(app, ["export", "bods", "no-such-id"])
    assert unknown.exit_code == 4


def test_export_errors(graph: Repository, client: TestClient) -> None:
    assert client.get("/entities/no-such-id/export.bods.json").status_code == 404
    assert client.get(f"/entities/{CENTER}/export.ftm.json", params={"direction": "sideways"}).status_code == 422
