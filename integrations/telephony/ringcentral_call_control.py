"""Call Control through RingCentral: forward (ringing), transfer (answered), voicemail, drop;
the account's user extensions and their presence.

Account presence is in RingCentral's *Heavy* rate group (10 requests/min per user per app), so
it is cached for `presence_ttl_seconds`; one lock keeps concurrent activities from fetching it
twice. Errors come from RingCentralClient already split into transient and rejected.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from integrations.errors import ProviderRejectedError
from integrations.ringcentral.client import RingCentralClient
from integrations.telephony.base import ExtensionInfo, ExtensionPresence

SESSIONS_PATH = "/restapi/v1.0/account/~/telephony/sessions"
EXTENSIONS_PATH = "/restapi/v1.0/account/~/extension"
PRESENCE_PATH = "/restapi/v1.0/account/~/presence"
PER_PAGE = 1000
# Presence values that mean "do not send calls here".
UNAVAILABLE_DND = frozenset({"DoNotAcceptAnyCalls"})
UNAVAILABLE_STATUS = frozenset({"Offline"})


class RingCentralCallControl:
    def __init__(
        self,
        client: RingCentralClient,
        presence_ttl_seconds: float = 30,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = presence_ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._presence: list[ExtensionPresence] | None = None
        self._fetched_at = 0.0

    def forward(self, session_id: str, party_id: str, extension_number: str) -> str:
        return self._move(session_id, party_id, "forward", {"extensionNumber": extension_number})

    def transfer(self, session_id: str, party_id: str, extension_number: str) -> str:
        return self._move(session_id, party_id, "transfer", {"extensionNumber": extension_number})

    def to_voicemail(self, session_id: str, party_id: str, extension_id: str) -> None:
        # Our receptionist answers at once, so the caller's party is usually Answered: transfer.
        # A party still ringing refuses that with 409 and takes a forward instead.
        try:
            self._move(session_id, party_id, "transfer", {"voicemail": extension_id})
        except ProviderRejectedError as error:
            if error.status != 409:
                raise
            self._move(session_id, party_id, "forward", {"voicemail": extension_id})

    def drop(self, session_id: str) -> None:
        try:
            self._client.request("DELETE", f"{SESSIONS_PATH}/{session_id}")
        except ProviderRejectedError as error:
            if error.status != 404:  # already over: a retried drop must not fail
                raise

    def extensions(self) -> list[ExtensionInfo]:
        records = self._all_pages(EXTENSIONS_PATH, {"type": "User", "status": "Enabled"})
        return [
            ExtensionInfo(
                id=str(record["id"]),
                extension_number=str(record.get("extensionNumber", "")),
                name=str(record.get("name", "")),
            )
            for record in records
        ]

    def presence(self) -> list[ExtensionPresence]:
        with self._lock:
            now = self._clock()
            if self._presence is None or now - self._fetched_at >= self._ttl:
                records = self._all_pages(PRESENCE_PATH, {"detailedTelephonyState": "true"})
                self._presence = [_presence(record) for record in records]
                self._fetched_at = now
            return list(self._presence)

    def _move(self, session_id: str, party_id: str, action: str, target: dict[str, str]) -> str:
        party = self._client.request(
            "POST", f"{SESSIONS_PATH}/{session_id}/parties/{party_id}/{action}", body=target
        )
        return str(party.get("id") or "")

    def _all_pages(self, path: str, query: dict[str, Any]) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = self._client.request(
                "GET", path, query={**query, "perPage": PER_PAGE, "page": page}
            )
            records.extend(answer.get("records", []))
            total_pages = int(answer.get("paging", {}).get("totalPages") or 1)
            if page >= total_pages:
                return records
            page += 1


def _presence(record: dict[str, Any]) -> ExtensionPresence:
    extension = record.get("extension", {})
    status = str(record.get("presenceStatus", ""))
    telephony = str(record.get("telephonyStatus", "NoCall"))
    available = (
        status not in UNAVAILABLE_STATUS
        and record.get("userStatus") not in UNAVAILABLE_STATUS
        and record.get("dndStatus") not in UNAVAILABLE_DND
    )
    return ExtensionPresence(
        extension_id=str(extension.get("id", "")),
        extension_number=str(extension.get("extensionNumber", "")),
        available=available,
        on_call=telephony not in ("", "NoCall"),
        status=status,
    )
