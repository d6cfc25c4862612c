"""Hostile requests: oversized parameters answer 422 fast; hostile names and ids never execute in a page.

tests/api already checks 101 ids, depth 11 and limit 1001; here the sizes an
attacker would send (100,000 ids, depth 1000, limit 10^9 and beyond) must be
refused as quickly, before any work on the graph. The page checks load the
API-served HTML over real HTTP in headless Chromium (tests/browser.py).
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Route

from ownergraph.api.app import create_app
from ownergraph.graph.model import Dataset, Entity, Share, Stake
from ownergraph.queries.settings import Neo4jSettings
from tests.api.conftest import (
    make_settings,
    neo4j_settings,  # noqa: F401  (a pytest fixture)
)
from tests.browser import LoggedPage
from tests.reliability.conftest import LiveServer, live_server  # noqa: F401  (a pytest fixture)

pytestmark = pytest.mark.neo4j

FAST = 5.0  # seconds: a refusal must not wait on the graph (generous for a busy CI runner)
HUGE_IDS = [f"id-{i}" for i in range(100_000)]
# httpx refuses URLs above 64 KiB, so query-string lists stop at 5,000 ids (50 times the limit).
URL_IDS = "&".join(f"ids=id-{i}" for i in range(5000))

OVERSIZED: list[tuple[str, str, str, Any]] = [
    ("common-owners 5k ids", "GET", "/common-owners?" + URL_IDS, None),
    ("screen 10k ids", "POST", "/screen", {"listed": HUGE_IDS[:10_000]}),
    ("graph.json depth 1000", "GET", "/entities/chain-t/graph.json?depth=1000", None),
    ("graph.html depth 1000", "GET", "/entities/chain-t/graph.html?depth=1000", None),
    ("graph.json depth 10^30", "GET", "/entities/chain-t/graph.json?depth=" + "9" * 30, None),
    ("owners limit 10^9", "GET", "/entities/chain-t/owners?limit=1000000000", None),
    ("controlled limit 10^9", "GET", "/entities/chain-p/controlled?limit=1000000000", None),
    ("search limit 10^9", "GET", "/search?q=chain&limit=1000000000", None),
    ("clusters limit 10^9", "GET", "/clusters?founded_from=2000-01-01&founded_to=2024-12-31&limit=1000000000", None),
    ("screen limit 10^9", "POST", "/screen?limit=1000000000", {"listed": ["scr-l"]}),
    ("limit with 4300 digits", "GET", "/entities/chain-t/owners?limit=" + "9" * 4300, None),
    ("search 60k query", "GET", "/search?q=" + "x" * 60_000, None),
    ("cursor 60k", "GET", "/entities/chain-p/controlled?cursor=" + "A" * 60_000, None),
    ("as_of year 99999", "GET", "/entities/chain-t/controllers?as_of=99999-01-01", None),
]


@pytest.fixture(scope="module")
def client(live_server: LiveServer, neo4j_settings: Neo4jSettings) -> Iterator[TestClient]:  # noqa: F811
    # In-process: these URLs exceed what an HTTP server's request-line limit admits (checked below).
    with TestClient(create_app(make_settings(neo4j_settings))) as test_client:
        yield test_client


@pytest.mark.parametrize(("why", "method", "url", "body"), OVERSIZED, ids=[o[0] for o in OVERSIZED])
def test_oversized_requests_answer_422_fast(client: TestClient, why: str, method: str, url: str, body: Any) -> None:
    started = time.monotonic()
    response = client.request(method, url, json=body)
    elapsed = time.monotonic() - started
    assert response.status_code == 422, response.text[:300]
    assert response.json()["code"] in ("validation_error", "too_many_ids")
    assert len(response.content) < 20_000  # the refusal does not echo the giant input back
    assert elapsed < FAST


def test_oversized_body_answers_413_fast(client: TestClient) -> None:
    started = time.monotonic()
    response = client.post("/screen", json={"listed": HUGE_IDS})  # 1.3 MB: past the 1 MiB JSON body limit
    assert time.monotonic() - started < FAST
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_oversized_url_over_http_is_refused_not_hung(live_server: LiveServer) -> None:  # noqa: F811
    # A 1.2 MB request line, sent raw (HTTP clients refuse to build it): the server must answer or
    # close the connection at once, never wait; then keep serving.
    host, port = live_server.base_url.removeprefix("http://").split(":")
    target = "/common-owners?" + "&".join(f"ids={i}" for i in HUGE_IDS)
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=FAST * 2) as sock:
        with contextlib.suppress(ConnectionError):  # the server may reset before reading it all
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        reply = b""
        with contextlib.suppress(ConnectionError):
            reply = sock.recv(200)
    assert time.monotonic() - started < FAST * 2
    assert reply == b"" or reply.split(b" ")[1].startswith(b"4"), reply
    assert httpx.get(live_server.base_url + "/healthz", timeout=FAST).status_code == 200


# --- hostile names and ids in every HTML page ------------------------------------------------------

IMG = "<img src=x onerror=alert(1)>"
HOSTILE_ID = '"><svg onload=alert(2)>'
HOSTILE_OWNER_ID = "</script><script>window.__pwned=3;alert(3)</script>"


def _hostile_graph() -> Dataset:
    return Dataset(
        entities=[
            Entity("hostile-name", IMG, "company", name_en=HOSTILE_OWNER_ID),
            Entity(HOSTILE_ID, "Normal Holdings Ltd", "company"),
            Entity(HOSTILE_OWNER_ID, IMG + " & sons", "person"),
        ],
        stakes=[
            Stake(HOSTILE_OWNER_ID, "hostile-name", Share(exact=0.6), source="javascript:alert(4)", detail=IMG),
            Stake(HOSTILE_OWNER_ID, HOSTILE_ID, Share(exact=0.7)),
        ],
    )


def _every_route(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """The routes of the app, inside included routers too (FastAPI keeps an included router as one entry)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _every_route(included.routes)
        else:
            yield route


def _html_routes() -> set[str]:
    """Paths answering text/html: from the OpenAPI document, plus FastAPI's own doc pages."""
    app = create_app(make_settings(Neo4jSettings(uri="bolt://127.0.0.1:1")))  # routes only: never connects
    paths = {
        path
        for path, operations in app.openapi()["paths"].items()
        for operation in operations.values()
        if "text/html" in operation.get("responses", {}).get("200", {}).get("content", {})
    }
    routes = list(_every_route(app.routes))
    # plain routes and those left out of the schema (the doc pages and their assets) count too, for this check
    paths |= {
        r.path for r in routes
        if isinstance(r, Route) and r.path != app.openapi_url and not (isinstance(r, APIRoute) and r.include_in_schema)
    }
    return paths


def test_every_html_route_is_known() -> None:
    # A new text/html route must be added to the page checks below.
    assert _html_routes() == {
        "/entities/{entity_id}/graph.html",
        "/browser-guide",
        "/docs",
        "/docs-assets/{name}",  # the scripts and styles of /docs and /redoc (a fixed list of names)
        "/redoc",
        # the explorer's pages and files: hostile names are checked in tests/explorer (a fixture of them)
        "/",
        "/explorer/entity",
        "/explorer/clusters",
        "/explorer/changes",
        "/explorer/static/{name}",
    }


@pytest.mark.parametrize("entity_id", ["hostile-name", HOSTILE_ID], ids=["hostile-name", "hostile-id"])
def test_hostile_names_never_execute_in_the_served_page(
    live_server: LiveServer, page: LoggedPage, entity_id: str  # noqa: F811
) -> None:
    live_server.repo.write_dataset(_hostile_graph(), load={"id": "hostile", "format": "test", "path": "-"})
    url = f"{live_server.base_url}/entities/{quote(entity_id, safe='')}/graph.html"
    response = httpx.get(url, timeout=60)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert IMG not in response.text  # never raw markup in the HTML source
    page.page.goto(url, wait_until="load")
    page.page.wait_for_timeout(500)  # give any injected handler time to fire
    assert page.log.dialogs == []
    assert page.page.evaluate("window.__pwned === undefined")
    assert page.page.locator("img[src=x]").count() == 0
    assert page.page.locator("svg[onload]").count() == 0
    assert page.log.page_errors == []
    title = page.page.title()
    assert title.startswith("Ownership of ")
    assert ("<img" in title) == (entity_id == "hostile-name")  # the name shows as text, not as an element


def test_static_html_pages_do_not_reflect_input(live_server: LiveServer) -> None:  # noqa: F811
    for path in ("/browser-guide", "/docs", "/redoc"):
        response = httpx.get(f"{live_server.base_url}{path}", params={"q": IMG, "x": HOSTILE_ID}, timeout=30)
        assert response.status_code == 200
        assert IMG not in response.text
        assert HOSTILE_ID not in response.text
    # An unknown hostile id answers JSON, which a browser does not render as a page.
    response = httpx.get(f"{live_server.base_url}/entities/{quote(IMG, safe='')}/graph.html", timeout=30)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
