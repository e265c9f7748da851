"""Builds each provider adapter from settings: the real account when credentials are set,
the local sandbox emulator otherwise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.settings import Settings
from integrations.bank_feed.base import BankFeed
from integrations.bank_feed.plaid_transactions import PlaidBankFeed
from integrations.card_payments.base import CardPayments
from integrations.card_payments.stripe_checkout import StripeCardPayments
from integrations.llm.base import TriageModel
from integrations.llm.openai_messaging import OpenAIMessaging
from integrations.llm.openai_reviews import OpenAIReviewReader
from integrations.llm.openai_triage import OpenAITriage
from integrations.maps.base import MapsProvider
from integrations.maps.google_distance_matrix import GoogleDistanceMatrixMaps
from integrations.maps.google_routes import GoogleRoutesMaps
from integrations.maps.offline_estimate import OfflineEstimateMaps
from integrations.meta.base import DirectMessageSender
from integrations.meta.send_api import MetaSendApi
from integrations.reviews.base import ReviewsProvider
from integrations.reviews.google_business import (
    GoogleBusinessReviews,
    GoogleBusinessUrls,
    GoogleOAuth,
)
from integrations.ringcentral.client import RingCentralClient
from integrations.sms.base import SmsSender
from integrations.sms.ringcentral import RingCentralSms
from integrations.telephony.base import CallControl
from integrations.telephony.ringcentral_call_control import RingCentralCallControl
from integrations.telephony.ringcentral_subscriptions import RingCentralSubscriptions
from integrations.voice.base import VoiceAssistant
from integrations.voice.sandbox_voice import SandboxVoice

# The sandbox emulator accepts exactly these (sandbox/ringcentral.py, which imports nothing of
# ours, keeps its own copy).
SANDBOX_RINGCENTRAL_CLIENT_ID = "sandbox-client-id"
SANDBOX_RINGCENTRAL_CLIENT_SECRET = "sandbox-client-secret"  # noqa: S105 - not a secret
SANDBOX_RINGCENTRAL_JWT = "sandbox-jwt"
SANDBOX_GOOGLE_API_KEY = "AIzaSandbox-teppan-000000000000000000"
SANDBOX_STRIPE_API_KEY = "sk_test_sandbox_teppan"
SANDBOX_PLAID_CLIENT_ID = "sandbox-plaid-client"
SANDBOX_PLAID_SECRET = "sandbox-plaid-secret"  # noqa: S105 - not a secret
SANDBOX_GOOGLE_BUSINESS_CLIENT_ID = "sandbox-gbp-client.apps.googleusercontent.com"
SANDBOX_GOOGLE_BUSINESS_CLIENT_SECRET = "GOCSPX-sandbox-teppan-gbp-secret"  # noqa: S105 - not a secret
SANDBOX_META_PAGE_ACCESS_TOKEN = "sandbox-meta-page-token"  # noqa: S105 - not a secret


@dataclass(frozen=True)
class Providers:
    sms: SmsSender
    maps: MapsProvider | None  # Google (or its emulator); None: estimate only
    maps_estimate: MapsProvider
    call_control: CallControl
    voice: VoiceAssistant
    card_payments: CardPayments
    bank_feed: BankFeed
    # Messenger and Instagram (Meta's Send API, or its emulator); None: not wired.
    direct_messages: DirectMessageSender | None = None


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


def google_maps(settings: Settings) -> MapsProvider:
    """Distance Matrix or Routes, as settings choose; the emulator when no key is set."""
    if settings.uses_google_sandbox:
        key = SANDBOX_GOOGLE_API_KEY
        maps_url: str | None = settings.sandbox_google_url
        routes_url: str | None = settings.sandbox_google_url
    else:
        assert settings.google_maps_api_key is not None
        key = settings.google_maps_api_key.get_secret_value()
        maps_url, routes_url = settings.google_maps_base_url, settings.google_routes_base_url
    timeout = settings.provider_timeout_seconds
    if settings.maps_provider == "routes":
        return GoogleRoutesMaps(key, routes_url, maps_url, timeout)
    return GoogleDistanceMatrixMaps(key, maps_url, timeout)


def triage_model(settings: Settings) -> TriageModel | None:
    """OpenAI when a key is set; None lets the built-in classifier decide every call."""
    if settings.openai_api_key is None:
        return None
    return OpenAITriage(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        timeout=settings.triage_timeout_seconds,
    )


def review_reader(settings: Settings) -> OpenAIReviewReader | None:
    """OpenAI reads reviews when a key is set; None leaves it to the built-in scorer."""
    if settings.openai_api_key is None:
        return None
    return OpenAIReviewReader(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        timeout=settings.triage_timeout_seconds,
    )


def reply_model(settings: Settings) -> OpenAIMessaging | None:
    """OpenAI answers customers' messages when a key is set; None leaves it to the built-in
    replies (FAQ, quote link, booking look-up)."""
    if settings.openai_api_key is None:
        return None
    return OpenAIMessaging(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        timeout=settings.triage_timeout_seconds,
    )


def voice_assistant(settings: Settings) -> VoiceAssistant:
    """Speech to callers. Only the sandbox's exists: a production media-stream or text-to-speech
    vendor is not built yet, so a live RingCentral account still speaks through the sandbox."""
    return SandboxVoice(settings.sandbox_ringcentral_url, settings.provider_timeout_seconds)


def card_payments(settings: Settings) -> CardPayments:
    """Stripe with the configured key, or the Stripe emulator."""
    if settings.uses_stripe_sandbox:
        return StripeCardPayments(
            SANDBOX_STRIPE_API_KEY, settings.sandbox_stripe_url, settings.provider_timeout_seconds
        )
    assert settings.stripe_api_key is not None
    return StripeCardPayments(
        settings.stripe_api_key.get_secret_value(),
        settings.stripe_base_url,
        settings.provider_timeout_seconds,
    )


def bank_feed(settings: Settings) -> PlaidBankFeed:
    """Plaid with the configured keys, or the Plaid emulator."""
    if settings.uses_plaid_sandbox:
        client_id, secret = SANDBOX_PLAID_CLIENT_ID, SANDBOX_PLAID_SECRET
        url = settings.sandbox_plaid_url
    else:
        assert settings.plaid_client_id is not None and settings.plaid_secret is not None
        client_id, secret = settings.plaid_client_id, settings.plaid_secret.get_secret_value()
        url = settings.plaid_base_url
    return PlaidBankFeed(client_id, secret, url, settings.provider_timeout_seconds)


def google_oauth(settings: Settings) -> GoogleOAuth:
    """Google's OAuth for Business Profile, or the emulator's."""
    timeout = settings.provider_timeout_seconds
    if settings.uses_google_business_sandbox:
        base = settings.sandbox_google_business_url
        return GoogleOAuth(
            SANDBOX_GOOGLE_BUSINESS_CLIENT_ID,
            SANDBOX_GOOGLE_BUSINESS_CLIENT_SECRET,
            auth_base_url=base,
            token_url=f"{base}/token",
            timeout=timeout,
        )
    assert settings.google_business_client_id and settings.google_business_client_secret
    return GoogleOAuth(
        settings.google_business_client_id,
        settings.google_business_client_secret.get_secret_value(),
        timeout=timeout,
    )


def google_reviews(settings: Settings, refresh_token: str) -> GoogleBusinessReviews:
    urls = (
        GoogleBusinessUrls.sandbox(settings.sandbox_google_business_url)
        if settings.uses_google_business_sandbox
        else GoogleBusinessUrls.production()
    )
    return GoogleBusinessReviews(
        google_oauth(settings), refresh_token, urls, settings.provider_timeout_seconds
    )


def reviews_provider_factory(settings: Settings) -> Callable[[str], ReviewsProvider]:
    def build(refresh_token: str) -> ReviewsProvider:
        return google_reviews(settings, refresh_token)

    return build


def direct_messages(settings: Settings) -> MetaSendApi:
    """Meta's Send API with the Page access token, or the Meta emulator."""
    timeout = settings.provider_timeout_seconds
    version = settings.meta_graph_version
    if settings.meta_page_access_token is None:
        return MetaSendApi(
            SANDBOX_META_PAGE_ACCESS_TOKEN, settings.sandbox_meta_url, version, timeout
        )
    return MetaSendApi(
        settings.meta_page_access_token.get_secret_value(),
        settings.meta_graph_base_url,
        version,
        timeout,
    )


def build_providers(settings: Settings) -> Providers:
    ringcentral = ringcentral_client(settings)
    return Providers(
        sms=RingCentralSms(ringcentral),
        maps=google_maps(settings),
        maps_estimate=OfflineEstimateMaps(),
        call_control=RingCentralCallControl(ringcentral),
        voice=voice_assistant(settings),
        card_payments=card_payments(settings),
        bank_feed=bank_feed(settings),
        direct_messages=direct_messages(settings),
    )
