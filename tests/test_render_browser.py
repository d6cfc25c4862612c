"""The ownership page in a real headless Chromium: content, highlighting, safety, offline.

The page is opened from a file:// URL; every request that would leave the
machine is aborted and recorded by the `page` fixture (tests/browser.py).
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from ownergraph.graph.model import Concert, Control, Dataset, Entity, Share, Stake
from ownergraph.graph.neighbourhood import GraphView, neighbourhood
from ownergraph.graph.render import (
    CHAIN_COLOUR,
    CONTROLLER_FILL,
    OWNS_COLOUR,
    PHYSICS_NODE_LIMIT,
    render_html,
    render_view_file,
    script_json,
    share_label,
)
from tests.browser import ARTIFACTS, LoggedPage

DAY = date(2024, 6, 30)
IMG_PAYLOAD = '<img src=x onerror="window.__pwned=1;alert(1)">'
SCRIPT_PAYLOAD = "</script><script>window.__pwned=2;alert(2)</script>"
URL_PAYLOAD = "javascript:window.__pwned=3;alert(3)"
TITLE_PAYLOAD = "<svg onload=alert(4)> & co"


def sample_data() -> Dataset:
    """A Shenzhen company held through a limited partnership whose GP a state body owns."""
    e = Entity
    return Dataset(
        entities=[
            e(
                "T",
                "深圳前海星河科技有限公司",
                "company",
                name_en="Shenzhen Qianhai Xinghe Technology Co., Ltd.",
                jurisdiction="CN",
                founded=date(2018, 5, 14),
            ),
            e(
                "LP",
                "宁波梅山保税港区星辰投资合伙企业（有限合伙）",
                "partnership",
                name_en="Ningbo Meishan Xingchen Investment LP",
                jurisdiction="CN",
                founded=date(2017, 3, 2),
            ),
            e(
                "GP",
                "上海星辰资产管理有限公司",
                "company",
                name_en="Shanghai Xingchen Asset Management Co., Ltd.",
                jurisdiction="CN",
                founded=date(2015, 9, 30),
            ),
            e(
                "SIG",
                "上海国际集团有限公司",
                "company",
                name_en="Shanghai International Group Co., Ltd.",
                jurisdiction="CN",
                founded=date(2000, 4, 20),
            ),
            e("SASAC", "上海市国有资产监督管理委员会", "state_body", name_en="Shanghai SASAC", jurisdiction="CN"),
            e("LN", "李娜", "person", name_en="Li Na", jurisdiction="CN"),
            e("ZW", "张伟", "person", name_en="Zhang Wei", jurisdiction="CN"),
            e(
                "F",
                "国投创新投资基金",
                "fund",
                name_en="SDIC Innovation Fund",
                jurisdiction="CN",
                founded=date(2014, 1, 1),
            ),
        ],
        stakes=[
            Stake("LP", "T", Share(exact=0.62), source="SAMR"),
            Stake("ZW", "T", Share(exact=0.38), share_derived=True, source="SAMR"),
            Stake("GP", "LP", Share(exact=0.01), source="SAMR"),
            Stake("LN", "LP", Share(minimum=0.25, maximum=0.5, raw="25-50%"), source="SAMR"),
            Stake("F", "LP", Share(), source="SAMR"),
            Stake("SIG", "GP", Share(exact=1.0), source="SAMR"),
            Stake("SASAC", "SIG", Share(exact=1.0), source="SAMR"),
        ],
        controls=[Control("GP", "LP", "general_partner", source="SAMR")],
        concerts=[Concert("ZW", "LN", scope_id="T", source="filing")],
    )


SAMPLE_CHAIN = {("SASAC", "SIG"), ("SIG", "GP"), ("GP", "LP"), ("LP", "T")}


def sample_view() -> GraphView:
    return neighbourhood(sample_data(), "T", as_of=DAY)


def hostile_view() -> GraphView:
    data = Dataset(
        entities=[
            Entity("A", IMG_PAYLOAD, "company", name_en=SCRIPT_PAYLOAD, jurisdiction="<b>CN</b>"),
            Entity("B", SCRIPT_PAYLOAD, "person", status=IMG_PAYLOAD),
            Entity("C", "Plain & Simple <Ltd>", "company"),
        ],
        stakes=[
            Stake("B", "A", Share(exact=0.6, raw=IMG_PAYLOAD), source=URL_PAYLOAD, detail=SCRIPT_PAYLOAD),
            Stake("C", "A", Share(exact=0.4), source=URL_PAYLOAD),
        ],
    )
    return neighbourhood(data, "A", as_of=DAY)


def open_page(lp: LoggedPage, html: str, tmp_path: Path, name: str = "page.html") -> str:
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    url = path.as_uri()
    lp.page.goto(url)
    lp.page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    return url


class StartTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append(tag)


def js(lp: LoggedPage, expression: str) -> Any:
    return lp.page.evaluate(expression)


def hover_node(lp: LoggedPage, node_id: str) -> str:
    """Move the mouse onto a node and return the tooltip's text."""
    box = lp.page.locator("#mynetwork").bounding_box()
    assert box is not None
    pos = lp.page.evaluate(f"network.canvasToDOM(network.getPosition({script_json(node_id)}))")
    lp.page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
    tooltip = lp.page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    return tooltip.inner_text()


def assert_clean(lp: LoggedPage, url: str) -> None:
    assert lp.log.console_errors == []
    assert lp.log.page_errors == []
    assert lp.log.dialogs == []
    assert lp.log.blocked == []
    assert lp.log.requests == [url]


# --- without a browser --------------------------------------------------------


def test_share_label_forms() -> None:
    from ownergraph.graph.neighbourhood import ViewEdge

    def label(**kwargs: Any) -> str:
        return share_label(ViewEdge("a", "b", "OWNS", **kwargs))

    assert label(share=0.51) == "51%"
    assert label(share=1 / 3) == "33.33%"
    assert label(share_min=0.25, share_max=0.5) == "25–50%"
    assert label(share_min=0.5) == "≥50%"
    assert label(share_max=0.1) == "≤10%"
    assert label(share=0.125, share_derived=True) == "≈12.5%"
    assert label() == "?"


def test_page_is_self_contained() -> None:
    html = render_html(sample_view(), title="Sample")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"cdnjs|jsdelivr|unpkg|googleapis", html, re.IGNORECASE)
    assert "default-src 'none'" in unescape(html)  # the CSP forbids any fetch, even by injected markup


def test_page_escapes_data_in_markup_and_script() -> None:
    html = render_html(hostile_view(), title=TITLE_PAYLOAD)
    assert "<svg onload" not in html
    assert "&lt;svg onload=alert(4)&gt; &amp; co" in html
    tags = StartTags()
    tags.feed(html)
    # An HTML parser sees exactly the page's own elements: no data opened or closed one.
    assert tags.seen.count("script") == 2
    assert "img" not in tags.seen
    assert tags.seen.count("h1") == 1


def test_physics_is_off_for_large_views() -> None:
    stakes = [Stake(f"O{i:03}", "A", Share(exact=0.001)) for i in range(PHYSICS_NODE_LIMIT + 1)]
    entities = [Entity("A", "A", "company"), *(Entity(s.owner_id, s.owner_id, "person") for s in stakes)]
    view = neighbourhood(Dataset(entities=entities, stakes=stakes), "A", as_of=DAY)
    assert '"physics": {"enabled": false' in render_html(view, title="big")
    assert '"physics": {"enabled": true' in render_html(sample_view(), title="small")


# --- in Chromium ----------------------------------------------------------------


@pytest.mark.browser
def test_page_loads_offline_without_errors(page: LoggedPage, tmp_path: Path) -> None:
    url = open_page(page, render_html(sample_view(), title="Sample"), tmp_path)
    assert_clean(page, url)
    assert js(page, "typeof vis") == "object"


@pytest.mark.browser
def test_page_holds_the_view_nodes_and_edges(page: LoggedPage, tmp_path: Path) -> None:
    open_page(page, render_html(sample_view(), title="Sample"), tmp_path)
    assert sorted(js(page, "nodes.getIds()")) == ["F", "GP", "LN", "LP", "SASAC", "SIG", "T", "ZW"]
    drawn = js(page, "edges.get().map(e => [e.from, e.to, e.relation, e.label])")
    assert sorted(map(tuple, drawn)) == [
        ("F", "LP", "OWNS", "?"),
        ("GP", "LP", "CONTROLS", "general partner"),
        ("GP", "LP", "OWNS", "1%"),
        ("LN", "LP", "OWNS", "25–50%"),
        ("LP", "T", "OWNS", "62%"),
        ("SASAC", "SIG", "OWNS", "100%"),
        ("SIG", "GP", "OWNS", "100%"),
        ("ZW", "LN", "ACTS_IN_CONCERT", ""),
        ("ZW", "T", "OWNS", "≈38%"),
    ]
    # The network really drew them, not only stored them.
    assert js(page, "Object.keys(network.body.nodes).length") == 8
    # Owners sit above what they own (hierarchical layout, top-down).
    y = js(page, "network.getPositions()")
    assert y["SASAC"]["y"] < y["SIG"]["y"] < y["GP"]["y"] < y["LP"]["y"] < y["T"]["y"]
    assert y["ZW"]["y"] < y["T"]["y"]


@pytest.mark.browser
def test_controller_and_chain_are_highlighted(page: LoggedPage, tmp_path: Path) -> None:
    html = render_html(sample_view(), title="Sample", controller_ids={"SASAC"}, chain_edges=SAMPLE_CHAIN)
    open_page(page, html, tmp_path)
    sasac = js(page, "nodes.get('SASAC')")
    assert sasac["isController"] is True
    assert sasac["color"]["background"] == CONTROLLER_FILL
    assert sasac["color"]["border"] == CHAIN_COLOUR
    assert sasac["borderWidth"] == 5
    assert js(page, "nodes.get('SIG').borderWidth") == 1.5
    # What vis-network actually uses to draw (after merging with the defaults).
    assert js(page, "network.body.nodes['SASAC'].options.color.background") == CONTROLLER_FILL
    chain = js(page, "edges.get().filter(e => e.onControlChain).map(e => [e.from, e.to, e.color.color])")
    assert {(a, b) for a, b, _ in chain} == SAMPLE_CHAIN
    assert {c for _, _, c in chain} == {CHAIN_COLOUR}
    assert js(page, "edges.get({filter: e => e.from === 'ZW' && e.to === 'T'})[0].color.color") == OWNS_COLOUR


@pytest.mark.browser
def test_hostile_data_shows_as_text_and_never_runs(page: LoggedPage, tmp_path: Path) -> None:
    url = open_page(page, render_html(hostile_view(), title=TITLE_PAYLOAD), tmp_path)
    page.page.wait_for_timeout(300)  # let any injected onerror/onload fire if it could
    assert js(page, "window.__pwned") is None
    assert page.log.dialogs == []
    assert js(page, "document.querySelectorAll('img, [onload], [onerror]').length") == 0
    assert js(page, "document.scripts.length") == 2  # vis-network and the page's own
    assert js(page, "document.querySelector('h1').textContent") == TITLE_PAYLOAD
    assert js(page, "document.title") == TITLE_PAYLOAD
    labels = js(page, "nodes.get().map(n => n.label)")
    assert labels[0].split("\n")[0] == IMG_PAYLOAD
    assert labels[1] == SCRIPT_PAYLOAD[:47] + "…"  # long labels are cut; the tooltip has it all
    # The tooltip is text: the payload is visible verbatim and built no element.
    tip = hover_node(page, "A")
    assert IMG_PAYLOAD in tip
    # innerText turns line breaks into <br>; anything else would be markup from the data.
    assert js(page, "document.querySelectorAll('div.vis-tooltip *:not(br)').length") == 0
    tip_b = hover_node(page, "B")
    assert SCRIPT_PAYLOAD in tip_b
    # The details panel (click) is text too, including the javascript: source.
    edge_title = js(page, "edges.get()[0].title")
    assert f"Source: {URL_PAYLOAD}" in edge_title
    assert js(page, "document.querySelectorAll('a').length") == 0
    page.page.evaluate("document.getElementById('details').textContent = edges.get()[0].title")
    page.page.wait_for_timeout(100)
    assert js(page, "window.__pwned") is None
    assert page.log.dialogs == []
    assert_clean(page, url)


@pytest.mark.browser
def test_csp_stops_markup_that_got_in_anyway(page: LoggedPage, tmp_path: Path) -> None:
    """Defence in depth: were some path to insert markup, its handlers and fetches are refused."""
    open_page(page, render_html(sample_view(), title="Sample"), tmp_path)
    page.page.evaluate(
        """document.body.insertAdjacentHTML('beforeend',
             '<img src="https://example.com/x.png" onerror="window.__pwned=5">' +
             '<img src="x" onerror="window.__pwned=6">')"""
    )
    page.page.wait_for_timeout(300)
    assert js(page, "window.__pwned") is None
    # Chromium announces the request, but the CSP refuses it before the network layer.
    assert page.log.blocked == []
    assert all("Content Security Policy" in e for e in page.log.console_errors)
    assert page.log.console_errors  # the browser reported the refusals


@pytest.mark.browser
def test_click_shows_details_as_text(page: LoggedPage, tmp_path: Path) -> None:
    open_page(page, render_html(hostile_view(), title="x"), tmp_path)
    box = page.page.locator("#mynetwork").bounding_box()
    assert box is not None
    pos = js(page, "network.canvasToDOM(network.getPosition('B'))")
    page.page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    details = page.page.locator("#details")
    assert SCRIPT_PAYLOAD in details.inner_text()
    assert js(page, "document.querySelectorAll('#details *').length") == 0
    assert js(page, "window.__pwned") is None


@pytest.mark.browser
def test_sample_screenshot(page: LoggedPage, tmp_path: Path) -> None:
    """A realistic picture for people to judge (tests/artifacts/ is not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    out = render_view_file(
        sample_view(), ARTIFACTS / "ownership_sample.html", controller_ids={"SASAC"}, chain_edges=SAMPLE_CHAIN
    )
    url = out.resolve().as_uri()
    page.page.goto(url)
    page.page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    shot = ARTIFACTS / "ownership_sample.png"
    page.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    assert_clean(page, url)


@pytest.mark.browser
def test_page_fixture_catches_requests_off_the_machine(page: LoggedPage) -> None:
    """The offline checks above mean something only if the fixture does see outside requests."""
    page.page.set_content('<img src="https://example.com/a.png">')
    page.page.wait_for_timeout(300)
    assert page.log.blocked == ["https://example.com/a.png"]
