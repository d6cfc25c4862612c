"""The API's HTML in real headless Chromium, served by uvicorn, with every request off 127.0.0.1 blocked.

/docs and /redoc run from the assets installed with the package (no CDN) under the
server's Content-Security-Policy header, and the graph page keeps working under it.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from neo4j import Driver

from ownergraph.queries.repository import Repository
from ownergraph.queries.settings import Neo4jSettings
from tests.api.conftest import load_cases
from tests.api.live import LiveServer, live_server
from tests.browser import LoggedPage

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(
    neo4j_driver: Driver, neo4j_is_local: bool, neo4j_settings: Neo4jSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    if not neo4j_is_local:
        pytest.skip("loads the api fixture into the local test server")
    repo = Repository(neo4j_driver)
    repo.wipe()
    load_cases(repo)
    with live_server(neo4j_settings, tmp_path_factory.mktemp("uvicorn") / "server.log") as live:
        yield live


# ReDoc's footer always draws Redocly's logo from their CDN: the server's CSP (img-src 'self' data:)
# stops it inside the browser, before any network access (the route handler never sees it).
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def _only_local(lp: LoggedPage, *, csp_stopped: tuple[str, ...] = ()) -> None:
    assert lp.log.blocked == []  # nothing tried to leave the machine
    outside = [url for url in lp.log.requests if not url.startswith(("http://127.0.0.1", "blob:", "data:"))]
    assert outside == list(csp_stopped)
    assert lp.log.page_errors == []
    # a CSP violation is reported as a console error: only the expected ones
    assert [e for e in lp.log.console_errors if not any(url in e for url in csp_stopped)] == []


def test_docs_shows_the_route_list_offline(page: LoggedPage, server: LiveServer) -> None:
    page.page.goto(server.base + "/docs")
    page.page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    paths = page.page.locator(".opblock-summary-path").all_inner_texts()
    shown = {p.replace("\u200b", "").strip() for p in paths}
    assert {"/search", "/entities/{entity_id}/controllers", "/clusters", "/loads", "/healthz"} <= shown
    _only_local(page)
    assert any(url.endswith("/docs-assets/swagger-ui-bundle.js") for url in page.log.requests)


def test_redoc_shows_the_operations_offline(page: LoggedPage, server: LiveServer) -> None:
    page.page.goto(server.base + "/redoc")
    heading = page.page.locator("h2", has_text="The ultimate controllers, with their chains of control")
    heading.first.wait_for(timeout=30_000)
    assert page.page.locator("h2", has_text="Entities founded in a window").count() == 1
    _only_local(page, csp_stopped=(REDOC_LOGO,))
    assert any(url.endswith("/docs-assets/redoc.standalone.js") for url in page.log.requests)


def test_graph_page_draws_under_the_header_policy(page: LoggedPage, server: LiveServer) -> None:
    url = server.base + "/entities/chain-t/graph.html?as_of=2024-06-30"
    answer = httpx.get(url)
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert "'unsafe-inline'" not in answer.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    page.page.goto(url)
    page.page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    assert "chain-h" in page.page.evaluate("nodes.getIds()")
    assert page.page.evaluate("Object.keys(network.body.nodes).length") >= 2
    _only_local(page)
