"""SMS through RingCentral (`POST …/extension/~/sms`), with the message store as the record of
what went out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from integrations.errors import ProviderTransientError
from integrations.ringcentral.client import PROVIDER, RingCentralClient
from integrations.sms.base import OutboundSms, SentSms

SMS_PATH = "/restapi/v1.0/account/~/extension/~/sms"
MESSAGE_STORE_PATH = "/restapi/v1.0/account/~/extension/~/message-store"
PER_PAGE = 250
MAX_PAGES = 40


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
        # Every page since then: a busy hour sends more than one page, and a text missed here
        # is sent a second time.
        for page_number in range(1, MAX_PAGES + 1):
            page = self._client.request(
                "GET",
                MESSAGE_STORE_PATH,
                query={
                    "direction": "Outbound",
                    "messageType": "SMS",
                    "dateFrom": date_from,
                    "perPage": PER_PAGE,
                    "page": page_number,
                },
            )
            records = page.get("records", [])
            for record in records:
                recipients = {party.get("phoneNumber") for party in record.get("to", [])}
                if to_number in recipients and record.get("subject") == text:
                    return _sent(record)
            if len(records) < PER_PAGE:
                return None
        # Not knowing is not "not sent": the retry waits rather than risk a second text.
        raise ProviderTransientError(
            PROVIDER, f"more than {MAX_PAGES * PER_PAGE} texts since {date_from} to search"
        )


def _sent(record: dict[str, Any]) -> SentSms:
    created = record.get("creationTime")
    sent_at = (
        datetime.fromisoformat(created.replace("Z", "+00:00")) if created else datetime.now(UTC)
    )
    return SentSms(provider_message_id=str(record["id"]), sent_at=sent_at)
