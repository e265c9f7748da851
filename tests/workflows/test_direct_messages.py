"""DirectMessageActivities.send_direct_message in Temporal's activity environment, with the real
database and the Send API adapter against the Meta emulator: once per key, Meta's window."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.direct_messages import DirectMessageActivities
from domain.customers.models import Channel
from domain.messaging import service as messaging
from domain.messaging.models import Message, MessageStatus
from domain.messaging.payloads import SendDirectMessageRequest, SendSmsResult
from integrations.meta.send_api import MetaSendApi
from tests import factories
from tests.meta_fixtures import MetaSandbox


def _now() -> datetime:
    return datetime.now(UTC)


def _customer_wrote(
    engine: Engine,
    meta: MetaSandbox,
    *,
    hours_ago: float = 0.1,
    channel: Channel = Channel.MESSENGER,
) -> tuple[int, str]:
    """A customer's message, at Meta and in our records: (conversation id, their PSID/IGSID)."""
    at = _now() - timedelta(hours=hours_ago)
    delivery = meta.customer_writes("Do you do birthdays?", at=at, platform=channel.value)
    with Session(engine) as session:
        customer = factories.customer(session)
        conversation = messaging.conversation_for(session, customer.id or 0)
        messaging.record_inbound(
            session,
            conversation=conversation,
            channel=channel,
            external_id=str(delivery["mid"]),
            from_address=str(delivery["sender_id"]),
            to_address=str(delivery["recipient_id"]),
            body="Do you do birthdays?",
            received_at=at,
        )
        session.commit()
        return conversation.id or 0, str(delivery["sender_id"])


def _request(
    conversation_id: int,
    recipient_id: str,
    *,
    key: str = "reply:1",
    human_agent: bool = False,
    channel: Channel = Channel.MESSENGER,
) -> SendDirectMessageRequest:
    return SendDirectMessageRequest(
        idempotency_key=key,
        conversation_id=conversation_id,
        channel=channel,
        recipient_id=recipient_id,
        text="We do! How many guests?",
        sent_by="user:1" if human_agent else "workflow:conversation-test",
        human_agent=human_agent,
    )


def _run(engine: Engine, sender: MetaSendApi, request: SendDirectMessageRequest) -> SendSmsResult:
    environment = ActivityEnvironment()
    environment.info = dataclasses.replace(environment.info, current_attempt_scheduled_time=_now())
    activities = DirectMessageActivities(engine, sender)
    result: SendSmsResult = environment.run(activities.send_direct_message, request)
    return result


def _row(engine: Engine, message_id: int) -> Message:
    with Session(engine) as session:
        message = session.get(Message, message_id)
        assert message is not None
        return message


def test_the_same_key_twice_sends_one_message(engine: Engine, meta: MetaSandbox) -> None:
    conversation_id, psid = _customer_wrote(engine, meta)
    sender = meta.sender()

    first = _run(engine, sender, _request(conversation_id, psid))
    second = _run(engine, sender, _request(conversation_id, psid))

    [sent] = meta.sent(psid)
    assert (first.status, first.already_sent) == ("sent", False)
    assert (second.status, second.already_sent) == ("sent", True)
    assert first.message_id == second.message_id
    assert first.provider_message_id == second.provider_message_id == sent["mid"]
    row = _row(engine, first.message_id)
    assert (row.channel, row.to_address, row.from_address) == (
        Channel.MESSENGER,
        psid,
        meta.state.page_id,
    )
    assert (row.status, row.tag, sent["messaging_type"]) == (MessageStatus.SENT, None, "RESPONSE")


def test_a_retry_after_a_lost_answer_finds_the_message_instead_of_resending(
    engine: Engine, meta: MetaSandbox
) -> None:
    conversation_id, psid = _customer_wrote(engine, meta)
    meta.fault(path_prefix="/v21.0/me/messages", kind="delay", delay_seconds=1.5)
    impatient = meta.sender(timeout=0.5)

    with pytest.raises(ApplicationError) as lost:
        _run(engine, impatient, _request(conversation_id, psid))
    assert not lost.value.non_retryable
    retry = _run(engine, impatient, _request(conversation_id, psid))

    [sent] = meta.sent(psid)
    assert (retry.status, retry.already_sent, retry.provider_message_id) == (
        "sent",
        True,
        sent["mid"],
    )


def test_the_assistant_stays_silent_after_24_hours(engine: Engine, meta: MetaSandbox) -> None:
    conversation_id, psid = _customer_wrote(engine, meta, hours_ago=30)

    first = _run(engine, meta.sender(), _request(conversation_id, psid))
    again = _run(engine, meta.sender(), _request(conversation_id, psid))

    for result in (first, again):
        assert result.status == "suppressed" and result.reason
        assert "24 hours" in result.reason
    assert meta.sent(psid) == [] and meta.state.send_requests == 0
    assert _row(engine, first.message_id).status == MessageStatus.SUPPRESSED


def test_a_person_answers_with_human_agent_within_7_days(engine: Engine, meta: MetaSandbox) -> None:
    conversation_id, psid = _customer_wrote(engine, meta, hours_ago=50)

    result = _run(engine, meta.sender(), _request(conversation_id, psid, human_agent=True))

    [sent] = meta.sent(psid)
    assert result.status == "sent"
    assert (sent["messaging_type"], sent["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert _row(engine, result.message_id).tag == "HUMAN_AGENT"


def test_nobody_answers_after_7_days(engine: Engine, meta: MetaSandbox) -> None:
    conversation_id, psid = _customer_wrote(engine, meta, hours_ago=24 * 8)

    result = _run(engine, meta.sender(), _request(conversation_id, psid, human_agent=True))

    assert result.status == "suppressed" and result.reason and "7 days" in result.reason
    assert meta.state.send_requests == 0


def test_the_window_is_per_channel(engine: Engine, meta: MetaSandbox) -> None:
    conversation_id, igsid = _customer_wrote(engine, meta, channel=Channel.INSTAGRAM)

    on_messenger = _run(engine, meta.sender(), _request(conversation_id, igsid, key="m"))
    on_instagram = _run(
        engine,
        meta.sender(),
        _request(conversation_id, igsid, key="i", channel=Channel.INSTAGRAM),
    )

    assert on_messenger.status == "suppressed" and "not written" in (on_messenger.reason or "")
    assert on_instagram.status == "sent"
    [sent] = meta.sent(igsid)
    assert sent["platform"] == "instagram"


def test_when_meta_says_the_window_closed_the_message_is_suppressed_not_failed(
    engine: Engine, meta: MetaSandbox
) -> None:
    conversation_id, psid = _customer_wrote(engine, meta)
    # Meta's record of the person's last message disagrees with ours: Meta's decides.
    with meta.state.lock:
        meta.state.customers[psid].last_message_at = _now() - timedelta(days=3)

    result = _run(engine, meta.sender(), _request(conversation_id, psid))

    assert result.status == "suppressed" and "Meta refused" in (result.reason or "")
    assert meta.state.send_requests == 1 and meta.sent(psid) == []


def test_a_bad_token_fails_the_message_without_retrying(engine: Engine, meta: MetaSandbox) -> None:
    conversation_id, psid = _customer_wrote(engine, meta)

    with pytest.raises(ApplicationError) as refused:
        _run(engine, meta.sender(access_token="EAA-wrong"), _request(conversation_id, psid))

    assert refused.value.non_retryable and refused.value.type == "ProviderRejectedError"
    with Session(engine) as session:
        row = messaging.find_by_idempotency_key(session, "reply:1")
        assert row is not None and row.status == MessageStatus.FAILED


def test_throttling_asks_temporal_to_wait_as_long_as_meta_said(
    engine: Engine, meta: MetaSandbox
) -> None:
    conversation_id, psid = _customer_wrote(engine, meta)
    meta.throttle(code=613, minutes=3)

    with pytest.raises(ApplicationError) as throttled:
        _run(engine, meta.sender(), _request(conversation_id, psid))

    assert not throttled.value.non_retryable
    assert throttled.value.next_retry_delay == timedelta(minutes=3)
    retry = _run(engine, meta.sender(), _request(conversation_id, psid))
    assert (retry.status, retry.already_sent) == ("sent", False)
    assert len(meta.sent(psid)) == 1
