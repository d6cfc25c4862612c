"""A bounded HTTP load: N requests over C concurrent keep-alive connections (asyncio + httpx).

Python only, so CI needs nothing extra (no wrk). The client shares the
machine's cores with the server, so its own ceiling is measured in the same
run by loading a trivial route (``/healthz``) the same way: compare the
routes by their ratio, not by absolute numbers.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int  # transport failures and non-2xx answers, counted, never dropped
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def run_load(base_url: str, paths: Sequence[str], *, requests: int, concurrency: int = 32,
             timeout: float = 30.0) -> LoadResult:
    """Send ``requests`` GETs cycling over ``paths``, ``concurrency`` in flight at any time."""
    return asyncio.run(_run(base_url, list(paths), requests, concurrency, timeout))


async def _run(base_url: str, paths: list[str], requests: int, concurrency: int, timeout: float) -> LoadResult:
    todo = itertools.islice(itertools.cycle(paths), requests)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
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
                    statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1
                    if resp.status_code >= 300:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - t0) * 1000)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - began
    return LoadResult(len(latencies), seconds, latencies, errors, statuses)
