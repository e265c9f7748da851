"""Inbound texts go to the customer's conversation workflow by signal-with-start."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.customers.models import Channel
from domain.messaging.payloads import InboundMessage
from workflows.conversation import ConversationWorkflow
from workflows.routing import UnroutableEvent, route


def _notification(direction: str = "Inbound") -> dict[str, Any]:
    return {
        "uuid": "5f3c",
        "event": "/restapi/v1.0/account/1/extension/1/message-store/instant?type=SMS",
        "timestamp": "2026-11-23T17:00:00.000Z",
        "subscriptionId": "sub-1",
        "body": {
            "id": "rc-881",
            "from": {"phoneNumber": "+15105550111"},
            "to": [{"phoneNumber": "+15105550100"}],
            "subject": "Do you bring the grill?",
            "creationTime": "2026-11-23T17:00:00.000Z",
            "direction": direction,
        },
    }


def test_an_inbound_text_signals_the_customer_s_conversation() -> None:
    start = route("ringcentral", json.dumps(_notification()))
    assert start.workflow == ConversationWorkflow.__name__
    assert start.workflow_id == "conversation-sms-+15105550111"
    assert start.signal == "message_received"
    assert start.restart_if_closed
    message = start.signal_argument
    assert isinstance(message, InboundMessage) and start.argument == message
    assert message.channel is Channel.SMS and message.external_id == "rc-881"
    assert (message.from_address, message.to_address) == ("+15105550111", "+15105550100")
    assert message.text == "Do you bring the grill?"


def test_an_outbound_echo_is_not_routed() -> None:
    with pytest.raises(UnroutableEvent):
        route("ringcentral", json.dumps(_notification(direction="Outbound")))
