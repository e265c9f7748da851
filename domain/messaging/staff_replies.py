"""A person's reply from the inbox, now or later: stored as an outbound message, then sent by its
own workflow (StaffMessageWorkflow) on the channel the person chose.

The message row is the single source of truth: the workflow sends *that* row (same idempotency
key), and a scheduled one is released for sending only if nobody cancelled it meanwhile. Both
release and cancel are compare-and-set on the status, so they cannot both win.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.errors import ConflictError, NotFoundError, ValidationFailed
from core.timeutil import as_utc, utcnow
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.business import service as business
from domain.customers.models import Channel, Customer
from domain.messaging import outbox
from domain.messaging.meta_window import reply_allowed
from domain.messaging.models import (
    Conversation,
    Message,
    MessageDirection,
    MessageKind,
    MessageStatus,
)
from domain.messaging.rules_inbox import (
    CHANNEL_LABELS,
    STAFF_KEY_PREFIX,
    default_reply_channel,
    reply_channels,
    reply_problem,
    reply_status,
    staff_message_key,
)


@dataclass(frozen=True)
class ReplyOptions:
    """Where a person may answer this customer, and where the reply box starts."""

    channels: list[Channel]
    default: Channel | None


@dataclass(frozen=True)
class QueuedReply:
    message: Message
    inbox_event_id: int


def last_inbound_on(session: Session, conversation_id: int, channel: Channel) -> Message | None:
    return session.exec(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.channel == channel,
            Message.direction == MessageDirection.INBOUND,
        )
        .order_by(col(Message.created_at).desc(), col(Message.id).desc())
    ).first()


def _last_inbound(session: Session, conversation_id: int) -> Message | None:
    return session.exec(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == MessageDirection.INBOUND,
        )
        .order_by(col(Message.created_at).desc(), col(Message.id).desc())
    ).first()


def channels_written_on(session: Session, conversation_id: int) -> set[Channel]:
    rows = session.exec(
        select(Message.channel)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == MessageDirection.INBOUND,
        )
        .distinct()
    ).all()
    return {Channel(row) for row in rows}


def reply_options(session: Session, conversation: Conversation) -> ReplyOptions:
    customer = _customer(session, conversation)
    conversation_id = conversation.id or 0
    channels = reply_channels(
        has_phone=bool(customer.phone), written_on=channels_written_on(session, conversation_id)
    )
    if not channels:
        return ReplyOptions([], None)
    last = _last_inbound(session, conversation_id)
    return ReplyOptions(channels, default_reply_channel(channels, last.channel if last else None))


def queue_staff_reply(
    session: Session,
    conversation: Conversation,
    body: str,
    channel: Channel,
    scheduled_for: datetime | None,
    actor: Actor,
) -> QueuedReply:
    """Stores the reply (scheduled, or pending to go now) and queues its sending workflow."""
    now = utcnow()
    scheduled_for = as_utc(scheduled_for) if scheduled_for is not None else None
    text = body.strip()
    problem = reply_problem(text, scheduled_for, now)
    if problem:
        raise ValidationFailed(problem)
    customer = _customer(session, conversation)
    options = reply_options(session, conversation)
    if channel not in options.channels:
        raise ValidationFailed(
            f"{customer.full_name} cannot be reached on {CHANNEL_LABELS.get(channel, channel)}."
        )
    from_address, to_address = _addresses(
        session, conversation, customer, channel, scheduled_for or now
    )
    status = reply_status(scheduled_for, now)
    message = Message(
        conversation_id=conversation.id,
        channel=channel,
        direction=MessageDirection.OUTBOUND,
        body=text,
        from_address=from_address,
        to_address=to_address,
        status=status,
        sent_by=actor.key,
        kind=MessageKind.CONVERSATION,
        scheduled_for=scheduled_for if status == MessageStatus.SCHEDULED else None,
        created_at=now,
    )
    session.add(message)
    session.flush()  # the key names the row's id
    message.idempotency_key = staff_message_key(message.id or 0)
    conversation.last_message_at = now
    session.add_all([message, conversation])
    session.flush()
    audit.record(
        session,
        actor,
        "message.reply",
        "message",
        message.id,
        {
            "conversation_id": conversation.id,
            "channel": channel.value,
            "scheduled_for": message.scheduled_for.isoformat() if message.scheduled_for else None,
        },
        f"Reply to {customer.full_name} on {CHANNEL_LABELS.get(channel, channel)}"
        + (" (scheduled)" if message.scheduled_for else ""),
    )
    return QueuedReply(message, outbox.staff_message_queued(session, message))


def cancel_scheduled(session: Session, message_id: int, actor: Actor) -> Message:
    """Stops a reply scheduled for later, as long as it has not been released for sending."""
    message = _staff_message(session, message_id)
    reason = f"cancelled by {actor.name}"
    if not _move(session, message_id, MessageStatus.SCHEDULED, MessageStatus.SUPPRESSED, reason):
        raise ConflictError("It is no longer waiting: it was sent or cancelled already.")
    session.refresh(message)
    audit.record(
        session,
        actor,
        "message.cancel",
        "message",
        message_id,
        {"status": [MessageStatus.SCHEDULED.value, MessageStatus.SUPPRESSED.value]},
        "Cancelled a scheduled reply",
    )
    return message


def release_for_sending(session: Session, message_id: int, actor: Actor) -> bool:
    """The workflow's last look before sending: a scheduled reply becomes due unless it was
    cancelled; one queued to go now is due as it stands. False: do not send it."""
    message = _staff_message(session, message_id)
    if message.status == MessageStatus.SCHEDULED:
        if not _move(session, message_id, MessageStatus.SCHEDULED, MessageStatus.PENDING, None):
            return False  # cancelled at this very moment
        audit.record(
            session, actor, "message.release", "message", message_id, {}, "Scheduled reply due"
        )
        return True
    return message.status not in (MessageStatus.SUPPRESSED, MessageStatus.FAILED)


def _move(
    session: Session,
    message_id: int,
    expected: MessageStatus,
    status: MessageStatus,
    error: str | None,
) -> bool:
    moved = session.execute(
        update(Message)
        .where(col(Message.id) == message_id, col(Message.status) == expected)
        .values(status=status, error=error)
    )
    return bool(moved.rowcount == 1)  # type: ignore[attr-defined]


def _staff_message(session: Session, message_id: int) -> Message:
    message = session.get(Message, message_id)
    if message is None or not (message.idempotency_key or "").startswith(STAFF_KEY_PREFIX):
        raise NotFoundError("no such staff reply")
    return message


def _customer(session: Session, conversation: Conversation) -> Customer:
    customer = session.get(Customer, conversation.customer_id)
    if customer is None:
        raise NotFoundError("the conversation's customer is gone")
    return customer


def _addresses(
    session: Session,
    conversation: Conversation,
    customer: Customer,
    channel: Channel,
    send_at: datetime,
) -> tuple[str, str]:
    """(from, to): answer from the number, page or account they wrote to. Messenger and
    Instagram refuse a reply past Meta's window: better said now than found failed later."""
    last = last_inbound_on(session, conversation.id or 0, channel)
    if channel == Channel.SMS:
        if not customer.phone:
            raise ValidationFailed(f"There is no phone number for {customer.full_name}.")
        ours = last.to_address if last is not None else business.get_settings(session).phone_number
        return ours, customer.phone
    if last is None:
        raise ValidationFailed(
            f"{customer.full_name} has not written on {CHANNEL_LABELS.get(channel, channel)}."
        )
    window = reply_allowed(last.created_at, send_at, human_agent=True)
    if not window.allowed:
        raise ValidationFailed(f"Meta would refuse it: {window.why}.")
    return last.to_address, last.from_address
