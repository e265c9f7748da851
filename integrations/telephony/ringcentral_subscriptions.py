"""RingCentral webhook subscriptions: created once, renewed before they expire."""

from __future__ import annotations

from dataclasses import dataclass

from integrations.ringcentral.client import RingCentralClient

SUBSCRIPTION_PATH = "/restapi/v1.0/subscription"
INSTANT_SMS_FILTER = "/restapi/v1.0/account/~/extension/~/message-store/instant?type=SMS"
# Every call of the account (the sandbox also sends its transcript events to this filter).
TELEPHONY_SESSIONS_FILTER = "/restapi/v1.0/account/~/telephony/sessions"
# What Teppan listens to: customers' texts and calls.
WEBHOOK_FILTERS = [INSTANT_SMS_FILTER, TELEPHONY_SESSIONS_FILTER]
# A week: renewing well inside it keeps the webhook alive through a long weekend offline.
EXPIRES_IN_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class SubscriptionInfo:
    id: str
    status: str
    expires_at: str
    renewed: bool


class RingCentralSubscriptions:
    def __init__(self, client: RingCentralClient) -> None:
        self._client = client

    def ensure_sms_subscription(self, address: str, verification_token: str) -> SubscriptionInfo:
        """Renews our inbound-SMS subscription to this address, or creates it (RingCentral then
        checks the address with the Validation-Token handshake)."""
        return self.ensure_subscription(address, verification_token, [INSTANT_SMS_FILTER])

    def ensure_subscription(
        self, address: str, verification_token: str, event_filters: list[str]
    ) -> SubscriptionInfo:
        """Renews a subscription to this address that covers every one of `event_filters`, or
        creates one for exactly them (with the Validation-Token handshake)."""
        if not event_filters:
            raise ValueError("at least one event filter")
        listing = self._client.request("GET", SUBSCRIPTION_PATH)
        for record in listing.get("records", []):
            mode = record.get("deliveryMode", {})
            subscribed = record.get("eventFilters", [])
            if mode.get("address") == address and all(f in subscribed for f in event_filters):
                token = mode.get("verificationToken")
                if record.get("status") == "Active" and token in (None, verification_token):
                    renewed = self._client.request(
                        "POST", f"{SUBSCRIPTION_PATH}/{record['id']}/renew"
                    )
                    return _info(renewed, renewed=True)
                # A blacklisted subscription cannot be revived, nor its token changed: replace it.
                self._client.request("DELETE", f"{SUBSCRIPTION_PATH}/{record['id']}")
        created = self._client.request(
            "POST",
            SUBSCRIPTION_PATH,
            body={
                "eventFilters": list(event_filters),
                "deliveryMode": {
                    "transportType": "WebHook",
                    "address": address,
                    "verificationToken": verification_token,
                },
                "expiresIn": EXPIRES_IN_SECONDS,
            },
        )
        return _info(created, renewed=False)


def _info(record: dict[str, object], *, renewed: bool) -> SubscriptionInfo:
    return SubscriptionInfo(
        id=str(record["id"]),
        status=str(record.get("status", "")),
        expires_at=str(record.get("expirationTime", "")),
        renewed=renewed,
    )
