"""Which workflow an inbox event starts. Pure: it reads the stored event, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from domain.messaging.payloads import InboundSms
from integrations.telephony.ringcentral_events import (
    RingCentralInstantMessage,
    RingCentralNotification,
)
from workflows.inbound_sms import InboundSmsWorkflow, workflow_id_for


@dataclass(frozen=True)
class WorkflowStart:
    workflow: str
    workflow_id: str
    argument: BaseModel


class UnroutableEvent(ValueError):
    """Well-formed, but nothing in Teppan acts on it: the inbox marks it ignored."""


def route(provider: str, body: str) -> WorkflowStart:
    if provider == "ringcentral":
        return route_ringcentral(RingCentralNotification.model_validate_json(body))
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
