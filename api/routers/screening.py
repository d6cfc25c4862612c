"""The aggregate 50% rule over a watchlist."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from ownergraph.api.deps import PageDep, ServiceDep, SettingsDep
from ownergraph.api.errors import ApiError
from ownergraph.api.limits import HeavySlot
from ownergraph.api.routers.entities import NOT_FOUND
from ownergraph.schemas import ScreenRequest, ScreenResponse

router = APIRouter(tags=["screening"], dependencies=[HeavySlot])


@router.post(
    "/screen",
    summary="Entities captured by listed parties under the aggregate 50% rule",
    responses=NOT_FOUND,
)
def screen(body: ScreenRequest, service: ServiceDep, settings: SettingsDep, page: PageDep) -> ScreenResponse:
    if len(body.listed) > settings.max_ids:
        detail = f"At most {settings.max_ids} listed ids per request, got {len(body.listed)}."
        raise ApiError(422, "too_many_ids", detail)
    as_of = body.as_of if body.as_of is not None else date.today()
    return service.screen_response(body.listed, as_of=as_of, limit=page.limit, offset=page.offset)
