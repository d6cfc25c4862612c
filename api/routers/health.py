"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ownergraph.api.deps import RepositoryDep, apply_schema_once
from ownergraph.schemas import ErrorResponse, HealthResponse, ReadyResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> HealthResponse:
    # On the event loop, not the thread pool: it answers at once while heavy routes fill the pool.
    return HealthResponse()


@router.get(
    "/readyz",
    summary="Neo4j is reachable",
    responses={503: {"model": ErrorResponse, "description": "Neo4j unreachable"}},
)
def readyz(request: Request, repo: RepositoryDep) -> ReadyResponse:
    # Asks the database itself each time: a cached "ready" would outlive an outage.
    repo.ping()
    apply_schema_once(request.app.state, repo)
    return ReadyResponse(database=repo.database)
