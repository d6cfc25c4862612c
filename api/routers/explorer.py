"""The explorer: server-rendered pages (home and search, entity, clusters, changes) and their static files.

The pages hold no data of their own beyond what the URL names: the script
(``static/explorer/explorer.js``) reads every state from the query string and
asks the JSON routes of the API, so a view's URL can be shared and the back
button works. Names are untrusted: the template autoescapes, the script only
ever sets ``textContent``, and the Content-Security-Policy admits our own
script and style files only (no inline script, style or handler).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from importlib.resources import files
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, Template

from ownergraph.api.browser_guide import BROWSER_DIR, split_question
from ownergraph.api.deps import AsOfDep, PageDep, ServiceDep, SettingsDep
from ownergraph.api.routers.entities import NOT_FOUND
from ownergraph.graph.errors import InvalidParameter
from ownergraph.graph.render import explorer_style, script_json
from ownergraph.pagination import encode_cursor

router = APIRouter(tags=["explorer"])

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
MAX_NEIGHBOURS_PAGE = 200

# Our files, and vis-network as pyvis installs it: everything the pages load comes from here.
_STATIC: dict[str, tuple[str, str, str]] = {
    "explorer.js": ("ownergraph.api", "static/explorer/explorer.js", "text/javascript; charset=utf-8"),
    "explorer.css": ("ownergraph.api", "static/explorer/explorer.css", "text/css; charset=utf-8"),
    "favicon.svg": ("ownergraph.api", "static/explorer/favicon.svg", "image/svg+xml"),
    "vis-network.min.js": ("pyvis", "templates/lib/vis-9.1.2/vis-network.min.js", "text/javascript; charset=utf-8"),
    "vis-network.css": ("pyvis", "templates/lib/vis-9.1.2/vis-network.css", "text/css; charset=utf-8"),
}

Side = Literal["up", "down"]


@cache
def _static_text(name: str) -> str:
    package, path, _ = _STATIC[name]
    return files(package).joinpath(path).read_text(encoding="utf-8")


@cache
def _template() -> Template:
    text = files("ownergraph.api").joinpath("templates/explorer.html").read_text(encoding="utf-8")
    return Environment(autoescape=True).from_string(text)


def _page(view: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    # The style is data in a JSON block (never executed): the script draws with the page's own colours.
    body = _template().render(view=view, style_json=script_json(explorer_style()), **context)
    return HTMLResponse(body, status_code=status_code, headers=SECURITY_HEADERS)


def _default_window() -> tuple[str, str]:
    today = date.today()
    return (today - timedelta(days=30)).isoformat(), today.isoformat()


@router.get("/", response_class=HTMLResponse, summary="The explorer: search, then open an entity")
def home(q: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    window = _default_window()
    return _page("home", q=q, clusters_from=window[0], clusters_to=window[1])


@router.get("/explorer/entity", response_class=HTMLResponse, summary="The explorer's view of one entity",
            responses=NOT_FOUND)
def entity_page(
    request: Request,
    service: ServiceDep,
    settings: SettingsDep,
    entity_id: Annotated[str, Query(alias="id", min_length=1, max_length=1000)],
) -> HTMLResponse:
    found = service.repo.entity(entity_id)
    if found is None:
        return _page("missing", status_code=404, entity_id=entity_id)
    return _page("entity", entity=found, browser_query=browser_query(entity_id),
                 browser_link=browser_link(settings.neo4j_browser_url, str(request.base_url), entity_id))


def browser_query(entity_id: str) -> str:
    """The Browser's ready question "who controls" for this entity: the id set as a parameter, never spliced in."""
    _, _, statement = split_question(BROWSER_DIR / "02_ultimate_controller.cypher")
    # A JSON string is a valid Cypher string literal; the ";" lets the Browser run the two one after the other.
    return f":param id => {json.dumps(entity_id, ensure_ascii=False)};\n{statement}"


def browser_link(browser_url: str, api_base: str, entity_id: str) -> str:
    """The Browser with ``:play`` of this server's guide of the questions about the entity in its editor.

    Not ``cmd=play``: the Browser would fetch the guide at once, before it has connected and read the
    server's remote-content allowlist, and answer "No guide by that name". It decodes its whole URL
    once before reading ``arg``, so the guide's URL is encoded twice.
    """
    guide = f"{api_base.rstrip('/')}/browser-guide?{urlencode({'id': entity_id}, quote_via=quote)}"
    return f"{browser_url}?cmd=edit&arg={quote(':play ' + guide, safe='')}"


@router.get("/explorer/clusters", response_class=HTMLResponse, summary="The explorer's clusters of new companies")
def clusters_page() -> HTMLResponse:
    window = _default_window()
    return _page("clusters", clusters_from=window[0], clusters_to=window[1])


@router.get("/explorer/changes", response_class=HTMLResponse, summary="The explorer's change feed and watchlists")
def changes_page() -> HTMLResponse:
    return _page("changes")


@router.get("/explorer/static/{name}", summary="The explorer's script, style and vis-network", include_in_schema=False)
def static(name: str) -> Response:
    if name not in _STATIC:
        return Response(status_code=404)
    return Response(_static_text(name), media_type=_STATIC[name][2],
                    headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})


@router.get("/explorer/search.json", summary="Search results with each entity's materialised control status")
def search_json(
    service: ServiceDep,
    page: PageDep,
    q: Annotated[str, Query(min_length=1, max_length=200)],
) -> dict[str, Any]:
    if not q.strip():
        raise InvalidParameter("q must contain something other than spaces")
    found = service.search(q.strip(), limit=page.limit, offset=page.offset)
    statuses = service.repo.control_statuses_of(r.id for r in found.results)
    body = found.model_dump(mode="json")
    for result in body["results"]:
        result["control_status"] = statuses.get(result["id"])
    return body


@router.get("/explorer/neighbours.json", summary="One page of an entity's direct owners or holdings, as graph edges",
            responses=NOT_FOUND)
def neighbours_json(
    service: ServiceDep,
    as_of: AsOfDep,
    page: PageDep,
    entity_id: Annotated[str, Query(alias="id", min_length=1, max_length=1000)],
    side: Side = "down",
) -> dict[str, Any]:
    """The "+N more" groups of the explorer expand page by page from here (largest stake first)."""
    if page.limit > MAX_NEIGHBOURS_PAGE:
        raise InvalidParameter(f"limit must be at most {MAX_NEIGHBOURS_PAGE} here, not {page.limit}")
    # the entity route pages both lists in the database: this page of the side asked for
    answer = service.entity(entity_id, as_of=as_of, limit=page.limit, offset=page.offset)
    chunk = answer.owners if side == "up" else answer.holdings
    total = answer.owners_total if side == "up" else answer.holdings_total
    end = page.offset + page.limit
    nodes, edges = [], []
    for n in chunk:
        e, s = n.entity, n.stake
        nodes.append({"id": e.id, "name": e.name, "kind": e.kind, "name_en": e.name_en,
                      "jurisdiction": e.jurisdiction, "founded": e.founded.isoformat() if e.founded else None})
        source, target = (e.id, entity_id) if side == "up" else (entity_id, e.id)
        edges.append({"source": source, "target": target, "relation": "OWNS", "share": s.share.exact,
                      "share_min": s.share.minimum, "share_max": s.share.maximum, "share_raw": s.share.raw,
                      "share_derived": s.share.derived, "start": s.start.isoformat() if s.start else None,
                      "end": s.end.isoformat() if s.end else None, "provenance": s.source, "detail": s.detail})
    return {"id": entity_id, "side": side, "as_of": as_of.isoformat(), "total": total, "nodes": nodes,
            "edges": edges, "next_cursor": encode_cursor(end) if end < total else None}

