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

    # --- calls (sandbox/ringcentral_calls.py) ---------------------------------------------------

    def start_call(self, from_number: str, **options: object) -> dict[str, Any]:
        """A caller dials the business: `{telephonySessionId, sessionId, partyId}`. Options:
        `to`, `name`, `auto_answer` (default True), `deliver_out_of_order`."""
        response = httpx.post(
            f"{self.url}/sandbox/calls", json={"from": from_number, **options}, timeout=5
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def say(self, session_id: str, text: str) -> dict[str, Any]:
        response = httpx.post(
            f"{self.url}/sandbox/calls/{session_id}/say", json={"text": text}, timeout=5
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def hang_up(self, session_id: str) -> None:
        httpx.post(f"{self.url}/sandbox/calls/{session_id}/hangup", timeout=5).raise_for_status()

    def set_mode(self, extension_number: str, mode: str) -> None:
        httpx.post(
            f"{self.url}/sandbox/extensions/{extension_number}/mode", json={"mode": mode}, timeout=5
        ).raise_for_status()

    def call(self, session_id: str) -> dict[str, Any]:
        """The session as the emulator sees it: parties, status, events, speech, actions."""
        response = httpx.get(f"{self.url}/sandbox/calls/{session_id}", timeout=5)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def call_control(self, presence_ttl_seconds: float = 30) -> RingCentralCallControl:
        return RingCentralCallControl(self.client(), presence_ttl_seconds)

    def voice(self, timeout: float = 2.0) -> SandboxVoice:
        return SandboxVoice(self.url, timeout)


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
    state.calls.reset()
    state.answer_delay_seconds = 0.2


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


# --- A webhook receiver for RingCentral notifications ----------------------------------------

# (Imported down here so the sections above stay as they were; the class above uses these too.)
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

from fastapi import FastAPI, Request, Response  # noqa: E402

from integrations.telephony.ringcentral_call_control import RingCentralCallControl  # noqa: E402
from integrations.voice.sandbox_voice import SandboxVoice  # noqa: E402


class WebhookRecorder:
    """Echoes RingCentral's Validation-Token and records every notification it is sent."""

    def __init__(self) -> None:
        self.notifications: list[dict[str, Any]] = []
        self.verification_tokens: list[str] = []
        self._lock = threading.Lock()
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            token = request.headers.get("validation-token")
            if token is not None:
                return Response(
                    headers={"Validation-Token": token, "Content-Type": "application/json"}
                )
            body = await request.json()
            with self._lock:
                self.notifications.append(body)
                self.verification_tokens.append(request.headers.get("verification-token", ""))
            return Response(status_code=200)

        self.server = BackgroundServer(app)

    @property
    def address(self) -> str:
        return f"{self.server.url}/hook"

    def clear(self) -> None:
        with self._lock:
            self.notifications.clear()
            self.verification_tokens.clear()

    def received(self, event_contains: str = "") -> list[dict[str, Any]]:
        with self._lock:
            return [n for n in self.notifications if event_contains in n.get("event", "")]

    def wait_for(
        self,
        ready: Callable[[list[dict[str, Any]]], bool],
        timeout: float = 5.0,
        event_contains: str = "",
    ) -> list[dict[str, Any]]:
        """The notifications (filtered by event) once `ready` accepts them; fails on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.received(event_contains)
            if ready(found):
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"webhook did not get the expected notifications: {found}")
            time.sleep(0.02)


@pytest.fixture(scope="session")
def webhook_recorder_server() -> Iterator[WebhookRecorder]:
    recorder = WebhookRecorder()
    with recorder.server:
        yield recorder


@pytest.fixture
def webhook_recorder(webhook_recorder_server: WebhookRecorder) -> Iterator[WebhookRecorder]:
    webhook_recorder_server.clear()
    yield webhook_recorder_server
    webhook_recorder_server.clear()


# --- OpenAI (call triage) ----------------------------------------------------------------------

from integrations.llm.openai_triage import OpenAITriage  # noqa: E402
from sandbox.openai import (  # noqa: E402
    SANDBOX_OPENAI_API_KEY,
    OpenAIState,
    create_openai_emulator,
)


class OpenAISandbox:
    def __init__(self, server: BackgroundServer, state: OpenAIState) -> None:
        self.server = server
        self.state = state
        self.url = server.url
        self.base_url = f"{server.url}/v1"

    def triage_model(
        self, timeout: float = 2.0, api_key: str = SANDBOX_OPENAI_API_KEY
    ) -> OpenAITriage:
        return OpenAITriage(
            api_key=api_key, base_url=self.base_url, model="gpt-4o-mini", timeout=timeout
        )

    def script(self, *answers: object) -> None:
        """The next requests get these answers, in order: an object as the JSON content, a
        string as the raw content, `{"refusal": "..."}` as a refusal."""
        httpx.post(f"{self.url}/sandbox/openai/answers", json=list(answers)).raise_for_status()

    def fault(self, **fault: object) -> None:
        httpx.post(f"{self.url}/sandbox/faults", json=fault).raise_for_status()


@pytest.fixture(scope="session")
def openai_server() -> Iterator[tuple[BackgroundServer, OpenAIState]]:
    state = OpenAIState()
    with BackgroundServer(create_openai_emulator(state)) as server:
        yield server, state


@pytest.fixture
def openai_sandbox(
    openai_server: tuple[BackgroundServer, OpenAIState],
) -> Iterator[OpenAISandbox]:
    server, state = openai_server
    yield OpenAISandbox(server, state)
    httpx.delete(f"{server.url}/sandbox/faults")
    state.reset()
