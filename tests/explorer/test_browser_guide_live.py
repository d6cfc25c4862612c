"""The guide in the real Neo4j Browser that the local test server serves: log in, :play it, run its first question.

This is how a user meets it (README): the Browser fetches the guide from the
API on another port, so the API's CORS answer (the preflight included) and the
server's remote-content allowlist setting must both be right for it to show.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from ownergraph.api.routers.explorer import browser_link
from ownergraph.localneo4j import server as local_server
from tests.browser import LoggedPage
from tests.explorer.conftest import Explorer

WAIT_MS = 30_000
PROJECT_1 = "ph-qh-dc-project-1"


def test_browser_plays_the_guide_and_its_first_question_returns_rows(explorer: Explorer, page: LoggedPage) -> None:
    instance = local_server.test_instance()
    p = page.page
    p.goto(instance.browser_url)
    p.get_by_test_id("boltaddress").fill(f"127.0.0.1:{instance.bolt_port}")
    p.get_by_test_id("username").fill("neo4j")
    p.get_by_test_id("password").fill(instance.password())
    p.get_by_test_id("connect").click()
    # Once connected the Browser plays its own start guide: the editor is ready after that.
    expect(p.get_by_test_id("frameCommand").first).to_have_text(":play start", timeout=WAIT_MS)

    command = f":play {explorer.base_url}/browser-guide"
    p.get_by_test_id("activeEditor").click()
    p.keyboard.type(command)
    expect(p.get_by_test_id("activeEditor")).to_contain_text(command)
    p.get_by_test_id("editor-Run").click()
    expect(p.get_by_test_id("frameCommand").first).to_have_text(command, timeout=WAIT_MS)
    guide = p.get_by_test_id("frame").filter(has_text=command).first
    expect(guide).to_contain_text("ownergraph: who really controls this company?", timeout=WAIT_MS)
    expect(guide).not_to_contain_text("No guide by that name")

    guide.get_by_test_id("nextSlide").first.click()
    blocks = guide.locator("pre.runnable:visible")
    expect(blocks).to_have_count(2)  # the :param line, then the query
    texts = blocks.all_inner_texts()
    for i, text in enumerate(texts):
        blocks.nth(i).click()  # a runnable block goes into the editor
        expect(p.get_by_test_id("activeEditor")).to_contain_text(text.split()[0])
        p.get_by_test_id("editor-Run").click()
        expect(p.get_by_test_id("frameCommand").first).to_contain_text(text.split()[0], timeout=WAIT_MS)
    result = p.get_by_test_id("frame").first
    expect(result).to_contain_text("Started streaming 1 records", timeout=WAIT_MS)
    expect(result).to_contain_text('"qh-borong-group"')
    expect(result).to_contain_text('"Qinghai Borong Group"')

    # The explorer's link: the same Browser playing the guide of the questions about one entity.
    link = browser_link(instance.browser_url, explorer.base_url, PROJECT_1)
    p.goto(link)
    expect(p.get_by_test_id("activeEditor")).to_contain_text(":play", timeout=WAIT_MS)
    # The reloaded Browser connects again by itself (credentials kept for the session), then plays its start.
    expect(p.get_by_test_id("frameCommand").filter(has_text=":play start")).to_have_count(1, timeout=WAIT_MS)
    p.get_by_test_id("editor-Run").click()
    about = p.get_by_test_id("frame").filter(has_text=f"browser-guide?id={PROJECT_1}").first
    # Right after a reload the Browser may not have read the server's allowlist yet ("No guide by that
    # name"): a user's second try (Rerun) then works, so the test allows the same, a few times at most.
    for _ in range(5):
        expect(about).to_contain_text(re.compile(f"questions about {PROJECT_1}|No guide"), timeout=WAIT_MS)
        if "No guide" not in about.inner_text():
            break
        p.wait_for_timeout(1000)
        about.get_by_test_id("rerunFrameButton").click()
    expect(about).to_contain_text(f"questions about {PROJECT_1}", timeout=WAIT_MS)
    about.get_by_test_id("nextSlide").first.click()
    blocks = about.locator("pre.runnable:visible")
    expect(blocks.first).to_have_text(f':param id => "{PROJECT_1}"')
    for i, text in enumerate(blocks.all_inner_texts()):
        blocks.nth(i).click()
        expect(p.get_by_test_id("activeEditor")).to_contain_text(text.split()[0])
        p.get_by_test_id("editor-Run").click()
        expect(p.get_by_test_id("frameCommand").first).to_contain_text(text.split()[0], timeout=WAIT_MS)
    answer = p.get_by_test_id("frame").first
    expect(answer).to_contain_text('"qh-borong-group"', timeout=WAIT_MS)
    expect(answer).to_contain_text('"controlled"')
