"""Reliability fixtures: a throwaway Neo4j to kill, and the API served by a real uvicorn.

The kill server (``Instance("killtest")``, its own ports and data folder) is
only ever SIGKILLed by test_faults, never the shared test server. A JVM start
takes 15-30 s on a busy machine, so it starts in the background as soon as
the session begins and test_faults only waits for it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn
from neo4j import Driver

from ownergraph.api.app import create_app
from ownergraph.localneo4j import server as local_server
from ownergraph.queries.repository import Repository
from tests.api.conftest import load_cases, make_settings, neo4j_settings  # noqa: F401  (a pytest fixture)
from tests.throwaway import BackgroundStart

KILL = local_server.Instance("killtest", bolt_port=21687, http_port=21474, heap="2g", pagecache="256m")
KILL_START = BackgroundStart(KILL, wanted_by="test_faults", wait_s=240, start_timeout_s=240)


@pytest.fixture(scope="session", autouse=True)
def _prestart_kill_server(request: pytest.FixtureRequest) -> None:
    KILL_START.begin(request.session.items)


def start_kill_server() -> None:
    KILL_START.wait()


# -- the API over real HTTP ---------------------------------------------------------------------


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    repo: Repository


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def live_server(neo4j_driver: Driver, neo4j_is_local: bool, neo4j_settings: object) -> Iterator[LiveServer]:  # noqa: F811
    """uvicorn serving create_app() on 127.0.0.1 in this process, over the api_cases data."""
    if not neo4j_is_local:
        pytest.skip("these tests load fixtures and need the local test server they may wipe")
    repo = Repository(neo4j_driver)
    repo.wipe()
    load_cases(repo)
    port = free_port()
    config = uvicorn.Config(
        create_app(make_settings(neo4j_settings)),  # type: ignore[arg-type]
        host="127.0.0.1",
        port=port,
        log_level="warning",
        limit_concurrency=None,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", repo)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
