"""Typed settings from environment variables and `.env`.

Every provider credential is optional: with none set, the adapter talks to its sandbox
emulator on loopback. Secrets are `SecretStr` so they never print by accident.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / ".data"

Environment = Literal["development", "test", "production"]

_DEVELOPMENT_SECRET = "dev-only-secret-change-me"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TEPPAN_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    environment: Environment = "development"
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""
    secret_key: SecretStr = SecretStr(_DEVELOPMENT_SECRET)
    # Encrypts provider secrets stored in the database; derived from secret_key when unset.
    encryption_key: SecretStr | None = None
    log_level: str = "INFO"

    # HTTP
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"

    # Temporal: the same code runs on the embedded dev server, a cluster or Temporal Cloud.
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_task_queue: str = "teppan"
    temporal_tls: bool = False
    temporal_api_key: SecretStr | None = None
    temporal_ui_url: str = "http://127.0.0.1:8233"

    # Webhook inbox forwarding
    inbox_forward_interval_seconds: float = 2.0

    # Every provider call gives up after this; the activity's retry policy takes over.
    provider_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    # Sandbox emulators (used for every provider without credentials)
    sandbox_host: str = "127.0.0.1"
    sandbox_ringcentral_port: int = 8101
    sandbox_google_port: int = 8102
    sandbox_openai_port: int = 8103
    sandbox_stripe_port: int = 8104
    sandbox_plaid_port: int = 8105
    sandbox_google_business_port: int = 8106
    sandbox_meta_port: int = 8107

    # RingCentral
    ringcentral_server_url: str | None = None
    ringcentral_client_id: str | None = None
    ringcentral_client_secret: SecretStr | None = None
    ringcentral_jwt: SecretStr | None = None
    ringcentral_webhook_token: SecretStr = SecretStr("sandbox-verification-token")
    business_sms_number: str = "+15105550100"

    # Google Maps: geocoding plus driving distance for travel fees. Distance Matrix (legacy, through
    # `googlemaps`) or Routes computeRouteMatrix (over httpx); an offline ZIP estimate otherwise.
    google_maps_api_key: SecretStr | None = None
    google_maps_base_url: str | None = None  # default: Google's own
    google_routes_base_url: str | None = None
    maps_provider: Literal["distance_matrix", "routes"] = "distance_matrix"

    # OpenAI for call triage; without a key (or when it fails) the built-in classifier decides.
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    triage_timeout_seconds: float = Field(default=3.0, gt=0, le=30)

    # Calls
    call_ring_timeout_seconds: int = Field(default=20, ge=5, le=120)
    call_silence_timeout_seconds: int = Field(default=15, ge=5, le=120)
    call_max_assistant_turns: int = Field(default=3, ge=1, le=10)
    # RingCentral webhook subscriptions last a week; renew well within it.
    webhook_renewal_hours: int = Field(default=24, ge=1, le=24 * 6)

    # Stripe deposits: without a key the sandbox emulator takes the payments.
    stripe_api_key: SecretStr | None = None
    stripe_base_url: str | None = None  # default: Stripe's own
    stripe_webhook_secret: SecretStr = SecretStr("whsec_sandbox_teppan")
    deposit_percent: int = Field(default=25, ge=0, le=100)

    # Plaid bank sync: without credentials the sandbox emulator is the bank.
    plaid_client_id: str | None = None
    plaid_secret: SecretStr | None = None
    plaid_base_url: str = "https://production.plaid.com"
    bank_sync_interval_minutes: int = Field(default=60, ge=5, le=24 * 60)

    # Payment matching: auto-apply above the threshold with a clear margin, else review.
    payment_auto_threshold: float = Field(default=0.90, gt=0, le=1)
    payment_min_margin: float = Field(default=0.15, ge=0, le=1)
    payment_review_reminder_hours: int = Field(default=24, ge=1, le=24 * 14)

    # Google Business Profile reviews: without OAuth client credentials, the sandbox emulator.
    google_business_client_id: str | None = None
    google_business_client_secret: SecretStr | None = None
    review_sync_interval_minutes: int = Field(default=60, ge=5, le=24 * 60)
    review_auto_reply: bool = True  # 4 and 5 stars answered without a person
    review_auto_reply_delay_minutes: int = Field(default=30, ge=0, le=7 * 24 * 60)
    review_make_good_percent: int = Field(default=10, ge=0, le=100)

    # Meta (Messenger and Instagram DMs): without a page token, the sandbox emulator.
    meta_page_access_token: SecretStr | None = None
    meta_graph_base_url: str | None = None  # default: https://graph.facebook.com
    meta_graph_version: str = "v21.0"
    meta_app_secret: SecretStr = SecretStr("sandbox-meta-app-secret")
    meta_verify_token: SecretStr = SecretStr("sandbox-meta-verify-token")

    # Conversations: a burst of messages inside this many seconds is answered as one turn.
    conversation_burst_seconds: int = Field(default=20, ge=0, le=600)

    # Demo business defaults (the seeded business; editable in the admin panel)
    business_name: str = "Fremont Hibachi Co."
    business_timezone: str = "America/Los_Angeles"

    # First login of a fresh install; change it in the panel
    admin_email: str = "owner@example.com"
    admin_password: SecretStr = SecretStr("teppan-owner")

    session_max_age_seconds: int = Field(default=12 * 3600, ge=60)
    # The panel's session cookie is sent over HTTPS only (Secure); unset: when the public
    # base URL is https.
    secure_cookies: bool | None = None
    # Failed logins (panel form and the API's HTTP Basic) one client address may make per
    # window before it is refused with 429, on top of each account's own lockout.
    login_failures_per_address: int = Field(default=10, ge=1)
    login_failure_window_seconds: int = Field(default=15 * 60, ge=1)

    @model_validator(mode="after")
    def _refuse_development_secrets_in_production(self) -> Settings:
        if self.environment == "production":
            if self.secret_key.get_secret_value() == _DEVELOPMENT_SECRET:
                raise ValueError("TEPPAN_SECRET_KEY must be set in production")
            if self.uses_ringcentral_sandbox:
                raise ValueError("RingCentral credentials must be set in production")
        return self

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'teppan.db'}"

    @property
    def serves_https(self) -> bool:
        return self.public_base_url.lower().startswith("https://")

    @property
    def uses_secure_cookies(self) -> bool:
        return self.serves_https if self.secure_cookies is None else self.secure_cookies

    @property
    def uses_ringcentral_sandbox(self) -> bool:
        return self.ringcentral_server_url is None or self.ringcentral_client_id is None

    @property
    def uses_google_sandbox(self) -> bool:
        return self.google_maps_api_key is None

    @property
    def sandbox_google_url(self) -> str:
        return f"http://{self.sandbox_host}:{self.sandbox_google_port}"

    @property
    def uses_stripe_sandbox(self) -> bool:
        return self.stripe_api_key is None

    @property
    def uses_plaid_sandbox(self) -> bool:
        return self.plaid_client_id is None or self.plaid_secret is None

    @property
    def uses_google_business_sandbox(self) -> bool:
        return self.google_business_client_id is None or self.google_business_client_secret is None

    @property
    def sandbox_google_business_url(self) -> str:
        return f"http://{self.sandbox_host}:{self.sandbox_google_business_port}"

    @property
    def sandbox_stripe_url(self) -> str:
        return f"http://{self.sandbox_host}:{self.sandbox_stripe_port}"

    @property
    def sandbox_plaid_url(self) -> str:
        return f"http://{self.sandbox_host}:{self.sandbox_plaid_port}"

    @property
    def sandbox_ringcentral_url(self) -> str:
        return f"http://{self.sandbox_host}:{self.sandbox_ringcentral_port}"

    @property
    def sandbox_meta_url(self) -> str:
        return f"http://{self.sandbox_host}:{self.sandbox_meta_port}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
