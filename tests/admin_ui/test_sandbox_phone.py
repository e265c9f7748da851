from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from admin_ui.routes.sandbox_phone import NOT_RUNNING
from api.app import create_app
from core.settings import Settings
from tests.admin_ui.conftest import OWNER, STAFF, form_token, login, seed
from tests.admin_ui.live_server import free_port, serve


def test_page_says_the_sandbox_is_not_running(client: TestClient) -> None:
    login(client, STAFF)
    page = client.get("/admin/sandbox/phone")
    assert page.status_code == 200
    assert NOT_RUNNING in page.text
    assert "Jennifer Nguyen" in page.text  # the picker of demo numbers

    token = form_token(client, "/admin/sandbox/phone")
    sent = client.post(
        "/admin/sandbox/phone", data={"csrf_token": token, "number": "+15105550111", "text": "hi"}
    )
    assert sent.status_code == 503
    assert NOT_RUNNING in sent.text

    polled = client.get("/admin/sandbox/phone/thread", params={"number": "+15105550111"})
    assert polled.json() == {"running": False, "message": NOT_RUNNING, "records": []}


def test_a_bad_number_is_explained(client: TestClient) -> None:
    login(client, STAFF)
    token = form_token(client, "/admin/sandbox/phone")
    response = client.post(
        "/admin/sandbox/phone",
        data={"csrf_token": token, "number": "", "other_number": "12345", "text": "hi"},
    )
    assert response.status_code == 400
    assert "not a valid phone number" in response.text
    assert client.get("/admin/sandbox/phone/thread", params={"number": "x"}).status_code == 400


def test_hidden_when_ringcentral_is_live(admin_settings: Settings, engine: Engine) -> None:
    live = admin_settings.model_copy(
        update={
            "ringcentral_server_url": "https://platform.example.com",
            "ringcentral_client_id": "x",
        }
    )
    client = TestClient(create_app(live, engine), follow_redirects=False)
    assert client.get("/admin/sandbox/phone").status_code == 404


def _fake_emulator() -> FastAPI:
    """Answers like the RingCentral emulator's control API, replying to each text at once."""
    emulator = FastAPI()
    records: list[dict[str, Any]] = []

    @emulator.post("/sandbox/phone/messages")
    async def post_message(request: Request) -> JSONResponse:
        body = await request.json()
        now = datetime.now(UTC).isoformat()
        inbound = {
            "id": str(len(records) + 1),
            "direction": "Inbound",
            "from": body["from"],
            "to": "+15105550100",
            "text": body["text"],
            "creationTime": now,
        }
        records.append(inbound)
        records.append(
            inbound
            | {
                "id": str(len(records) + 1),
                "direction": "Outbound",
                "from": "+15105550100",
                "to": body["from"],
                "text": "Thanks for texting Fremont Hibachi Co.!",
            }
        )
        return JSONResponse(inbound, status_code=201)

    @emulator.get("/sandbox/phone/messages")
    async def list_messages(number: str) -> dict[str, Any]:
        return {"records": [r for r in records if number in (r["from"], r["to"])]}

    return emulator


@pytest.fixture
def emulator_port() -> Iterator[int]:
    port = free_port()
    with serve(_fake_emulator(), port):
        yield port


def test_send_and_read_the_thread(
    admin_settings: Settings, engine: Engine, emulator_port: int
) -> None:
    seed(engine)
    settings = admin_settings.model_copy(update={"sandbox_ringcentral_port": emulator_port})
    client = TestClient(create_app(settings, engine), follow_redirects=False)
    login(client, OWNER)
    token = form_token(client, "/admin/sandbox/phone")
    sent = client.post(
        "/admin/sandbox/phone",
        data={"csrf_token": token, "number": "", "other_number": "(510) 555-0199", "text": "Hi!"},
    )
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == "/admin/sandbox/phone?number=%2B15105550199"
    page = client.get(sent.headers["location"])
    assert "Hi!" in page.text
    assert "Thanks for texting Fremont Hibachi Co.!" in page.text
    polled = client.get("/admin/sandbox/phone/thread", params={"number": "+15105550199"}).json()
    assert polled["running"] is True
    assert [r["direction"] for r in polled["records"]] == ["Inbound", "Outbound"]
    assert polled["records"][0]["inbound"] is True
