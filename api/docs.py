"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) from assets installed with the package: no CDN.

The Swagger UI and ReDoc bundles come from the pinned ``fastapi-offline``
package (its ``static`` folder, the upstream npm distribution files); the two
small start-up scripts are this package's own (``static/docs``), so the pages
hold no inline script and run under a Content-Security-Policy that allows
only scripts from this server.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Path, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape

from ownergraph.api.security import DOCS_CSP

ASSET_PREFIX = "/docs-assets"
AssetName = Literal[
    "swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png", "swagger-init.js", "redoc-init.js"
]
_MEDIA = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png"}


@cache
def _asset(name: str) -> bytes:
    """The file's bytes, read once per process (a few fixed names: the cache stays small)."""
    if name.endswith("-init.js"):
        return (files("ownergraph.api") / "static" / "docs" / name).read_bytes()
    return (files("fastapi_offline") / "static" / name).read_bytes()


def _page(title: str, body: str, head: str = "") -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{escape(title)}</title>\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<link rel=\"icon\" type=\"image/png\" href=\"{ASSET_PREFIX}/favicon.png\">\n{head}</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )


def docs_router(app: FastAPI) -> APIRouter:
    """The two documentation pages and their assets, for ``app`` (created with ``docs_url=None, redoc_url=None``)."""
    router = APIRouter(include_in_schema=False)

    def openapi_url(request: Request) -> str:
        return f"{request.scope.get('root_path', '')}{app.openapi_url}"

    @router.get("/docs")
    async def swagger_ui(request: Request) -> HTMLResponse:
        page = _page(
            f"{app.title} - Swagger UI",
            f"<div id=\"swagger-ui\" data-openapi=\"{escape(openapi_url(request))}\"></div>\n"
            f"<script src=\"{ASSET_PREFIX}/swagger-ui-bundle.js\"></script>\n"
            f"<script src=\"{ASSET_PREFIX}/swagger-init.js\"></script>\n",
            head=f"<link rel=\"stylesheet\" href=\"{ASSET_PREFIX}/swagger-ui.css\">\n",
        )
        return HTMLResponse(page, headers={"Content-Security-Policy": DOCS_CSP})

    @router.get("/redoc")
    async def redoc(request: Request) -> HTMLResponse:
        page = _page(
            f"{app.title} - ReDoc",
            f"<div id=\"redoc\" data-openapi=\"{escape(openapi_url(request))}\"></div>\n"
            f"<script src=\"{ASSET_PREFIX}/redoc.standalone.js\"></script>\n"
            f"<script src=\"{ASSET_PREFIX}/redoc-init.js\"></script>\n",
        )
        return HTMLResponse(page, headers={"Content-Security-Policy": DOCS_CSP})

    @router.get(ASSET_PREFIX + "/{name}")
    async def asset(name: Annotated[AssetName, Path()]) -> Response:
        suffix = name[name.rfind("."):]
        # The bundles change only with the package version: a day's caching spares the reloads.
        return Response(_asset(name), media_type=_MEDIA[suffix],
                        headers={"Cache-Control": "public, max-age=86400"})

    return router
