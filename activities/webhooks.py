"""Keeping provider webhook subscriptions alive (RingCentral's expire, and a blacklisted one
must be replaced)."""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import activity

from activities.errors import rejected, retryable
from integrations.errors import ProviderRejectedError, ProviderTransientError
from integrations.telephony.ringcentral_subscriptions import (
    WEBHOOK_FILTERS,
    RingCentralSubscriptions,
)


class RenewedSubscription(BaseModel):
    subscription_id: str
    status: str
    expires_at: str
    renewed: bool


class WebhookActivities:
    def __init__(
        self, subscriptions: RingCentralSubscriptions, address: str, verification_token: str
    ) -> None:
        self._subscriptions = subscriptions
        self._address = address
        self._token = verification_token

    @activity.defn
    def renew_ringcentral_subscription(self) -> RenewedSubscription:
        try:
            info = self._subscriptions.ensure_subscription(
                self._address, self._token, WEBHOOK_FILTERS
            )
        except ProviderTransientError as error:
            raise retryable(error) from error
        except ProviderRejectedError as error:
            raise rejected(error) from error
        return RenewedSubscription(
            subscription_id=info.id,
            status=info.status,
            expires_at=info.expires_at,
            renewed=info.renewed,
        )
