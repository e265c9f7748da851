"""`teppan sandbox`: every provider emulator on its loopback port, in one process."""

from __future__ import annotations

import asyncio

import uvicorn

from core.settings import Settings
from sandbox.google_business import GoogleBusinessState, create_google_business_emulator
from sandbox.google_maps import create_google_maps_emulator
from sandbox.meta import MetaState, create_meta_emulator
from sandbox.openai import create_openai_emulator
from sandbox.plaid import PlaidState, create_plaid_emulator
from sandbox.ringcentral import RingCentralState, create_ringcentral_emulator
from sandbox.stripe import StripeState, create_stripe_emulator


def serve_sandbox(settings: Settings) -> None:
    emulators = [
        (
            create_ringcentral_emulator(
                RingCentralState(business_number=settings.business_sms_number)
            ),
            settings.sandbox_ringcentral_port,
        ),
        (create_google_maps_emulator(), settings.sandbox_google_port),
        # Used only when TEPPAN_OPENAI_API_KEY points triage at it (see the README).
        (create_openai_emulator(), settings.sandbox_openai_port),
        (
            create_stripe_emulator(
                StripeState(webhook_url=f"{settings.public_base_url}/webhooks/stripe")
            ),
            settings.sandbox_stripe_port,
        ),
        (create_plaid_emulator(PlaidState()), settings.sandbox_plaid_port),
        (
            create_google_business_emulator(GoogleBusinessState()),
            settings.sandbox_google_business_port,
        ),
        (
            create_meta_emulator(
                MetaState(
                    app_secret=settings.meta_app_secret.get_secret_value(),
                    webhook_url=f"{settings.public_base_url}/webhooks/meta",
                )
            ),
            settings.sandbox_meta_port,
        ),
    ]
    servers = [
        uvicorn.Server(
            uvicorn.Config(app, host=settings.sandbox_host, port=port, log_level="warning")
        )
        for app, port in emulators
    ]
    asyncio.run(_serve_all(servers))


async def _serve_all(servers: list[uvicorn.Server]) -> None:
    await asyncio.gather(*(server.serve() for server in servers))
