"""Which workflow an inbox event starts. Pure: it reads the stored event, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from domain.messaging.payloads import InboundSms
from domain.quotes.payloads import QuoteWorkflowInput
from domain.quotes.service import INTERNAL_PROVIDER, QUOTE_CREATED
from integrations.telephony.ringcentral_events import (
    RingCentralInstantMessage,
    RingCentralNotification,
)
from workflows.inbound_sms import InboundSmsWorkflow, workflow_id_for
from workflows.quote import QuoteWorkflow
from workflows.quote import workflow_id_for as quote_workflow_id


@dataclass(frozen=True)
class WorkflowStart:
    workflow: str
    workflow_id: str
    argument: BaseModel


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
    raise UnroutableEvent(f"no workflow for RingCentral event {notification.event!r}")


def route_internal(event: InternalEvent) -> WorkflowStart:
    if event.kind == QUOTE_CREATED and event.quote_id is not None:
        return WorkflowStart(
            workflow=QuoteWorkflow.__name__,
            workflow_id=quote_workflow_id(event.quote_id),
            argument=QuoteWorkflowInput(quote_id=event.quote_id),
        )
    raise UnroutableEvent(f"no workflow for internal event {event.kind!r}")
