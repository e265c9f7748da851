"""`/webhooks/meta`: Meta's subscription check, X-Hub-Signature-256, bad input, one inbox row
per message id, echoes and receipts skipped, and the stored message signalled to the customer's
conversation workflow."""

from __future__ import annotations

import json
import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from api.webhooks.forwarder import InboxForwarder
from core.settings import Settings
from core.temporal import TemporalGateway
from domain.customers.models import Channel
from domain.inbox.models import InboxStatus, WebhookEvent
from domain.messaging.payloads import InboundMessage
from sandbox.framework import BackgroundServer
from sandbox.meta import sign
from tests.meta_fixtures import MetaSandbox
from workflows.routing import route

VERIFY_TOKEN = "sandbox-meta-verify-token"


def _events(engine: Engine) -> list[WebhookEvent]:
    with Session(engine) as session:
        return list(session.exec(select(WebhookEvent)).all())


def _post(client: TestClient, body: str | bytes, signature: str | None) -> object:
    content = body.encode() if isinstance(body, str) else body
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return client.post("/webhooks/meta", content=content, headers=headers)


def _deliver(client: TestClient, delivery: dict[str, object]) -> dict[str, object]:
    response = _post(client, str(delivery["body"]), str(delivery["signature"]))
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    answer: dict[str, object] = response.json()  # type: ignore[attr-defined]
    return answer


def test_meta_subscription_check_echoes_the_challenge_only_for_our_token(
    client: TestClient,
) -> None:
    def check(mode: str, token: str) -> object:
        params = {"hub.mode": mode, "hub.verify_token": token, "hub.challenge": "1158201444"}
        return client.get("/webhooks/meta", params=params)

    ok = check("subscribe", VERIFY_TOKEN)
    assert ok.status_code == 200  # type: ignore[attr-defined]
    assert ok.text == "1158201444"  # type: ignore[attr-defined]
    assert ok.headers["content-type"].startswith("text/plain")  # type: ignore[attr-defined]
    for mode, token in (("subscribe", "someone-else"), ("unsubscribe", VERIFY_TOKEN), ("", "")):
        assert check(mode, token).status_code == 403  # type: ignore[attr-defined]
    no_challenge = client.get(
        "/webhooks/meta", params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN}
    )
    assert no_challenge.status_code == 403


def test_a_signed_message_is_stored_once_however_often_meta_delivers_it(
    client: TestClient, engine: Engine, meta: MetaSandbox
) -> None:
    delivery = meta.customer_writes("Are you free on July 4th for 25 people?")

    first = _deliver(client, delivery)
    again = _deliver(client, delivery)  # Meta retries a delivery it thinks failed

    assert (first["stored"], first["duplicates"]) == (1, 0)
    assert (again["stored"], again["duplicates"]) == (0, 1)
    [stored] = _events(engine)
    assert (stored.provider, stored.event_key, stored.event_type) == (
        "meta",
        delivery["mid"],
        "messenger.message",
    )
    assert stored.duplicate_deliveries == 1 and stored.status == InboxStatus.PENDING
    [message] = json.loads(stored.body)["entry"][0]["messaging"]
    assert message["message"]["text"] == "Are you free on July 4th for 25 people?"
    assert message["sender"]["id"] == delivery["sender_id"]


def test_a_stored_message_routes_to_the_customers_conversation(
    client: TestClient, engine: Engine, meta: MetaSandbox
) -> None:
    delivery = meta.customer_writes("How much for 40?", platform="instagram")
    _deliver(client, delivery)
    [stored] = _events(engine)
    assert stored.event_type == "instagram.message"

    start = route(stored.provider, stored.body, stored.event_key)

    igsid = delivery["sender_id"]
    assert (start.workflow, start.workflow_id, start.signal) == (
        "ConversationWorkflow",
        f"conversation-instagram-{igsid}",
        "message_received",
    )
    assert start.argument == start.signal_argument
    assert isinstance(start.argument, InboundMessage)
    assert start.argument.channel == Channel.INSTAGRAM
    assert (start.argument.external_id, start.argument.from_address) == (delivery["mid"], igsid)
    assert start.argument.to_address == delivery["recipient_id"] == meta.state.instagram_id
    assert start.argument.text == "How much for 40?"


def test_wrong_or_missing_signatures_are_refused_and_nothing_is_stored(
    client: TestClient, engine: Engine, meta: MetaSandbox
) -> None:
    delivery = meta.customer_writes("Hi")
    body = str(delivery["body"])
    signature = str(delivery["signature"])

    responses = [
        _post(client, body, None),
        _post(client, body, sign("someone-elses-secret", body.encode())),
        _post(client, body.replace("Hi", "Yo"), signature),  # tampered
        _post(client, body, signature.replace("sha256=", "sha1=")),
    ]
    for response in responses:
        assert response.status_code == 401, response.text  # type: ignore[attr-defined]
        message = response.json()["error"]["message"]  # type: ignore[attr-defined]
        assert "X-Hub-Signature-256" in message
    assert _events(engine) == []


def test_a_signed_body_that_is_not_a_meta_delivery_gets_a_400_saying_why(
    client: TestClient, engine: Engine
) -> None:
    secret = "sandbox-meta-app-secret"
    for body, says in (
        (b"{not json", "not JSON"),
        (b'{"object": "page", "entry": "nope"}', "entry"),
        (b'{"object": "whatsapp_business_account", "entry": [{"id": "1"}]}', "object"),
    ):
        response = _post(client, body, sign(secret, body))
        assert response.status_code == 400, response.text  # type: ignore[attr-defined]
        assert says in response.json()["error"]["message"]  # type: ignore[attr-defined]
    assert _events(engine) == []


def test_echoes_and_receipts_are_acknowledged_and_skipped(
    client: TestClient, engine: Engine, meta: MetaSandbox
) -> None:
    psid = str(meta.customer_writes("Hi")["sender_id"])

    echo = _deliver(client, meta.page_echo(psid, "Thanks for writing!"))
    read = _deliver(client, meta.receipt(psid, "read"))
    delivered = _deliver(client, meta.receipt(psid, "delivery"))

    for answer in (echo, read, delivered):
        assert (answer["stored"], answer["skipped"]) == (0, 1)
    assert _events(engine) == []


def test_the_emulator_delivers_over_http_with_real_signatures(
    app: FastAPI, engine: Engine, meta: MetaSandbox
) -> None:
    with BackgroundServer(app) as server:
        webhook = f"{server.url}/webhooks/meta"
        delivery = meta.customer_writes(
            "Is the chef bringing the grill?", deliver=True, webhook_url=webhook
        )
        redelivered = meta.redeliver(str(delivery["mid"]), webhook_url=webhook)

    assert delivery["delivery"] == {"url": webhook, "status": 200, "error": None}
    assert redelivered["delivery"]["status"] == 200
    [stored] = _events(engine)
    assert stored.event_key == delivery["mid"] and stored.duplicate_deliveries == 1


async def test_forwarding_signals_the_conversation_with_start(
    client: TestClient,
    engine: Engine,
    api_settings: Settings,
    time_skipping_env: WorkflowEnvironment,
    meta: MetaSandbox,
) -> None:
    delivery = meta.customer_writes("Can I talk to someone about a wedding?")
    _deliver(client, delivery)
    task_queue = f"meta-{uuid.uuid4().hex[:6]}"  # no worker: the start and signal are the point
    forwarder = InboxForwarder(
        engine, TemporalGateway.connected(api_settings, time_skipping_env.client), task_queue
    )

    assert await forwarder.forward_pending() == 1

    workflow_id = f"conversation-messenger-{delivery['sender_id']}"
    handle = time_skipping_env.client.get_workflow_handle(workflow_id)
    try:
        history = await handle.fetch_history()
        [signalled] = [
            e.workflow_execution_signaled_event_attributes
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
        ]
        started = history.events[0].workflow_execution_started_event_attributes
        assert started.workflow_type.name == "ConversationWorkflow"
        assert signalled.signal_name == "message_received"
        [inbound] = await time_skipping_env.client.data_converter.decode(
            signalled.input.payloads, [InboundMessage]
        )
        assert isinstance(inbound, InboundMessage) and inbound.external_id == delivery["mid"]
    finally:
        await handle.terminate("test over")
    [stored] = _events(engine)
    assert (stored.status, stored.workflow_id) == (InboxStatus.FORWARDED, workflow_id)
