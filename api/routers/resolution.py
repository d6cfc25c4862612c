"""Entity resolution under review: candidate matches, and reviewers' judgements (token for writes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ownergraph.api.deps import PageDep, RepositoryDep, SettingsDep, WriteAccess
from ownergraph.api.errors import ApiError
from ownergraph.api.routers.entities import NOT_FOUND
from ownergraph.resolution import ResolutionService
from ownergraph.schemas import (
    CandidatesResponse,
    ErrorResponse,
    JudgementIn,
    JudgementResponse,
    JudgementsResponse,
)

router = APIRouter(tags=["resolution"])

WRITE_ERRORS: dict[int | str, dict[str, object]] = {
    **NOT_FOUND,
    401: {"model": ErrorResponse, "description": "Missing or wrong token"},
    403: {"model": ErrorResponse, "description": "Read-only server (no token configured)"},
    409: {"model": ErrorResponse, "description": "A load is writing to the graph; retry later"},
}


def get_resolution(repo: RepositoryDep) -> ResolutionService:
    return ResolutionService(repo)


ResolutionDep = Annotated[ResolutionService, Depends(get_resolution)]


@router.get("/resolution/candidates", summary="Pairs that share no identifier but may be one entity, best first")
def candidates(
    service: ResolutionDep,
    settings: SettingsDep,
    page: PageDep,
    source: Annotated[str | None, Query(max_length=200, description="Look around the entities this source "
                                        "(a Load id) gave records of.")] = None,
    ids: Annotated[list[str] | None, Query(description="Or around these entities (at most 100).")] = None,
    min_score: Annotated[float, Query(ge=0.0, le=1.0, allow_inf_nan=False, description="Lowest score shown.")] = 0.85,
) -> CandidatesResponse:
    if ids is not None and len(ids) > settings.max_ids:
        raise ApiError(422, "too_many_ids", f"At most {settings.max_ids} ids per request, got {len(ids)}.")
    return service.candidates(ids=ids, source=source, min_score=min_score, limit=page.limit, offset=page.offset)


@router.get("/resolution/judgements", summary="Reviewers' judgements, newest first")
def judgements(service: ResolutionDep) -> JudgementsResponse:
    return service.judgements()


@router.post("/resolution/accept", summary="Judge two ids one entity: they merge now and after every reload",
             dependencies=[WriteAccess], responses=WRITE_ERRORS)
def accept(body: JudgementIn, service: ResolutionDep) -> JudgementResponse:
    return service.judge(body.a, body.b, "positive", note=body.note)


@router.post("/resolution/reject", summary="Judge two ids different entities: they never merge, even on shared "
             "identifiers", dependencies=[WriteAccess], responses=WRITE_ERRORS)
def reject(body: JudgementIn, service: ResolutionDep) -> JudgementResponse:
    return service.judge(body.a, body.b, "negative", note=body.note)


@router.post("/resolution/undo", summary="Forget the judgement of two ids: they resolve by identifiers alone",
             dependencies=[WriteAccess], responses=WRITE_ERRORS)
def undo(body: JudgementIn, service: ResolutionDep) -> JudgementResponse:
    return service.undo(body.a, body.b)
