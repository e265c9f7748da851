"""`POST /webhooks/ringcentral`: handshake, authenticity, bad input, duplicates, and an event
accepted while Temporal is down that is processed once Temporal is back."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.client import WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from core.settings import Settings
from domain.customers.models import Channel
from domain.inbox.models import InboxStatus, WebhookEvent
from tests.conftest import binary
from tests.sandbox_fixtures import RingCentralSandbox
from tests.workflows.conftest import sandbox_providers
from workflows.conversation import ConversationWorkflow, conversation_workflow_id
from workflows.worker import WorkerDeps, build_worker

TOKEN = "sandbox-verification-token"
CUSTOMER = "+15105550111"


def notification(
    message_id: str | None = None, text: str = "Hi! Quote for 15 people?"
) -> dict[str, Any]:
    message_id = message_id or uuid.uuid4().hex[:10]
    return {
        "uuid": str(uuid.uuid4()),
        "event": "/restapi/v1.0/account/1/extension/1/message-store/instant?type=SMS",
        "timestamp": "2026-11-23T17:00:00.000Z",
        "subscriptionId": "sub-1",
        "ownerId": "1",
        "body": {
            "id": message_id,
            "from": {"phoneNumber": "+15105550111"},
            "to": [{"phoneNumber": "+15105550100"}],
            "subject": text,
            "creationTime": "2026-11-23T17:00:00.000Z",
            "direction": "Inbound",
            "messageStatus": "Received",
            "type": "SMS",
        },
    }


async def _answered(ringcentral: RingCentralSandbox, handle: WorkflowHandle[Any, Any]) -> None:
    """Until the conversation decided its first turn and the customer has the answer."""
    while True:
        turns = await handle.query(ConversationWorkflow.turns)
        if turns and any(m.direction == "Outbound" for m in ringcentral.state.thread(CUSTOMER)):
            return
        await asyncio.sleep(0.2)


def _events(engine: Engine) -> list[WebhookEvent]:
    with Session(engine) as session:
        return list(session.exec(select(WebhookEvent)).all())


def test_validation_handshake_echoes_the_token(client: TestClient) -> None:
    response = client.post("/webhooks/ringcentral", headers={"Validation-Token": "abc-123"})
    assert response.status_code == 200
    assert response.headers["Validation-Token"] == "abc-123"
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("token", [None, "wrong-token", TOKEN + "x"])
def test_a_bad_verification_token_is_401_and_stores_nothing(
    client: TestClient, engine: Engine, token: str | None
) -> None:
    headers = {"Verification-Token": token} if token else {}
    response = client.post("/webhooks/ringcentral", json=notification(), headers=headers)
    assert response.status_code == 401
    assert "Verification-Token" in response.json()["error"]["message"]
    assert _events(engine) == []


def test_a_malformed_body_says_what_is_wrong(client: TestClient, engine: Engine) -> None:
    headers = {"Verification-Token": TOKEN}
    broken = client.post("/webhooks/ringcentral", content=b"{not json", headers=headers)
    assert broken.status_code == 400 and "not a RingCentral notification" in broken.text

    body = notification()
    del body["body"]["from"]
    missing = client.post("/webhooks/ringcentral", json=body, headers=headers)
    assert missing.status_code == 400 and "from" in missing.json()["error"]["message"]
    assert _events(engine) == []


def test_an_oversized_body_is_refused(client: TestClient) -> None:
    body = notification(text="x" * 300_000)
    response = client.post(
        "/webhooks/ringcentral", json=body, headers={"Verification-Token": TOKEN}
    )
    assert response.status_code == 413


def test_a_duplicate_delivery_is_acknowledged_and_stored_once(
    client: TestClient, engine: Engine
) -> None:
    body = notification()
    headers = {"Verification-Token": TOKEN}
    first = client.post("/webhooks/ringcentral", json=body, headers=headers)
    second = client.post("/webhooks/ringcentral", json=body, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json()["duplicate"] is False and second.json()["duplicate"] is True
    [event] = _events(engine)
    assert event.duplicate_deliveries == 1
    # Temporal is down in this test: the event waits in the inbox, with the reason.
    assert event.status == InboxStatus.PENDING and event.last_error


@pytest.fixture
def temporal_port(api_settings: Settings) -> int:
    return int(api_settings.temporal_address.rsplit(":", 1)[1])


@pytest.fixture
async def asgi(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://teppan.test"
    ) as client:
        yield client


@pytest.mark.slow
async def test_accepted_while_temporal_is_down_then_processed_once(
    app: FastAPI,
    asgi: httpx.AsyncClient,
    engine: Engine,
    api_settings: Settings,
    temporal_port: int,
    ringcentral: RingCentralSandbox,
) -> None:
    headers = {"Verification-Token": TOKEN}
    body = notification(message_id="msg-down-1")
    workflow_id = conversation_workflow_id(Channel.SMS, CUSTOMER)
    for _ in range(2):
        response = await asgi.post("/webhooks/ringcentral", json=body, headers=headers)
        assert response.status_code == 200
    # The same message redelivered under a new event id is still one message.
    redelivered = json.loads(json.dumps(body)) | {"uuid": str(uuid.uuid4())}
    assert (await asgi.post("/webhooks/ringcentral", json=redelivered, headers=headers)).is_success
    assert [e.status for e in _events(engine)] == [InboxStatus.PENDING, InboxStatus.PENDING]

    env = await WorkflowEnvironment.start_local(
        port=temporal_port,
        data_converter=pydantic_data_converter,
        dev_server_existing_path=binary("temporal"),
    )
    try:
        deps = WorkerDeps(
            engine=engine,
            providers=sandbox_providers(ringcentral, None),
            public_base_url=api_settings.public_base_url,
            conversation_burst_seconds=0,  # one message: answer it at once
        )
        with ThreadPoolExecutor(max_workers=4) as executor:
            async with build_worker(
                env.client,
                task_queue=api_settings.temporal_task_queue,
                deps=deps,
                executor=executor,
            ):
                delivered = await app.state.forwarder.forward_pending()
                assert delivered == 2
                handle = env.client.get_workflow_handle_for(ConversationWorkflow.run, workflow_id)
                await asyncio.wait_for(_answered(ringcentral, handle), timeout=60)

                # A late duplicate after processing changes nothing.
                again = await asgi.post("/webhooks/ringcentral", json=body, headers=headers)
                assert again.json()["duplicate"] is True
                assert await app.state.forwarder.forward_pending() == 0
    finally:
        await env.shutdown()

    events = _events(engine)
    assert {e.status for e in events} == {InboxStatus.FORWARDED}
    assert {e.workflow_id for e in events} == {workflow_id}
    texts = [m for m in ringcentral.state.thread("+15105550111") if m.direction == "Outbound"]
    assert len(texts) == 1
