"""How long the ownership page takes to build (Python) and to draw (headless Chromium).

    .venv/bin/python bench/bench_page.py [--nodes 500] [--runs 20] [--no-browser]

The data set is a synthetic owner tree: every entity has 3 owners with
decreasing shares, a CONTROLS edge here and there, so the view holds exactly
``--nodes`` nodes (the budget) plus a few "+N more" nodes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ownergraph.graph.model import Control, Dataset, Entity, Share, Stake
from ownergraph.graph.neighbourhood import GraphView, neighbourhood
from ownergraph.graph.render import render_html

KINDS = ("company", "partnership", "person", "fund", "state_body")
AS_OF = date(2024, 6, 30)


def owner_tree(size: int, fan_in: int = 3) -> Dataset:
    """Entity 0 at the bottom; entity i is owned by fan_in * i + 1 ... fan_in * i + fan_in."""
    entities = [
        Entity(
            f"E{i:05}",
            f"Entity {i} Holding Co., Ltd.",
            KINDS[i % len(KINDS)],
            jurisdiction="CN",
            founded=date(2000 + i % 24, 1 + i % 12, 1),
        )
        for i in range(size)
    ]
    stakes: list[Stake] = []
    controls: list[Control] = []
    for child in range(size):
        for k in range(1, fan_in + 1):
            owner = fan_in * child + k
            if owner >= size:
                break
            stakes.append(Stake(f"E{owner:05}", f"E{child:05}", Share(exact=0.6 / k)))
            if k == 1 and child % 7 == 0:
                controls.append(Control(f"E{owner:05}", f"E{child:05}", "agreement"))
    return Dataset(entities=entities, stakes=stakes, controls=controls)


def time_build(data: Dataset, nodes: int, runs: int) -> tuple[GraphView, list[float], list[float]]:
    view = neighbourhood(data, "E00000", as_of=AS_OF, depth=20, node_budget=nodes)
    chain = {(e.source, e.target) for e in view.edges[:20]}
    walk, page = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        view = neighbourhood(data, "E00000", as_of=AS_OF, depth=20, node_budget=nodes)
        t1 = time.perf_counter()
        render_html(view, title="bench", controller_ids={view.nodes[-1].id}, chain_edges=chain)
        t2 = time.perf_counter()
        walk.append((t1 - t0) * 1000)
        page.append((t2 - t1) * 1000)
    return view, walk, page


def time_browser(html: str, runs: int) -> list[float]:
    """Milliseconds from the page script's start to the network's first drawing, per fresh page."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from browser import CHROMIUM, CHROMIUM_ARGS

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        path = Path(tmp) / "bench.html"
        path.write_text(html, encoding="utf-8")
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        times = []
        for _ in range(runs):
            page = chromium.new_page(viewport={"width": 1400, "height": 900})
            t0 = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=60_000)
            wall = (time.perf_counter() - t0) * 1000
            times.append((page.evaluate("window.ownergraphRenderMs"), wall))
            page.close()
        chromium.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()

    data = owner_tree(args.nodes * 3)
    render_html(neighbourhood(data, "E00000", as_of=AS_OF, node_budget=5), title="warm-up")
    view, walk, page = time_build(data, args.nodes, args.runs)
    total = [w + p for w, p in zip(walk, page, strict=True)]
    print(f"view: {len(view.nodes)} nodes, {len(view.edges)} edges, truncated={view.truncated}")
    print(f"neighbourhood(): median {statistics.median(walk):.1f} ms, max {max(walk):.1f} ms")
    print(f"render_html():   median {statistics.median(page):.1f} ms, max {max(page):.1f} ms")
    print(f"build total:     median {statistics.median(total):.1f} ms, max {max(total):.1f} ms")
    if args.no_browser:
        return
    html = render_html(view, title="bench")
    print(f"page size: {len(html.encode()) / 1024:.0f} KiB")
    timings = time_browser(html, max(3, args.runs // 4))
    in_page = [t for t, _ in timings]
    wall = [w for _, w in timings]
    print(
        f"chromium, script start to first drawing: median {statistics.median(in_page):.0f} ms, "
        f"max {max(in_page):.0f} ms"
    )
    print(f"chromium, navigation to drawn (wall):    median {statistics.median(wall):.0f} ms, max {max(wall):.0f} ms")


if __name__ == "__main__":
    main()
