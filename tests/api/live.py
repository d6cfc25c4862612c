"""The API as a real server: uvicorn in its own process on a free port (for browsers and hostile clients)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from ownergraph.queries.settings import Neo4jSettings


@dataclass(frozen=True)
class LiveServer:
    base: str
    pid: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def live_server(
    neo4j: Neo4jSettings, log_path: Path, *, env: Mapping[str, str] | None = None, start_timeout_s: float = 60.0
) -> Iterator[LiveServer]:
    """uvicorn serving ``create_app()`` with settings from the environment; stopped on exit."""
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OWNERGRAPH_", "NEO4J_"))},
        "NEO4J_URI": neo4j.uri or "",
        "NEO4J_USERNAME": neo4j.username,
        "NEO4J_PASSWORD": neo4j.password.get_secret_value() if neo4j.password else "",
        "OWNERGRAPH_REFRESH_ON_START": "false",
        **(env or {}),
    }
    cmd = [sys.executable, "-m", "uvicorn", "ownergraph.api.app:create_app", "--factory",
           "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, env=environment, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + start_timeout_s
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"uvicorn exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
                try:
                    if httpx.get(base + "/healthz", timeout=1.0).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"uvicorn did not answer within {start_timeout_s} s")
                time.sleep(0.2)
            yield LiveServer(base, proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
