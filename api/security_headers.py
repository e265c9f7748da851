"""Security headers on every response of the app: the API, the public pages and the panel.

A pure ASGI middleware: it only adds headers to `http.response.start`, so streamed and
long-polled bodies pass through untouched (Starlette's `BaseHTTPMiddleware` would buffer them).

The Content-Security-Policy allows scripts, styles, images and fetches from our own origin only,
with no inline script or style anywhere: the panel's scripts are files under /admin/static and
the public pages link /public/static/public.css. A response that sets its own policy keeps it
(the Plaid Link page adds Plaid's script and frame, see `policy`). The API's own docs pages
(/docs, /redoc) load Swagger UI and ReDoc from a CDN with an inline start-up script and show no
stored data, so they get a looser policy of their own.

`form-action` is left out on purpose: "Connect Google" posts to the panel, which redirects the
browser to Google's consent page, and browsers apply `form-action` to that redirect too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The sources each directive allows everywhere unless a page asks for more.
BASE_POLICY: Mapping[str, Sequence[str]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "connect-src": ("'self'",),
    "font-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "frame-ancestors": ("'none'",),
}

_CDN = "https://cdn.jsdelivr.net"
_FASTAPI_FAVICON = "https://fastapi.tiangolo.com"


def policy(**extra_sources: Sequence[str]) -> str:
    """The base policy with more sources for some directives (`script_src=[…]` adds to
    `script-src`), written as a header value."""
    directives = {name: list(sources) for name, sources in BASE_POLICY.items()}
    for name, sources in extra_sources.items():
        directive = name.replace("_", "-")
        directives[directive] = [*directives.get(directive, ["'self'"]), *sources]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


DEFAULT_POLICY = policy()
API_DOCS_POLICY = policy(
    script_src=[_CDN, "'unsafe-inline'"],
    style_src=[_CDN, "https://fonts.googleapis.com", "'unsafe-inline'"],
    img_src=[_FASTAPI_FAVICON, _CDN],
    font_src=["https://fonts.gstatic.com"],
    worker_src=["blob:"],
)
#: Paths (exact) that get their own policy instead of the default one.
API_DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """Adds the headers unless the response already has them; HSTS only when `https`."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        common = [
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "strict-origin-when-cross-origin"),
            ("Permissions-Policy", PERMISSIONS_POLICY),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ]
        if https:
            common.append(("Strict-Transport-Security", HSTS))
        self._common = tuple(common)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        content_policy = API_DOCS_POLICY if path in API_DOCS_PATHS else DEFAULT_POLICY

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", content_policy)
                for name, value in self._common:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
