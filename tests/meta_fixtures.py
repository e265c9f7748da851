"""The Meta (Messenger, Instagram) emulator, served on loopback for the tests that need it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from integrations.meta.send_api import MetaSendApi
from sandbox.framework import BackgroundServer
from sandbox.meta import (
    SANDBOX_APP_SECRET,
    SANDBOX_PAGE_ACCESS_TOKEN,
    MetaState,
    create_meta_emulator,
)

GRAPH_VERSION = "v21.0"


class MetaSandbox:
    """Customers writing on Messenger and Instagram, Meta's deliveries of what they write, and
    the Send API adapter pointed at the emulator."""

    app_secret = SANDBOX_APP_SECRET
    access_token = SANDBOX_PAGE_ACCESS_TOKEN

    def __init__(self, server: BackgroundServer, state: MetaState, http: httpx.Client) -> None:
        self.server = server
        self.state = state
        self.url = server.url
        self._http = http
        self._closing: list[MetaSendApi] = []

    def sender(self, timeout: float = 2.0, access_token: str | None = None) -> MetaSendApi:
        sender = MetaSendApi(
            access_token or self.access_token, self.url, GRAPH_VERSION, timeout=timeout
        )
        self._closing.append(sender)
        return sender

    # --- the customers' side -------------------------------------------------------------------

    def customer_writes(
        self,
        text: str,
        *,
        platform: str = "messenger",
        sender_id: str | None = None,
        at: dt.datetime | None = None,
        webhook_url: str | None = None,
        deliver: bool = False,
        **fields: Any,
    ) -> dict[str, Any]:
        """A customer's message: `{mid, sender_id, recipient_id, platform, body, signature,
        delivery}`. `body` and `signature` are exactly what Meta would POST; with `deliver`
        (and a webhook URL) the emulator POSTs them itself."""
        payload = {
            "platform": platform,
            "sender_id": sender_id,
            "text": text,
            "timestamp": at.isoformat() if at else None,
            "deliver": deliver,
            "webhook_url": webhook_url,
            **fields,
        }
        return self._json("POST", "/messages", payload)

    def page_echo(
        self, recipient_id: str, text: str, platform: str = "messenger"
    ) -> dict[str, Any]:
        """A message the Page sent, as Meta echoes it (`is_echo`), not delivered."""
        body = {"platform": platform, "recipient_id": recipient_id, "text": text, "deliver": False}
        return self._json("POST", "/echoes", body)

    def receipt(
        self, sender_id: str, kind: str = "read", platform: str = "messenger"
    ) -> dict[str, Any]:
        body = {"platform": platform, "sender_id": sender_id, "kind": kind, "deliver": False}
        return self._json("POST", "/receipts", body)

    def redeliver(self, mid: str, webhook_url: str | None = None) -> dict[str, Any]:
        return self._json("POST", "/redeliver", {"mid": mid, "webhook_url": webhook_url})

    def throttle(self, code: int = 613, count: int = 1, minutes: int = 1) -> None:
        self._json("POST", "/throttle", {"code": code, "count": count, "minutes": minutes})

    def set_webhook(self, url: str | None, send_echoes: bool = True) -> None:
        self._json("POST", "/webhook", {"url": url, "send_echoes": send_echoes})

    def sent(self, recipient_id: str | None = None) -> list[dict[str, Any]]:
        """What went out through the Send API, oldest first."""
        params = {"recipient_id": recipient_id} if recipient_id else {}
        response = self._http.get(f"{self.url}/sandbox/meta/sent", params=params)
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()["data"]
        return found

    def fault(self, **fault: object) -> None:
        """sandbox.framework faults: path_prefix, kind (rate_limit, server_error, delay), …"""
        self._http.post(f"{self.url}/sandbox/faults", json=fault).raise_for_status()

    # --- plumbing ------------------------------------------------------------------------------

    def _json(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self._http.request(method, f"{self.url}/sandbox/meta{path}", json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json() if response.content else {}
        return result

    def close(self) -> None:
        for sender in self._closing:
            sender.close()


@pytest.fixture(scope="session")
def meta_server() -> Iterator[tuple[BackgroundServer, MetaState]]:
    state = MetaState()
    with BackgroundServer(create_meta_emulator(state)) as server:
        yield server, state


@pytest.fixture
def meta(meta_server: tuple[BackgroundServer, MetaState]) -> Iterator[MetaSandbox]:
    server, state = meta_server
    state.reset()
    with httpx.Client(timeout=10) as http:
        http.delete(f"{server.url}/sandbox/faults").raise_for_status()
        sandbox = MetaSandbox(server, state, http)
        yield sandbox
        sandbox.close()
        http.delete(f"{server.url}/sandbox/faults").raise_for_status()
    state.reset()
