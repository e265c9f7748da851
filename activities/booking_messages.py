"""A booking's texts: read the booking for the lifecycle rules, write each text from its
template, note the texts skipped. The sending itself is MessagingActivities.send_sms (consent,
quiet hours), through workflows.texting.send_text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity

from activities.actor import workflow_actor
from core.db import session_scope
from core.money import dollars
from core.timeutil import to_local
from domain.audit import service as audit
from domain.bookings.models import Booking
from domain.bookings.payloads import (
    BookingRef,
    ComposedText,
    ComposeRequest,
    LifecycleSnapshot,
    SkippedMessage,
)
from domain.business import service as business
from domain.business.models import BusinessSettings
from domain.customers import service as customers
from domain.customers.models import Customer
from domain.customers.rules import format_phone_for_display
from domain.messaging import service as messaging
from domain.messaging import templates
from domain.messaging.models import MessageKind, TemplateKind
from domain.messaging.payloads import SendSmsRequest
from domain.payments import deposits, ledger

#: What a text is for decides its consent and allowed hours.
MESSAGE_KINDS: dict[TemplateKind, MessageKind] = {
    TemplateKind.BOOKING_CONFIRMATION: MessageKind.TRANSACTIONAL,
    TemplateKind.BOOKING_CHANGED: MessageKind.TRANSACTIONAL,
    TemplateKind.EVENT_REMINDER: MessageKind.REMINDER,
    TemplateKind.BALANCE_REMINDER: MessageKind.REMINDER,
    TemplateKind.REVIEW_REQUEST: MessageKind.MARKETING,
}


def lifecycle_workflow_id(booking_id: int) -> str:
    return f"booking-lifecycle-{booking_id}"


def matter_of(booking_id: int) -> str:
    return f"booking:{booking_id}"


def idempotency_key(booking_id: int, key: str) -> str:
    """One send per booking and rules key (which names the start time it was planned for)."""
    return f"booking:{booking_id}:{key}"


def first_name(full_name: str) -> str:
    words = full_name.split()
    return words[0] if words else "there"


def clock(moment: datetime) -> str:
    """6:00 PM, without a leading zero and whatever the platform's strftime offers."""
    return f"{moment.hour % 12 or 12}:{moment:%M} {'AM' if moment.hour < 12 else 'PM'}"


def booking_context(
    session: Session, booking: Booking, customer: Customer, settings: BusinessSettings
) -> dict[str, str]:
    """Every placeholder's value for this booking, as the customer reads it."""
    start = to_local(booking.scheduled_start, settings.timezone)
    arrival = start - timedelta(minutes=settings.arrival_lead_minutes)
    owed = ledger.summary(session, booking).balance_cents
    link = deposits.latest_link(session, booking.id or 0)
    phone = format_phone_for_display(settings.phone_number)
    return {
        "first_name": first_name(customer.full_name),
        "business_name": settings.name,
        "business_phone": phone,
        "booking_reference": booking.reference,
        "event_date": f"{start:%a, %b} {start.day}",
        "event_time": clock(start),
        "arrival_time": clock(arrival),
        "address": booking.address,
        "guests": str(booking.adults + booking.children),
        "balance": dollars(max(owed, 0)),
        "review_link": settings.review_link,
        "pay_link": link.url if link is not None else phone,
    }


class BookingMessageActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn
    def lifecycle_snapshot(self, request: BookingRef) -> LifecycleSnapshot:
        with session_scope(self._engine) as session:
            booking = session.get(Booking, request.booking_id)
            if booking is None:
                epoch = datetime.fromtimestamp(0, UTC)
                return LifecycleSnapshot(
                    booking_id=request.booking_id,
                    exists=False,
                    scheduled_start=epoch,
                    scheduled_end=epoch,
                )
            settings = business.get_settings(session)
            customer = customers.get(session, booking.customer_id)
            return LifecycleSnapshot(
                booking_id=booking.id or 0,
                status=booking.status,
                scheduled_start=booking.scheduled_start,
                scheduled_end=booking.scheduled_end,
                balance_owed_cents=ledger.summary(session, booking).balance_cents,
                has_phone=bool(customer.phone),
                review_link_set=bool(settings.review_link.strip()),
                timezone=settings.timezone,
                event_reminder_days_before=settings.event_reminder_days_before,
                event_reminder_local_time=settings.event_reminder_local_time,
                arrival_lead_minutes=settings.arrival_lead_minutes,
                balance_reminder_hours_after=settings.balance_reminder_hours_after,
                review_request_hours_after=settings.review_request_hours_after,
            )

    @activity.defn
    def compose(self, request: ComposeRequest) -> ComposedText:
        with session_scope(self._engine) as session:
            booking = session.get(Booking, request.booking_id)
            if booking is None:
                return ComposedText(sms=None, reason="the booking was deleted")
            customer = customers.get(session, booking.customer_id)
            if not customer.phone:
                return ComposedText(sms=None, reason="the customer has no mobile number on file")
            settings = business.get_settings(session)
            context = booking_context(session, booking, customer, settings)
            conversation = messaging.conversation_for(session, customer.id or 0)
            return ComposedText(
                sms=SendSmsRequest(
                    idempotency_key=idempotency_key(booking.id or 0, request.key),
                    conversation_id=conversation.id or 0,
                    from_number=settings.phone_number,
                    to_number=customer.phone,
                    text=templates.render(session, request.kind, context),
                    sent_by=f"workflow:{lifecycle_workflow_id(booking.id or 0)}",
                    kind=MESSAGE_KINDS[request.kind],
                    matter=matter_of(booking.id or 0),
                    booking_id=booking.id,
                )
            )

    @activity.defn
    def record_skipped(self, skipped: SkippedMessage) -> None:
        """On the booking's audit trail, so staff can see why a customer got no text."""
        with session_scope(self._engine) as session:
            audit.record(
                session,
                workflow_actor(),
                "booking.text_skipped",
                "booking",
                skipped.booking_id,
                {"text": skipped.kind.value, "key": skipped.key, "reason": skipped.reason},
                f"No {templates.TITLES[skipped.kind].lower()} text: {skipped.reason}",
            )
