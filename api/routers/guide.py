"""The Neo4j Browser guide of ready questions: run `:play http://127.0.0.1:8000/browser-guide` in the Browser."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from ownergraph.api.browser_guide import guide_html

router = APIRouter(tags=["browser"])


@router.get("/browser-guide", response_class=HTMLResponse, summary="Neo4j Browser guide (:play this URL)")
def browser_guide() -> HTMLResponse:
    # The Browser fetches guides cross-origin from the page it runs in.
    return HTMLResponse(guide_html(), headers={"Access-Control-Allow-Origin": "*"})
