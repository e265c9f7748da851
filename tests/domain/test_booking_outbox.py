"""Every booking change that moves or stops its texts queues one wake-up for its lifecycle
workflow, in the same transaction, and routing turns it into signal-with-start."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from domain.audit.service import SYSTEM
from domain.bookings import service
from domain.bookings.models import BookingStatus
from domain.bookings.outbox import BOOKING_CHANGED
from domain.bookings.payloads import BookingChanged, LifecycleInput
from domain.bookings.schemas import BookingUpdate
from domain.customers.models import Channel
from domain.inbox.models import WebhookEvent
from domain.inbox.service import INTERNAL_PROVIDER
from domain.messaging.models import Message, MessageDirection, MessageStatus
from domain.messaging.service import conversation_for
from tests import factories
from workflows.routing import route


@pytest.fixture
def customer_id(session: Session) -> int:
    factories.business(session)
    return factories.customer(session).id or 0


def _queued(session: Session) -> list[tuple[int, str]]:
    events = session.exec(
        select(WebhookEvent)
        .where(WebhookEvent.event_type == BOOKING_CHANGED)
        .order_by(col(WebhookEvent.id))
    ).all()
    return [
        (json.loads(event.body)["booking_id"], json.loads(event.body)["reason"]) for event in events
    ]


def test_create_change_and_cancel_each_queue_a_wake_up(session: Session, customer_id: int) -> None:
    booking = factories.booking(session, customer_id, announce=True)
    booking_id = booking.id or 0
    assert _queued(session) == [(booking_id, "created")]

    moved = booking.scheduled_start + timedelta(days=1)
    service.update(session, booking_id, BookingUpdate(scheduled_start=moved), SYSTEM)
    service.cancel(session, booking_id, SYSTEM)

    assert _queued(session) == [
        (booking_id, "created"),
        (booking_id, "changed"),
        (booking_id, "cancelled"),
    ]


def test_changes_that_move_no_text_queue_nothing(session: Session, customer_id: int) -> None:
    booking = factories.booking(session, customer_id, announce=True)
    service.update(
        session, booking.id or 0, BookingUpdate(notes="Gate code 4321", adults=25), SYSTEM
    )
    service.update(session, booking.id or 0, BookingUpdate(status=BookingStatus.CONFIRMED), SYSTEM)
    assert len(_queued(session)) == 1  # the creation only


def test_a_booking_made_without_announcing_it_queues_nothing(
    session: Session, customer_id: int
) -> None:
    factories.booking(session, customer_id, announce=False)
    assert _queued(session) == []


def test_deleting_a_booking_wakes_its_workflow_and_keeps_the_texts_it_sent(
    session: Session, customer_id: int
) -> None:
    booking = factories.booking(session, customer_id, announce=True)
    booking_id = booking.id or 0
    conversation = conversation_for(session, customer_id)
    sent = Message(
        conversation_id=conversation.id,
        channel=Channel.SMS,
        direction=MessageDirection.OUTBOUND,
        body="You're booked!",
        from_address="+15105550100",
        to_address="+15105550111",
        status=MessageStatus.SENT,
        booking_id=booking_id,
        matter=f"booking:{booking_id}",
    )
    session.add(sent)
    session.flush()

    service.delete(session, booking_id, SYSTEM)
    session.flush()

    assert _queued(session)[-1] == (booking_id, "deleted")
    session.refresh(sent)
    assert sent.booking_id is None and sent.matter == f"booking:{booking_id}"


def test_routing_signals_the_booking_workflow_starting_it_if_needed(
    session: Session, customer_id: int
) -> None:
    booking = factories.booking(session, customer_id, announce=True)
    [event] = session.exec(select(WebhookEvent)).all()

    start = route(INTERNAL_PROVIDER, event.body, event.event_key)

    assert start.workflow == "BookingLifecycleWorkflow"
    assert start.workflow_id == f"booking-lifecycle-{booking.id}"
    assert start.argument == LifecycleInput(booking_id=booking.id or 0)
    assert (start.signal, start.signal_argument) == (
        "booking_changed",
        BookingChanged(reason="created"),
    )
