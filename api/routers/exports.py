"""The neighbourhood of an entity in the standard forms other tools read: BODS 0.4, GraphML, FtM."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ownergraph.api.deps import AsOfDep, ServiceDep
from ownergraph.api.routers.entities import NOT_FOUND, EntityPath
from ownergraph.api.routers.graph import DepthQuery, DirectionQuery

router = APIRouter(tags=["export"])


def _file(body: bytes, media_type: str, name: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get(
    "/entities/{entity_id:path}/export.bods.json",
    summary="The neighbourhood as BODS 0.4 statements, the computed ultimate controllers as annotations",
    response_class=Response,
    responses={**NOT_FOUND, 200: {"content": {"application/json": {}}, "description": "A JSON array of statements"}},
)
def export_bods(entity_id: EntityPath, service: ServiceDep, as_of: AsOfDep, depth: DepthQuery = 6,
                direction: DirectionQuery = "up") -> Response:
    body = service.export(entity_id, "bods", as_of=as_of, depth=depth, direction=direction)
    return _file(body, "application/json", "export.bods.json")


@router.get(
    "/entities/{entity_id:path}/export.graphml",
    summary="The neighbourhood as GraphML (Gephi, yEd, Cytoscape)",
    response_class=Response,
    responses={**NOT_FOUND, 200: {"content": {"application/graphml+xml": {}}, "description": "GraphML"}},
)
def export_graphml(entity_id: EntityPath, service: ServiceDep, as_of: AsOfDep, depth: DepthQuery = 6,
                   direction: DirectionQuery = "up") -> Response:
    body = service.export(entity_id, "graphml", as_of=as_of, depth=depth, direction=direction)
    return _file(body, "application/graphml+xml", "export.graphml")


@router.get(
    "/entities/{entity_id:path}/export.ftm.json",
    summary="The neighbourhood as FollowTheMoney entities (Company, Person, Ownership, ...), JSON Lines",
    response_class=Response,
    responses={**NOT_FOUND, 200: {"content": {"application/x-ndjson": {}}, "description": "One entity per line"}},
)
def export_ftm(entity_id: EntityPath, service: ServiceDep, as_of: AsOfDep, depth: DepthQuery = 6,
               direction: DirectionQuery = "up") -> Response:
    body = service.export(entity_id, "ftm", as_of=as_of, depth=depth, direction=direction)
    return _file(body, "application/x-ndjson", "export.ftm.json")
