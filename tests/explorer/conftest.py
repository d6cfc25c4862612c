"""The explorer served by a real uvicorn over the demo data set (plus hostile names) on the test Neo4j.

The demo is loaded once for the package's modules, as ``make demo`` loads it (registry-csv,
materialised), and the small ``explorer_hostile`` fixture on top of it. The
node budget is lowered so that the demo's biggest holder folds its holdings
into a "+N more" group that the tests expand page by page.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from neo4j import Driver

from ownergraph.api.app import create_app
from ownergraph.pipeline import load
from ownergraph.queries.repository import Repository
from ownergraph.queries.settings import Neo4jSettings
from tests.api.conftest import make_settings, neo4j_settings  # noqa: F401  (a pytest fixture)

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "data"
HOSTILE = ROOT / "tests" / "fixtures" / "explorer_hostile"
NODE_BUDGET = 60


@dataclass(frozen=True)
class Explorer:
    base_url: str
    repo: Repository
    neo4j_settings: Neo4jSettings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve(app: object) -> tuple[uvicorn.Server, threading.Thread, int]:
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-explorer", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    return server, thread, port


@pytest.fixture(scope="package")
def explorer(
    neo4j_driver: Driver, neo4j_is_local: bool, neo4j_settings: Neo4jSettings,  # noqa: F811
) -> Iterator[Explorer]:
    if not neo4j_is_local:
        pytest.skip("the explorer tests load the demo and need the local test server they may wipe")
    repo = Repository(neo4j_driver)
    repo.wipe()
    load(repo, "registry-csv", DEMO, materialise=True)
    load(repo, "registry-csv", HOSTILE, materialise=True)
    app = create_app(make_settings(neo4j_settings, token=None, graph_node_budget=NODE_BUDGET))
    server, thread, port = serve(app)
    try:
        yield Explorer(f"http://127.0.0.1:{port}", repo, neo4j_settings)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
