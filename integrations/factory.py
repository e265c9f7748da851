"""Builds each provider adapter from settings: the real account when credentials are set,
the local sandbox emulator otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from core.settings import Settings
from integrations.sms.base import SmsSender
from integrations.sms.ringcentral import RingCentralSms

# The sandbox emulator accepts exactly these (see sandbox/ringcentral.py).
SANDBOX_RINGCENTRAL_CLIENT_ID = "sandbox-client-id"
SANDBOX_RINGCENTRAL_CLIENT_SECRET = "sandbox-client-secret"  # noqa: S105 - not a secret
SANDBOX_RINGCENTRAL_JWT = "sandbox-jwt"


@dataclass(frozen=True)
class Providers:
    sms: SmsSender


def ringcentral_credentials(settings: Settings) -> tuple[str, str, str, str]:
    """(server url, client id, client secret, jwt) for the real account or the sandbox."""
    if settings.uses_ringcentral_sandbox:
        return (
            settings.sandbox_ringcentral_url,
            SANDBOX_RINGCENTRAL_CLIENT_ID,
            SANDBOX_RINGCENTRAL_CLIENT_SECRET,
            SANDBOX_RINGCENTRAL_JWT,
        )
    assert settings.ringcentral_server_url and settings.ringcentral_client_id
    secret = settings.ringcentral_client_secret
    jwt = settings.ringcentral_jwt
    if secret is None or jwt is None:
        raise ValueError("set TEPPAN_RINGCENTRAL_CLIENT_SECRET and TEPPAN_RINGCENTRAL_JWT")
    return (
        settings.ringcentral_server_url,
        settings.ringcentral_client_id,
        secret.get_secret_value(),
        jwt.get_secret_value(),
    )


def build_providers(settings: Settings) -> Providers:
    server_url, client_id, client_secret, jwt = ringcentral_credentials(settings)
    return Providers(
        sms=RingCentralSms(
            server_url=server_url, client_id=client_id, client_secret=client_secret, jwt=jwt
        )
    )
