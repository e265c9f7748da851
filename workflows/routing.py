"""Which workflow an inbox event starts. Pure: it reads the stored event, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from domain.bookings.outbox import BOOKING_CHANGED
from domain.bookings.payloads import BookingChanged, LifecycleInput
from domain.calls.payloads import CallSignal, CallStart
from domain.customers.models import Channel
from domain.messaging.outbox import STAFF_MESSAGE_QUEUED
from domain.messaging.payloads import InboundMessage
from domain.messaging.payloads_staff import StaffMessageInput
from domain.payments.outbox import BANK_SYNC_REQUESTED, PAYMENT_RECORDED, PAYMENT_WAKE
from domain.payments.payloads import BankSyncInput, CardEventInput, PaymentMatchInput, PaymentWake
from domain.quotes.payloads import QuoteWorkflowInput
from domain.quotes.service import INTERNAL_PROVIDER, QUOTE_CREATED
from domain.reviews.outbox import REVIEW_RECEIVED, REVIEW_SYNC_REQUESTED, REVIEW_WAKE
from domain.reviews.payloads import ReviewInput, ReviewSyncInput, ReviewWake
from integrations.card_payments.base import MalformedWebhook
from integrations.card_payments.stripe_checkout import card_event_from_verified_body
from integrations.meta.webhooks import MalformedMetaWebhook, parse_delivery
from integrations.telephony.ringcentral_events import (
    RingCentralInstantMessage,
    RingCentralNotification,
    TelephonySessionBody,
    TranscriptBody,
)
from workflows.bank_sync import BankSyncWorkflow
from workflows.booking_lifecycle import BookingLifecycleWorkflow
from workflows.booking_lifecycle import workflow_id_for as lifecycle_workflow_id
from workflows.call import CallWorkflow
from workflows.call import workflow_id_for as call_workflow_id
from workflows.card_payment import CardPaymentWorkflow
from workflows.card_payment import workflow_id_for as card_workflow_id
from workflows.conversation import ConversationWorkflow, conversation_workflow_id
from workflows.payment_matching import PaymentMatchingWorkflow
from workflows.payment_matching import workflow_id_for as payment_workflow_id
from workflows.quote import QuoteWorkflow
from workflows.quote import workflow_id_for as quote_workflow_id
from workflows.review import ReviewWorkflow
from workflows.review import workflow_id_for as review_workflow_id
from workflows.review_sync import ReviewSyncWorkflow
from workflows.staff_message import StaffMessageWorkflow
from workflows.staff_message import workflow_id_for as staff_message_workflow_id


@dataclass(frozen=True)
class WorkflowStart:
    """Start this workflow (once per id) and, when `signal` is set, signal it: signal-with-start,
    for events that belong to a workflow that may already be running (a call's later events)."""

    workflow: str
    workflow_id: str
    argument: BaseModel
    signal: str | None = None
    signal_argument: BaseModel | None = None
    # A closed workflow of this id is started again (a conversation), instead of the event being
    # taken for one it already handled.
    restart_if_closed: bool = False


class InternalEvent(BaseModel):
    """What Teppan puts in its own inbox (an outbox, really) to start a workflow after commit."""

    kind: str
    quote_id: int | None = None
    payment_id: int | None = None
    source: str | None = None
    first_external_id: str | None = None
    reason: str | None = None
    review_id: int | None = None
    google_review_id: str | None = None
    booking_id: int | None = None
    message_id: int | None = None


class UnroutableEvent(ValueError):
    """Well-formed, but nothing in Teppan acts on it: the inbox marks it ignored."""


def route(provider: str, body: str, event_key: str = "") -> WorkflowStart:
    if provider == "ringcentral":
        return route_ringcentral(RingCentralNotification.model_validate_json(body))
    if provider == INTERNAL_PROVIDER:
        return route_internal(InternalEvent.model_validate_json(body), event_key)
    if provider == "stripe":
        return route_stripe(body)
    if provider == "meta":
        return route_meta(body)
    raise UnroutableEvent(f"no workflow for provider {provider!r}")


def route_ringcentral(notification: RingCentralNotification) -> WorkflowStart:
    if notification.is_instant_sms:
        message = RingCentralInstantMessage.model_validate(notification.body)
        if message.direction != "Inbound":
            raise UnroutableEvent("outbound message echo")
        return conversation_start(
            InboundMessage(
                channel=Channel.SMS,
                external_id=message.id,
                from_address=message.sender.phone_number,
                to_address=message.to[0].phone_number,
                text=message.subject,
                received_at=message.creation_time,
            )
        )
    if notification.is_telephony_session:
        return route_call_event(TelephonySessionBody.model_validate(notification.body))
    if notification.is_transcript:
        return route_transcript(TranscriptBody.model_validate(notification.body))
    raise UnroutableEvent(f"no workflow for RingCentral event {notification.event!r}")


def route_call_event(body: TelephonySessionBody) -> WorkflowStart:
    """Each notification carries the parties that changed; the call's workflow gets them all,
    in one signal per party, and orders them by `sequence` itself."""
    if not body.parties:
        raise UnroutableEvent("telephony event without parties")
    party = body.parties[0]
    if party.direction not in (None, "Inbound"):
        raise UnroutableEvent("outbound calls are not handled")
    start = CallStart(
        session_id=body.telephony_session_id,
        caller_party_id=party.id if party.extension_id is None else "",
        from_number=party.sender.phone_number or "",
        to_number=party.to.phone_number or "",
    )
    signal = CallSignal(
        sequence=body.sequence,
        kind="status",
        event_time=body.event_time,
        party_id=party.id,
        status_code=party.status_code,
        extension_id=party.extension_id,
        from_number=party.sender.phone_number or "",
        to_number=party.to.phone_number or "",
    )
    return _call_start(start, signal)


def route_transcript(body: TranscriptBody) -> WorkflowStart:
    if body.speaker != "caller" or not body.final:
        raise UnroutableEvent("only the caller's final words are triaged")
    start = CallStart(
        session_id=body.telephony_session_id, caller_party_id="", from_number="", to_number=""
    )
    signal = CallSignal(
        sequence=body.sequence, kind="transcript", event_time=body.event_time, text=body.text
    )
    return _call_start(start, signal)


def _call_start(start: CallStart, signal: CallSignal) -> WorkflowStart:
    return WorkflowStart(
        workflow=CallWorkflow.__name__,
        workflow_id=call_workflow_id(start.session_id),
        argument=start,
        signal=CallWorkflow.event.__name__,
        signal_argument=signal,
    )


def route_internal(event: InternalEvent, event_key: str = "") -> WorkflowStart:
    if event.kind == QUOTE_CREATED and event.quote_id is not None:
        return WorkflowStart(
            workflow=QuoteWorkflow.__name__,
            workflow_id=quote_workflow_id(event.quote_id),
            argument=QuoteWorkflowInput(quote_id=event.quote_id),
        )
    if event.kind in (PAYMENT_RECORDED, PAYMENT_WAKE) and event.payment_id is not None:
        return route_payment(event)
    if event.kind == BOOKING_CHANGED and event.booking_id is not None:
        return route_booking_change(event.booking_id, event.reason or "changed")
    if event.kind in (REVIEW_RECEIVED, REVIEW_WAKE) and event.review_id is not None:
        return route_review(event)
    if event.kind == STAFF_MESSAGE_QUEUED and event.message_id is not None:
        return WorkflowStart(
            workflow=StaffMessageWorkflow.__name__,
            workflow_id=staff_message_workflow_id(event.message_id),
            argument=StaffMessageInput(message_id=event.message_id),
        )
    if event.kind == REVIEW_SYNC_REQUESTED and event_key:
        return WorkflowStart(
            workflow=ReviewSyncWorkflow.__name__, workflow_id=event_key, argument=ReviewSyncInput()
        )
    if event.kind == BANK_SYNC_REQUESTED and event_key:
        # The scheduled sync has its own id; an on-demand one is named by its request.
        return WorkflowStart(
            workflow=BankSyncWorkflow.__name__, workflow_id=event_key, argument=BankSyncInput()
        )
    raise UnroutableEvent(f"no workflow for internal event {event.kind!r}")


def route_booking_change(booking_id: int, reason: str) -> WorkflowStart:
    """Created, changed, cancelled: the booking's texting workflow starts or looks again."""
    return WorkflowStart(
        workflow=BookingLifecycleWorkflow.__name__,
        workflow_id=lifecycle_workflow_id(booking_id),
        argument=LifecycleInput(booking_id=booking_id),
        signal=BookingLifecycleWorkflow.booking_changed.__name__,
        signal_argument=BookingChanged(reason=reason),
        # A reinstated booking gets its texts again; their idempotency keys stop repeats.
        restart_if_closed=True,
    )


def route_payment(event: InternalEvent) -> WorkflowStart:
    """A new payment starts its matching workflow; a wake-up signals it (starting it first if
    it never ran, which only re-reads the payment)."""
    assert event.payment_id is not None
    if not event.source or not event.first_external_id:
        raise UnroutableEvent("payment event without its source and transaction id")
    start = WorkflowStart(
        workflow=PaymentMatchingWorkflow.__name__,
        workflow_id=payment_workflow_id(event.source, event.first_external_id),
        argument=PaymentMatchInput(payment_id=event.payment_id),
    )
    if event.kind == PAYMENT_RECORDED:
        return start
    return _woken(
        start, PaymentMatchingWorkflow.wake.__name__, PaymentWake(reason=event.reason or "wake")
    )


def route_review(event: InternalEvent) -> WorkflowStart:
    """A new review starts its workflow; a manager's decision wakes it."""
    assert event.review_id is not None
    if not event.google_review_id:
        raise UnroutableEvent("review event without Google's review id")
    start = WorkflowStart(
        workflow=ReviewWorkflow.__name__,
        workflow_id=review_workflow_id(event.google_review_id),
        argument=ReviewInput(review_id=event.review_id),
    )
    if event.kind == REVIEW_RECEIVED:
        return start
    return _woken(start, ReviewWorkflow.wake.__name__, ReviewWake(reason=event.reason or "wake"))


def _woken(start: WorkflowStart, signal: str, argument: BaseModel) -> WorkflowStart:
    """The same workflow, signalled (signal-with-start: it is started first if it never ran)."""
    return WorkflowStart(
        workflow=start.workflow,
        workflow_id=start.workflow_id,
        argument=start.argument,
        signal=signal,
        signal_argument=argument,
    )


def route_stripe(body: str) -> WorkflowStart:
    """Verified at intake; here only read. Events that change no ledger are ignored."""
    try:
        event = card_event_from_verified_body(body)
    except MalformedWebhook as error:
        raise UnroutableEvent(f"unreadable Stripe event: {error}") from error
    if event.kind == "ignored":
        raise UnroutableEvent(f"no workflow for Stripe event {event.event_type!r}")
    return WorkflowStart(
        workflow=CardPaymentWorkflow.__name__,
        workflow_id=card_workflow_id(event.event_id),
        argument=CardEventInput(
            event_id=event.event_id,
            kind=event.kind,
            event_type=event.event_type,
            booking_id=event.booking_id,
            amount_cents=event.amount_cents,
            reference=event.reference,
            payer_name=event.payer_name,
            payer_email=event.payer_email,
            occurred_at=event.occurred_at,
        ),
    )


def route_meta(body: str) -> WorkflowStart:
    """A customer's Messenger or Instagram message (stored one per inbox row at intake) goes to
    the customer's conversation on that channel, started if it is not running."""
    try:
        delivery = parse_delivery(body)
    except MalformedMetaWebhook as error:
        raise UnroutableEvent(f"unreadable Meta event: {error}") from error
    messages = delivery.customer_messages
    if len(messages) != 1:
        raise UnroutableEvent(f"expected one customer message, found {len(messages)}")
    [message] = messages
    inbound = InboundMessage(
        channel=Channel(message.platform),
        external_id=message.mid,
        from_address=message.sender_id,
        to_address=message.recipient_id,
        text=message.display_text,
        received_at=message.sent_at,
    )
    return conversation_start(inbound)


def conversation_start(message: InboundMessage) -> WorkflowStart:
    """The customer's conversation on that channel gets the message, started if it is not
    running (a conversation that ended after a quiet week starts again)."""
    return WorkflowStart(
        workflow=ConversationWorkflow.__name__,
        workflow_id=conversation_workflow_id(message.channel, message.from_address),
        argument=message,
        signal=ConversationWorkflow.message_received.__name__,
        signal_argument=message,
        restart_if_closed=True,
    )
