"""The explorer in real headless Chromium over the demo: the story a user clicks through, safety, layout.

Every request that would leave 127.0.0.1 is aborted and logged by the ``page``
fixture (tests/browser.py); each test ends by checking that none was tried,
that no script error, CSP violation or dialog happened.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser import LoggedPage
from tests.explorer.conftest import Explorer

PROJECT_1 = "ph-qh-dc-project-1"
PROJECT_2 = "ph-qh-dc-project-2"
BORONG = "qh-borong-group"
QINGSHU = "sc-chengdu-qingshu"
BIG_HOLDER = "bg-c00001"  # the demo's largest direct holder (178 holdings)
WAIT_MS = 30_000


def ready(page: Page) -> None:
    page.wait_for_selector("body[data-ready]", timeout=WAIT_MS)


def navigate(page: Page, action: Callable[[], object]) -> None:
    """Do what loads a new page, then wait for that page (not the old one) to be ready."""
    with page.expect_navigation(timeout=WAIT_MS):
        action()
    ready(page)


def item(page: Page, entity_id: str, scope: str = "") -> str:
    return f'{scope} [data-testid=node-item][data-entity-id="{entity_id}"]'.strip()


def assert_clean(logged: LoggedPage) -> None:
    log = logged.log
    assert log.blocked == []
    assert all(url.startswith(("http://127.0.0.1", "blob:", "data:")) for url in log.requests), log.requests
    assert log.page_errors == []
    assert log.console_errors == []  # CSP violations and failed loads are console errors in Chromium
    assert log.dialogs == []


def test_demo_story_search_expand_open_answer_date_clusters_back(explorer: Explorer, page: LoggedPage) -> None:
    p = page.page
    p.goto(explorer.base_url + "/")
    ready(p)
    p.get_by_test_id("search-input").fill("Borong")  # results as one types, no Enter
    result = p.locator(f'[data-testid=search-result][data-entity-id="{BORONG}"]')
    expect(result).to_contain_text("Qinghai Borong Group", timeout=WAIT_MS)
    expect(result).to_contain_text("CN-QH")
    navigate(p, result.get_by_role("link").click)
    assert f"id={BORONG}" in p.url
    expect(p.locator("h1")).to_have_text("Qinghai Borong Group")
    assert p.locator(item(p, PROJECT_1)).count() == 0  # owners only: the group's holdings are not drawn yet
    p.locator(item(p, BORONG)).get_by_test_id("expand").click()
    project = p.locator(item(p, PROJECT_1))
    expect(project).to_have_count(1, timeout=WAIT_MS)
    assert "x=e%3Aqh-borong-group" in p.url  # the expansion is part of the shareable URL
    drawn = p.evaluate("() => document.querySelector('#graph canvas') !== null")
    assert drawn
    navigate(p, project.get_by_test_id("open").click)
    assert f"id={PROJECT_1}" in p.url
    status = p.get_by_test_id("status")
    expect(status).to_contain_text("Controlled by Qinghai Borong Group", timeout=WAIT_MS)
    chain = p.get_by_test_id("answer-panel").locator(".ultimate").first.locator("ol.chain > li")
    expect(chain).to_have_count(3)
    steps = chain.all_text_contents()
    assert steps[0].startswith("Qinghai Borong Group → 青海示例甲控股有限公司")
    assert "95%" in steps[0]
    assert "general partner" in steps[1]
    assert "60%" in steps[2]
    assert "青海示例己算力科技有限公司" in steps[2]
    assert p.locator(item(p, BORONG)).locator(".tag-controller").count() == 1

    navigate(p, lambda: p.get_by_test_id("as-of").fill("2024-01-01"))  # a changed date asks again at once
    assert "as_of=2024-01-01" in p.url
    expect(p.get_by_test_id("status")).to_contain_text("Did not exist yet on 2024-01-01", timeout=WAIT_MS)

    navigate(p, p.go_back)
    assert "as_of" not in p.url
    expect(p.get_by_test_id("status")).to_contain_text("Controlled by Qinghai Borong Group", timeout=WAIT_MS)

    p.goto(explorer.base_url + "/")
    ready(p)
    navigate(p, p.get_by_test_id("clusters-link").click)
    p.get_by_test_id("clusters-from").fill("2024-12-01")
    p.get_by_test_id("clusters-to").fill("2024-12-31")
    navigate(p, p.get_by_role("button", name="Find clusters").click)
    cluster = p.get_by_test_id("cluster")
    expect(cluster).to_have_count(1, timeout=WAIT_MS)
    members = cluster.locator(".members [data-testid=node-item]")
    owners = cluster.locator(".owners [data-testid=node-item]")
    assert sorted(m.get_attribute("data-entity-id") or "" for m in members.all()) == [PROJECT_1, PROJECT_2]
    assert [o.get_attribute("data-entity-id") for o in owners.all()] == [BORONG, QINGSHU]
    clusters_url = p.url
    navigate(p, members.first.get_by_test_id("open").click)
    assert "/explorer/entity" in p.url
    navigate(p, p.go_back)
    assert p.url == clusters_url
    expect(p.get_by_test_id("cluster")).to_have_count(1, timeout=WAIT_MS)
    assert_clean(page)


def test_expansion_is_undone_by_back_and_restored_from_the_url(explorer: Explorer, page: LoggedPage) -> None:
    p = page.page
    p.goto(f"{explorer.base_url}/explorer/entity?id={BORONG}")
    ready(p)
    before = p.get_by_test_id("node-item").count()
    p.locator(item(p, BORONG)).get_by_test_id("expand").click()
    expect(p.locator(item(p, PROJECT_2))).to_have_count(1, timeout=WAIT_MS)
    expanded_url = p.url
    after = p.get_by_test_id("node-item").count()
    assert after > before
    navigate(p, p.go_back)  # the same document: the script reloads the view from the URL
    expect(p.get_by_test_id("node-item")).to_have_count(before, timeout=WAIT_MS)
    p.goto(expanded_url)  # pasted into a new tab: the same drawing
    ready(p)
    expect(p.get_by_test_id("node-item")).to_have_count(after, timeout=WAIT_MS)
    assert_clean(page)


def test_double_click_expands_and_click_shows_details(explorer: Explorer, page: LoggedPage) -> None:
    p = page.page
    p.goto(f"{explorer.base_url}/explorer/entity?id={BORONG}")
    ready(p)
    point = p.evaluate(
        """(id) => { const net = window.explorerNetwork; const pos = net.canvasToDOM(net.getPositions([id])[id]);
                     const box = document.querySelector('#graph').getBoundingClientRect();
                     return {x: box.left + pos.x, y: box.top + pos.y}; }""",
        BORONG,
    )
    p.mouse.click(point["x"], point["y"])
    expect(p.locator("#details")).to_contain_text(f"ID: {BORONG}")
    p.mouse.dblclick(point["x"], point["y"])
    expect(p.locator(item(p, PROJECT_1))).to_have_count(1, timeout=WAIT_MS)
    assert_clean(page)


def test_a_folded_group_expands_page_by_page(explorer: Explorer, page: LoggedPage) -> None:
    holdings = httpx.get(f"{explorer.base_url}/entities/{BIG_HOLDER}", params={"limit": 1000}).json()["holdings"]
    total = len({h["entity"]["id"] for h in holdings})
    assert total > 100
    p = page.page
    p.goto(f"{explorer.base_url}/explorer/entity?id={BIG_HOLDER}&direction=down&depth=1")
    ready(p)
    more = p.get_by_test_id("more-item")
    expect(more).to_have_count(1)
    shown = p.get_by_test_id("node-item").count() - 1  # the centre is a party too
    expect(more).to_contain_text(f"+{total - shown} more holdings")
    while p.get_by_test_id("more-item").count():
        count = p.get_by_test_id("node-item").count()
        p.get_by_test_id("show-more").click()
        expect(p.get_by_test_id("node-item")).not_to_have_count(count, timeout=WAIT_MS)
        assert p.get_by_test_id("node-item").count() - count <= 50
    assert p.get_by_test_id("node-item").count() == total + 1
    assert_clean(page)


def test_hostile_names_stay_text(explorer: Explorer, page: LoggedPage) -> None:
    p = page.page
    p.goto(explorer.base_url + "/?q=hostile-img")
    ready(p)
    result = p.locator('[data-testid=search-result][data-entity-id="hostile-img"]')
    expect(result).to_contain_text('<img src=x onerror="window.__pwned=1;alert(1)">', timeout=WAIT_MS)
    navigate(p, result.get_by_role("link").click)
    expect(p.locator("h1")).to_have_text('<img src=x onerror="window.__pwned=1;alert(1)">')
    p.locator(item(p, "hostile-img")).get_by_test_id("expand").click()
    expect(p.locator(item(p, BORONG))).to_have_count(1, timeout=WAIT_MS)
    p.locator(item(p, "hostile-owner")).locator(".party-name").click()
    expect(p.locator("#details")).to_contain_text("javascript:window.__pwned=3")
    p.goto(f"{explorer.base_url}/explorer/entity?id={BORONG}&direction=up")
    ready(p)
    expect(p.get_by_test_id("answer-panel")).to_contain_text("<img src=x", timeout=WAIT_MS)
    assert p.evaluate("() => window.__pwned") is None
    assert p.locator("img, svg[onload], b[onmouseover]").count() == 0
    assert_clean(page)


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names and ("type", "application/json") not in attrs:
            self.problems.append("inline script")
        if tag == "style":
            self.problems.append("style element")
        self.problems += [f"{tag}[{n}]" for n in names if n == "style" or n.startswith("on")]


@pytest.mark.parametrize("path", ["/", f"/explorer/entity?id={PROJECT_1}", "/explorer/clusters", "/explorer/changes"])
def test_pages_have_no_inline_code_and_a_strict_csp(explorer: Explorer, path: str) -> None:
    response = httpx.get(explorer.base_url + path)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "style-src 'self';" in csp
    assert "unsafe" not in csp
    parser = _Markup()
    parser.feed(response.text)
    assert parser.problems == []
    for asset in re.findall(r'(?:src|href)="(/explorer/static/[^"]+)"', response.text):
        assert httpx.get(explorer.base_url + asset).status_code == 200


def test_unknown_entity_page_is_a_404_page(explorer: Explorer) -> None:
    response = httpx.get(explorer.base_url + "/explorer/entity", params={"id": "<no such id>"})
    assert response.status_code == 404
    assert "&lt;no such id&gt;" in response.text


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_entity_view_fits_laptop_and_phone(explorer: Explorer, page: LoggedPage, width: int, height: int) -> None:
    p = page.page
    p.set_viewport_size({"width": width, "height": height})
    p.goto(f"{explorer.base_url}/explorer/entity?id={PROJECT_1}")
    ready(p)
    assert p.evaluate("() => document.scrollingElement.scrollWidth") <= width  # no sideways scrolling
    graph = p.get_by_test_id("graph").bounding_box()
    assert graph is not None
    assert graph["width"] >= min(width - 40, 600) * 0.5
    assert graph["height"] >= 280
    assert graph["y"] + 200 <= height  # the drawing starts on the first screen
    status = p.get_by_test_id("status")
    expect(status).to_contain_text("Controlled by", timeout=WAIT_MS)
    status.scroll_into_view_if_needed()
    assert status.is_visible()
    p.locator(item(p, PROJECT_1)).get_by_test_id("open").focus()  # keyboard reachable
    assert_clean(page)


def test_changes_view_lists_the_feed(explorer: Explorer, page: LoggedPage) -> None:
    feed = httpx.get(f"{explorer.base_url}/changes", params={"limit": 50}).json()["changes"]
    p = page.page
    p.goto(explorer.base_url + "/explorer/changes")
    ready(p)
    shown = p.get_by_test_id("change")
    assert shown.count() == len(feed)
    if feed:
        assert shown.first.get_attribute("data-entity-id") == feed[0]["entity"]["id"]
    assert_clean(page)


def test_group_view_lists_what_it_controls_in_a_founding_window(explorer: Explorer, page: LoggedPage) -> None:
    p = page.page
    p.goto(f"{explorer.base_url}/explorer/entity?id={BORONG}&cf=2024-12-01&ct=2024-12-31")
    ready(p)
    listed = p.locator("#controlled-list li")
    expect(listed).to_have_count(1, timeout=WAIT_MS)  # project 2 has no controller: only project 1
    expect(listed.first.get_by_role("link")).to_have_attribute("href", re.compile(f"id={PROJECT_1}"))
    expect(p.locator("#controlled-count")).to_contain_text("1 entities founded in the window")
    assert_clean(page)


def test_view_downloads_as_json_and_png(explorer: Explorer, page: LoggedPage) -> None:
    p = page.page
    p.goto(f"{explorer.base_url}/explorer/entity?id={PROJECT_1}")
    ready(p)
    p.wait_for_selector("body[data-answered]", timeout=WAIT_MS)
    with p.expect_download() as got:
        p.locator("#download-json").click()
    body = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    assert body["center"] == PROJECT_1
    assert {n["id"] for n in body["nodes"]} >= {PROJECT_1, BORONG}
    assert body["answer"]["status"] == "controlled"
    with p.expect_download() as got:
        p.locator("#download-png").click()
    assert Path(got.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert_clean(page)


def test_ruleset_control_asks_again_and_keeps_it_in_the_url(explorer: Explorer, page: LoggedPage) -> None:
    p = page.page
    p.goto(f"{explorer.base_url}/explorer/entity?id={PROJECT_2}")
    ready(p)
    expect(p.get_by_test_id("status")).to_contain_text("No controller", timeout=WAIT_MS)
    navigate(p, lambda: p.get_by_test_id("ruleset").select_option("relative"))
    assert "ruleset=relative" in p.url
    expect(p.get_by_test_id("ruleset")).to_have_value("relative")
    expect(p.get_by_test_id("status")).to_contain_text("Controlled by Qinghai Borong Group", timeout=WAIT_MS)
    expect(p.get_by_test_id("status")).to_contain_text("relative ruleset")
    navigate(p, lambda: p.get_by_test_id("direction").select_option("both"))
    assert "direction=both" in p.url
    assert "ruleset=relative" in p.url
    assert_clean(page)
