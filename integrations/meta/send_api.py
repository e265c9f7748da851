"""Messenger and Instagram direct messages through Meta's Graph API, over httpx.

Both go through the Facebook Page: `POST /{version}/me/messages` with the Page access token,
`{"recipient": {"id": PSID or IGSID}, "messaging_type": "RESPONSE", "message": {"text": …}}`, or
`"messaging_type": "MESSAGE_TAG"` with a `"tag"` outside the standard window. The token travels
in the Authorization header, which Graph accepts like the `access_token` parameter, so it stays
out of URLs and the logs that print them.

Graph answers errors as `{"error": {message, type, code, error_subcode, fbtrace_id}}`, mostly
with HTTP 400 whatever went wrong: the code decides. Throttling is codes 4, 17, 32, 613 and the
business-use-case range 80000-80014; Meta rarely sends Retry-After, but its
`X-Business-Use-Case-Usage` header says when access comes back. The Send API takes no
idempotency key: `find_sent` reads the conversation (Conversations API) instead.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from integrations.errors import ProviderError, ProviderRejectedError, ProviderTransientError
from integrations.meta.base import (
    OutboundDirectMessage,
    OutsideMessagingWindow,
    Platform,
    SentDirectMessage,
)

PROVIDER = "meta"
DEFAULT_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_GRAPH_VERSION = "v21.0"
MAX_TEXT_CHARS = 2000  # Messenger's limit for a text message (Instagram allows 1000 bytes)

# Graph's temporary failures: unknown (1), service (2), throttling (4 app, 17 user, 32 page,
# 613 custom), application limit (341), Send API temporary failure (1200).
TRANSIENT_CODES = frozenset({1, 2, 4, 17, 32, 341, 613, 1200})
BUSINESS_USE_CASE_THROTTLING = range(80000, 80015)
# Permission errors (code 10) that mean the customer's window has closed.
WINDOW_SUBCODES = frozenset({2018278, 2018065, 2534022})
PERMISSION_DENIED = 10

_GRAPH_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"  # "2024-05-01T18:32:35+0000"


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After when given; else the longest `estimated_time_to_regain_access` (minutes) in
    `X-Business-Use-Case-Usage`."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    if value:
        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            pass
    usage = response.headers.get("X-Business-Use-Case-Usage")
    if not usage:
        return None
    try:
        parsed = json.loads(usage)
    except ValueError:
        return None
    minutes = [
        float(item.get("estimated_time_to_regain_access") or 0)
        for items in (parsed.values() if isinstance(parsed, dict) else [])
        if isinstance(items, list)
        for item in items
        if isinstance(item, dict)
    ]
    longest = max(minutes, default=0.0)
    return longest * 60 if longest > 0 else None


def graph_error(response: httpx.Response) -> ProviderError:
    """The error a Graph answer stands for, by Meta's code first and HTTP status second."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = error.get("code")
    subcode = error.get("error_subcode")
    text = str(error.get("message") or f"HTTP {response.status_code}")
    described = f"{text} (code {code}, subcode {subcode})" if code is not None else text
    status = response.status_code
    if (
        code in TRANSIENT_CODES
        or code in BUSINESS_USE_CASE_THROTTLING
        or status in (408, 429)
        or status >= 500
    ):
        return ProviderTransientError(
            PROVIDER, described, status=status, retry_after=_retry_after(response)
        )
    if code == PERMISSION_DENIED and subcode in WINDOW_SUBCODES:
        return OutsideMessagingWindow(PROVIDER, described, status=status)
    return ProviderRejectedError(PROVIDER, described, status=status)


def _graph_time(value: object) -> datetime | None:
    try:
        return datetime.strptime(str(value), _GRAPH_TIME_FORMAT).astimezone(UTC)
    except ValueError:
        return None


class MetaSendApi:
    """The Page's Send API and Conversations API with its Page access token."""

    def __init__(
        self,
        page_access_token: str,
        base_url: str | None = None,
        version: str = DEFAULT_GRAPH_VERSION,
        timeout: float = 10.0,
        page_id: str = "me",  # with a Page token, `me` is the Page
    ) -> None:
        self._base = f"{(base_url or DEFAULT_GRAPH_URL).rstrip('/')}/{version.strip('/')}"
        self._page_id = page_id
        self._http = httpx.Client(
            timeout=timeout,
            headers={
                "Accept": "application/json",
                "Authorization": f"Bearer {page_access_token}",
            },
        )

    def send(self, message: OutboundDirectMessage) -> SentDirectMessage:
        if not message.text.strip():
            raise ProviderRejectedError(PROVIDER, "a message cannot be empty")
        if len(message.text) > MAX_TEXT_CHARS:
            raise ProviderRejectedError(
                PROVIDER, f"a message is at most {MAX_TEXT_CHARS} characters"
            )
        body: dict[str, Any] = {
            "recipient": {"id": message.recipient_id},
            "messaging_type": "RESPONSE",
            "message": {"text": message.text},
        }
        if message.tag:
            body["messaging_type"] = "MESSAGE_TAG"
            body["tag"] = message.tag
        answer = self._call("POST", f"/{self._page_id}/messages", json=body)
        message_id = answer.get("message_id")
        if not isinstance(message_id, str) or not message_id:
            # Meta took the request but said nothing we can keep: the outcome is unknown, and
            # the retry's `find_sent` decides.
            raise ProviderTransientError(PROVIDER, "Send API answer without a message_id")
        return SentDirectMessage(
            provider_message_id=message_id,
            recipient_id=str(answer.get("recipient_id") or message.recipient_id),
            sent_at=datetime.now(UTC),
        )

    def find_sent(
        self, platform: Platform, recipient_id: str, text: str, since: datetime
    ) -> SentDirectMessage | None:
        """Reads the conversation with this person (its latest messages) for our message."""
        conversations = self._call(
            "GET",
            f"/{self._page_id}/conversations",
            params={"platform": platform, "user_id": recipient_id},
        )
        for conversation in conversations.get("data") or []:
            conversation_id = conversation.get("id") if isinstance(conversation, dict) else None
            if not conversation_id:
                continue
            detail = self._call(
                "GET",
                f"/{conversation_id}",
                params={"fields": "messages{id,created_time,from,to,message}"},
            )
            for item in (detail.get("messages") or {}).get("data") or []:
                found = self._ours(item, recipient_id, text, since)
                if found is not None:
                    return found
        return None

    def close(self) -> None:
        self._http.close()

    @staticmethod
    def _ours(item: Any, recipient_id: str, text: str, since: datetime) -> SentDirectMessage | None:
        if not isinstance(item, dict) or item.get("message") != text:
            return None
        sender = item.get("from")
        sender = sender if isinstance(sender, dict) else {}
        recipients = (item.get("to") or {}).get("data") or []
        if sender.get("id") == recipient_id:
            return None  # the customer's words, not ours
        if not any(isinstance(r, dict) and r.get("id") == recipient_id for r in recipients):
            return None
        created = _graph_time(item.get("created_time"))
        if created is None or created < since:
            return None
        return SentDirectMessage(str(item.get("id")), recipient_id, created)

    def _call(self, method: str, path: str, **options: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, f"{self._base}{path}", **options)
        except httpx.TimeoutException as error:
            raise ProviderTransientError(PROVIDER, f"no answer in time ({error!r})") from error
        except httpx.TransportError as error:
            raise ProviderTransientError(PROVIDER, f"no response ({error!r})") from error
        if response.status_code >= 300:
            raise graph_error(response)
        try:
            body = response.json()
        except ValueError as error:
            raise ProviderTransientError(
                PROVIDER, f"answer is not JSON (HTTP {response.status_code})"
            ) from error
        if not isinstance(body, dict):
            raise ProviderTransientError(PROVIDER, "answer is not a JSON object")
        if isinstance(body.get("error"), dict):  # Graph's batch-style 200 with an error inside
            raise graph_error(response)
        return body
