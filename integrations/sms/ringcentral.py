"""SMS through RingCentral (`POST …/extension/~/sms`), with the message store as the record of
what went out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from integrations.ringcentral.client import RingCentralClient
from integrations.sms.base import OutboundSms, SentSms

SMS_PATH = "/restapi/v1.0/account/~/extension/~/sms"
MESSAGE_STORE_PATH = "/restapi/v1.0/account/~/extension/~/message-store"


class RingCentralSms:
    def __init__(self, client: RingCentralClient) -> None:
        self._client = client

    def send(self, sms: OutboundSms) -> SentSms:
        record = self._client.request(
            "POST",
            SMS_PATH,
            body={
                "from": {"phoneNumber": sms.from_number},
                "to": [{"phoneNumber": sms.to_number}],
                "text": sms.text,
            },
        )
        return _sent(record)

    def find_sent(self, to_number: str, text: str, since: datetime) -> SentSms | None:
        # The SDK puts query values into the URL unescaped, so the time is written without "+".
        date_from = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        page = self._client.request(
            "GET",
            MESSAGE_STORE_PATH,
            query={
                "direction": "Outbound",
                "messageType": "SMS",
                "dateFrom": date_from,
                "perPage": 250,
            },
        )
        for record in page.get("records", []):
            recipients = {party.get("phoneNumber") for party in record.get("to", [])}
            if to_number in recipients and record.get("subject") == text:
                return _sent(record)
        return None


def _sent(record: dict[str, Any]) -> SentSms:
    created = record.get("creationTime")
    sent_at = (
        datetime.fromisoformat(created.replace("Z", "+00:00")) if created else datetime.now(UTC)
    )
    return SentSms(provider_message_id=str(record["id"]), sent_at=sent_at)
