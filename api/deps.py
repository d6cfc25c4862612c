"""Dependencies shared by the routers (``Annotated`` aliases, as in yente).

Every dependency here is ``async def``: none does I/O, and FastAPI runs a sync
dependency on the thread pool, one hop per dependency and request.
"""

from __future__ import annotations

import hmac
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request

from ownergraph.api.errors import ApiError
from ownergraph.api.settings import ApiSettings
from ownergraph.feed import ChangeFeed
from ownergraph.graph.params import (
    DEFAULT_RELATIVE_THRESHOLD,
    DEFAULT_RULESET,
    DEFAULT_THRESHOLD,
    ControlParams,
    Ruleset,
)
from ownergraph.pagination import Page, decode_after, decode_cursor
from ownergraph.queries.repository import Repository
from ownergraph.service import OwnershipService

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
MAX_DEPTH = 10


async def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


async def get_repository(request: Request) -> Repository:
    # A Repository is a thin view over the shared driver: cheap per request, no state to go stale.
    return Repository(request.app.state.driver, request.app.state.settings.neo4j.database)


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
RepositoryDep = Annotated[Repository, Depends(get_repository)]


async def get_service(repo: RepositoryDep, settings: SettingsDep) -> OwnershipService:
    return OwnershipService(repo, node_budget=settings.graph_node_budget)


def apply_schema_once(state: Any, repo: Repository) -> None:
    """Apply the schema the first time the database answers (start-up, or the first /readyz after an outage).

    Idempotent on the server side too (IF NOT EXISTS), so a race between two
    requests costs a few no-op statements, nothing more.
    """
    if getattr(state, "schema_applied", False):
        return
    repo.apply_schema()
    state.schema_applied = True


ServiceDep = Annotated[OwnershipService, Depends(get_service)]


async def get_feed(repo: RepositoryDep) -> ChangeFeed:
    return ChangeFeed(repo)


FeedDep = Annotated[ChangeFeed, Depends(get_feed)]


async def _as_of(
    as_of: Annotated[
        date | None,
        Query(description="The view at this date (ISO 8601, e.g. 2024-06-30); default today.", examples=["2024-06-30"]),
    ] = None,
) -> date:
    return as_of if as_of is not None else date.today()


AsOfDep = Annotated[date, Depends(_as_of)]

RulesetQuery = Annotated[
    Ruleset, Query(description="`majority` (control = more than `threshold` of the votes) or `relative`.")
]
ThresholdQuery = Annotated[
    float, Query(ge=0.0, le=1.0, allow_inf_nan=False, description="Majority threshold t, a fraction 0..1.")
]
RelativeThresholdQuery = Annotated[
    float,
    Query(ge=0.0, le=1.0, allow_inf_nan=False, description="Relative ruleset threshold t_rel, a fraction 0..1."),
]


async def _control_params(
    as_of: AsOfDep,
    ruleset: RulesetQuery = DEFAULT_RULESET,
    threshold: ThresholdQuery = DEFAULT_THRESHOLD,
    relative_threshold: RelativeThresholdQuery = DEFAULT_RELATIVE_THRESHOLD,
) -> ControlParams:
    return ControlParams(as_of, ruleset, threshold, relative_threshold)


async def _beneficial_control_params(
    as_of: AsOfDep,
    ruleset: RulesetQuery = DEFAULT_RULESET,
    control_threshold: ThresholdQuery = DEFAULT_THRESHOLD,
    relative_threshold: RelativeThresholdQuery = DEFAULT_RELATIVE_THRESHOLD,
) -> ControlParams:
    # ``threshold`` is the beneficial-ownership threshold on this route; control's is ``control_threshold``.
    return ControlParams(as_of, ruleset, control_threshold, relative_threshold)


ControlParamsDep = Annotated[ControlParams, Depends(_control_params)]
BeneficialControlParamsDep = Annotated[ControlParams, Depends(_beneficial_control_params)]


# -- pagination ---------------------------------------------------------------


async def _page(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1..1000).")] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(max_length=64, description="`next_cursor` of the previous page; omit for the first page.")
    ] = None,
) -> Page:
    return Page(limit, decode_cursor(cursor) if cursor else 0)


PageDep = Annotated[Page, Depends(_page)]


class FeedPage:
    """``limit`` and the sequence number a feed's ``cursor`` names (None: from the newest)."""

    def __init__(self, limit: int, before_seq: int | None) -> None:
        self.limit = limit
        self.before_seq = before_seq


async def _feed_page(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1..1000).")] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(max_length=64, description="`next_cursor` of the previous page; omit for the newest.")
    ] = None,
) -> FeedPage:
    return FeedPage(limit, decode_after(cursor) if cursor else None)


FeedPageDep = Annotated[FeedPage, Depends(_feed_page)]


# -- writes -------------------------------------------------------------------


async def require_token(
    settings: SettingsDep,
    authorization: Annotated[str | None, Header(description="`Bearer <OWNERGRAPH_API_TOKEN>`")] = None,
) -> None:
    """Write routes: 403 when the server has no token (read-only), 401 on a missing or wrong token."""
    if settings.api_token is None:
        raise ApiError(403, "read_only", "This server is read-only: no OWNERGRAPH_API_TOKEN is configured.")
    scheme, _, given = (authorization or "").partition(" ")
    expected = settings.api_token.get_secret_value()
    # compare_digest: the time taken does not reveal how much of the token matched
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise ApiError(
            401, "unauthorized", "A valid `Authorization: Bearer <token>` header is required.",
            headers={"WWW-Authenticate": "Bearer"},
        )


WriteAccess = Depends(require_token)
