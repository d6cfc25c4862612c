"""Lenient loads (``on_fault="skip"``): faulty records and their dependents left out, the rest atomic."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ownergraph.cli import app
from ownergraph.graph.errors import InvalidParameter
from ownergraph.loaders.errors import LoadRejected
from ownergraph.loaders.skip import Skipped
from ownergraph.pipeline import load, parse
from ownergraph.queries.repository import Repository
from ownergraph.queries.settings import Neo4jSettings
from tests.api.conftest import TOKEN
from tests.application.living import write_registry


def cli_env(settings: Neo4jSettings) -> dict[str, str]:
    """The environment that points the command line at the test server."""
    assert settings.uri is not None
    assert settings.password is not None
    return {"NEO4J_URI": settings.uri, "NEO4J_USERNAME": settings.username,
            "NEO4J_PASSWORD": settings.password.get_secret_value(), "NEO4J_DATABASE": settings.database}


BODS = Path(__file__).resolve().parents[1] / "fixtures" / "bods"
DANGLING = BODS / "sk-0.2-dangling.jsonl.gz"


def test_dangling_relationships_are_skipped_with_their_lines() -> None:
    skipped: list[Skipped] = []
    data = parse("bods", DANGLING, on_fault="skip", skipped=skipped)
    assert [(s.line, s.code, s.column) for s in skipped] == [
        (9, "missing_statement", "/subject/describedByEntityStatement"),
        (11, "missing_statement", "/interestedParty/describedByPersonStatement"),
    ]
    assert all(s.file == DANGLING.name for s in skipped)  # the name in the source, never a server path
    assert {s.record for s in skipped} == {"link '200001' -> '100099'", "link '200099' -> '100004'"}
    assert data.errors == []
    # the others load: 900001 (a link), 900002 (a stake in 100003, which replaces 100002), 900003
    assert sorted((s.owner_id, s.owned_id) for s in data.stakes) == [
        ("200002", "100003"), ("900003/unspecified", "100001")]
    assert {(k.source_id, k.target_id) for k in data.links} == {("200001", "100001")}


def test_the_default_still_refuses_everything() -> None:
    with pytest.raises(LoadRejected) as caught:
        parse("bods", DANGLING)
    assert [f.line for f in caught.value.errors] == [9, 11]


def test_a_faulty_entity_takes_its_stakes_with_it(tmp_path: Path) -> None:
    folder = write_registry(tmp_path / "reg", [("a", "company"), ("b", "spaceship"), ("c", "person")],
                            [("c", "a", 60, "", ""), ("b", "a", 30, "", ""), ("c", "b", 100, "", "")])
    skipped: list[Skipped] = []
    data = parse("registry-csv", folder, on_fault="skip", skipped=skipped)
    got = [(Path(s.file or "").name, s.line, s.code, s.record) for s in skipped]
    assert got == [
        ("entities.csv", 3, "bad_kind", "entity 'b'"),
        ("ownership.csv", 3, "depends_on_skipped", "stake 'b' -> 'a'"),
        ("ownership.csv", 4, "depends_on_skipped", "stake 'c' -> 'b'"),
    ]
    assert [e.id for e in data.entities] == ["a", "c"]
    assert [(s.owner_id, s.owned_id) for s in data.stakes] == [("c", "a")]


def test_a_broken_file_is_refused_even_when_skipping(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"statementID": "a", "statementType": "entityStatement", "name": "A"},', encoding="utf-8")
    with pytest.raises(LoadRejected) as caught:
        parse("bods", path, on_fault="skip")
    assert [f.code for f in caught.value.errors] == ["malformed_json"]


def test_lenient_load_writes_the_rest_atomically(repo: Repository) -> None:
    result = load(repo, "bods", DANGLING, on_fault="skip")
    assert len(result.skipped) == 2
    assert result.counts["stakes"] == 2
    # 100004 states the same SK-ORSR number as 100001: one entity, with both records (resolution)
    assert repo.canonical_ids(["100004"]).get("100004") == "100001"
    assert repo.entity("100001") is not None
    assert repo.entity("100099") is None
    # a second run writes nothing new and skips the same two
    before = repo.fingerprint()
    again = load(repo, "bods", DANGLING, on_fault="skip")
    assert [s.line for s in again.skipped] == [9, 11]
    assert repo.fingerprint() == before


def test_skip_is_refused_with_a_snapshot(repo: Repository) -> None:
    with pytest.raises(InvalidParameter):
        load(repo, "bods", DANGLING, on_fault="skip", snapshot=True)


def test_cli_on_fault_skip_reports_every_skipped_record(
    repo: Repository, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    report = tmp_path / "report.txt"
    runner = CliRunner(env=cli_env(neo4j_settings))
    refused = runner.invoke(app, ["load", "bods", str(DANGLING)])
    assert refused.exit_code == 1, refused.output
    done = runner.invoke(app, ["load", "bods", str(DANGLING), "--on-fault", "skip", "--report", str(report)])
    assert done.exit_code == 0, done.output
    assert "Skipped 2 record(s): 2 with a fault, 0 depending on one" in done.output
    lines = report.read_text(encoding="utf-8").splitlines()
    skipped = [line for line in lines if "skipped" in line]
    assert [line.split(":")[1].split()[0] for line in skipped] == ["9", "11"]
    assert all("[missing_statement]" in line for line in skipped)


def test_post_loads_on_fault_skip(client: TestClient, repo: Repository) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/octet-stream"}
    body = DANGLING.read_bytes()
    refused = client.post("/loads", params={"format": "bods"}, content=body, headers=headers)
    assert refused.status_code == 422
    done = client.post("/loads", params={"format": "bods", "on_fault": "skip"}, content=body, headers=headers)
    assert done.status_code == 201, done.text
    answer = done.json()
    assert answer["skipped_count"] == 2
    assert [(s["line"], s["code"]) for s in answer["skipped"]] == [(9, "missing_statement"), (11, "missing_statement")]
    assert answer["counts"]["stakes"] == 2
    bad = client.post("/loads", params={"format": "bods", "on_fault": "maybe"}, content=body, headers=headers)
    assert bad.status_code == 422


def test_a_record_with_two_faults_is_skipped_once_naming_both(tmp_path: Path) -> None:
    path = tmp_path / "two.jsonl"
    path.write_text(
        '{"statementID": "a", "statementType": "entityStatement", "name": "A"}\n'
        '{"statementID": "r", "statementType": "ownershipOrControlStatement",'
        ' "subject": {"describedByEntityStatement": "gone-1"},'
        ' "interestedParty": {"describedByEntityStatement": "gone-2"}, "interests": []}\n',
        encoding="utf-8",
    )
    skipped: list[Skipped] = []
    data = parse("bods", path, on_fault="skip", skipped=skipped)
    [only] = skipped
    assert (only.line, only.code) == (2, "missing_statement")
    assert "'gone-1'" in only.reason
    assert "'gone-2'" in only.reason
    assert [e.id for e in data.entities] == ["a"]
    assert data.links == []
