"""Every webhook against bad input, one matrix over RingCentral, Stripe and Meta: missing and
wrong signatures, a replayed Stripe event, bodies over 256 KiB (declared and chunked), signed
non-JSON, signed JSON of the wrong shape, unknown event types and duplicate deliveries.

Each refusal is a 4xx whose `error.message` says what was wrong, and stores nothing.

Unknown event types, correctly signed, are acknowledged with 200 (a refusal would only make the
provider retry) and never acted on. Stripe and RingCentral key the inbox on the provider's event
id, so such an event is stored once and the forwarder marks it ignored, logging
`inbox event N ignored: <why>`; Meta stores only customer messages, so the intake logs
`meta webhook: ignored …` and stores nothing."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from api.webhooks.intake import MAX_BODY_BYTES
from domain.inbox.models import InboxStatus, WebhookEvent
from sandbox.meta import sign as meta_sign
from sandbox.stripe import sign_payload as stripe_sign

RINGCENTRAL_TOKEN = "sandbox-verification-token"
STRIPE_SECRET = "whsec_sandbox_teppan"
META_SECRET = "sandbox-meta-app-secret"
OVERSIZED = b'{"padding": "' + b"x" * MAX_BODY_BYTES + b'"}'


@dataclass(frozen=True)
class Webhook:
    """How one provider signs a body, and what it sends when all is well."""

    name: str
    path: str
    signed: Callable[[bytes], dict[str, str]]
    wrongly_signed: Callable[[bytes], dict[str, str]]
    event: Callable[[str], bytes]  # a genuine event of a type we act on, by event id
    unknown_event: Callable[[str], bytes]  # well-formed, of a type nothing acts on
    wrong_shape: bytes
    says_unsigned: str  # what the 401 message names

    def post(
        self, client: TestClient, body: bytes | Iterator[bytes], **headers: str
    ) -> httpx.Response:
        return client.post(
            self.path, content=body, headers={"Content-Type": "application/json", **headers}
        )


def _ringcentral_event(event_id: str, event: str) -> bytes:
    body = {
        "uuid": event_id,
        "event": event,
        "timestamp": "2026-11-23T17:00:00.000Z",
        "subscriptionId": "sub-1",
        "ownerId": "1",
        "body": {
            "id": event_id[:10],
            "from": {"phoneNumber": "+15105550111"},
            "to": [{"phoneNumber": "+15105550100"}],
            "subject": "Quote for 15?",
            "creationTime": "2026-11-23T17:00:00.000Z",
            "direction": "Inbound",
            "messageStatus": "Received",
            "type": "SMS",
        },
    }
    return json.dumps(body).encode()


def _stripe_event(event_id: str, event_type: str) -> bytes:
    body = {
        "id": event_id,
        "object": "event",
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "type": event_type,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "data": {
            "object": {
                "id": "pi_" + event_id,
                "object": "payment_intent",
                "amount": 5000,
                "amount_received": 5000,
                "currency": "usd",
                "status": "succeeded",
                "metadata": {"booking_id": "1"},
            }
        },
    }
    return json.dumps(body).encode()


def _meta_event(event_id: str, event: dict[str, object]) -> bytes:
    item = {"sender": {"id": "psid-1"}, "recipient": {"id": "page-1"}, "timestamp": 1, **event}
    delivery = {"object": "page", "entry": [{"id": "page-1", "time": 1, "messaging": [item]}]}
    return json.dumps(delivery).encode()


RINGCENTRAL = Webhook(
    name="ringcentral",
    path="/webhooks/ringcentral",
    signed=lambda _body: {"Verification-Token": RINGCENTRAL_TOKEN},
    wrongly_signed=lambda _body: {"Verification-Token": "someone-elses-token"},
    event=lambda event_id: _ringcentral_event(
        event_id, "/restapi/v1.0/account/1/extension/1/message-store/instant?type=SMS"
    ),
    unknown_event=lambda event_id: _ringcentral_event(
        event_id, "/restapi/v1.0/account/1/extension/1/presence"
    ),
    wrong_shape=b'{"uuid": 5, "body": []}',
    says_unsigned="Verification-Token",
)
STRIPE = Webhook(
    name="stripe",
    path="/webhooks/stripe",
    signed=lambda body: {"Stripe-Signature": stripe_sign(body.decode(), STRIPE_SECRET)},
    wrongly_signed=lambda body: {"Stripe-Signature": stripe_sign(body.decode(), "whsec_other")},
    event=lambda event_id: _stripe_event(event_id, "payment_intent.succeeded"),
    unknown_event=lambda event_id: _stripe_event(event_id, "customer.created"),
    wrong_shape=b'{"hello": "world"}',
    says_unsigned="Stripe-Signature",
)
META = Webhook(
    name="meta",
    path="/webhooks/meta",
    signed=lambda body: {"X-Hub-Signature-256": meta_sign(META_SECRET, body)},
    wrongly_signed=lambda body: {"X-Hub-Signature-256": meta_sign("other-secret", body)},
    event=lambda event_id: _meta_event(event_id, {"message": {"mid": event_id, "text": "Hi"}}),
    unknown_event=lambda event_id: _meta_event(event_id, {"reaction": {"mid": event_id}}),
    wrong_shape=b'{"object": "page", "entry": "nope"}',
    says_unsigned="X-Hub-Signature-256",
)
WEBHOOKS = [pytest.param(hook, id=hook.name) for hook in (RINGCENTRAL, STRIPE, META)]


def _stored(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(WebhookEvent)).one())


def _refused(response: httpx.Response, status: int, says: str) -> None:
    assert response.status_code == status, response.text
    message = response.json()["error"]["message"]
    assert says.lower() in message.lower(), message


@pytest.mark.parametrize("hook", WEBHOOKS)
def test_a_missing_signature_is_401_naming_the_header(
    hook: Webhook, client: TestClient, engine: Engine
) -> None:
    _refused(hook.post(client, hook.event(uuid.uuid4().hex)), 401, hook.says_unsigned)
    assert _stored(engine) == 0


@pytest.mark.parametrize("hook", WEBHOOKS)
def test_a_wrong_signature_is_401_naming_the_header(
    hook: Webhook, client: TestClient, engine: Engine
) -> None:
    body = hook.event(uuid.uuid4().hex)
    _refused(hook.post(client, body, **hook.wrongly_signed(body)), 401, hook.says_unsigned)
    assert _stored(engine) == 0


def test_a_replayed_stripe_event_outside_the_tolerance_is_401(
    client: TestClient, engine: Engine
) -> None:
    body = STRIPE.event(uuid.uuid4().hex)
    replayed = stripe_sign(body.decode(), STRIPE_SECRET, int(time.time()) - 301)
    response = STRIPE.post(client, body, **{"Stripe-Signature": replayed})
    _refused(response, 401, "tolerance")
    assert _stored(engine) == 0


@pytest.mark.parametrize("hook", WEBHOOKS)
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_256_kib_is_413(
    hook: Webhook, chunked: bool, client: TestClient, engine: Engine
) -> None:
    headers = hook.signed(OVERSIZED)
    # A generator leaves Content-Length out: the limit must hold while the body streams in.
    body = iter([OVERSIZED[:65536], OVERSIZED[65536:]]) if chunked else OVERSIZED
    _refused(hook.post(client, body, **headers), 413, "256 KiB")
    assert _stored(engine) == 0


@pytest.mark.parametrize("hook", WEBHOOKS)
def test_a_signed_body_that_is_not_json_is_400(
    hook: Webhook, client: TestClient, engine: Engine
) -> None:
    body = b"<xml>not json</xml>"
    response = hook.post(client, body, **hook.signed(body))
    assert response.status_code == 400, response.text
    assert "json" in response.json()["error"]["message"].lower() or hook is STRIPE
    _refused(response, 400, "not")
    assert _stored(engine) == 0


@pytest.mark.parametrize("hook", WEBHOOKS)
def test_signed_json_of_the_wrong_shape_is_400_saying_what_is_missing(
    hook: Webhook, client: TestClient, engine: Engine
) -> None:
    response = hook.post(client, hook.wrong_shape, **hook.signed(hook.wrong_shape))
    assert response.status_code == 400, response.text
    message = response.json()["error"]["message"]
    assert any(field in message for field in ("uuid", "entry", "event", "id")), message
    assert _stored(engine) == 0


@pytest.mark.parametrize("hook", WEBHOOKS)
def test_an_unknown_event_type_is_acknowledged_and_logged_as_ignored(
    hook: Webhook, client: TestClient, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    body = hook.unknown_event(uuid.uuid4().hex)
    with caplog.at_level(logging.INFO):
        response = hook.post(client, body, **hook.signed(body))  # forwards in the background

    assert response.status_code == 200, response.text
    assert any("ignored" in record.getMessage() for record in caplog.records), caplog.text
    with Session(engine) as session:
        rows = list(session.exec(select(WebhookEvent)).all())
    if hook is META:
        assert rows == []
    else:
        assert [row.status for row in rows] == [InboxStatus.IGNORED]


@pytest.mark.parametrize("hook", WEBHOOKS)
def test_a_duplicate_delivery_is_acknowledged_and_stored_once(
    hook: Webhook, client: TestClient, engine: Engine
) -> None:
    body = hook.event(uuid.uuid4().hex)
    first = hook.post(client, body, **hook.signed(body))
    again = hook.post(client, body, **hook.signed(body))

    assert (first.status_code, again.status_code) == (200, 200), again.text
    assert _stored(engine) == 1
    with Session(engine) as session:
        assert session.exec(select(WebhookEvent)).one().duplicate_deliveries == 1
