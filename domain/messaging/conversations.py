"""Conversations: who a message is from, and who answers it (the AI or a person).

A conversation is `automated` (the AI answers), `handed_off` (a person has it; the AI stays
silent until staff hand it back) or `closed`. The conversation workflow reads the state from
the database on every turn, so the admin panel changes it through these functions alone. Every
change is audited; nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.errors import NotFoundError
from core.timeutil import utcnow
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.bookings.models import Booking
from domain.customers import service as customers
from domain.customers.models import Channel, Customer, CustomerIdentity
from domain.customers.schemas import CustomerCreate
from domain.messaging import service as messaging
from domain.messaging.models import Conversation, ConversationState, Message, MessageDirection
from domain.messaging.payloads import InboundMessage
from domain.staff import service as staff


def get(session: Session, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFoundError(f"conversation {conversation_id} not found")
    return conversation


@dataclass(frozen=True)
class Received:
    customer: Customer
    conversation: Conversation
    message: Message
    is_new: bool


def receive(session: Session, inbound: InboundMessage, actor: Actor) -> Received:
    """Records a customer's message once (by channel and provider id) in their conversation,
    creating the customer (a lead) on first contact."""
    customer = customer_for(session, inbound, actor)
    conversation = messaging.conversation_for(session, customer.id or 0)
    message, is_new = messaging.record_inbound(
        session,
        conversation=conversation,
        channel=inbound.channel,
        external_id=inbound.external_id,
        from_address=inbound.from_address,
        to_address=inbound.to_address,
        body=inbound.text,
        received_at=inbound.received_at,
    )
    if is_new:
        latest = conversation.last_inbound_at
        if latest is None or inbound.received_at > latest:
            conversation.last_inbound_at = inbound.received_at
            session.add(conversation)
        audit.record(
            session,
            actor,
            "message.receive",
            "message",
            message.id,
            {"channel": inbound.channel.value, "from": inbound.from_address},
            f"{inbound.channel.value.capitalize()} message from {customer.full_name}",
        )
    return Received(customer, conversation, message, is_new)


def answered_after(session: Session, conversation_id: int, message_id: int) -> bool:
    """Whether anything went out in the conversation after this message was recorded."""
    later = session.exec(
        select(Message.id).where(
            Message.conversation_id == conversation_id,
            Message.direction == MessageDirection.OUTBOUND,
            col(Message.id) > message_id,
        )
    ).first()
    return later is not None


def customer_for(session: Session, inbound: InboundMessage, actor: Actor) -> Customer:
    """SMS by phone number; Messenger and Instagram by the sender's id on that channel."""
    if inbound.channel is Channel.SMS:
        customer, _ = customers.find_or_create_by_phone(
            session, inbound.from_address, actor, inbound.sender_name
        )
        return customer
    known = find_by_identity(session, inbound.channel, inbound.from_address)
    if known is not None:
        return known
    name = inbound.sender_name or f"{inbound.channel.value.capitalize()} {inbound.from_address}"
    try:
        with session.begin_nested():
            customer = customers.create(session, CustomerCreate(full_name=name[:200]), actor)
            session.add(
                CustomerIdentity(
                    customer_id=customer.id or 0,
                    channel=inbound.channel,
                    address=inbound.from_address,
                    display_name=inbound.sender_name,
                )
            )
            session.flush()
    except IntegrityError:
        # Someone recorded this sender a moment ago: theirs is the customer.
        found = find_by_identity(session, inbound.channel, inbound.from_address)
        assert found is not None
        return found
    return customer


def find_by_identity(session: Session, channel: Channel, address: str) -> Customer | None:
    identity = session.exec(
        select(CustomerIdentity).where(
            CustomerIdentity.channel == channel, CustomerIdentity.address == address
        )
    ).first()
    if identity is None:
        return None
    customer = session.get(Customer, identity.customer_id)
    while customer is not None and customer.merged_into_id is not None:
        customer = session.get(Customer, customer.merged_into_id)
    return customer


def is_lead(session: Session, customer_id: int) -> bool:
    """A customer who never booked."""
    return (
        session.exec(select(Booking.id).where(Booking.customer_id == customer_id)).first() is None
    )


def hand_off(
    session: Session,
    conversation: Conversation,
    staff_id: int | None,
    reason: str,
    actor: Actor,
) -> Conversation:
    """A person takes the conversation: the AI stays silent until it is handed back."""
    if staff_id is not None:
        staff.staff_member(session, staff_id)
    before = audit.snapshot(conversation)
    conversation.state = ConversationState.HANDED_OFF
    conversation.assigned_staff_id = staff_id
    conversation.handoff_reason = reason[:300]
    conversation.handed_off_at = utcnow()
    session.add(conversation)
    _audit(session, actor, conversation, before, "conversation.hand_off", f"Handed off: {reason}")
    return conversation


def hand_back(session: Session, conversation: Conversation, actor: Actor) -> Conversation:
    """The AI answers again (a closed conversation reopens). The assignee stays, as the person
    who knows the customer."""
    before = audit.snapshot(conversation)
    conversation.state = ConversationState.AUTOMATED
    conversation.handoff_reason = None
    conversation.handed_off_at = None
    session.add(conversation)
    _audit(session, actor, conversation, before, "conversation.hand_back", "Handed back to the AI")
    return conversation


def assign(
    session: Session, conversation: Conversation, staff_id: int | None, actor: Actor
) -> Conversation:
    if staff_id is not None:
        staff.staff_member(session, staff_id)
    before = audit.snapshot(conversation)
    conversation.assigned_staff_id = staff_id
    session.add(conversation)
    who = f"staff member {staff_id}" if staff_id is not None else "nobody"
    _audit(session, actor, conversation, before, "conversation.assign", f"Assigned to {who}")
    return conversation


def close(session: Session, conversation: Conversation, actor: Actor) -> Conversation:
    """Done: the AI stays silent; `hand_back` reopens it."""
    before = audit.snapshot(conversation)
    conversation.state = ConversationState.CLOSED
    session.add(conversation)
    _audit(session, actor, conversation, before, "conversation.close", "Closed")
    return conversation


def mark_read(session: Session, conversation: Conversation, actor: Actor) -> Conversation:
    if conversation.unread_count == 0:
        return conversation
    before = audit.snapshot(conversation)
    conversation.unread_count = 0
    session.add(conversation)
    _audit(session, actor, conversation, before, "conversation.read", "Marked read")
    return conversation


def _audit(
    session: Session,
    actor: Actor,
    conversation: Conversation,
    before: dict[str, object],
    action: str,
    summary: str,
) -> None:
    delta = audit.diff(before, audit.snapshot(conversation))
    if delta:
        audit.record(session, actor, action, "conversation", conversation.id, delta, summary[:500])
