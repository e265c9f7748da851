"""StaffMessageWorkflow on the time-skipping server, with its real activities against the
RingCentral emulator: a person's reply, queued by the inbox service and started through the
inbox (routing included), goes out once; a scheduled one waits; a cancelled one never goes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from admin_ui.routes.sandbox_phone import fetch_thread
from api.webhooks.forwarder import InboxForwarder
from core.settings import Settings
from core.temporal import TemporalGateway
from core.timeutil import utcnow
from domain.audit.service import Actor
from domain.customers.models import Channel
from domain.messaging import conversations, staff_replies
from domain.messaging import service as messaging
from domain.messaging.models import Conversation, Message, MessageKind, MessageStatus
from domain.messaging.payloads import InboundMessage
from domain.messaging.payloads_staff import StaffMessageInput, StaffMessageOutcome
from tests import factories
from tests.meta_fixtures import MetaSandbox
from tests.sandbox_fixtures import RingCentralSandbox
from tests.workflows.conftest import PUBLIC_BASE_URL, replay_and_maybe_record, sandbox_providers
from workflows.staff_message import StaffMessageWorkflow, workflow_id_for
from workflows.worker import WorkerDeps, build_worker

CUSTOMER_PHONE = "+15105550111"
BUSINESS_PHONE = "+15105550100"
ANA = Actor.user(2, "Ana Lopez")


@dataclass
class StaffWorker:
    client: Client
    task_queue: str
    engine: Engine
    forwarder: InboxForwarder
    env: WorkflowEnvironment


async def _worker(
    env: WorkflowEnvironment,
    engine: Engine,
    settings: Settings,
    ringcentral: RingCentralSandbox,
    meta: MetaSandbox | None = None,
) -> AsyncIterator[StaffWorker]:
    with Session(engine) as session:
        factories.business(session)
        session.commit()
    task_queue = f"test-{uuid.uuid4().hex[:8]}"
    deps = WorkerDeps(
        engine=engine,
        providers=sandbox_providers(ringcentral, None, meta=meta),
        public_base_url=PUBLIC_BASE_URL,
    )
    forwarder = InboxForwarder(engine, TemporalGateway.connected(settings, env.client), task_queue)
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with build_worker(env.client, task_queue=task_queue, deps=deps, executor=executor):
            yield StaffWorker(env.client, task_queue, engine, forwarder, env)


@pytest.fixture
async def staff_worker(
    own_time_skipping_env: WorkflowEnvironment,
    engine: Engine,
    settings: Settings,
    ringcentral: RingCentralSandbox,
) -> AsyncIterator[StaffWorker]:
    """On a server of its own: these tests skip hours with env.sleep, and workflow ids (named by
    message ids, which restart with each database) must not meet another test's."""
    async for running in _worker(own_time_skipping_env, engine, settings, ringcentral):
        yield running


@pytest.fixture
async def meta_worker(
    own_time_skipping_env: WorkflowEnvironment,
    engine: Engine,
    settings: Settings,
    ringcentral: RingCentralSandbox,
    meta: MetaSandbox,
) -> AsyncIterator[StaffWorker]:
    """Meta's window is counted on Temporal's clock: a fresh server's clock is today's."""
    async for running in _worker(own_time_skipping_env, engine, settings, ringcentral, meta):
        yield running


def _conversation(engine: Engine) -> int:
    """A customer who texted the business a minute ago."""
    with Session(engine) as session:
        customer = factories.customer(session, "Jennifer Nguyen", CUSTOMER_PHONE)
        conversation = messaging.conversation_for(session, customer.id or 0)
        messaging.record_inbound(
            session,
            conversation=conversation,
            channel=Channel.SMS,
            external_id=uuid.uuid4().hex[:12],
            from_address=CUSTOMER_PHONE,
            to_address=BUSINESS_PHONE,
            body="Can the chef do a vegetarian menu?",
            received_at=utcnow() - timedelta(minutes=1),
        )
        session.commit()
        return conversation.id or 0


async def _reply(
    worker: StaffWorker, body: str, scheduled_for: datetime | None = None
) -> WorkflowHandle[Any, StaffMessageOutcome]:
    """Queues the reply as the inbox does, then forwards its inbox event (routing starts it)."""
    conversation_id = _conversation(worker.engine)
    with Session(worker.engine, expire_on_commit=False) as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        queued = staff_replies.queue_staff_reply(
            session, conversation, body, Channel.SMS, scheduled_for, ANA
        )
        session.commit()
    assert await worker.forwarder.forward(queued.inbox_event_id)
    return worker.client.get_workflow_handle_for(
        StaffMessageWorkflow.run, workflow_id_for(queued.message.id or 0)
    )


def _message(engine: Engine, message_id: int) -> Message:
    with Session(engine) as session:
        message = session.get(Message, message_id)
        assert message is not None
        return message


def _texts_to(ringcentral: RingCentralSandbox, number: str) -> list[str]:
    return [m.text for m in ringcentral.state.thread(number) if m.direction == "Outbound"]


async def test_a_reply_goes_out_once_on_sms(
    staff_worker: StaffWorker, ringcentral: RingCentralSandbox, settings: Settings
) -> None:
    handle = await _reply(staff_worker, "Yes! Tofu and vegetables on the grill, no extra charge.")
    outcome = await handle.result()
    assert outcome.status == MessageStatus.SENT.value
    assert _texts_to(ringcentral, CUSTOMER_PHONE) == [
        "Yes! Tofu and vegetables on the grill, no extra charge."
    ]
    sent = _message(staff_worker.engine, outcome.message_id)
    assert sent.status == MessageStatus.SENT and sent.external_id
    assert sent.kind == MessageKind.CONVERSATION and sent.sent_by == "user:2"
    assert sent.idempotency_key == f"staff:{sent.id}"
    assert (sent.from_address, sent.to_address) == (BUSINESS_PHONE, CUSTOMER_PHONE)
    # The sandbox phone (what the customer would see) shows it as the business's text.
    phone_settings = settings.model_copy(
        update={"sandbox_ringcentral_port": urlsplit(ringcentral.url).port}
    )
    [shown] = fetch_thread(phone_settings, CUSTOMER_PHONE, "America/Los_Angeles")
    assert not shown.inbound and shown.text == sent.body and shown.from_number == BUSINESS_PHONE

    # A second start for the same reply (a duplicate delivery) sends nothing more.
    again = await staff_worker.client.execute_workflow(
        StaffMessageWorkflow.run,
        StaffMessageInput(message_id=outcome.message_id),
        id=f"{workflow_id_for(outcome.message_id)}-again",
        task_queue=staff_worker.task_queue,
    )
    assert again.status == MessageStatus.SENT.value
    assert len(_texts_to(ringcentral, CUSTOMER_PHONE)) == 1


async def test_a_scheduled_reply_waits_for_its_time_then_goes(
    staff_worker: StaffWorker, ringcentral: RingCentralSandbox
) -> None:
    at = datetime.now(UTC) + timedelta(hours=3)
    handle = await _reply(staff_worker, "Good morning! Here is the menu we talked about.", at)
    message_id = int(handle.id.rsplit("-", 1)[1])
    assert _message(staff_worker.engine, message_id).status == MessageStatus.SCHEDULED

    await staff_worker.env.sleep(timedelta(hours=2))
    assert _texts_to(ringcentral, CUSTOMER_PHONE) == []
    assert _message(staff_worker.engine, message_id).status == MessageStatus.SCHEDULED

    # A handle the forwarder's start did not return does not skip time itself: skip it here.
    await staff_worker.env.sleep(timedelta(hours=1, minutes=1))
    outcome = await asyncio.wait_for(handle.result(), timeout=30)
    assert outcome.status == MessageStatus.SENT.value
    assert _texts_to(ringcentral, CUSTOMER_PHONE) == [
        "Good morning! Here is the menu we talked about."
    ]
    assert _message(staff_worker.engine, message_id).status == MessageStatus.SENT
    await replay_and_maybe_record(handle, f"{StaffMessageWorkflow.__name__}--scheduled")


async def test_a_cancelled_scheduled_reply_is_never_sent(
    staff_worker: StaffWorker, ringcentral: RingCentralSandbox
) -> None:
    at = datetime.now(UTC) + timedelta(hours=3)
    handle = await _reply(staff_worker, "Reminder: the deposit link expires tonight.", at)
    message_id = int(handle.id.rsplit("-", 1)[1])
    await staff_worker.env.sleep(timedelta(hours=1))
    with Session(staff_worker.engine) as session:
        staff_replies.cancel_scheduled(session, message_id, ANA)
        session.commit()

    await staff_worker.env.sleep(timedelta(hours=2, minutes=1))
    outcome = await asyncio.wait_for(handle.result(), timeout=30)
    assert outcome.status == "cancelled"
    assert _texts_to(ringcentral, CUSTOMER_PHONE) == []
    cancelled = _message(staff_worker.engine, message_id)
    assert cancelled.status == MessageStatus.SUPPRESSED
    assert cancelled.error == "cancelled by Ana Lopez"


async def test_a_messenger_reply_after_a_day_goes_with_the_human_agent_tag(
    meta_worker: StaffWorker, meta: MetaSandbox
) -> None:
    """Past Meta's 24 hours only a person may answer: the reply carries HUMAN_AGENT."""
    wrote_at = datetime.now(UTC) - timedelta(hours=30)
    written = meta.customer_writes(
        "Do you have a date in March?", sender_id="2741900031", name="Lena Park", at=wrote_at
    )
    with Session(meta_worker.engine, expire_on_commit=False) as session:
        received = conversations.receive(
            session,
            InboundMessage(
                channel=Channel.MESSENGER,
                external_id=written["mid"],
                from_address=written["sender_id"],
                to_address=written["recipient_id"],
                text="Do you have a date in March?",
                received_at=wrote_at,
                sender_name="Lena Park",
            ),
            ANA,
        )
        queued = staff_replies.queue_staff_reply(
            session,
            received.conversation,
            "Sorry for the wait! March 14 is open.",
            Channel.MESSENGER,
            None,
            ANA,
        )
        session.commit()
    assert await meta_worker.forwarder.forward(queued.inbox_event_id)
    handle = meta_worker.client.get_workflow_handle_for(
        StaffMessageWorkflow.run, workflow_id_for(queued.message.id or 0)
    )
    outcome = await asyncio.wait_for(handle.result(), timeout=30)

    assert outcome.status == MessageStatus.SENT.value
    [sent] = meta.sent(written["sender_id"])
    assert sent["text"] == "Sorry for the wait! March 14 is open."
    assert (sent["messaging_type"], sent["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    stored = _message(meta_worker.engine, outcome.message_id)
    assert stored.status == MessageStatus.SENT and stored.tag == "HUMAN_AGENT"
    assert stored.to_address == written["sender_id"]
