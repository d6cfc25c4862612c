"""Headless Chromium for page tests: Debian's /usr/bin/chromium driven by Playwright.

Playwright's own browser downloads are not used: CI and developers install
the distribution's chromium, and tests skip with a clear reason without it.
Its fixtures are registered once, in tests/conftest.py: one browser for the whole session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, Route, sync_playwright

CHROMIUM = Path(os.environ.get("OWNERGRAPH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # containers and CI runners have no user namespaces for the sandbox
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Chromium's own background traffic would hide the page's requests in the checks.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"

_SKIP_REASON = (
    "" if CHROMIUM.exists() else f"{CHROMIUM} is absent: install Debian's chromium package to run the browser tests"
)


@dataclass
class PageLog:
    """What a page did that a test may forbid: console errors, dialogs, requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def _local(url: str) -> bool:
    return url.startswith(("file://", "data:", "about:", "http://127.0.0.1", "blob:"))


@dataclass
class LoggedPage:
    page: Page
    log: PageLog


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium per test session (starting it costs about a second)."""
    if _SKIP_REASON:
        pytest.skip(_SKIP_REASON)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[LoggedPage]:
    """A fresh page (1400x900) with its log; any request off the machine is aborted and logged."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    log = PageLog()
    new_page = context.new_page()

    def on_route(route: Route) -> None:
        if _local(route.request.url):
            route.continue_()
        else:
            log.blocked.append(route.request.url)
            route.abort()

    def on_dialog(dialog: Dialog) -> None:
        log.dialogs.append(dialog.message)
        dialog.dismiss()

    context.route("**/*", on_route)
    new_page.on("dialog", on_dialog)
    new_page.on("request", lambda r: log.requests.append(r.url))
    new_page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    new_page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    yield LoggedPage(new_page, log)
    context.close()
