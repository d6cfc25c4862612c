"""The living registry over HTTP and the CLI: delta and snapshot uploads, /changes, watchlists, 409."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ownergraph.cli import app
from ownergraph.load_lock import load_lock
from ownergraph.pipeline import load
from ownergraph.queries.repository import Repository
from ownergraph.queries.settings import Neo4jSettings
from tests.api.conftest import TOKEN
from tests.api.test_loads import zip_folder
from tests.application.living import split_demo, write_registry

AUTH = {"Authorization": f"Bearer {TOKEN}"}
ZIP = {**AUTH, "Content-Type": "application/zip"}
WATCH = {"name": "qinghai", "entity_ids": ["qh-borong-group", "sc-chengdu-qingshu"]}


@pytest.fixture
def env(neo4j_settings: Neo4jSettings) -> dict[str, str]:
    assert neo4j_settings.uri is not None
    assert neo4j_settings.password is not None
    return {"NEO4J_URI": neo4j_settings.uri, "NEO4J_USERNAME": neo4j_settings.username,
            "NEO4J_PASSWORD": neo4j_settings.password.get_secret_value(), "COLUMNS": "250"}


def _cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout


def test_a_delta_upload_then_the_feed_and_the_alerts(
    client: TestClient, repo: Repository, tmp_path: Path, env: dict[str, str]
) -> None:
    base, delta = split_demo(tmp_path)
    load(repo, "registry-csv", base)
    assert client.post("/watchlists", json=WATCH).status_code == 401
    saved = client.post("/watchlists", json=WATCH, headers=AUTH)
    assert saved.status_code == 201, saved.text
    assert saved.json()["min_io"] == 0.25
    since = datetime.now(UTC).isoformat()
    response = client.post("/loads", params={"format": "registry-csv", "source": "daily"},
                           content=zip_folder(delta), headers=ZIP)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["source"], body["snapshot"], body["materialised"]["mode"]) == ("daily", False, "incremental")
    assert body["materialised"]["changes"] == 2

    changes = client.get("/changes", params={"since": since})
    assert changes.status_code == 200, changes.text
    listed = changes.json()["changes"]
    assert {c["entity"]["id"] for c in listed} == {"ph-qh-dc-project-1", "ph-qh-dc-project-2"}
    first = next(c for c in listed if c["entity"]["id"] == "ph-qh-dc-project-1")
    assert first["before"]["status"] is None
    assert first["after"]["ultimate_controllers"] == [{"id": "qh-borong-group", "group": None}]
    assert first["cause"] == {"kind": "load", "load_id": "daily", "merged_into": None}
    follow = client.get(first["links"]["controllers"])
    assert follow.json()["ultimate_controllers"][0]["id"] == "qh-borong-group"
    assert client.get(first["links"]["page"]).status_code == 200

    alerts = client.get("/watchlists/qinghai/alerts", params={"since": since})
    assert alerts.status_code == 200, alerts.text
    assert {a["entity"]["id"] for a in alerts.json()["alerts"]} == {"ph-qh-dc-project-1", "ph-qh-dc-project-2"}
    # The CLI prints the same bodies.
    code, out = _cli(env, "changes", "--since", since, "--json")
    assert code == 0
    assert json.loads(out) == changes.json()
    code, out = _cli(env, "watch", "alerts", "qinghai", "--since", since, "--json")
    assert code == 0
    assert json.loads(out) == alerts.json()
    code, out = _cli(env, "watch", "alerts", "qinghai", "--since", since)
    assert code == 0
    assert "ph-qh-dc-project-1" in out
    assert "ultimate_controller" in out
    code, out = _cli(env, "watch", "list", "--json")
    assert json.loads(out) == client.get("/watchlists").json()


def test_watchlists_are_created_listed_and_deleted(client: TestClient, repo: Repository, tmp_path: Path,
                                                   env: dict[str, str]) -> None:
    base, _ = split_demo(tmp_path)
    load(repo, "registry-csv", base)
    unknown = client.post("/watchlists", json={"name": "x", "entity_ids": ["nobody"]}, headers=AUTH)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "entity_not_found")
    bad = client.post("/watchlists", json={"name": "no spaces", "entity_ids": ["qh-borong-group"]}, headers=AUTH)
    assert bad.status_code == 422
    assert client.post("/watchlists", json={**WATCH, "min_io": 0.5}, headers=AUTH).status_code == 201
    assert [w["name"] for w in client.get("/watchlists").json()["watchlists"]] == ["qinghai"]
    assert client.delete("/watchlists/qinghai").status_code == 401
    assert client.delete("/watchlists/qinghai", headers=AUTH).status_code == 204
    gone = client.delete("/watchlists/qinghai", headers=AUTH)
    assert (gone.status_code, gone.json()["code"]) == (404, "watchlist_not_found")
    assert client.get("/watchlists/qinghai/alerts").status_code == 404
    assert _cli(env, "watch", "add", "cli-list", "qh-borong-group", "--min-io", "0.3")[0] == 0
    assert _cli(env, "watch", "add", "cli-list", "nobody")[0] == 4
    assert _cli(env, "watch", "remove", "cli-list")[0] == 0
    assert _cli(env, "watch", "remove", "cli-list")[0] == 4


def test_a_snapshot_upload_ends_what_it_omits(client: TestClient, repo: Repository, tmp_path: Path) -> None:
    people = [("p", "person"), ("q", "person"), ("t", "company")]
    full = write_registry(tmp_path / "a", people, [("p", "t", 60, "", ""), ("q", "t", 40, "", "")])
    smaller = write_registry(tmp_path / "b", people, [("q", "t", 40, "", "")])
    params = {"format": "registry-csv", "source": "reg", "snapshot": "true", "snapshot_date": "2026-01-01"}
    assert client.post("/loads", params=params, content=zip_folder(full), headers=ZIP).status_code == 201
    ended = client.post("/loads", params={**params, "snapshot_date": "2026-02-01"}, content=zip_folder(smaller),
                        headers=ZIP)
    assert ended.status_code == 201, ended.text
    assert ended.json()["counts"]["ended"] == 1
    before = client.get("/entities/t/controllers", params={"as_of": "2026-01-15"}).json()
    after = client.get("/entities/t/controllers", params={"as_of": "2026-02-15"}).json()
    assert [u["id"] for u in before["ultimate_controllers"]] == ["p"]
    assert after["ultimate_controllers"] == []


def test_an_upload_while_another_load_runs_is_409(client: TestClient, repo: Repository, tmp_path: Path) -> None:
    folder = write_registry(tmp_path / "x", [("p", "person"), ("t", "company")], [("p", "t", 60, "", "")])
    with load_lock(repo):
        busy = client.post("/loads", params={"format": "registry-csv"}, content=zip_folder(folder), headers=ZIP)
    assert (busy.status_code, busy.json()["code"]) == (409, "load_in_progress")
    assert "Retry-After" in busy.headers
    assert repo.counts().get("Entity", 0) == 0
    assert client.post("/loads", params={"format": "registry-csv"}, content=zip_folder(folder),
                       headers=ZIP).status_code == 201


@pytest.mark.parametrize(
    ("params", "code"),
    [({"since": "yesterday"}, "invalid_parameter"), ({"cursor": "bm9wZQ"}, "invalid_cursor"),
     ({"limit": "0"}, "validation_error")],
)
def test_bad_feed_parameters_are_422(client: TestClient, params: dict[str, str], code: str) -> None:
    response = client.get("/changes", params=params)
    assert (response.status_code, response.json()["code"]) == (422, code)


def test_control_commands(repo: Repository, tmp_path: Path, env: dict[str, str]) -> None:
    base, delta = split_demo(tmp_path)
    code, out = _cli(env, "load", "registry-csv", str(base), "--source", "demo-base")
    assert code == 0, out
    assert "demo-base" in out
    assert _cli(env, "control", "verify")[0] == 0
    repo.driver.execute_query("MATCH (:Entity {id: 'ph-qh-holding-a'})-[r:CONTROLLED_BY]->() DELETE r")
    code, out = _cli(env, "control", "verify")
    assert code == 1
    assert "ph-qh-holding-a" in out
    code, out = _cli(env, "control", "rebuild")
    assert code == 0
    assert "whole" in out
    assert _cli(env, "control", "verify")[0] == 0
    # A stored answer gone (as after a bulk load without them): `control answers` stores it again.
    held = repo.driver.execute_query("MATCH (a:StoredAnswer) RETURN count(a) AS n").records[0]["n"]
    repo.driver.execute_query("MATCH (a:StoredAnswer {entity_id: 'ph-qh-holding-a'}) DELETE a")
    assert _cli(env, "control", "answers") == (0, "1 answers stored\n")
    assert repo.driver.execute_query("MATCH (a:StoredAnswer) RETURN count(a) AS n").records[0]["n"] == held
    assert _cli(env, "control", "answers") == (0, "0 answers stored\n")
    code, out = _cli(env, "control", "refresh")
    assert (code, out.split(":")[0]) == (0, "none")
    code, out = _cli(env, "load", "registry-csv", str(delta), "--source", "daily", "--snapshot")
    assert code == 0, out
    assert "incremental" in out
    with load_lock(repo):
        code, _ = _cli(env, "load", "registry-csv", str(delta), "--wait", "0")
    assert code == 5


def test_hostile_names_print_inert_in_the_terminal(repo: Repository, tmp_path: Path, env: dict[str, str]) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "entities.csv").write_text(
        'id,name,kind\np,"Evil\x1b]0;owned\x07 [bold red]Corp[/bold red]",person\nt,"Target\x1b[2J",company\n',
        encoding="utf-8",
    )
    (folder / "ownership.csv").write_text("owner_id,owned_id,share\np,t,60\n", encoding="utf-8")
    load(repo, "registry-csv", folder)
    for args in (["entity", "t"], ["controllers", "t"], ["owners", "t"], ["changes"]):
        code, out = _cli(env, *args)
        assert code == 0, out
        assert "\x1b" not in out
        assert "\x07" not in out
        assert "Target[2J" in out  # the escape character was removed at load; the rest shows as text
    code, out = _cli(env, "owners", "t")
    assert "[bold red]Corp[/bold red]" in out  # markup shown as text, not applied
