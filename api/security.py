"""Browser-facing protections on every response: the Host allow-list and the security headers.

- **Host allow-list.** A request whose ``Host`` is not one of the allowed names
  is refused (400, ``invalid_host``) before any route runs: a web page cannot
  reach the local API through DNS rebinding (its requests carry the
  attacker's host name).
- **Content-Security-Policy** as a response header on every HTML answer
  (``frame-ancestors 'none'`` always, so no page of the API can be framed);
  a route that sends its own policy (the graph page with its script hashes,
  the API docs) keeps it, with ``frame-ancestors 'none'`` added when missing.
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer`` on
  every answer; ``X-Frame-Options: DENY`` on HTML for older browsers.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FRAME_ANCESTORS = "frame-ancestors 'none'"

# HTML of this server (the explorer at /, pages added later) runs only its own scripts and styles.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " + FRAME_ANCESTORS
)
# Swagger UI and ReDoc set inline styles (ReDoc writes <style> elements) and ReDoc searches in a blob: worker;
# their scripts are still only this server's files.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "worker-src 'self' blob:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; " + FRAME_ANCESTORS
)


def with_frame_ancestors(policy: str) -> str:
    """``policy`` with ``frame-ancestors 'none'`` unless it already says who may frame the page.

    >>> with_frame_ancestors("default-src 'none'")
    "default-src 'none'; frame-ancestors 'none'"
    """
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    if any(d.split()[0].lower() == "frame-ancestors" for d in directives):
        return "; ".join(directives)
    return "; ".join([*directives, FRAME_ANCESTORS])


def host_name(host: str) -> str:
    """The name of a ``Host`` header without its port, lower case (``[::1]:8000`` -> ``::1``).

    >>> host_name("LocalHost:8000"), host_name("[::1]:8000"), host_name("127.0.0.1")
    ('localhost', '::1', '127.0.0.1')
    """
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class SecurityMiddleware:
    """The Host allow-list and the security headers (a pure ASGI middleware: it never buffers bodies)."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str]) -> None:
        self.app = app
        names = {host_name(h) for h in allowed_hosts}
        self.any_host = "*" in names
        self.allowed = frozenset(names - {"*"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if not self.any_host and host_name(Headers(scope=scope).get("host", "")) not in self.allowed:
            response = JSONResponse(
                {"detail": "The Host header names a host this server does not serve.", "code": "invalid_host"},
                status_code=400,
            )
            await response(scope, receive, _secured(send))
            return
        await self.app(scope, receive, _secured(send))


def _secured(send: Send) -> Send:
    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            headers.setdefault("X-Content-Type-Options", "nosniff")
            headers.setdefault("Referrer-Policy", "no-referrer")
            if headers.get("content-type", "").lower().startswith("text/html"):
                policy = headers.get("content-security-policy")
                headers["Content-Security-Policy"] = with_frame_ancestors(policy) if policy else DEFAULT_CSP
                headers.setdefault("X-Frame-Options", "DENY")
        await send(message)

    return send_with_headers
