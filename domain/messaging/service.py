"""Conversations and messages: one conversation per customer, across channels."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from core.timeutil import utcnow
from domain.customers.models import Channel
from domain.messaging.models import (
    Conversation,
    Message,
    MessageDirection,
    MessageStatus,
)


def conversation_for(session: Session, customer_id: int) -> Conversation:
    conversation = session.exec(
        select(Conversation).where(Conversation.customer_id == customer_id)
    ).first()
    if conversation is None:
        conversation = Conversation(customer_id=customer_id)
        session.add(conversation)
        session.flush()
    return conversation


def find_by_external_id(session: Session, channel: Channel, external_id: str) -> Message | None:
    return session.exec(
        select(Message).where(Message.channel == channel, Message.external_id == external_id)
    ).first()


def record_inbound(
    session: Session,
    *,
    conversation: Conversation,
    channel: Channel,
    external_id: str,
    from_address: str,
    to_address: str,
    body: str,
    received_at: datetime,
) -> tuple[Message, bool]:
    """Stores an inbound message once; a repeat of the same provider id returns the first."""
    existing = find_by_external_id(session, channel, external_id)
    if existing is not None:
        return existing, False
    message = Message(
        conversation_id=conversation.id or 0,
        channel=channel,
        direction=MessageDirection.INBOUND,
        body=body[:4000],
        from_address=from_address,
        to_address=to_address,
        status=MessageStatus.RECEIVED,
        external_id=external_id,
        created_at=received_at,
    )
    session.add(message)
    conversation.unread_count += 1
    conversation.last_message_at = received_at
    session.add(conversation)
    session.flush()
    return message, True


def find_by_idempotency_key(session: Session, key: str) -> Message | None:
    return session.exec(select(Message).where(Message.idempotency_key == key)).first()


def messages_of(session: Session, conversation_id: int) -> list[Message]:
    return list(
        session.exec(
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(
                Message.created_at  # type: ignore[arg-type]
            )
        ).all()
    )


def mark_sent(message: Message, provider_message_id: str, sent_at: datetime | None = None) -> None:
    message.status = MessageStatus.SENT
    message.external_id = provider_message_id
    message.sent_at = sent_at or utcnow()
    message.error = None
