"""The Host allow-list and the security headers, on the real app (answers that need no data)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ownergraph.api.app import create_app
from ownergraph.api.security import host_name, with_frame_ancestors
from ownergraph.api.settings import ApiSettings
from ownergraph.queries.settings import Neo4jSettings
from tests.api.conftest import make_settings


@pytest.fixture(scope="module")
def app_client(neo4j_settings: Neo4jSettings) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(neo4j_settings))) as client:
        yield client


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "LOCALHOST:1", "[::1]:8000", "testserver"])
def test_allowed_hosts_are_served(app_client: TestClient, host: str) -> None:
    assert app_client.get("/healthz", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["attacker.example", "127.0.0.1.attacker.example:8000", "localhost.evil", ""])
def test_other_hosts_are_refused_before_any_route(app_client: TestClient, host: str) -> None:
    answer = app_client.get("/healthz", headers={"Host": host})
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_host"
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_allowed_hosts_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OWNERGRAPH_ALLOWED_HOSTS", "api.example.org, 10.0.0.5")
    assert ApiSettings().allowed_hosts == ["api.example.org", "10.0.0.5"]


def test_a_configured_host_is_served(neo4j_settings: Neo4jSettings) -> None:
    settings = make_settings(neo4j_settings, allowed_hosts=["api.example.org"])
    with TestClient(create_app(settings), base_url="http://api.example.org") as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/healthz", headers={"Host": "localhost"}).status_code == 400


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/browser-guide"])
def test_html_answers_carry_the_policy_headers(app_client: TestClient, path: str) -> None:
    answer = app_client.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "unsafe" not in script_src
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"


def test_json_and_errors_carry_nosniff(app_client: TestClient) -> None:
    for path in ("/healthz", "/no-such-route", "/openapi.json"):
        assert app_client.get(path).headers["x-content-type-options"] == "nosniff"


def test_docs_assets_are_served_and_nothing_else(app_client: TestClient) -> None:
    bundle = app_client.get("/docs-assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert b"SwaggerUIBundle" in bundle.content
    for name in ("..%2Fcore.py", "core.py", "..%2F..%2Fapi%2Fsettings.py"):
        answer = app_client.get(f"/docs-assets/{name}")
        assert answer.status_code in (404, 422)
        assert answer.headers["content-type"] == "application/json"


def test_docs_pages_hold_no_inline_script_and_no_outside_url(app_client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        page = app_client.get(path).text
        assert "https://" not in page
        assert "http://" not in page
        assert "<script>" not in page  # every script has a src on this server


def test_policy_helpers() -> None:
    assert with_frame_ancestors("default-src 'self'; frame-ancestors 'self'") == (
        "default-src 'self'; frame-ancestors 'self'"
    )
    assert with_frame_ancestors("img-src data:;") == "img-src data:; frame-ancestors 'none'"
    assert host_name("Example.ORG:443") == "example.org"
