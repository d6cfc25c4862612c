"""The FastAPI application: ``create_app(settings)`` and its lifespan.

The lifespan owns the ONE sync Neo4j driver of the process. Start-up never
fails because Neo4j is down: the driver connects lazily and reconnects by
itself, ``/readyz`` answers 503 until the database is back, and the schema is
then applied by the first successful readiness check.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ownergraph.api.deps import apply_schema_once
from ownergraph.api.docs import docs_router
from ownergraph.api.errors import CatchAllMiddleware, install_error_handlers
from ownergraph.api.limits import install_limits
from ownergraph.api.routers import (
    batch,
    changes,
    control,
    entities,
    explorer,
    exports,
    graph,
    guide,
    health,
    loads,
    resolution,
    screening,
)
from ownergraph.api.security import SecurityMiddleware
from ownergraph.api.settings import ApiSettings
from ownergraph.graph.errors import DatabaseUnavailable, LoadInProgress
from ownergraph.load_lock import load_lock
from ownergraph.materialise import refresh_control
from ownergraph.queries.repository import Repository, connect
from ownergraph.schemas import ErrorResponse

log = logging.getLogger("ownergraph.api")

DESCRIPTION = """\
Who really controls this company? Answers follow the project's control
definitions (majority and relative rulesets, acting in concert, integrated
ownership, the aggregate 50% screening rule), each with its proof: the chain
of edges with shares, bases, dates and sources, and the data-quality flags
met on the way.

Every answer is the view at a date (`as_of`, ISO date, default today). Long
lists are paginated: pass `limit` and the `next_cursor` of the previous page
as `cursor`. Errors are `{"detail": ..., "code": ...}`; 503 carries a
`Retry-After` header. Write routes need `Authorization: Bearer <token>`.

Every request is bounded: pages of at most 1,000 items (search reaches the
best 1,000 matches), at most 100 ids per request, a founding window of at
most 2,000 entities for `/clusters`, depth 10 for the graph views, JSON
bodies of 1 MiB and uploads of 100 MiB (413 beyond). A read that needs more
time or memory than a request may use answers 503 `too_expensive`; when the
heavy routes are all busy they answer 503 `busy`; both with `Retry-After`.
"""

# Shown on every route in /docs: the error shapes any request may meet.
COMMON_RESPONSES: dict[int | str, dict[str, object]] = {
    422: {"model": ErrorResponse, "description": "Bad parameters"},
    503: {"model": ErrorResponse, "description": "Neo4j unreachable; retry after `Retry-After` seconds"},
}


def refresh_at_start(repo: Repository) -> None:
    """Move the materialised control to today, unless a load (which refreshes first) holds the graph."""
    try:
        with load_lock(repo):
            done = refresh_control(repo)
        log.info("materialised control refreshed to %s (%s, %d changes)", done.as_of, done.mode, done.changes)
    except (DatabaseUnavailable, LoadInProgress) as exc:
        log.info("no refresh at start-up: %s", exc)
    except Exception:  # a failed refresh must not take the service down; the next load refreshes
        log.exception("refresh at start-up failed")


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    settings = settings if settings is not None else ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.driver = connect(settings.neo4j)
        app.state.schema_applied = False
        try:
            apply_schema_once(app.state, Repository(app.state.driver, settings.neo4j.database))
        except DatabaseUnavailable as exc:
            log.warning("Neo4j is not reachable at start-up (%s); /readyz answers 503 until it is", exc)
        if settings.refresh_on_start:
            threading.Thread(
                target=refresh_at_start, args=(Repository(app.state.driver, settings.neo4j.database),),
                name="control-refresh", daemon=True,
            ).start()
        try:
            yield
        finally:
            app.state.driver.close()

    app = FastAPI(
        title="ownergraph",
        summary="Corporate ownership graph explorer: who really controls this company?",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
        responses=COMMON_RESPONSES,
        docs_url=None,  # served from installed assets by docs_router, never a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app, retry_after_seconds=settings.retry_after_seconds)
    install_limits(app, settings)  # body limits (413 while reading), the heavy-request pool (503 when full)
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(SecurityMiddleware, allowed_hosts=settings.allowed_hosts)  # outermost: every answer
    app.include_router(docs_router(app))
    for module in (health, entities, control, batch, screening, graph, exports, loads, changes, guide, resolution):
        app.include_router(module.router)
    app.include_router(explorer.router)
    # Last: its ``{entity_id:path}`` would otherwise match the /entities/{id}/... routes.
    app.include_router(entities.tail_router)
    return app
