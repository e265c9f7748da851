"""Conversation activities: record what a customer wrote, decide the AI's answer to a turn,
hand the conversation to a person, and decide a quiet lead's one follow-up.

They decide and record; the workflow sends (SMS through `workflows.texting.send_text`,
Messenger and Instagram through `DirectMessageActivities.send_direct_message`).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select
from temporalio import activity

from activities.actor import workflow_actor
from core.db import session_scope
from core.timeutil import to_local, utcnow
from domain.audit import service as audit
from domain.business import service as business
from domain.calls import service as calls
from domain.customers.models import Customer
from domain.messaging import conversations, templates
from domain.messaging import service as messaging
from domain.messaging.conversation_payloads import (
    FollowUpDecision,
    FollowUpRequest,
    HandOffRequest,
    HandOffResult,
    RecordedMessage,
    TurnDecision,
    TurnRequest,
)
from domain.messaging.models import (
    ConversationState,
    MessageDirection,
    MessageKind,
    TemplateKind,
)
from domain.messaging.payloads import InboundMessage, SendSmsRequest
from domain.messaging.replies import (
    BookingSummary,
    ReplyAction,
    ReplyContext,
    ReplyDecision,
    ReplyModel,
    ThreadLine,
    builtin_reply,
    hand_off_notice,
)
from domain.messaging.reply_rules import (
    follow_up_key,
    follow_up_skip_reason,
    reply_key,
    silence_reason,
)
from domain.payments import ledger
from domain.quotes.models import Quote, QuoteStatus
from domain.staff import service as staff
from domain.staff.models import StaffMember
from domain.tasks import service as tasks
from integrations.errors import ProviderError

log = logging.getLogger(__name__)

THREAD_LINES = 12  # recent messages a model sees besides the new ones


def first_name(customer: Customer) -> str | None:
    """A name to greet by; none for the placeholders of unknown senders (a number, an id)."""
    name = customer.full_name.strip()
    if not name or any(char.isdigit() for char in name):
        return None
    return name.split()[0]


class ConversationActivities:
    def __init__(
        self,
        engine: Engine,
        public_base_url: str,
        burst_seconds: int,
        model: ReplyModel | None = None,
    ) -> None:
        self._engine = engine
        self._public_base_url = public_base_url.rstrip("/")
        self._burst_seconds = burst_seconds
        self._model = model

    @activity.defn
    def record_inbound_message(self, inbound: InboundMessage) -> RecordedMessage:
        with session_scope(self._engine) as session:
            received = conversations.receive(session, inbound, workflow_actor())
            return RecordedMessage(
                customer_id=received.customer.id or 0,
                conversation_id=received.conversation.id or 0,
                message_id=received.message.id or 0,
                is_new=received.is_new,
                handled_before=not received.is_new
                and conversations.answered_after(
                    session, received.conversation.id or 0, received.message.id or 0
                ),
                burst_seconds=self._burst_seconds,
            )

    @activity.defn
    def reply_turn(self, turn: TurnRequest) -> TurnDecision:
        with session_scope(self._engine) as session:
            conversation = conversations.get(session, turn.conversation_id)
            silence = silence_reason(
                conversation.state, turn.channel, conversation.last_inbound_at, turn.at
            )
            if silence is not None:
                self._audit_turn(session, turn, ReplyAction.SILENT.value, silence, "rules")
                return TurnDecision(action=ReplyAction.SILENT.value, reason=silence, intent="other")
            context = self._context(session, turn)
            follow_up_hours = business.get_settings(session).lead_follow_up_hours
        decision, source = self._decide(turn.texts, context)
        with session_scope(self._engine) as session:
            if decision.wants_quote and context.is_lead:
                self._record_quote_interest(session, turn)
            self._audit_turn(session, turn, decision.action.value, decision.reason, source)
        answered_lead = decision.action is ReplyAction.REPLY and context.is_lead
        return TurnDecision(
            action=decision.action.value,
            reason=decision.reason,
            intent=decision.intent,
            text=decision.text,
            complaint=decision.complaint,
            source=source,
            follow_up_after_hours=follow_up_hours if answered_lead else None,
        )

    def _decide(self, texts: list[str], context: ReplyContext) -> tuple[ReplyDecision, str]:
        """The model when configured; the built-in answers when not, or when it fails: a
        customer is never left waiting on a third party."""
        if self._model is not None:
            try:
                return self._model.reply(texts, context), "openai"
            except ProviderError as error:
                log.warning("OpenAI reply failed, using the built-in answers: %s", error)
        return builtin_reply(texts, context), "builtin"

    def _context(self, session: Session, turn: TurnRequest) -> ReplyContext:
        settings = business.get_settings(session)
        customer = session.get(Customer, turn.customer_id)
        assert customer is not None
        booking = calls.next_booking(session, turn.customer_id, turn.at)
        summary = (
            BookingSummary(
                reference=booking.reference,
                starts_at_local=to_local(booking.scheduled_start, settings.timezone),
                guests=booking.adults + booking.children,
                balance_cents=ledger.summary(session, booking).balance_cents,
            )
            if booking is not None
            else None
        )
        thread = [
            ThreadLine(
                "customer" if message.direction is MessageDirection.INBOUND else "business",
                message.body,
            )
            for message in messaging.messages_of(session, turn.conversation_id)
            if message.id not in turn.message_ids
        ][-THREAD_LINES:]
        return ReplyContext(
            business_name=settings.name,
            business_phone=settings.phone_number,
            customer_first_name=first_name(customer),
            is_lead=conversations.is_lead(session, turn.customer_id),
            faqs=tuple(calls.faq_entries(session)),
            staff_names=tuple(staff.names_on_extensions(session)),
            next_booking=summary,
            quote_link=self._open_quote_link(session, turn.customer_id, turn.at),
            thread=tuple(thread),
        )

    def _open_quote_link(self, session: Session, customer_id: int, now: datetime) -> str | None:
        quote = session.exec(
            select(Quote)
            .where(Quote.customer_id == customer_id, Quote.status == QuoteStatus.SENT)
            .order_by(col(Quote.created_at).desc())
        ).first()
        if quote is None or (quote.expires_at is not None and quote.expires_at <= now):
            return None
        return f"{self._public_base_url}/q/{quote.public_token}"

    def _record_quote_interest(self, session: Session, turn: TurnRequest) -> None:
        customer = session.get(Customer, turn.customer_id)
        name = customer.full_name if customer else f"customer {turn.customer_id}"
        tasks.raise_task(
            session,
            kind="quote_request",
            title=f"Quote request from {name} ({turn.channel.value})",
            details="\n".join(turn.texts),
            # Once per turn, however often the activity is retried.
            source_key=reply_key(turn.conversation_id, turn.message_ids) + ":quote",
            actor=workflow_actor(),
            customer_id=turn.customer_id,
        )

    @staticmethod
    def _audit_turn(
        session: Session, turn: TurnRequest, action: str, reason: str, source: str
    ) -> None:
        audit.record(
            session,
            workflow_actor(),
            "conversation.turn",
            "conversation",
            turn.conversation_id,
            {"action": action, "reason": reason, "source": source, "messages": turn.message_ids},
            f"AI {action.replace('_', ' ')}: {reason}",
        )

    @activity.defn
    def hand_off_conversation(self, request: HandOffRequest) -> HandOffResult:
        """Hands the conversation to the next staff member in the escalation rotation (the
        calls' rotation; the primary escalation extension's person when nobody is free) and
        writes their heads-up. A retry finds the hand-off done and writes the same heads-up."""
        actor = workflow_actor()
        with session_scope(self._engine) as session:
            settings = business.get_settings(session)
            conversation = conversations.get(session, request.conversation_id)
            if conversation.state is ConversationState.HANDED_OFF:
                member = (
                    session.get(StaffMember, conversation.assigned_staff_id)
                    if conversation.assigned_staff_id is not None
                    else None
                )
            else:
                member = self._next_staff_member(session, settings.timezone)
                conversations.hand_off(
                    session, conversation, member.id if member else None, request.reason, actor
                )
            customer = session.get(Customer, conversation.customer_id)
            assert customer is not None
            heads_up = None
            if member is not None and member.phone:
                heads_up = SendSmsRequest(
                    idempotency_key=f"{request.key}:staff",
                    conversation_id=None,
                    from_number=settings.phone_number,
                    to_number=member.phone,
                    text=(
                        f"Teppan: {customer.full_name} needs a person in the inbox. "
                        f'Why: {request.reason} Last message: "{request.last_text[:160]}"'
                    )[:480],
                    sent_by=actor.key,
                    kind=MessageKind.STAFF,
                )
            return HandOffResult(
                staff_member_id=member.id if member else None,
                staff_name=member.full_name if member else None,
                heads_up=heads_up,
                notice=hand_off_notice(
                    first_name(customer), member.full_name if member else None, request.complaint
                ),
            )

    @staticmethod
    def _next_staff_member(session: Session, timezone: str) -> StaffMember | None:
        extension = staff.take_next(
            session, moment=utcnow(), timezone=timezone, on_call=set(), exclude=set()
        )
        extension = extension or staff.primary(session)
        if extension is None:
            return None
        return session.get(StaffMember, extension.staff_member_id)

    @activity.defn
    def lead_follow_up(self, request: FollowUpRequest) -> FollowUpDecision:
        key = follow_up_key(request.conversation_id)
        with session_scope(self._engine) as session:
            conversation = conversations.get(session, request.conversation_id)
            customer = session.get(Customer, request.customer_id)
            assert customer is not None
            skip = follow_up_skip_reason(
                state=conversation.state,
                is_lead=conversations.is_lead(session, customer.id or 0),
                opted_out=customer.sms_opted_out,
                already_followed_up=messaging.find_by_idempotency_key(session, key) is not None,
                channel=request.channel,
                last_inbound_at=conversation.last_inbound_at,
                now=request.at,
            )
            if skip is not None:
                return FollowUpDecision(text=None, reason=skip, key=key)
            settings = business.get_settings(session)
            text = templates.render(
                session,
                TemplateKind.LEAD_FOLLOW_UP,
                {
                    "first_name": first_name(customer) or "there",
                    "business_name": settings.name,
                    "business_phone": settings.phone_number,
                },
            )
            return FollowUpDecision(text=text, reason="the lead went quiet", key=key)
