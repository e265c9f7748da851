"""One row of every kind the panel shows, for the route walk and the XSS walk.

Rows go in through the ORM, not the forms: the walks test what the pages do with stored text,
whatever wrote it (a form, a webhook, a workflow). Every free-text column gets `text(label)`,
so the XSS walk can store a payload naming the column and look for it on the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from domain.accounts.models import User
from domain.api_keys.models import ApiKey, Scope
from domain.audit.models import AuditEntry
from domain.bookings.models import Booking, BookingStatus
from domain.business.models import AddOn, BusinessSettings, FaqEntry, Package
from domain.calls.models import Call, CallStatus, Escalation
from domain.customers.models import Channel, Customer, CustomerIdentity
from domain.messaging.models import (
    Conversation,
    ConversationState,
    Message,
    MessageDirection,
    MessageStatus,
    MessageTemplate,
    TemplateKind,
)
from domain.payments.models import BankConnection, Payment, PaymentSource, PaymentStatus
from domain.quotes.models import Quote, QuoteEvent, QuoteStatus
from domain.reviews.models import GoogleConnection, ReplyStatus, Review, ReviewVerdict
from domain.staff.models import Extension, StaffMember, StaffRole
from domain.tasks.models import Task

Text = Callable[[str], str]

#: A role's session user, by email (the demo data's accounts).
STAFF_USER_EMAIL = "staff@example.com"


@dataclass(frozen=True)
class Seeded:
    """The ids a route's path parameters are filled with."""

    customer_id: int
    booking_id: int
    booking_reference: str
    conversation_id: int
    message_id: int
    quote_id: int
    quote_token: str
    call_id: int
    call_sid: str
    task_id: int
    payment_id: int
    connection_id: int
    review_id: int
    extension_id: int
    extension_number: str
    key_id: int
    package_id: int
    add_on_id: int


def _id(row: object) -> int:
    value = getattr(row, "id", None)
    assert isinstance(value, int)
    return value


def seed_rows(engine: Engine, text: Text) -> Seeded:
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        business = session.get(BusinessSettings, 1)
        assert business is not None, "seed the demo data first"
        business.name = text("business.name")
        business.base_address = text("business.base_address")
        session.add(business)
        for user in session.exec(select(User)).all():
            user.full_name = text(f"user.full_name.{user.role.value}")
            session.add(user)

        package = Package(
            name=text("package.name"),
            description=text("package.description"),
            price_per_adult_cents=5000,
            price_per_child_cents=2500,
        )
        add_on = AddOn(name=text("add_on.name"), price_cents=1000)
        session.add_all([package, add_on])
        session.flush()
        session.add(
            FaqEntry(question=text("faq.question"), answer=text("faq.answer"), keywords="xss")
        )

        customer = Customer(
            full_name=text("customer.full_name"),
            phone="+15105559911",
            email="walk@example.com",
            notes=text("customer.notes"),
            sms_consent=True,
        )
        session.add(customer)
        session.flush()
        session.add(
            CustomerIdentity(
                customer_id=_id(customer),
                channel=Channel.MESSENGER,
                address="psid-walk-1",
                display_name=text("identity.display_name"),
            )
        )
        member = StaffMember(full_name=text("staff_member.full_name"), role=StaffRole.CHEF)
        session.add(member)
        session.flush()
        extension = Extension(
            extension_number="190",
            staff_member_id=_id(member),
            working_hours={"mon": [["09:00", "17:00"]]},
        )
        start = now + timedelta(days=9)
        booking = Booking(
            reference="TP-9901",
            customer_id=_id(customer),
            status=BookingStatus.CONFIRMED,
            requested_start=start,
            scheduled_start=start,
            scheduled_end=start + timedelta(hours=2),
            address=text("booking.address"),
            adults=12,
            package_id=package.id,
            add_ons=[{"name": text("booking.add_on"), "unit_price_cents": 1000, "quantity": 2}],
            total_cents=80000,
            deposit_cents=20000,
            chef_id=_id(member),
            notes=text("booking.notes"),
        )
        session.add_all([extension, booking])
        session.flush()

        conversation = Conversation(
            customer_id=_id(customer),
            state=ConversationState.HANDED_OFF,
            handoff_reason=text("conversation.handoff_reason"),
            handed_off_at=now,
            unread_count=2,
            last_message_at=now,
            last_inbound_at=now,
        )
        session.add(conversation)
        session.flush()
        sms = Message(
            conversation_id=_id(conversation),
            channel=Channel.SMS,
            direction=MessageDirection.INBOUND,
            body=text("message.sms_inbound"),
            from_address="+15105559911",
            to_address="+15105550100",
            status=MessageStatus.RECEIVED,
            external_id="walk-sms-1",
            created_at=now - timedelta(minutes=3),
        )
        meta = Message(
            conversation_id=_id(conversation),
            channel=Channel.MESSENGER,
            direction=MessageDirection.INBOUND,
            body=text("message.meta_inbound"),
            from_address="psid-walk-1",
            to_address="page-1",
            status=MessageStatus.RECEIVED,
            external_id="walk-meta-1",
            created_at=now - timedelta(minutes=2),
        )
        # Scheduled, so the thread offers to cancel it (a route with a message id).
        outbound = Message(
            conversation_id=_id(conversation),
            channel=Channel.SMS,
            direction=MessageDirection.OUTBOUND,
            body=text("message.outbound"),
            from_address="+15105550100",
            to_address="+15105559911",
            status=MessageStatus.SCHEDULED,
            scheduled_for=now + timedelta(hours=3),
            error=text("message.error"),
            created_at=now - timedelta(minutes=1),
        )
        session.add_all([sms, meta, outbound])

        quote = Quote(
            reference="Q-9901",
            public_token="walk-token-9901",
            customer_id=_id(customer),
            status=QuoteStatus.SENT,
            requested_start=start,
            address=text("quote.address"),
            formatted_address=text("quote.formatted_address"),
            adults=12,
            package_id=package.id,
            add_ons=[
                {
                    "add_on_id": add_on.id,
                    "name": text("quote.add_on"),
                    "unit_price_cents": 1000,
                    "quantity": 1,
                }
            ],
            travel_source="estimate",
            guests_cents=60000,
            subtotal_cents=60000,
            total_cents=60000,
            deposit_cents=15000,
            notes=text("quote.notes"),
            expires_at=now + timedelta(days=5),
            sent_at=now,
        )
        session.add(quote)
        session.flush()
        session.add(QuoteEvent(quote_id=_id(quote), kind="sent", detail=text("quote_event.detail")))

        call = Call(
            telephony_session_id="walk-call-1",
            from_number="+15105559911",
            to_number="+15105550100",
            customer_id=_id(customer),
            status=CallStatus.ENDED,
            intent="booking",
            caller_name=text("call.caller_name"),
            transcript=[
                {"at": now.isoformat(), "speaker": "caller", "text": text("call.transcript")}
            ],
            triage=[
                {
                    "at": now.isoformat(),
                    "intent": "booking",
                    "escalate": True,
                    "confidence": 0.5,
                    "reason": text("call.triage_reason"),
                    "by": "model",
                }
            ],
            escalation_reason=text("call.escalation_reason"),
            outcome="connected",
            ended_at=now,
            duration_seconds=60,
        )
        session.add(call)
        session.flush()
        session.add(
            Escalation(
                call_id=_id(call), extension_id=extension.id, reason=text("escalation.reason")
            )
        )
        task = Task(
            kind="callback",
            title=text("task.title"),
            details=text("task.details"),
            customer_id=_id(customer),
            booking_id=booking.id,
            due_at=now + timedelta(hours=1),
        )
        payment = Payment(
            source=PaymentSource.BANK,
            external_id="walk-payment-1",
            amount_cents=20000,
            received_at=now,
            payer_name=text("payment.payer_name"),
            description=text("payment.description"),
            status=PaymentStatus.IN_REVIEW,
            counterparty_name=text("payment.counterparty_name"),
            candidates=[
                {
                    "booking_id": booking.id,
                    "reference": booking.reference,
                    "customer": text("payment.candidate_customer"),
                    "score": 0.6,
                    "payment_type": "deposit",
                    "reasons": [text("payment.candidate_reason")],
                }
            ],
            match_reasons=[text("payment.match_reason")],
        )
        connection = BankConnection(
            item_id="walk-item-1",
            access_token_encrypted="not-a-real-token",
            institution_name=text("bank.institution_name"),
            last_error=text("bank.last_error"),
        )
        review = Review(
            google_review_id="walk-review-1",
            reviewer_name=text("review.reviewer_name"),
            star_rating=2,
            comment=text("review.comment"),
            created_on_google_at=now - timedelta(days=1),
            updated_on_google_at=now - timedelta(days=1),
            verdict=ReviewVerdict.UNCERTAIN,
            reply_status=ReplyStatus.AWAITING_APPROVAL,
            draft_reply=text("review.draft_reply"),
            topics=[text("review.topic")],
            verification_reasons=[text("review.verification_reason")],
            candidates=[
                {
                    "booking_id": booking.id,
                    "reference": booking.reference,
                    "customer": text("review.candidate_customer"),
                    "event_date": start.date().isoformat(),
                    "score": 0.5,
                    "reasons": [text("review.candidate_reason")],
                }
            ],
            sentiment="negative",
            assessed_at=now,
        )
        google = GoogleConnection(
            refresh_token_encrypted="not-a-real-token",
            account="accounts/1",
            location="locations/1",
            location_title=text("google.location_title"),
            connected_by="user:1",
            last_error=text("google.last_error"),
        )
        key = ApiKey(
            name=text("api_key.name"),
            prefix="tpk_live_walk0001",
            secret_hash="0" * 64,
            scopes=[Scope.READ_CUSTOMERS.value],
            created_by=text("api_key.created_by"),
        )
        template = MessageTemplate(
            kind=TemplateKind.BOOKING_CONFIRMATION, body=text("template.body"), updated_by="user:1"
        )
        audit = AuditEntry(
            actor="user:1",
            actor_name=text("audit.actor_name"),
            action="customer.update",
            entity_type="customer",
            entity_id=str(customer.id),
            changes={"notes": ["", text("audit.change")]},
            summary=text("audit.summary"),
        )
        session.add_all([task, payment, connection, review, google, key, template, audit])
        session.commit()
        return Seeded(
            customer_id=_id(customer),
            booking_id=_id(booking),
            booking_reference=booking.reference,
            conversation_id=_id(conversation),
            message_id=_id(outbound),
            quote_id=_id(quote),
            quote_token=quote.public_token,
            call_id=_id(call),
            call_sid=call.telephony_session_id,
            task_id=_id(task),
            payment_id=_id(payment),
            connection_id=_id(connection),
            review_id=_id(review),
            extension_id=_id(extension),
            extension_number=extension.extension_number,
            key_id=_id(key),
            package_id=_id(package),
            add_on_id=_id(add_on),
        )
