"""How soon the explorer's entity view is interactive in headless Chromium, for a view of about 500 parties.

    .venv/bin/python bench/bench_explorer.py --base-url http://127.0.0.1:8000 --id ENTITY [--runs 5]

"Interactive" is the moment the page's script has drawn the graph and listed
its parties (``body[data-ready]``), counted from the start of the navigation
(``performance.now()``): it includes the HTML, the script files, the
``graph.json`` request and the drawing. The answer panel fills on its own
after that. ``bench/run.py`` serves the API with a node budget of 500 and
opens the busiest holder of the generated registry with its holdings.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NODE_BUDGET = 500


def explorer_url(base_url: str, entity_id: str, *, depth: int = 3, as_of: str | None = None) -> str:
    params = {"id": entity_id, "direction": "down", "depth": str(depth), **({"as_of": as_of} if as_of else {})}
    return f"{base_url}/explorer/entity?{urlencode(params)}"


def time_explorer(url: str, runs: int) -> tuple[list[float], int]:
    """Milliseconds from navigation to an interactive view, one fresh page per run; and the parties drawn."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from browser import CHROMIUM, CHROMIUM_ARGS

    times: list[float] = []
    nodes = 0
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for i in range(runs + 1):  # the first load warms the server's caches and is not counted
                context = chromium.new_context(viewport={"width": 1366, "height": 768})
                page = context.new_page()
                page.goto(url)
                page.wait_for_selector("body[data-ready]", timeout=120_000)
                if i:
                    times.append(float(page.evaluate("() => window.explorerInteractiveMs")))
                nodes = int(page.evaluate("() => document.querySelectorAll('[data-testid=node-item]').length"))
                context.close()
        finally:
            chromium.close()
    return times, nodes


@contextlib.contextmanager
def serve_api(port: int, env_extra: dict[str, str], log_path: Path) -> Iterator[str]:
    """uvicorn serving the app (one worker) with these settings; yields its base URL."""
    import httpx

    env = {**os.environ, **env_extra, "OWNERGRAPH_GRAPH_NODE_BUDGET": str(NODE_BUDGET),
           "OWNERGRAPH_REFRESH_ON_START": "false"}
    env.pop("OWNERGRAPH_API_TOKEN", None)
    cmd = [sys.executable, "-m", "uvicorn", "ownergraph.api.app:create_app", "--factory", "--host", "127.0.0.1",
           "--port", str(port), "--log-level", "warning", "--no-access-log"]
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"uvicorn did not start; see {log_path}")
                time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--id", required=True, help="an entity with many holdings")
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times, nodes = time_explorer(explorer_url(args.base_url, args.id, depth=args.depth), args.runs)
    print(f"{nodes} parties: interactive after {statistics.median(times):.0f} ms (median of {len(times)}), "
          f"max {max(times):.0f} ms")


if __name__ == "__main__":
    main()
