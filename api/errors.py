"""Exceptions -> HTTP answers, at one boundary.

Every error body is ``{"detail": "human sentence", "code": "snake_case"}``
(plus ``"errors": [...]`` for validation and rejected loads). The mapping
table below is the only place where a domain error meets a status code.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ownergraph.graph.errors import (
    DatabaseUnavailable,
    EntityNotFound,
    InvalidParameter,
    LoadInProgress,
    QueryTooExpensive,
    WatchlistNotFound,
)
from ownergraph.loaders.errors import LoadRejected
from ownergraph.pagination import InvalidCursor

log = logging.getLogger("ownergraph.api")


class ApiError(Exception):
    """An error the API itself raises (auth, read-only, bad cursor, upload too large)."""

    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers


# Status codes of Starlette's own HTTPExceptions (unknown route, wrong method, ...).
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def error_body(detail: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"detail": detail, "code": code, **extra}


def _json(
    status: int, detail: str, code: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse(jsonable_encoder(error_body(detail, code, **extra)), status_code=status, headers=headers)


def _validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """FastAPI's error list without the offending input echoed back (it may be large or hostile)."""
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in errors]


def install_error_handlers(app: FastAPI, *, retry_after_seconds: int) -> None:
    """Register the mapping table on ``app``."""

    async def entity_not_found(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, EntityNotFound)
        return _json(404, f"No entity with id {exc.entity_id!r}.", "entity_not_found")

    async def invalid_parameter(_: Request, exc: Exception) -> JSONResponse:
        return _json(422, str(exc), "invalid_cursor" if isinstance(exc, InvalidCursor) else "invalid_parameter")

    async def database_unavailable(_: Request, exc: Exception) -> JSONResponse:
        log.warning("graph database unavailable: %s", exc)
        return _json(
            503,
            "The graph database is unreachable; retry later.",
            "database_unavailable",
            headers={"Retry-After": str(retry_after_seconds)},
        )

    async def too_expensive(_: Request, exc: Exception) -> JSONResponse:
        log.warning("read stopped by a limit: %s", exc)
        return _json(
            503,
            "The question needs more time or memory than a request may use; narrow it (a shorter window, "
            "fewer ids, a smaller depth) or retry later.",
            "too_expensive",
            headers={"Retry-After": str(retry_after_seconds)},
        )

    async def watchlist_not_found(_: Request, exc: Exception) -> JSONResponse:
        return _json(404, str(exc), "watchlist_not_found")

    async def load_in_progress(_: Request, exc: Exception) -> JSONResponse:
        return _json(409, str(exc), "load_in_progress", headers={"Retry-After": str(retry_after_seconds)})

    async def load_rejected(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, LoadRejected)
        findings = [
            {k: getattr(f, k) for k in ("severity", "code", "message", "file", "line", "column", "entity_id")}
            for f in exc.findings[:1000]
        ]
        detail = f"The upload was rejected: {len(exc.errors)} error(s); nothing was written."
        return _json(422, detail, "load_rejected", errors=findings)

    async def api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return _json(exc.status, exc.detail, exc.code, headers=exc.headers)

    async def validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = _validation_errors(exc.errors())
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"])
        return _json(422, f"Invalid request: {where}: {first['msg']}", "validation_error", errors=errors)

    async def http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return _json(exc.status_code, str(exc.detail), code, headers=exc.headers)

    app.add_exception_handler(EntityNotFound, entity_not_found)
    app.add_exception_handler(WatchlistNotFound, watchlist_not_found)
    app.add_exception_handler(InvalidParameter, invalid_parameter)
    app.add_exception_handler(DatabaseUnavailable, database_unavailable)
    app.add_exception_handler(QueryTooExpensive, too_expensive)
    app.add_exception_handler(LoadRejected, load_rejected)
    app.add_exception_handler(LoadInProgress, load_in_progress)
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http_error)


class CatchAllMiddleware:
    """Anything unexpected: logged with its traceback, answered 500 without internals.

    A pure ASGI middleware rather than an ``Exception`` handler: Starlette
    re-raises after calling such a handler, which would log the error twice
    and crash test clients.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise  # too late for a clean answer; the server closes the connection
            response = _json(500, "Internal server error; the incident has been logged.", "internal_error")
            await response(scope, receive, send)
