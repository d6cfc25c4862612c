"""Search and the entity record."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from ownergraph.api.deps import AsOfDep, PageDep, ServiceDep
from ownergraph.graph.errors import InvalidParameter
from ownergraph.schemas import EntityResponse, ErrorResponse, SearchResponse

router = APIRouter(tags=["entities"])

NOT_FOUND: dict[int | str, dict[str, object]] = {404: {"model": ErrorResponse, "description": "Unknown id"}}
EntityPath = Annotated[str, Path(description="The entity id from the source data (URL-encoded).")]


@router.get("/search", summary="Entities by name (any script), alias, USCC, LEI or id")
def search(
    service: ServiceDep,
    page: PageDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Text to look for.", examples=["示例控股"])],
) -> SearchResponse:
    if not q.strip():
        raise InvalidParameter("q must contain something other than spaces")
    return service.search(q.strip(), limit=page.limit, offset=page.offset)


# Registered last by the app (see routers/__init__): ``{entity_id:path}`` would
# otherwise swallow /entities/{id}/controllers and the other sub-routes.
tail_router = APIRouter(tags=["entities"])


@tail_router.get(
    "/entities/{entity_id:path}",
    summary="The entity, its direct owners and direct holdings at as_of (paged, largest stake first)",
    responses=NOT_FOUND,
)
def entity(entity_id: EntityPath, service: ServiceDep, as_of: AsOfDep, page: PageDep) -> EntityResponse:
    return service.entity(entity_id, as_of=as_of, limit=page.limit, offset=page.offset)
