"""The Neo4j Browser guide of ready questions: run `:play http://127.0.0.1:8000/browser-guide` in the Browser."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import HTMLResponse

from ownergraph.api.browser_guide import guide_html

router = APIRouter(tags=["browser"])

# The Browser fetches guides cross-origin from the page it runs in (its own port), with a preflight.
CORS = {"Access-Control-Allow-Origin": "*"}


@router.get("/browser-guide", response_class=HTMLResponse, summary="Neo4j Browser guide (:play this URL)")
def browser_guide(
    entity_id: Annotated[
        str | None,
        Query(alias="id", min_length=1, max_length=1000, description="Only the questions about this entity."),
    ] = None,
) -> HTMLResponse:
    return HTMLResponse(guide_html(entity_id), headers=CORS)


@router.options("/browser-guide", status_code=204, include_in_schema=False)
def browser_guide_preflight(
    request_headers: Annotated[str | None, Header(alias="Access-Control-Request-Headers", max_length=1000)] = None,
) -> Response:
    """The CORS preflight the Browser sends before fetching the guide (it adds its own headers)."""
    headers = {**CORS, "Access-Control-Allow-Methods": "GET, OPTIONS", "Access-Control-Max-Age": "600"}
    if request_headers:
        headers["Access-Control-Allow-Headers"] = request_headers
    return Response(status_code=204, headers=headers)
