"""Who controls, owns or benefits from an entity; what it controls; common owners and clusters."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from ownergraph.api.deps import (
    AsOfDep,
    BeneficialControlParamsDep,
    ControlParamsDep,
    PageDep,
    ServiceDep,
    SettingsDep,
)
from ownergraph.api.errors import ApiError
from ownergraph.api.routers.entities import NOT_FOUND, EntityPath
from ownergraph.graph.params import DEFAULT_BENEFICIAL_THRESHOLD, DEFAULT_MIN_IO
from ownergraph.schemas import (
    BeneficialOwnersResponse,
    ClustersResponse,
    CommonOwnersResponse,
    ControlledResponse,
    ControllersResponse,
    OwnersResponse,
)
from ownergraph.stored_answers import entity_tag

router = APIRouter(tags=["control"])



@router.get(
    "/entities/{entity_id:path}/controllers",
    summary="The ultimate controllers, with their chains of control",
    description=(
        "The default question (no `as_of` or the control run's day, the default ruleset and thresholds) "
        "is answered from the stored answer of the last control run (`X-Answer-Source: stored`); any "
        "other question is computed live. Both send the same bytes for the same question."
    ),
    response_model=ControllersResponse,
    responses={**NOT_FOUND, 304: {"description": "Not modified (`If-None-Match` named this `ETag`)."}},
)
def controllers(
    entity_id: EntityPath,
    service: ServiceDep,
    params: ControlParamsDep,
    if_none_match: Annotated[str | None, Header(description="An `ETag` given before: 304 if unchanged.")] = None,
) -> Response:
    # The default question at the control run's day is sent as stored (bytes, no validation);
    # ETag is the body's hash, so it changes exactly when the answer does.
    body, stored = service.controllers_body(entity_id, params)
    tag = entity_tag(body)
    headers = {"ETag": tag, "X-Answer-Source": "stored" if stored else "live"}
    if if_none_match is not None and tag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(content=body, media_type="application/json", headers=headers)


@router.get(
    "/entities/{entity_id:path}/owners",
    summary="The upstream tree to the top-level owners, with integrated ownership",
    responses=NOT_FOUND,
)
def owners(entity_id: EntityPath, service: ServiceDep, as_of: AsOfDep, page: PageDep) -> OwnersResponse:
    return service.owners_response(entity_id, as_of=as_of, limit=page.limit, offset=page.offset)


@router.get(
    "/entities/{entity_id:path}/beneficial-owners",
    summary="Natural persons with integrated ownership >= threshold, or who control the entity",
    responses=NOT_FOUND,
)
def beneficial_owners(
    entity_id: EntityPath,
    service: ServiceDep,
    params: BeneficialControlParamsDep,
    threshold: Annotated[
        float, Query(ge=0.0, le=1.0, allow_inf_nan=False, description="Beneficial-ownership threshold b (0..1).")
    ] = DEFAULT_BENEFICIAL_THRESHOLD,
) -> BeneficialOwnersResponse:
    return service.beneficial_owners_response(entity_id, params, threshold=threshold)


@router.get(
    "/entities/{entity_id:path}/controlled",
    summary="Everything the entity controls, optionally founded in a date window",
    responses=NOT_FOUND,
)
def controlled(
    entity_id: EntityPath,
    service: ServiceDep,
    params: ControlParamsDep,
    page: PageDep,
    founded_from: Annotated[date | None, Query(description="ISO date, inclusive.")] = None,
    founded_to: Annotated[date | None, Query(description="ISO date, inclusive.")] = None,
) -> ControlledResponse:
    return service.controlled_response(
        entity_id, params, founded_from=founded_from, founded_to=founded_to, limit=page.limit, offset=page.offset
    )


@router.get(
    "/common-owners",
    summary="Entities holding a positive integrated stake in every one of the given entities",
    responses=NOT_FOUND,
)
def common_owners(
    service: ServiceDep,
    settings: SettingsDep,
    as_of: AsOfDep,
    ids: Annotated[list[str], Query(min_length=1, description="Repeat: ids=A&ids=B (at most 100).")],
) -> CommonOwnersResponse:
    if len(ids) > settings.max_ids:
        raise ApiError(422, "too_many_ids", f"At most {settings.max_ids} ids per request, got {len(ids)}.")
    return service.common_owners_response(ids, as_of=as_of)


@router.get(
    "/clusters",
    summary="Entities founded in a window, grouped by a shared ultimate controller or common owner",
)
def clusters(
    service: ServiceDep,
    params: ControlParamsDep,
    page: PageDep,
    founded_from: Annotated[date, Query(description="ISO date, inclusive.", examples=["2024-12-01"])],
    founded_to: Annotated[date, Query(description="ISO date, inclusive.", examples=["2024-12-31"])],
    min_io: Annotated[
        float, Query(ge=0.0, le=1.0, allow_inf_nan=False, description="Common-owner IO threshold c (0..1).")
    ] = DEFAULT_MIN_IO,
) -> ClustersResponse:
    return service.clusters_response(
        params, founded_from=founded_from, founded_to=founded_to, min_io=min_io, limit=page.limit, offset=page.offset
    )
