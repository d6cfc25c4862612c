"""A bounded HTTP load over C concurrent keep-alive connections, cycling over request paths.

With ``wrk`` installed (Debian's package) the load comes from it: a C client
that leaves the machine's two cores to the server. Without it, a Python
client (asyncio + httpx) sends a fixed number of requests, so CI needs
nothing extra. Either way the client shares the machine with the server, so
its ceiling is measured in the same run by loading a trivial route
(``/healthz``) the same way: compare routes by their ratio.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.stats import pct

WRK_SCRIPT = Path(__file__).with_name("wrk_paths.lua")


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # transport failures and non-2xx answers, counted, never dropped
    client: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(base_url: str, paths: Sequence[str], *, seconds: float, concurrency: int = 32,
            threads: int = 2, timeout_s: int = 30) -> LoadResult:
    """``seconds`` of load from wrk over ``concurrency`` connections."""
    with tempfile.TemporaryDirectory() as tmp:
        listing, out = Path(tmp) / "paths.txt", Path(tmp) / "summary.json"
        listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
        env = {**os.environ, "WRK_PATHS": str(listing), "WRK_OUT": str(out)}
        cmd = ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s",
               f"--timeout={timeout_s}s", "-s", str(WRK_SCRIPT), base_url]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk failed (exit {done.returncode}): {done.stderr[-2000:]}")
        summary = json.loads(out.read_text(encoding="utf-8"))
    return LoadResult(
        requests=summary["requests"],
        seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        errors=summary["transport_errors"] + summary["status_errors"],
        client="wrk",
    )


def run_load(base_url: str, paths: Sequence[str], *, requests: int, concurrency: int = 32,
             timeout: float = 30.0) -> LoadResult:
    """Send ``requests`` GETs from Python, cycling over ``paths``, ``concurrency`` in flight at any time.

    The event loop runs in a thread of its own, so a caller that already runs one (a test
    session with a browser driven through Playwright's sync API) can call this too.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _run(base_url, list(paths), requests, concurrency, timeout)).result()


async def _run(base_url: str, paths: list[str], requests: int, concurrency: int, timeout: float) -> LoadResult:
    todo = itertools.islice(itertools.cycle(paths), requests)
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout) as client:

        async def worker() -> None:
            nonlocal errors
            # One shared iterator: each worker takes the next path; asyncio runs one at a time, so no lock.
            for path in todo:
                t0 = time.perf_counter()
                try:
                    resp = await client.get(path)
                    await resp.aread()
                    if resp.status_code >= 300:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - t0) * 1000)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - began
    return LoadResult(len(latencies), seconds, pct(latencies, 50), pct(latencies, 99), errors, client="httpx")
