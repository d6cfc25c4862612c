"""What one request may cost: body size (413 while the bytes arrive) and a share of the heavy work (503).

- **Bodies.** Each request body is counted as it arrives; past the limit the
  request is answered 413 at once (a declared ``Content-Length`` over the
  limit is refused before a byte is read). ``POST /loads`` has the upload
  limit, every other route the small JSON limit.
- **Heavy routes** (those that read and compute on a subgraph) take a slot of
  a bounded pool before their thread starts. A request waits on the event
  loop, not in a thread, for at most ``heavy_wait_seconds``; then, or when too
  many already wait, it is answered 503 with ``Retry-After``. The thread pool
  thus always has threads left for ``/healthz`` and the light routes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ownergraph.api.deps import ControlParamsDep
from ownergraph.api.errors import ApiError
from ownergraph.api.settings import ApiSettings

UPLOAD_PATHS = frozenset({"/loads"})


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once the body passes its limit (an HTTPException, so FastAPI lets it through)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit} bytes.")


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        {"detail": f"The request body is larger than the limit of {limit} bytes.", "code": "payload_too_large"},
        status_code=413,
        headers={"Connection": "close"},
    )


class BodyLimitMiddleware:
    """Count every request body as it arrives; 413 past the route's limit (pure ASGI, nothing buffered)."""

    def __init__(self, app: ASGIApp, *, limit: int, upload_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if scope["path"] in UPLOAD_PATHS else self.limit
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.strip().isdigit() or int(declared) > limit):
            await _too_large(limit)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


class HeavyLimiter:
    """A bounded pool of slots for heavy requests, with a bounded, time-limited queue in front of it."""

    def __init__(self, slots: int, max_waiting: int, wait_seconds: float, retry_after: int) -> None:
        self.size = slots
        self._slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self.max_waiting = max_waiting
        self.wait_seconds = wait_seconds
        self.retry_after = retry_after
        self.waiting = 0

    @property
    def slots(self) -> asyncio.Semaphore:
        """The pool of the running event loop (a test client may serve one app from several loops in turn)."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots[0] is not loop:
            self._slots = (loop, asyncio.Semaphore(self.size))
        return self._slots[1]

    def _busy(self) -> ApiError:
        return ApiError(
            503, "busy", "The server is busy with other heavy requests; retry later.",
            headers={"Retry-After": str(self.retry_after)},
        )

    async def acquire(self) -> None:
        if self.waiting >= self.max_waiting:
            raise self._busy()
        self.waiting += 1
        try:
            await asyncio.wait_for(self.slots.acquire(), timeout=self.wait_seconds)
        except TimeoutError as exc:
            raise self._busy() from exc
        finally:
            self.waiting -= 1

    def release(self) -> None:
        if self._slots is not None:
            self._slots[1].release()


async def _heavy_slot(request: Request) -> AsyncIterator[None]:
    async with _slot_of(request):
        yield


@asynccontextmanager
async def _slot_of(request: Request) -> AsyncIterator[None]:
    limiter: HeavyLimiter = request.app.state.heavy_limiter
    await limiter.acquire()
    try:
        yield
    finally:
        limiter.release()


# A route dependency: ``dependencies=[HeavySlot]`` (or on a whole router).
HeavySlot = Depends(_heavy_slot)


async def _heavy_unless_default(request: Request, params: ControlParamsDep) -> AsyncIterator[None]:
    """A heavy slot, except for the default question: it is answered from the stored control (light)."""
    if params.is_default_question():
        yield
        return
    async with _slot_of(request):
        yield


# For the routes the materialised control answers for the default question (controllers, controlled).
HeavyUnlessDefault = Depends(_heavy_unless_default)


def install_limits(app: FastAPI, settings: ApiSettings) -> None:
    """The body limits and the heavy-request pool of ``app``."""
    app.state.heavy_limiter = HeavyLimiter(
        settings.heavy_concurrency, settings.heavy_max_waiting, settings.heavy_wait_seconds,
        settings.retry_after_seconds,
    )
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes, upload_limit=settings.max_upload_bytes)
