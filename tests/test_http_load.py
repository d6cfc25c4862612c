"""The benchmark's HTTP load clients count requests, latencies and failures against a real server."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.http_load import LoadResult, run_load, run_wrk, wrk_available


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as uvicorn answers

    def do_GET(self) -> None:
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        status = 500 if self.path.startswith("/bad") else 200
        body = b"{}"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.paths = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def _base(httpd: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def _check(result: LoadResult, served: list[str], *, bad_share: float) -> None:
    assert result.requests > 0
    assert result.requests <= len(served)  # every counted request reached the server
    assert 0 < result.p50_ms <= result.p99_ms
    assert result.rps > 0
    assert result.errors == pytest.approx(result.requests * bad_share, abs=4)


def test_python_client_cycles_over_paths_and_counts_failures(server: ThreadingHTTPServer) -> None:
    result = run_load(_base(server), ["/ok/1", "/ok/2", "/bad/3", "/ok/4"], requests=200, concurrency=8)
    assert result.client == "httpx"
    assert result.requests == 200
    assert sorted(set(server.paths)) == ["/bad/3", "/ok/1", "/ok/2", "/ok/4"]  # type: ignore[attr-defined]
    _check(result, server.paths, bad_share=0.25)  # type: ignore[attr-defined]


@pytest.mark.skipif(not wrk_available(), reason="wrk is not installed (scripts/ensure-wrk.sh)")
def test_wrk_cycles_over_paths_and_counts_failures(server: ThreadingHTTPServer) -> None:
    result = run_wrk(_base(server), ["/ok/1", "/ok/2", "/bad/3", "/ok/4"], seconds=1, concurrency=4, threads=1)
    assert result.client == "wrk"
    assert sorted(set(server.paths)) == ["/bad/3", "/ok/1", "/ok/2", "/ok/4"]  # type: ignore[attr-defined]
    assert 0.8 < result.seconds < 3
    _check(result, server.paths, bad_share=0.25)  # type: ignore[attr-defined]


def test_python_client_runs_under_a_running_event_loop(server: ThreadingHTTPServer) -> None:
    """As in a test session driving a browser through Playwright's sync API."""

    async def inside_a_loop() -> LoadResult:
        return run_load(_base(server), ["/ok/1"], requests=20, concurrency=4)

    # A thread of the test's own: the session may already run a loop in the main thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside_a_loop()).result().requests == 20
