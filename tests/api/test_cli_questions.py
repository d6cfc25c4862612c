"""The CLI asks every question the API answers: ``--json`` prints the route's body, exactly."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ownergraph.cli import app
from ownergraph.queries.settings import Neo4jSettings
from tests.api.conftest import AS_OF

# (CLI arguments, HTTP method, path, query or body): the same question both ways.
QUESTIONS: list[tuple[list[str], str, str, Any]] = [
    (["search", "华东控股"], "GET", "/search", {"q": "华东控股"}),
    (["search", "Concert", "--limit", "1"], "GET", "/search", {"q": "Concert", "limit": 1}),
    (["entity", "chain-h", "--as-of", AS_OF], "GET", "/entities/chain-h", {"as_of": AS_OF}),
    (["controllers", "chain-t", "--as-of", AS_OF], "GET", "/entities/chain-t/controllers", {"as_of": AS_OF}),
    (["controllers", "rel-t", "--as-of", AS_OF, "--ruleset", "relative", "--relative-threshold", "0.25"], "GET",
     "/entities/rel-t/controllers", {"as_of": AS_OF, "ruleset": "relative", "relative_threshold": 0.25}),
    (["owners", "chain-t", "--as-of", AS_OF, "--limit", "1"], "GET", "/entities/chain-t/owners",
     {"as_of": AS_OF, "limit": 1}),
    (["beneficial-owners", "chain-t", "--as-of", AS_OF, "--threshold", "0.1", "--control-threshold", "0.6"], "GET",
     "/entities/chain-t/beneficial-owners", {"as_of": AS_OF, "threshold": 0.1, "control_threshold": 0.6}),
    (["controlled", "big-p", "--as-of", AS_OF, "--founded-from", "2024-12-03", "--founded-to", "2024-12-05"], "GET",
     "/entities/big-p/controlled", {"as_of": AS_OF, "founded_from": "2024-12-03", "founded_to": "2024-12-05"}),
    (["common-owners", "chain-t", "chain-h", "--as-of", AS_OF], "GET", "/common-owners",
     [("ids", "chain-t"), ("ids", "chain-h"), ("as_of", AS_OF)]),
    (["clusters", "--founded-from", "2024-12-01", "--founded-to", "2024-12-31", "--as-of", AS_OF], "GET",
     "/clusters", {"founded_from": "2024-12-01", "founded_to": "2024-12-31", "as_of": AS_OF}),
    (["screen", "scr-l", "--as-of", AS_OF], "POST", "/screen", {"listed": ["scr-l"], "as_of": AS_OF}),
]


@pytest.fixture(scope="module")
def runner_env(neo4j_settings: Neo4jSettings) -> dict[str, str]:
    assert neo4j_settings.uri is not None
    assert neo4j_settings.password is not None
    return {
        "NEO4J_URI": neo4j_settings.uri,
        "NEO4J_USERNAME": neo4j_settings.username,
        "NEO4J_PASSWORD": neo4j_settings.password.get_secret_value(),
        "NEO4J_DATABASE": neo4j_settings.database,
    }


def _route(client: TestClient, method: str, path: str, data: Any) -> Any:
    response = client.post(path, json=data) if method == "POST" else client.get(path, params=data)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(("args", "method", "path", "data"), QUESTIONS, ids=lambda v: str(v)[:40])
def test_json_is_the_route_body(
    cases_client: TestClient, runner_env: dict[str, str], args: list[str], method: str, path: str, data: Any
) -> None:
    result = CliRunner().invoke(app, [*args, "--json"], env=runner_env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == _route(cases_client, method, path, data)


@pytest.mark.parametrize(("args", "method", "path", "data"), QUESTIONS, ids=lambda v: str(v)[:40])
def test_table_names_what_the_answer_holds(
    cases_client: TestClient, runner_env: dict[str, str], args: list[str], method: str, path: str, data: Any
) -> None:
    result = CliRunner().invoke(app, args, env={**runner_env, "COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    body = _route(cases_client, method, path, data)
    listed = body.get("results") or body.get("owners") or body.get("controlled") or body.get("common_owners") \
        or body.get("captured") or body.get("beneficial_owners") or body.get("ultimate_controllers") \
        or [m for c in body.get("clusters", []) for m in c["members"]]
    assert listed, "each question above has something to show"
    for item in listed:
        shown = item.get("entity", item)
        assert shown["id"] in result.stdout


def test_cursor_pages_through(cases_client: TestClient, runner_env: dict[str, str]) -> None:
    first = json.loads(CliRunner().invoke(app, ["owners", "chain-t", "--as-of", AS_OF, "--limit", "1", "--json"],
                                          env=runner_env).stdout)
    assert first["next_cursor"]
    second = CliRunner().invoke(
        app, ["owners", "chain-t", "--as-of", AS_OF, "--limit", "1", "--cursor", first["next_cursor"], "--json"],
        env=runner_env,
    )
    assert json.loads(second.stdout)["owners"] != first["owners"]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["controllers", "no-such-entity"], 4),
        (["controllers", "chain-t", "--ruleset", "plurality"], 2),
        (["controllers", "chain-t", "--threshold", "1.5"], 2),
        (["controllers", "chain-t", "--as-of", "yesterday"], 2),
        (["owners", "chain-t", "--cursor", "not-a-cursor"], 2),
        (["controlled", "big-p", "--founded-from", "2025-01-01", "--founded-to", "2024-01-01"], 2),
        (["search", "   "], 2),
    ],
)
def test_bad_questions_exit_with_their_code(
    cases_client: TestClient, runner_env: dict[str, str], args: list[str], code: int
) -> None:
    result = CliRunner().invoke(app, args, env=runner_env)
    assert result.exit_code == code, result.output


def test_database_down_exits_3(cases_client: TestClient, runner_env: dict[str, str]) -> None:
    env = {**runner_env, "NEO4J_URI": "bolt://127.0.0.1:9"}  # nothing listens on the discard port
    result = CliRunner().invoke(app, ["controllers", "chain-t"], env=env)
    assert result.exit_code == 3, result.output
