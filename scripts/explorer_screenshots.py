"""Screenshots of each explorer view for the README, taken from a running server with the demo loaded.

    make demo                      # in another terminal: the demo on http://127.0.0.1:8000
    .venv/bin/python scripts/explorer_screenshots.py [--base-url http://127.0.0.1:8000] [--out docs/img]

Uses Debian's chromium (as the page tests do); every request off 127.0.0.1 is refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from playwright.sync_api import Page, Route, sync_playwright  # noqa: E402

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _local_only(route: Route) -> None:
    if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


def _settle(page: Page, answered: bool = False) -> None:
    page.wait_for_selector("body[data-ready]", timeout=60_000)
    if answered:
        page.wait_for_selector("body[data-answered]", timeout=60_000)
    page.wait_for_timeout(1500)  # the layout's last frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    base, out = args.base_url.rstrip("/"), args.out
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport=LAPTOP)
        context.route("**/*", _local_only)
        page = context.new_page()

        page.goto(base + "/")
        page.get_by_test_id("search-input").fill("Qinghai")
        page.wait_for_selector("[data-testid=search-result]")
        page.wait_for_timeout(500)
        page.screenshot(path=out / "explorer-search.png")

        page.goto(base + "/explorer/entity?id=qh-borong-group&x=e%3Aqh-borong-group")
        _settle(page, answered=True)
        page.screenshot(path=out / "explorer-expanded.png")

        page.goto(base + "/explorer/entity?id=ph-qh-dc-project-1")
        _settle(page, answered=True)
        page.screenshot(path=out / "explorer-entity.png")

        page.goto(base + "/explorer/clusters?from=2024-12-01&to=2024-12-31")
        _settle(page)
        page.screenshot(path=out / "explorer-clusters.png")

        page.goto(base + "/explorer/changes")
        _settle(page)
        page.screenshot(path=out / "explorer-changes.png")

        page.set_viewport_size(PHONE)
        page.goto(base + "/explorer/entity?id=ph-qh-dc-project-1")
        _settle(page, answered=True)
        page.screenshot(path=out / "explorer-phone.png")
        chromium.close()
    for name in sorted(out.glob("explorer-*.png")):
        print(name.relative_to(ROOT) if name.is_relative_to(ROOT) else name)


if __name__ == "__main__":
    main()
