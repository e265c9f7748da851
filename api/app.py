"""The FastAPI application: REST API under /api/v1, webhooks, health, and the admin panel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

import domain.all_models  # noqa: F401 - foreign keys resolve by table name: load every table
from api.errors import install_error_handlers
from api.public import PUBLIC_STATIC, deposit_page, quote_page
from api.routes import bookings, customers, extensions, health, quotes
from api.security_headers import SecurityHeaders
from api.webhooks import meta as meta_webhook
from api.webhooks import ringcentral as ringcentral_webhook
from api.webhooks import stripe as stripe_webhook
from api.webhooks.forwarder import InboxForwarder
from core.db import make_engine
from core.settings import Settings, get_settings
from core.temporal import TemporalGateway


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.effective_database_url)

    gateway = TemporalGateway(settings)
    forwarder = InboxForwarder(engine, gateway, settings.temporal_task_queue)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Events accepted while Temporal was down (or before a restart) are delivered here.
        task = asyncio.create_task(
            forwarder.run_forever(settings.inbox_forward_interval_seconds),
            name="inbox-forwarder",
        )
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    app = FastAPI(
        title="Teppan",
        version="0.1.0",
        description="Back office for mobile hibachi caterers.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.temporal = gateway
    app.state.forwarder = forwarder
    # Around the routes and the mounted panel: their pages and handled errors get them too.
    app.add_middleware(SecurityHeaders, https=settings.serves_https)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(customers.router, prefix="/api/v1")
    app.include_router(bookings.router, prefix="/api/v1")
    app.include_router(quotes.router, prefix="/api/v1")
    app.include_router(extensions.router, prefix="/api/v1")
    app.include_router(ringcentral_webhook.router)
    app.include_router(stripe_webhook.router)
    app.include_router(meta_webhook.router)
    app.include_router(quote_page.router)
    app.include_router(deposit_page.router)
    app.mount("/public/static", StaticFiles(directory=PUBLIC_STATIC), name="public_static")

    from admin_ui.app import create_admin_app

    admin = create_admin_app(settings, engine)
    # The panel starts and signals workflows too (a new quote, a cancelled one).
    admin.state.temporal = gateway
    admin.state.forwarder = forwarder
    # One count of failed logins for the panel's form and the API's HTTP Basic.
    app.state.login_throttle = admin.state.login_throttle
    app.mount("/admin", admin, name="admin")
    return app
