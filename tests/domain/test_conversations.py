"""Conversation services: who wrote, and who answers (the AI or a person), audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from core.errors import ValidationFailed
from domain.audit.models import AuditEntry
from domain.audit.service import Actor
from domain.customers.models import Channel, Customer, CustomerIdentity
from domain.messaging import conversations
from domain.messaging.models import (
    Conversation,
    ConversationState,
    Message,
    MessageDirection,
    MessageStatus,
)
from domain.messaging.payloads import InboundMessage
from tests import factories

MANAGER = Actor.user(2, "Maria Manager")
ROBOT = Actor.workflow("conversation-sms-+15105550111")
AT = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


def _sms(
    external_id: str, text: str = "Do you bring the grill?", at: datetime = AT
) -> InboundMessage:
    return InboundMessage(
        channel=Channel.SMS,
        external_id=external_id,
        from_address="+15105550111",
        to_address="+15105550100",
        text=text,
        received_at=at,
    )


def _messenger(external_id: str, sender_name: str | None = "Ana Lopez") -> InboundMessage:
    return InboundMessage(
        channel=Channel.MESSENGER,
        external_id=external_id,
        from_address="psid-4471",
        to_address="page-1",
        text="hola",
        received_at=AT,
        sender_name=sender_name,
    )


def _actions(session: Session, action: str) -> list[AuditEntry]:
    return list(
        session.exec(
            select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))
        ).all()
    )


def _state(conversation: Conversation) -> ConversationState:
    return conversation.state  # read afresh: a service call changed it


def test_a_text_is_recorded_once_in_the_customer_s_conversation(session: Session) -> None:
    factories.business(session)
    first = conversations.receive(session, _sms("m-1"), ROBOT)
    again = conversations.receive(session, _sms("m-1"), ROBOT)
    later = conversations.receive(
        session, _sms("m-2", "and a price?", AT + timedelta(minutes=1)), ROBOT
    )
    session.commit()
    assert first.is_new and not again.is_new and later.is_new
    assert again.message.id == first.message.id
    assert first.customer.phone == "+15105550111" and later.customer.id == first.customer.id
    conversation = conversations.get(session, first.conversation.id or 0)
    assert conversation.unread_count == 2
    assert conversation.last_inbound_at == AT + timedelta(minutes=1)
    assert len(_actions(session, "message.receive")) == 2


def test_a_messenger_sender_becomes_a_lead_with_that_identity(session: Session) -> None:
    first = conversations.receive(session, _messenger("mid-1"), ROBOT)
    second = conversations.receive(session, _messenger("mid-2", sender_name=None), ROBOT)
    session.commit()
    assert first.customer.id == second.customer.id
    assert first.customer.full_name == "Ana Lopez" and first.customer.phone is None
    [identity] = session.exec(select(CustomerIdentity)).all()
    assert (identity.channel, identity.address, identity.display_name) == (
        Channel.MESSENGER,
        "psid-4471",
        "Ana Lopez",
    )
    assert conversations.is_lead(session, first.customer.id or 0)


def test_an_unnamed_sender_is_named_by_channel_and_id(session: Session) -> None:
    received = conversations.receive(session, _messenger("mid-9", sender_name=None), ROBOT)
    assert received.customer.full_name == "Messenger psid-4471"


def test_a_merged_customer_s_identity_finds_the_one_kept(session: Session) -> None:
    received = conversations.receive(session, _messenger("mid-1"), ROBOT)
    keeper = factories.customer(session, "Ana Lopez", "510-555-0177")
    duplicate = session.get(Customer, received.customer.id)
    assert duplicate is not None
    duplicate.merged_into_id = keeper.id
    session.add(duplicate)
    session.flush()
    assert conversations.find_by_identity(session, Channel.MESSENGER, "psid-4471") == keeper


def test_hand_off_and_back_are_audited_and_keep_the_assignee(session: Session) -> None:
    owner = factories.owner_on_primary_extension(session, "+15105550190")
    conversation = conversations.receive(session, _sms("m-1"), ROBOT).conversation
    conversations.hand_off(session, conversation, owner.id, "asked for a person", ROBOT)
    assert conversation.state == ConversationState.HANDED_OFF
    assert conversation.assigned_staff_id == owner.id and conversation.handed_off_at is not None
    assert conversation.handoff_reason == "asked for a person"
    conversations.hand_back(session, conversation, MANAGER)
    assert _state(conversation) == ConversationState.AUTOMATED
    assert conversation.handoff_reason is None and conversation.handed_off_at is None
    assert conversation.assigned_staff_id == owner.id
    session.commit()
    [handed] = _actions(session, "conversation.hand_off")
    [back] = _actions(session, "conversation.hand_back")
    assert handed.changes["state"] == ["automated", "handed_off"]
    assert back.actor == MANAGER.key and back.changes["state"] == ["handed_off", "automated"]


def test_assign_close_and_mark_read(session: Session) -> None:
    chef = factories.chef(session)
    conversation = conversations.receive(session, _sms("m-1"), ROBOT).conversation
    conversations.assign(session, conversation, chef.id, MANAGER)
    conversations.mark_read(session, conversation, MANAGER)
    conversations.mark_read(session, conversation, MANAGER)  # nothing left to read: no entry
    conversations.close(session, conversation, MANAGER)
    session.commit()
    assert conversation.assigned_staff_id == chef.id and conversation.unread_count == 0
    assert conversation.state == ConversationState.CLOSED
    assert len(_actions(session, "conversation.assign")) == 1
    assert len(_actions(session, "conversation.read")) == 1
    assert len(_actions(session, "conversation.close")) == 1
    conversations.hand_back(session, conversation, MANAGER)
    assert _state(conversation) == ConversationState.AUTOMATED


def test_only_existing_staff_can_take_a_conversation(session: Session) -> None:
    conversation = conversations.receive(session, _sms("m-1"), ROBOT).conversation
    with pytest.raises(ValidationFailed):
        conversations.hand_off(session, conversation, 999, "asked for a person", ROBOT)
    with pytest.raises(ValidationFailed):
        conversations.assign(session, conversation, 999, MANAGER)


def test_answered_after_sees_what_went_out_later(session: Session) -> None:
    received = conversations.receive(session, _sms("m-1"), ROBOT)
    conversation_id, message_id = received.conversation.id or 0, received.message.id or 0
    assert not conversations.answered_after(session, conversation_id, message_id)
    session.add(
        Message(
            conversation_id=conversation_id,
            channel=Channel.SMS,
            direction=MessageDirection.OUTBOUND,
            body="Yes, we bring the grill.",
            from_address="+15105550100",
            to_address="+15105550111",
            status=MessageStatus.SENT,
        )
    )
    session.flush()
    assert conversations.answered_after(session, conversation_id, message_id)
