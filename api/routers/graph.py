"""The neighbourhood of an entity: JSON for any viewer, or the interactive page."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from ownergraph.api.deps import MAX_DEPTH, AsOfDep, ServiceDep
from ownergraph.api.limits import HeavySlot
from ownergraph.api.routers.entities import NOT_FOUND, EntityPath
from ownergraph.schemas import GraphResponse

router = APIRouter(tags=["graph"], dependencies=[HeavySlot])

DepthQuery = Annotated[int, Query(ge=1, le=MAX_DEPTH, description="Levels from the entity (1..10).")]
DirectionQuery = Annotated[
    Literal["up", "down", "both"], Query(description="Owners (up), holdings (down) or both.")
]


@router.get(
    "/entities/{entity_id:path}/graph.json",
    summary="Nodes and edges around the entity, controllers and control chains marked",
    responses=NOT_FOUND,
)
def graph_json(
    entity_id: EntityPath,
    service: ServiceDep,
    as_of: AsOfDep,
    depth: DepthQuery = 6,
    direction: DirectionQuery = "up",
) -> GraphResponse:
    return service.graph_response(entity_id, as_of=as_of, depth=depth, direction=direction)


@router.get(
    "/entities/{entity_id:path}/graph.html",
    summary="The interactive ownership page (self-contained HTML)",
    response_class=HTMLResponse,
    responses={**NOT_FOUND, 200: {"content": {"text/html": {}}, "description": "The page"}},
)
def graph_html(
    entity_id: EntityPath,
    service: ServiceDep,
    as_of: AsOfDep,
    depth: DepthQuery = 6,
    direction: DirectionQuery = "up",
) -> HTMLResponse:
    page = service.graph_page(entity_id, as_of=as_of, depth=depth, direction=direction)
    # The page's own policy (its script hashes) as a header too; frame-ancestors is added by the security layer.
    return HTMLResponse(page.html, headers={"Content-Security-Policy": page.csp})
