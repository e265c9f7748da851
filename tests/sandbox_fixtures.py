"""The provider emulators, served on loopback for the tests that need them."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from integrations.ringcentral.client import RingCentralClient
from sandbox.framework import BackgroundServer
from sandbox.ringcentral import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_JWT,
    RingCentralState,
    create_ringcentral_emulator,
)


class RingCentralSandbox:
    def __init__(self, server: BackgroundServer, state: RingCentralState) -> None:
        self.server = server
        self.state = state
        self.url = server.url

    def client(self, timeout: float = 2.0) -> RingCentralClient:
        return RingCentralClient(
            server_url=self.url,
            client_id=SANDBOX_CLIENT_ID,
            client_secret=SANDBOX_CLIENT_SECRET,
            jwt=SANDBOX_JWT,
            timeout=timeout,
        )

    def fault(self, **fault: object) -> None:
        httpx.post(f"{self.url}/sandbox/faults", json=fault).raise_for_status()


@pytest.fixture(scope="session")
def ringcentral_server() -> Iterator[tuple[BackgroundServer, RingCentralState]]:
    state = RingCentralState()
    with BackgroundServer(create_ringcentral_emulator(state)) as server:
        yield server, state


@pytest.fixture
def ringcentral(
    ringcentral_server: tuple[BackgroundServer, RingCentralState],
) -> Iterator[RingCentralSandbox]:
    server, state = ringcentral_server
    sandbox = RingCentralSandbox(server, state)
    yield sandbox
    httpx.delete(f"{server.url}/sandbox/faults")
    with state.lock:
        state.messages.clear()
        state.subscriptions.clear()
        state.deliveries.clear()
