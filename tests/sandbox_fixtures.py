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


# --- Google Maps ------------------------------------------------------------------------------

from integrations.maps.google_distance_matrix import GoogleDistanceMatrixMaps  # noqa: E402
from integrations.maps.google_routes import GoogleRoutesMaps  # noqa: E402
from sandbox.google_maps import (  # noqa: E402
    SANDBOX_GOOGLE_API_KEY,
    GoogleMapsState,
    create_google_maps_emulator,
)


class GoogleMapsSandbox:
    def __init__(self, server: BackgroundServer, state: GoogleMapsState) -> None:
        self.server = server
        self.state = state
        self.url = server.url

    def distance_matrix(
        self, timeout: float = 0.5, api_key: str = SANDBOX_GOOGLE_API_KEY
    ) -> GoogleDistanceMatrixMaps:
        return GoogleDistanceMatrixMaps(api_key=api_key, base_url=self.url, timeout=timeout)

    def routes(
        self, timeout: float = 0.5, api_key: str = SANDBOX_GOOGLE_API_KEY
    ) -> GoogleRoutesMaps:
        return GoogleRoutesMaps(
            api_key=api_key, routes_base_url=self.url, geocode_base_url=self.url, timeout=timeout
        )

    def fault(self, **fault: object) -> None:
        httpx.post(f"{self.url}/sandbox/faults", json=fault).raise_for_status()

    def force_status(self, status: str, count: int = 1) -> None:
        """The next `count` Geocoding / Distance Matrix answers carry this top-level status."""
        httpx.post(
            f"{self.url}/sandbox/google/status", json={"status": status, "count": count}
        ).raise_for_status()


@pytest.fixture(scope="session")
def google_maps_server() -> Iterator[tuple[BackgroundServer, GoogleMapsState]]:
    state = GoogleMapsState()
    with BackgroundServer(create_google_maps_emulator(state)) as server:
        yield server, state


@pytest.fixture
def google_maps(
    google_maps_server: tuple[BackgroundServer, GoogleMapsState],
) -> Iterator[GoogleMapsSandbox]:
    server, state = google_maps_server
    yield GoogleMapsSandbox(server, state)
    httpx.delete(f"{server.url}/sandbox/faults")
    httpx.delete(f"{server.url}/sandbox/google/status")
    state.reset()
