"""Which workflow an inbox event starts. Pure: it reads the stored event, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from domain.calls.payloads import CallSignal, CallStart
from domain.messaging.payloads import InboundSms
from domain.quotes.payloads import QuoteWorkflowInput
from domain.quotes.service import INTERNAL_PROVIDER, QUOTE_CREATED
from integrations.telephony.ringcentral_events import (
    RingCentralInstantMessage,
    RingCentralNotification,
    TelephonySessionBody,
    TranscriptBody,
)
from workflows.call import CallWorkflow
from workflows.call import workflow_id_for as call_workflow_id
from workflows.inbound_sms import InboundSmsWorkflow, workflow_id_for
from workflows.quote import QuoteWorkflow
from workflows.quote import workflow_id_for as quote_workflow_id


@dataclass(frozen=True)
class WorkflowStart:
    """Start this workflow (once per id) and, when `signal` is set, signal it: signal-with-start,
    for events that belong to a workflow that may already be running (a call's later events)."""

    workflow: str
    workflow_id: str
    argument: BaseModel
    signal: str | None = None
    signal_argument: BaseModel | None = None


class InternalEvent(BaseModel):
    """What Teppan puts in its own inbox (an outbox, really) to start a workflow after commit."""

    kind: str
    quote_id: int | None = None


class UnroutableEvent(ValueError):
    """Well-formed, but nothing in Teppan acts on it: the inbox marks it ignored."""


def route(provider: str, body: str) -> WorkflowStart:
    if provider == "ringcentral":
        return route_ringcentral(RingCentralNotification.model_validate_json(body))
    if provider == INTERNAL_PROVIDER:
        return route_internal(InternalEvent.model_validate_json(body))
    raise UnroutableEvent(f"no workflow for provider {provider!r}")


def route_ringcentral(notification: RingCentralNotification) -> WorkflowStart:
    if notification.is_instant_sms:
        message = RingCentralInstantMessage.model_validate(notification.body)
        if message.direction != "Inbound":
            raise UnroutableEvent("outbound message echo")
        sms = InboundSms(
            provider_message_id=message.id,
            from_number=message.sender.phone_number,
            to_number=message.to[0].phone_number,
            text=message.subject,
            received_at=message.creation_time,
        )
        return WorkflowStart(
            workflow=InboundSmsWorkflow.__name__,
            workflow_id=workflow_id_for(sms.provider_message_id),
            argument=sms,
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


def route_internal(event: InternalEvent) -> WorkflowStart:
    if event.kind == QUOTE_CREATED and event.quote_id is not None:
        return WorkflowStart(
            workflow=QuoteWorkflow.__name__,
            workflow_id=quote_workflow_id(event.quote_id),
            argument=QuoteWorkflowInput(quote_id=event.quote_id),
        )
    raise UnroutableEvent(f"no workflow for internal event {event.kind!r}")
