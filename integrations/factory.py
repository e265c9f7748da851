"""Builds each provider adapter from settings: the real account when credentials are set,
the local sandbox emulator otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from core.settings import Settings
from integrations.ringcentral.client import RingCentralClient
from integrations.sms.base import SmsSender
from integrations.sms.ringcentral import RingCentralSms
from integrations.telephony.ringcentral_subscriptions import RingCentralSubscriptions

# The sandbox emulator accepts exactly these (sandbox/ringcentral.py, which imports nothing of
# ours, keeps its own copy).
SANDBOX_RINGCENTRAL_CLIENT_ID = "sandbox-client-id"
SANDBOX_RINGCENTRAL_CLIENT_SECRET = "sandbox-client-secret"  # noqa: S105 - not a secret
SANDBOX_RINGCENTRAL_JWT = "sandbox-jwt"


@dataclass(frozen=True)
class Providers:
    sms: SmsSender


def ringcentral_client(settings: Settings) -> RingCentralClient:
    """The real account, or the sandbox emulator when no credentials are set."""
    if settings.uses_ringcentral_sandbox:
        return RingCentralClient(
            server_url=settings.sandbox_ringcentral_url,
            client_id=SANDBOX_RINGCENTRAL_CLIENT_ID,
            client_secret=SANDBOX_RINGCENTRAL_CLIENT_SECRET,
            jwt=SANDBOX_RINGCENTRAL_JWT,
            timeout=settings.provider_timeout_seconds,
        )
    secret, jwt = settings.ringcentral_client_secret, settings.ringcentral_jwt
    if secret is None or jwt is None:
        raise ValueError("set TEPPAN_RINGCENTRAL_CLIENT_SECRET and TEPPAN_RINGCENTRAL_JWT")
    assert settings.ringcentral_server_url and settings.ringcentral_client_id
    return RingCentralClient(
        server_url=settings.ringcentral_server_url,
        client_id=settings.ringcentral_client_id,
        client_secret=secret.get_secret_value(),
        jwt=jwt.get_secret_value(),
        timeout=settings.provider_timeout_seconds,
    )


def ringcentral_subscriptions(settings: Settings) -> RingCentralSubscriptions:
    return RingCentralSubscriptions(ringcentral_client(settings))


def build_providers(settings: Settings) -> Providers:
    return Providers(sms=RingCentralSms(ringcentral_client(settings)))
