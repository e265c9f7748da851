"""The admin panel: a server-rendered FastAPI sub-app mounted at /admin by `api.app`."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response

from admin_ui.auth import CsrfFailed, Forbidden, LoginRequired
from admin_ui.routes import (
    api_keys,
    audit,
    bookings,
    calls,
    customers,
    dashboard,
    extensions,
    inbox,
    login,
    message_templates,
    payments,
    payments_bank,
    payments_deposit,
    payments_review,
    quotes,
    reviews,
    reviews_google,
    sandbox_calls,
    sandbox_phone,
    sandbox_social,
    tasks,
    texting,
)
from admin_ui.routes import settings as business_settings
from admin_ui.web import HERE, href, render
from core.db import DATABASE_RETRY_AFTER_SECONDS, DATABASE_UNAVAILABLE, is_database_unavailable
from core.errors import TeppanError
from core.settings import Settings
from domain.accounts.throttle import LoginThrottle

SESSION_COOKIE = "teppan_admin"


def create_admin_app(settings: Settings, engine: Engine) -> FastAPI:
    app = FastAPI(title="Teppan admin", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.engine = engine
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_seconds,
        # Lax, not strict: Google's OAuth consent page sends the browser back to
        # /reviews/google/callback, a cross-site navigation that must carry the session.
        same_site="lax",
        https_only=settings.uses_secure_cookies,
    )
    app.state.login_throttle = LoginThrottle(
        limit=settings.login_failures_per_address,
        window_seconds=settings.login_failure_window_seconds,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    modules = (
        login,
        dashboard,
        customers,
        inbox,
        bookings,
        quotes,
        calls,
        tasks,
        payments_review,
        payments_bank,
        payments,
        payments_deposit,
        reviews_google,
        reviews,
        extensions,
        api_keys,
        audit,
        business_settings,
        sandbox_phone,
        sandbox_social,
        sandbox_calls,
        texting,
        message_templates,
    )
    for module in modules:
        app.include_router(module.router)
    _install_error_pages(app)
    return app


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, _error: LoginRequired) -> Response:
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"error": "log in again"}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(
            href(request, "/login") + "?" + urlencode({"next": target}), status_code=303
        )

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, error: Forbidden) -> Response:
        return _error_page(request, 403, "Not allowed", error.message)

    @app.exception_handler(CsrfFailed)
    async def _csrf_failed(request: Request, _error: CsrfFailed) -> Response:
        return _error_page(
            request,
            403,
            "Form expired or forged",
            "The form's security token is missing or does not match your session, so nothing "
            "was changed. Go back, reload the page and try again.",
        )

    @app.exception_handler(TeppanError)
    async def _teppan_error(request: Request, error: TeppanError) -> Response:
        return _error_page(request, error.status_code, "Something is not right", error.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        title = "Page not found" if error.status_code == 404 else "Request refused"
        return _error_page(request, error.status_code, title, str(error.detail))

    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeoutError)
    async def _database_unavailable(request: Request, error: Exception) -> Response:
        if not is_database_unavailable(error):
            raise error
        # The page's menu reads the database too: render it as for a signed-out visitor.
        request.state.user = None
        page = _error_page(request, 503, "Database unavailable", DATABASE_UNAVAILABLE)
        page.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return page


def _error_page(request: Request, status_code: int, title: str, message: str) -> Response:
    return render(
        request, "error.html", {"title": title, "message": message}, status_code=status_code
    )
