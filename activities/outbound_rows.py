"""The bookkeeping every send activity does on its outbound `message` row, whatever the channel:
claimed before the provider is called, marked `sending`, then `sent`, `failed`, `held` (with a
time to ask again) or `suppressed` (never sent, with why). One row per idempotency key."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine

from core.db import session_scope
from core.timeutil import utcnow
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.messaging import service as messaging
from domain.messaging.models import Message, MessageStatus
from domain.messaging.payloads import SendSmsResult

log = logging.getLogger(__name__)


def result_of(
    message: Message, *, already_sent: bool, hold_until: datetime | None = None
) -> SendSmsResult:
    not_sent = message.status in (MessageStatus.HELD, MessageStatus.SUPPRESSED)
    return SendSmsResult(
        message_id=message.id or 0,
        provider_message_id=message.external_id,
        status=message.status.value,
        already_sent=already_sent,
        hold_until=hold_until,
        reason=message.error if not_sent else None,
    )


def mark_sending(engine: Engine, message_id: int, tag: str | None = None) -> None:
    with session_scope(engine) as session:
        message = session.get(Message, message_id)
        assert message is not None
        message.status = MessageStatus.SENDING
        message.tag = tag or message.tag
        message.send_started_at = message.send_started_at or utcnow()
        session.add(message)


def mark_failed(engine: Engine, message_id: int, error: str) -> None:
    with session_scope(engine) as session:
        message = session.get(Message, message_id)
        assert message is not None
        message.status = MessageStatus.FAILED
        message.error = error[:500]
        session.add(message)


def not_sent(
    engine: Engine, message_id: int, reason: str, *, hold_until: datetime | None = None
) -> SendSmsResult:
    """`held` until `hold_until` when given (the workflow asks again then), else `suppressed`."""
    with session_scope(engine) as session:
        message = session.get(Message, message_id)
        assert message is not None
        message.status = MessageStatus.HELD if hold_until else MessageStatus.SUPPRESSED
        message.error = reason[:500]
        session.add(message)
        log.info("%s %s: %s", message.idempotency_key, message.status.value, reason)
        return result_of(message, already_sent=False, hold_until=hold_until)


def mark_sent(
    engine: Engine,
    message_id: int,
    provider_message_id: str,
    sent_at: datetime,
    *,
    already_sent: bool,
) -> SendSmsResult:
    with session_scope(engine) as session:
        message = session.get(Message, message_id)
        assert message is not None
        messaging.mark_sent(message, provider_message_id, sent_at)
        session.add(message)
        channel = message.channel.value
        audit.record(
            session,
            Actor(key=message.sent_by or "system", name=message.sent_by or "system"),
            "message.send",
            "message",
            message.id,
            {"to": message.to_address, "channel": channel, "tag": message.tag},
            f"Sent a {channel} message to {message.to_address}",
        )
        return result_of(message, already_sent=already_sent)
