"""`POST /webhooks/stripe`: the signature is checked over the raw body, every event is stored
once, and a paid deposit reaches the booking's ledger once however Stripe reports it."""

from __future__ import annotations

import asyncio
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.testing import WorkflowEnvironment

from api.webhooks.forwarder import InboxForwarder
from core import secrets_at_rest
from core.settings import Settings
from core.temporal import TemporalGateway
from domain.inbox.models import InboxStatus, WebhookEvent
from domain.payments import ledger
from domain.payments.models import LedgerEntryKind, Payment
from sandbox.stripe import SANDBOX_WEBHOOK_SECRET, sign_payload
from tests import factories
from tests.sandbox_fixtures import RingCentralSandbox
from tests.stripe_fixtures import StripeSandbox
from tests.workflows.conftest import replay_and_maybe_record, sandbox_providers
from workflows.card_payment import CardPaymentWorkflow
from workflows.card_payment import workflow_id_for as card_workflow_id
from workflows.worker import WorkerDeps, build_worker


def _post(client: TestClient, body: str, signature: str | None) -> object:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return client.post("/webhooks/stripe", content=body.encode(), headers=headers)


def _events(engine: Engine) -> list[WebhookEvent]:
    with Session(engine) as session:
        return list(session.exec(select(WebhookEvent)).all())


EVENT = (
    '{"id":"evt_test_1","object":"event","api_version":"2024-06-20","created":%d,'
    '"type":"payment_intent.succeeded","livemode":false,"pending_webhooks":1,'
    '"request":{"id":null,"idempotency_key":null},"data":{"object":{"id":"pi_1",'
    '"object":"payment_intent","amount":5000,"amount_received":5000,"currency":"usd",'
    '"status":"succeeded","metadata":{"booking_id":"1"},"latest_charge":"ch_1"}}}'
)


def test_wrong_missing_or_stale_signatures_are_refused_and_nothing_is_stored(
    client: TestClient, engine: Engine
) -> None:
    body = EVENT % int(time.time())
    wrong = _post(client, body, sign_payload(body, "whsec_someone_else"))
    missing = _post(client, body, None)
    stale = _post(client, body, sign_payload(body, SANDBOX_WEBHOOK_SECRET, int(time.time()) - 600))
    tampered = _post(
        client, body.replace("5000", "9000"), sign_payload(body, SANDBOX_WEBHOOK_SECRET)
    )

    for response in (wrong, missing, stale, tampered):
        assert response.status_code == 401, response.text  # type: ignore[attr-defined]
        assert "Stripe-Signature" in response.json()["error"]["message"]  # type: ignore[attr-defined]
    assert _events(engine) == []


def test_a_signed_body_that_is_not_an_event_gets_a_400_saying_so(
    client: TestClient, engine: Engine
) -> None:
    body = '{"hello": "world"}'
    response = _post(client, body, sign_payload(body, SANDBOX_WEBHOOK_SECRET))
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "event" in response.json()["error"]["message"]  # type: ignore[attr-defined]
    assert _events(engine) == []


def test_a_redelivered_event_is_stored_once(client: TestClient, engine: Engine) -> None:
    body = EVENT % int(time.time())
    first = _post(client, body, sign_payload(body, SANDBOX_WEBHOOK_SECRET))
    again = _post(client, body, sign_payload(body, SANDBOX_WEBHOOK_SECRET))

    assert first.json()["duplicate"] is False  # type: ignore[attr-defined]
    assert again.json()["duplicate"] is True  # type: ignore[attr-defined]
    [stored] = _events(engine)
    assert (stored.provider, stored.event_key, stored.duplicate_deliveries) == (
        "stripe",
        "evt_test_1",
        1,
    )


async def test_a_paid_deposit_and_a_refund_reach_the_ledger_once(
    app: FastAPI,
    client: TestClient,
    engine: Engine,
    api_settings: Settings,
    time_skipping_env: WorkflowEnvironment,
    ringcentral: RingCentralSandbox,
    stripe_sandbox: StripeSandbox,
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        customer = factories.customer(session)
        booking = factories.booking(session, customer.id or 0)
        session.commit()
    checkout = stripe_sandbox.card_payments().create_deposit_checkout(
        booking_id=booking.id or 0,
        amount_cents=booking.deposit_cents,
        description=f"Deposit for {booking.reference}",
        customer_email=None,
        success_url="https://teppan.example.com/paid",
        cancel_url="https://teppan.example.com/cancelled",
        idempotency_key=f"deposit-{booking.id}",
    )
    stripe_sandbox.pay(checkout.session_id, payer_name="Jennifer Nguyen")

    def deliver_all() -> None:
        for event in list(stripe_sandbox.state.events.values()):
            body = event.body
            response = _post(client, body, sign_payload(body, SANDBOX_WEBHOOK_SECRET))
            assert response.status_code == 200, response.text  # type: ignore[attr-defined]

    deliver_all()
    deliver_all()  # Stripe redelivers: every event a second time
    assert len(_events(engine)) == 2  # checkout.session.completed and payment_intent.succeeded

    task_queue = f"stripe-{uuid.uuid4().hex[:6]}"
    forwarder = InboxForwarder(
        engine, TemporalGateway.connected(api_settings, time_skipping_env.client), task_queue
    )
    deps = WorkerDeps(
        engine=engine,
        providers=sandbox_providers(ringcentral, None, stripe_sandbox),
        public_base_url=api_settings.public_base_url,
        decrypt=partial(secrets_at_rest.decrypt, api_settings),
    )
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with build_worker(
            time_skipping_env.client, task_queue=task_queue, deps=deps, executor=executor
        ):
            assert await forwarder.forward_pending() == 2
            for event in _events(engine):
                handle = time_skipping_env.client.get_workflow_handle_for(
                    CardPaymentWorkflow.run, card_workflow_id(event.event_key)
                )
                await asyncio.wait_for(handle.result(), timeout=30)

            [intent] = [
                e.payload["data"]["object"]
                for e in stripe_sandbox.state.events.values()
                if e.type == "payment_intent.succeeded"
            ]
            stripe_sandbox.refund(intent["id"], 2_000)
            for _ in range(100):
                if any(e.type == "charge.refunded" for e in stripe_sandbox.state.events.values()):
                    break
                await asyncio.sleep(0.05)
            deliver_all()
            assert await forwarder.forward_pending() == 1
            [refund_event] = [e for e in _events(engine) if e.event_type == "charge.refunded"]
            handle = time_skipping_env.client.get_workflow_handle_for(
                CardPaymentWorkflow.run, card_workflow_id(refund_event.event_key)
            )
            outcome = await asyncio.wait_for(handle.result(), timeout=30)
            assert outcome.applied_cents == -2_000
            await replay_and_maybe_record(handle, f"{CardPaymentWorkflow.__name__}--refunded")

    with Session(engine) as session:
        lines = ledger.entries(session, booking.id or 0)
        payments = session.exec(select(Payment)).all()
    assert [(line.kind, line.amount_cents) for line in lines] == [
        (LedgerEntryKind.PAYMENT, booking.deposit_cents),
        (LedgerEntryKind.REFUND, -2_000),
    ]
    assert len(payments) == 1
    handled = ("checkout.session.completed", "payment_intent.succeeded", "charge.refunded")
    statuses = {e.event_type: e.status for e in _events(engine)}
    assert {statuses[kind] for kind in handled} == {InboxStatus.FORWARDED}
    assert {s for kind, s in statuses.items() if kind not in handled} <= {InboxStatus.IGNORED}


def test_the_return_pages_thank_the_customer_without_touching_the_ledger(
    client: TestClient,
) -> None:
    paid = client.get("/deposit/TP-1001/paid", params={"session_id": "cs_test_1"})
    cancelled = client.get("/deposit/TP-1001/cancelled")
    assert paid.status_code == 200 and "Thank you" in paid.text
    assert cancelled.status_code == 200 and "No payment was taken" in cancelled.text
