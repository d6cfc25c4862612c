"""The Neo4j Browser guide served by the API: one slide per ready question, text escaped."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from pydantic import SecretStr

from ownergraph.api.app import create_app
from ownergraph.api.browser_guide import ready_questions, split_question
from ownergraph.api.settings import ApiSettings
from ownergraph.queries.settings import Neo4jSettings


def test_browser_guide_has_every_ready_question_runnable() -> None:
    # The guide needs no database: an unreachable one must not stop it being served.
    neo4j = Neo4jSettings(uri="bolt://127.0.0.1:1", password=SecretStr("x"))
    with TestClient(create_app(ApiSettings(neo4j=neo4j, api_token=None))) as client:
        response = client.get("/browser-guide")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["access-control-allow-origin"] == "*"
    page = response.text
    questions = ready_questions()
    assert len(questions) >= 6
    for path in questions:
        title, params, query = split_question(path)
        assert html.escape(title) in page
        assert html.escape(query) in page
        for line in params:
            assert html.escape(line) in page
    assert page.count('class="pre-scrollable code runnable"') >= 2 * len(questions)


def test_browser_guide_answers_the_browsers_cors_preflight() -> None:
    # The Browser adds its own headers (pragma, cache-control) to the fetch, so it preflights first.
    neo4j = Neo4jSettings(uri="bolt://127.0.0.1:1", password=SecretStr("x"))
    with TestClient(create_app(ApiSettings(neo4j=neo4j, api_token=None))) as client:
        response = client.options("/browser-guide", headers={
            "Origin": "http://127.0.0.1:7474", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "pragma,cache-control",
        })
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "GET" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-headers"] == "pragma,cache-control"


def test_browser_guide_of_one_entity_sets_its_id_and_escapes_it() -> None:
    neo4j = Neo4jSettings(uri="bolt://127.0.0.1:1", password=SecretStr("x"))
    hostile = '</pre><script>alert(1)</script>"\\'
    with TestClient(create_app(ApiSettings(neo4j=neo4j, api_token=None))) as client:
        page = client.get("/browser-guide", params={"id": hostile}).text
    about_id = [p for p in ready_questions() if any(line.startswith(":param id =>") for line in split_question(p)[1])]
    assert about_id
    assert page.count("<slide") == 1 + len(about_id)
    assert "<script>" not in page
    # the id as a JSON string (a Cypher string literal), then HTML-escaped inside the block
    assert html.escape(':param id => "</pre><script>alert(1)</script>\\"\\\\"') in page
