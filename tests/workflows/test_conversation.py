"""ConversationWorkflow on a time-skipping server of its own, with the real activities: messages
arrive as webhooks do (stored in the inbox, routed, forwarded by signal-with-start), answers go
out through the RingCentral and Meta emulators."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.webhooks.forwarder import InboxForwarder
from core.settings import Settings
from core.temporal import TemporalGateway
from domain.audit.models import AuditEntry
from domain.audit.service import Actor
from domain.business.models import BusinessSettings, FaqEntry
from domain.customers import service as customers
from domain.customers.models import Channel, Customer, CustomerIdentity
from domain.inbox import service as inbox
from domain.messaging import conversations
from domain.messaging.conversation_payloads import (
    ConversationCarry,
    ConversationOutcome,
    PendingMessage,
)
from domain.messaging.models import (
    Conversation,
    ConversationState,
    Message,
    MessageDirection,
    MessageKind,
    MessageStatus,
)
from domain.messaging.payloads import InboundMessage
from domain.messaging.replies import ReplyModel
from domain.tasks.models import Task
from integrations.llm.openai_messaging import OpenAIMessaging
from integrations.meta.webhooks import parse_delivery
from sandbox.openai import COMPLETIONS_PATH, SANDBOX_OPENAI_API_KEY
from tests import factories
from tests.meta_fixtures import MetaSandbox
from tests.sandbox_fixtures import OpenAISandbox, RingCentralSandbox
from tests.workflows.conftest import PUBLIC_BASE_URL, replay_and_maybe_record, sandbox_providers
from workflows.conversation import ConversationWorkflow, conversation_workflow_id
from workflows.worker import WorkerDeps, build_worker

BUSINESS = "+15105550100"
CUSTOMER = "+15105550111"
OWNER_PHONE = "+15105550190"
BURST = timedelta(seconds=20)
GRILL_ANSWER = "Yes! We bring the grill, the propane and all the cooking tools."
LICENSED_ANSWER = "Yes, we are licensed and insured in California."
STAFF_ACTOR = Actor.user(1, "Olivia Owner")

T = TypeVar("T")


@dataclass
class Conversing:
    env: WorkflowEnvironment
    client: Client
    task_queue: str
    engine: Engine
    forwarder: InboxForwarder
    ringcentral: RingCentralSandbox
    meta: MetaSandbox

    async def text(self, text: str, sender: str = CUSTOMER, message_id: str = "") -> str:
        """The customer texts the business: RingCentral's notification, as the webhook stores
        it. Returns the message id."""
        message_id = message_id or f"rc-{uuid.uuid4().hex[:10]}"
        body: dict[str, Any] = {
            "uuid": str(uuid.uuid4()),
            "event": "/restapi/v1.0/account/1/extension/1/message-store/instant?type=SMS",
            "timestamp": datetime.now(UTC).isoformat(),
            "subscriptionId": "sub-1",
            "ownerId": "1",
            "body": {
                "id": message_id,
                "from": {"phoneNumber": sender},
                "to": [{"phoneNumber": BUSINESS}],
                "subject": text,
                "creationTime": datetime.now(UTC).isoformat(),
                "direction": "Inbound",
                "messageStatus": "Received",
                "type": "SMS",
            },
        }
        await self._deliver("ringcentral", body["uuid"], json.dumps(body))
        return message_id

    async def messenger(self, text: str, sender_id: str | None = None) -> str:
        """A customer writes to the Page on Messenger. Returns their sender id (PSID)."""
        written = self.meta.customer_writes(text, platform="messenger", sender_id=sender_id)
        [message] = parse_delivery(written["body"]).customer_messages
        await self._deliver("meta", message.event_key, message.envelope())
        return message.sender_id

    async def _deliver(self, provider: str, key: str, body: str) -> None:
        def accept() -> int:
            with Session(self.engine) as session:
                event, _ = inbox.accept(
                    session,
                    provider=provider,
                    event_key=key,
                    event_type="message",
                    body=body,
                    headers={},
                )
                session.commit()
                return event.id or 0

        assert await self.forwarder.forward(await asyncio.to_thread(accept))

    def handle(
        self, channel: Channel = Channel.SMS, address: str = CUSTOMER
    ) -> WorkflowHandle[Any, ConversationOutcome]:
        return self.client.get_workflow_handle_for(
            ConversationWorkflow.run, conversation_workflow_id(channel, address)
        )

    def texts_to(self, number: str) -> list[str]:
        return [m.text for m in self.ringcentral.state.thread(number) if m.direction == "Outbound"]

    def outbound(self, kind: MessageKind | None = None) -> list[Message]:
        with Session(self.engine) as session:
            query = select(Message).where(Message.direction == MessageDirection.OUTBOUND)
            if kind is not None:
                query = query.where(Message.kind == kind)
            return list(session.exec(query.order_by(col(Message.id))).all())

    def conversation(self) -> Conversation:
        with Session(self.engine) as session:
            [found] = session.exec(select(Conversation)).all()
            return found

    def turn_audits(self) -> list[AuditEntry]:
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(AuditEntry)
                    .where(AuditEntry.action == "conversation.turn")
                    .order_by(col(AuditEntry.id))
                ).all()
            )

    async def until(
        self, check: Callable[[], T], step: timedelta = timedelta(seconds=5), attempts: int = 60
    ) -> T:
        """Skips the server's clock a step at a time until `check` returns something truthy."""
        for _ in range(attempts):
            found = await asyncio.to_thread(check)
            if found:
                return found
            await self.env.sleep(step)
        raise AssertionError(f"still waiting after {attempts} steps of {step}")


@asynccontextmanager
async def _conversing(
    env: WorkflowEnvironment,
    engine: Engine,
    settings: Settings,
    ringcentral: RingCentralSandbox,
    meta: MetaSandbox,
    reply_model: ReplyModel | None = None,
) -> AsyncIterator[Conversing]:
    with Session(engine) as session:
        business = factories.business(session)
        business.lead_follow_up_hours = 3
        session.add(business)
        factories.owner_on_primary_extension(session, OWNER_PHONE)
        session.add(
            FaqEntry(
                question="Do you bring your own grill?",
                answer=GRILL_ANSWER,
                keywords="grill,propane",
            )
        )
        session.add(
            FaqEntry(
                question="Are you licensed and insured?",
                answer=LICENSED_ANSWER,
                keywords="licensed,insured,insurance",
            )
        )
        session.commit()
    task_queue = f"test-{uuid.uuid4().hex[:8]}"
    providers = dataclasses.replace(
        sandbox_providers(ringcentral, None), direct_messages=meta.sender(timeout=1.0)
    )
    deps = WorkerDeps(
        engine=engine,
        providers=providers,
        public_base_url=PUBLIC_BASE_URL,
        reply_model=reply_model,
        conversation_burst_seconds=int(BURST.total_seconds()),
    )
    forwarder = InboxForwarder(engine, TemporalGateway.connected(settings, env.client), task_queue)
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with build_worker(env.client, task_queue=task_queue, deps=deps, executor=executor):
            yield Conversing(env, env.client, task_queue, engine, forwarder, ringcentral, meta)


@pytest.fixture
async def conversing(
    own_time_skipping_env: WorkflowEnvironment,
    engine: Engine,
    settings: Settings,
    ringcentral: RingCentralSandbox,
    meta: MetaSandbox,
) -> AsyncIterator[Conversing]:
    async with _conversing(own_time_skipping_env, engine, settings, ringcentral, meta) as ready:
        yield ready


@pytest.fixture
async def conversing_with_openai(
    own_time_skipping_env: WorkflowEnvironment,
    engine: Engine,
    settings: Settings,
    ringcentral: RingCentralSandbox,
    meta: MetaSandbox,
    openai_sandbox: OpenAISandbox,
) -> AsyncIterator[Conversing]:
    model = OpenAIMessaging(
        SANDBOX_OPENAI_API_KEY, openai_sandbox.base_url, "gpt-4o-mini", timeout=2.0
    )
    async with _conversing(
        own_time_skipping_env, engine, settings, ringcentral, meta, model
    ) as ready:
        yield ready
    model.close()


async def test_a_question_is_answered_from_the_faq(conversing: Conversing) -> None:
    await conversing.text("Do you bring your own grill?")
    [answer] = await conversing.until(lambda: conversing.texts_to(CUSTOMER))
    assert answer == GRILL_ANSWER
    [sent] = conversing.outbound()
    assert sent.kind == MessageKind.CONVERSATION and sent.status == MessageStatus.SENT
    conversation = conversing.conversation()
    assert sent.conversation_id == conversation.id
    assert conversation.state == ConversationState.AUTOMATED
    assert conversation.unread_count == 1 and conversation.last_inbound_at is not None
    [turn] = conversing.turn_audits()
    assert turn.changes["action"] == "reply" and turn.changes["source"] == "builtin"


async def test_a_burst_of_texts_is_answered_once(conversing: Conversing) -> None:
    for text in ("Hi!", "Do you bring the grill?", "And are you licensed?"):
        await conversing.text(text)
    [answer] = await conversing.until(lambda: conversing.texts_to(CUSTOMER))
    assert answer == f"{GRILL_ANSWER} {LICENSED_ANSWER}"
    await conversing.env.sleep(BURST * 3)
    assert len(conversing.texts_to(CUSTOMER)) == 1
    [turn] = conversing.turn_audits()
    assert len(turn.changes["messages"]) == 3
    assert conversing.conversation().unread_count == 3


async def test_a_person_takes_over_and_the_ai_stays_quiet_until_handed_back(
    conversing: Conversing,
) -> None:
    await conversing.text("can I talk to a real person")
    [notice] = await conversing.until(lambda: conversing.texts_to(CUSTOMER))
    assert "Olivia from our team" in notice
    [heads_up] = conversing.texts_to(OWNER_PHONE)
    assert "needs a person" in heads_up and "can I talk to a real person" in heads_up
    [staff_text] = conversing.outbound(MessageKind.STAFF)
    assert staff_text.conversation_id is None and staff_text.to_address == OWNER_PHONE
    conversation = conversing.conversation()
    assert conversation.state == ConversationState.HANDED_OFF
    assert conversation.assigned_staff_id is not None and conversation.handed_off_at is not None
    assert "person" in (conversation.handoff_reason or "")

    await conversing.text("Do you bring your own grill?")
    [_, silent] = await conversing.until(
        lambda: conversing.turn_audits()[1:] and conversing.turn_audits()
    )
    assert silent.changes == {
        "action": "silent",
        "reason": "a person has this conversation",
        "source": "rules",
        "messages": silent.changes["messages"],
    }
    assert conversing.texts_to(CUSTOMER) == [notice]

    with Session(conversing.engine) as session:
        held = conversations.get(session, conversation.id or 0)
        conversations.hand_back(session, held, STAFF_ACTOR)
        session.commit()
    await conversing.text("And are you licensed?")
    answers = await conversing.until(lambda: conversing.texts_to(CUSTOMER)[1:])
    assert answers == [LICENSED_ANSWER]
    assert conversing.conversation().state == ConversationState.AUTOMATED
    await conversing.env.sleep(timedelta(days=8))
    run = conversing.handle()
    assert (await run.result()).turns == 3
    await replay_and_maybe_record(run, f"{ConversationWorkflow.__name__}--handed-off-and-back")


async def test_a_complaint_is_handed_off(conversing: Conversing) -> None:
    await conversing.text("The food was cold and the chef was rude, I want a refund")
    [notice] = await conversing.until(lambda: conversing.texts_to(CUSTOMER))
    assert "sorry" in notice
    assert len(conversing.texts_to(OWNER_PHONE)) == 1
    conversation = conversing.conversation()
    assert conversation.state == ConversationState.HANDED_OFF
    assert "complaint" in (conversation.handoff_reason or "")


async def test_a_message_delivered_twice_is_recorded_and_answered_once(
    conversing: Conversing,
) -> None:
    message_id = await conversing.text("Do you bring your own grill?")
    await conversing.text("Do you bring your own grill?", message_id=message_id)
    await conversing.until(lambda: conversing.texts_to(CUSTOMER))
    await conversing.env.sleep(BURST * 3)
    assert conversing.texts_to(CUSTOMER) == [GRILL_ANSWER]
    with Session(conversing.engine) as session:
        inbound = session.exec(
            select(Message).where(Message.direction == MessageDirection.INBOUND)
        ).all()
    assert [message.external_id for message in inbound] == [message_id]
    assert len(conversing.turn_audits()) == 1


async def test_a_booking_is_looked_up(conversing: Conversing) -> None:
    with Session(conversing.engine) as session:
        customer = factories.customer(session, "Jennifer Nguyen", CUSTOMER)
        booking = factories.booking(
            session, customer.id or 0, datetime.now(UTC) + timedelta(days=9)
        )
        session.commit()
        reference, total = booking.reference, booking.total_cents
    await conversing.text("When is my booking?")
    [answer] = await conversing.until(lambda: conversing.texts_to(CUSTOMER))
    assert reference in answer and "20 guests" in answer
    assert f"${total // 100:,}" in answer


async def test_a_stop_keyword_gets_the_consent_answer_not_the_ai(conversing: Conversing) -> None:
    await conversing.text("STOP")
    [confirmation] = await conversing.until(lambda: conversing.texts_to(CUSTOMER))
    [sent] = conversing.outbound()
    assert sent.kind == MessageKind.CONSENT and sent.body == confirmation
    await conversing.env.sleep(BURST * 3)
    assert conversing.turn_audits() == []
    with Session(conversing.engine) as session:
        customer = customers.find_by_phone(session, CUSTOMER)
        assert customer is not None and customer.sms_opted_out


async def test_a_quiet_lead_gets_one_follow_up(conversing: Conversing) -> None:
    await conversing.text("How much for 20 people?")
    [asked] = await conversing.until(lambda: conversing.texts_to(CUSTOMER))
    assert "how many adults and children" in asked
    with Session(conversing.engine) as session:
        [task] = session.exec(select(Task)).all()
        assert task.kind == "quote_request" and "How much for 20 people?" in task.details
        lead = customers.find_by_phone(session, CUSTOMER)
        # Follow-ups are marketing: allowed without a consent box only because the lead wrote
        # to us this week (the send gate's rule), and never after STOP.
        assert lead is not None and not lead.sms_consent
    [follow_up] = await conversing.until(
        lambda: conversing.outbound(MessageKind.MARKETING), step=timedelta(hours=1), attempts=48
    )
    assert follow_up.idempotency_key == f"conversation:{follow_up.conversation_id}:lead-follow-up"
    await conversing.until(lambda: len(conversing.texts_to(CUSTOMER)) == 2, step=timedelta(hours=1))
    assert "checking in" in conversing.texts_to(CUSTOMER)[1]
    await conversing.env.sleep(timedelta(days=3))
    assert len(conversing.outbound(MessageKind.MARKETING)) == 1
    assert len(conversing.texts_to(CUSTOMER)) == 2


async def test_a_lead_who_writes_again_is_not_followed_up_for_the_earlier_answer(
    conversing: Conversing,
) -> None:
    with Session(conversing.engine) as session:
        business = session.get(BusinessSettings, 1)
        assert business is not None
        business.lead_follow_up_hours = 24
        session.add(business)
        session.commit()
    await conversing.text("How much for 20 people?")
    await conversing.until(lambda: conversing.texts_to(CUSTOMER))
    await conversing.env.sleep(timedelta(hours=20))
    await conversing.text("Do you bring your own grill?")
    await conversing.until(lambda: len(conversing.texts_to(CUSTOMER)) == 2)
    await conversing.env.sleep(timedelta(hours=10))  # 30 h after the first answer
    assert conversing.outbound(MessageKind.MARKETING) == []


async def test_a_messenger_message_is_answered_on_messenger(conversing: Conversing) -> None:
    psid = await conversing.messenger("Do you bring your own grill?")
    [sent] = await conversing.until(lambda: conversing.meta.sent(psid))
    assert sent["text"] == GRILL_ANSWER
    with Session(conversing.engine) as session:
        [identity] = session.exec(select(CustomerIdentity)).all()
        assert identity.channel == Channel.MESSENGER and identity.address == psid
        customer = session.get(Customer, identity.customer_id)
        assert customer is not None and customer.phone is None
    [reply] = conversing.outbound()
    assert reply.channel == Channel.MESSENGER and reply.status == MessageStatus.SENT
    assert conversing.texts_to(CUSTOMER) == []


async def test_an_instagram_message_signed_by_meta_is_answered_on_instagram(
    conversing: Conversing, settings: Settings
) -> None:
    """The whole way: Meta's signed POST to our webhook (signature checked by the app), the
    inbox, the forwarder, the conversation, the Send API answer at the emulator."""
    api = TestClient(create_app(settings, conversing.engine))  # no lifespan: we forward

    def post(body: str, signature: str) -> int:
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
        return api.post("/webhooks/meta", content=body.encode(), headers=headers).status_code

    written = conversing.meta.customer_writes("Do you bring your own grill?", platform="instagram")
    forged = "sha256=" + "0" * 64
    assert await asyncio.to_thread(post, written["body"], forged) == 401
    assert await asyncio.to_thread(post, written["body"], written["signature"]) == 200
    assert await asyncio.to_thread(post, written["body"], written["signature"]) == 200  # again
    assert await conversing.forwarder.forward_pending() == 1

    igsid = written["sender_id"]
    [sent] = await conversing.until(lambda: conversing.meta.sent(igsid))
    assert sent["text"] == GRILL_ANSWER
    [reply] = conversing.outbound()
    assert reply.channel == Channel.INSTAGRAM and reply.status == MessageStatus.SENT


async def test_a_quiet_week_ends_the_run_and_a_later_message_starts_another(
    conversing: Conversing,
) -> None:
    first_id = await conversing.text("Do you bring your own grill?")
    await conversing.until(lambda: conversing.texts_to(CUSTOMER))
    first_run = conversing.handle()
    first_run_id = (await first_run.describe()).run_id
    await conversing.env.sleep(timedelta(days=8))  # a handle we did not start skips no time
    outcome = await first_run.result()
    assert outcome.reason == "idle" and outcome.turns == 1
    await replay_and_maybe_record(first_run, f"{ConversationWorkflow.__name__}--answered")

    # A late redelivery of the answered message starts a run that knows it was answered.
    sent_before = len(conversing.texts_to(CUSTOMER))  # the answer (and a lead's follow-up)
    await conversing.text("Do you bring your own grill?", message_id=first_id)
    await conversing.text("And are you licensed?")
    answers = await conversing.until(lambda: conversing.texts_to(CUSTOMER)[sent_before:])
    assert answers == [LICENSED_ANSWER]
    assert (await conversing.handle().describe()).run_id != first_run_id
    [_, second_turn] = conversing.turn_audits()
    assert len(second_turn.changes["messages"]) == 1


async def test_openai_answers_when_configured_and_the_built_in_answers_when_it_fails(
    conversing_with_openai: Conversing, openai_sandbox: OpenAISandbox
) -> None:
    conversing = conversing_with_openai
    openai_sandbox.script(
        {
            "action": "reply",
            "intent": "faq",
            "text": "We bring everything, grill included!",
            "reason": "The FAQ answers it.",
        }
    )
    await conversing.text("Do you bring your own grill?")
    [answer] = await conversing.until(lambda: conversing.texts_to(CUSTOMER))
    assert answer == "We bring everything, grill included!"

    openai_sandbox.fault(path_prefix=COMPLETIONS_PATH, kind="server_error")
    await conversing.text("And are you licensed?")
    answers = await conversing.until(lambda: conversing.texts_to(CUSTOMER)[1:])
    assert answers == [LICENSED_ANSWER]
    assert [turn.changes["source"] for turn in conversing.turn_audits()] == ["openai", "builtin"]


async def test_a_continued_run_answers_what_the_last_one_left_pending(
    conversing: Conversing,
) -> None:
    """Continue-as-new hands over the seen ids and the pending messages: the new run answers
    them once and does not take its first message for a new one."""
    first = InboundMessage(
        channel=Channel.SMS,
        external_id="rc-carried-1",
        from_address=CUSTOMER,
        to_address=BUSINESS,
        text="Do you bring your own grill?",
        received_at=datetime.now(UTC),
    )
    with Session(conversing.engine) as session:
        received = conversations.receive(session, first, Actor.workflow("earlier-run"))
        session.commit()
        pending = PendingMessage(
            message_id=received.message.id or 0,
            customer_id=received.customer.id or 0,
            conversation_id=received.conversation.id or 0,
            channel=Channel.SMS,
            from_address=CUSTOMER,
            to_address=BUSINESS,
            text=first.text,
        )
    carried = ConversationCarry(
        seen_external_ids=[first.external_id], pending=[pending], turns=4, burst_seconds=20
    )
    handle = await conversing.client.start_workflow(
        ConversationWorkflow.run,
        args=[first, carried],
        id=conversation_workflow_id(Channel.SMS, CUSTOMER),
        task_queue=conversing.task_queue,
    )
    assert await conversing.until(lambda: conversing.texts_to(CUSTOMER)) == [GRILL_ANSWER]
    assert await handle.query(ConversationWorkflow.turns) == 5
    with Session(conversing.engine) as session:
        assert (
            len(session.exec(select(Message).where(Message.external_id == "rc-carried-1")).all())
            == 1
        )
