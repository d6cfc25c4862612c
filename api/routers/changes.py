"""The change feed and watchlists: what the last loads and the passing days changed, and who is told."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from ownergraph.api.deps import FeedDep, FeedPageDep, WriteAccess
from ownergraph.feed import parse_moment
from ownergraph.schemas import (
    AlertsResponse,
    ChangesResponse,
    ErrorResponse,
    WatchlistIn,
    WatchlistOut,
    WatchlistsResponse,
)

router = APIRouter(tags=["changes"])

WRITE_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorResponse, "description": "Missing or wrong token"},
    403: {"model": ErrorResponse, "description": "Read-only server (no token configured)"},
}
NO_WATCHLIST: dict[int | str, dict[str, object]] = {404: {"model": ErrorResponse, "description": "No such watchlist"}}

Moment = Annotated[
    str | None,
    Query(max_length=40, description="ISO date (a whole day, UTC) or date-time.", examples=["2026-12-01"]),
]
WatchlistName = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]


@router.get("/changes", summary="What the materialisations changed, newest first")
def changes(
    feed: FeedDep,
    page: FeedPageDep,
    since: Moment = None,
    until: Moment = None,
    controller: Annotated[
        str | None, Query(max_length=1000, description="Only changes naming this controller, before or after.")
    ] = None,
    founded_from: Annotated[date | None, Query(description="Only entities founded on or after (ISO date).")] = None,
    founded_to: Annotated[date | None, Query(description="Only entities founded on or before (ISO date).")] = None,
) -> ChangesResponse:
    return feed.changes(
        since=parse_moment(since, "since"),
        until=parse_moment(until, "until", end_of_day=True),
        controller=controller,
        founded_from=founded_from,
        founded_to=founded_to,
        limit=page.limit,
        before_seq=page.before_seq,
    )


@router.post("/watchlists", summary="Create or replace a watchlist", status_code=201,
             dependencies=[WriteAccess], responses={**WRITE_ERRORS, 404: {"model": ErrorResponse}})
def save_watchlist(body: WatchlistIn, feed: FeedDep) -> WatchlistOut:
    return feed.save_watchlist(body)


@router.get("/watchlists", summary="Every watchlist")
def watchlists(feed: FeedDep) -> WatchlistsResponse:
    return feed.watchlists()


@router.delete("/watchlists/{name}", summary="Delete a watchlist", status_code=204,
               dependencies=[WriteAccess], responses={**WRITE_ERRORS, **NO_WATCHLIST})
def delete_watchlist(name: WatchlistName, feed: FeedDep) -> Response:
    feed.delete_watchlist(name)
    return Response(status_code=204)


@router.get("/watchlists/{name}/alerts",
            summary="Changes that put an entity under a watched one, with proofs (default: since the watch began)",
            responses=NO_WATCHLIST)
def alerts(name: WatchlistName, feed: FeedDep, page: FeedPageDep, since: Moment = None) -> AlertsResponse:
    return feed.alerts(name, since=parse_moment(since, "since"), limit=page.limit,
                       before_seq=page.before_seq)
