"""Messenger and Instagram replies through Meta's Send API, once per idempotency key, only
inside Meta's window (domain/messaging/meta_window.py)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select
from temporalio import activity

from activities import outbound_rows
from activities.actor import server_now
from activities.errors import rejected, retryable
from core.db import session_scope
from domain.business import service as business
from domain.customers.models import Channel
from domain.messaging import service as messaging
from domain.messaging.consent_rules import PAUSED_RECHECK
from domain.messaging.meta_window import WindowDecision, reply_allowed
from domain.messaging.models import Message, MessageDirection, MessageStatus
from domain.messaging.payloads import SendDirectMessageRequest, SendSmsResult
from integrations.errors import ProviderRejectedError, ProviderTransientError
from integrations.meta.base import (
    DirectMessageSender,
    OutboundDirectMessage,
    OutsideMessagingWindow,
    Platform,
)

log = logging.getLogger(__name__)

# Clocks differ between us and Meta; look a little before our own start time.
_CLOCK_SKEW = timedelta(minutes=2)
_PLATFORMS: dict[Channel, Platform] = {
    Channel.MESSENGER: "messenger",
    Channel.INSTAGRAM: "instagram",
}


def last_inbound_at(
    session: Session, conversation_id: int, channel: Channel, sender_id: str
) -> datetime | None:
    """When this person last wrote on this channel: Meta's window opens per person and channel
    (an SMS does not open Messenger's)."""
    latest = session.exec(
        select(func.max(Message.created_at)).where(
            Message.conversation_id == conversation_id,
            Message.channel == channel,
            Message.direction == MessageDirection.INBOUND,
            Message.from_address == sender_id,
        )
    ).one()
    return latest


def _our_account(session: Session, request: SendDirectMessageRequest) -> str:
    """The Page or Instagram account the person wrote to (the sender of our reply)."""
    found = session.exec(
        select(Message.to_address)
        .where(
            Message.conversation_id == request.conversation_id,
            Message.channel == request.channel,
            Message.direction == MessageDirection.INBOUND,
            Message.from_address == request.recipient_id,
        )
        .order_by(col(Message.created_at).desc())
    ).first()
    return found or ""


class DirectMessageActivities:
    def __init__(self, engine: Engine, sender: DirectMessageSender) -> None:
        self._engine = engine
        self._sender = sender

    @activity.defn
    def send_direct_message(self, request: SendDirectMessageRequest) -> SendSmsResult:
        """Sends once per idempotency key, even across retries and worker crashes.

        The Send API takes no idempotency key, so the row is marked `sending` before the call;
        a later attempt that finds it `sending` reads the conversation (Conversations API) for
        the text before trying again. Outside Meta's window the message is `suppressed` (the
        assistant's after 24 hours, anyone's after 7 days), never sent.
        """
        platform = _PLATFORMS.get(request.channel)
        if platform is None:
            raise rejected(
                ProviderRejectedError("meta", f"{request.channel.value} is not a Meta channel")
            )
        message = self._claim(request)
        if message.status == MessageStatus.SENT:
            return outbound_rows.result_of(message, already_sent=True)
        if message.status == MessageStatus.SUPPRESSED:
            return outbound_rows.result_of(message, already_sent=False)
        try:
            if message.send_started_at is not None:
                earlier = self._sender.find_sent(
                    platform,
                    request.recipient_id,
                    request.text,
                    message.send_started_at - _CLOCK_SKEW,
                )
                if earlier is not None:
                    log.info(
                        "direct message %s had already gone out; not sending again",
                        request.idempotency_key,
                    )
                    return outbound_rows.mark_sent(
                        self._engine,
                        message.id or 0,
                        earlier.provider_message_id,
                        earlier.sent_at,
                        already_sent=True,
                    )
            if self._paused():
                return outbound_rows.not_sent(
                    self._engine,
                    message.id or 0,
                    "texting is paused by the owner",
                    hold_until=server_now() + PAUSED_RECHECK,
                )
            decision = self._window(request)
            if not decision.allowed:
                return outbound_rows.not_sent(self._engine, message.id or 0, decision.why)
            outbound_rows.mark_sending(self._engine, message.id or 0, decision.tag)
            sent = self._sender.send(
                OutboundDirectMessage(platform, request.recipient_id, request.text, decision.tag)
            )
        except ProviderTransientError as error:
            raise retryable(error) from error
        except OutsideMessagingWindow as error:
            # Meta's clock or record disagrees with ours: it will not take the message.
            return outbound_rows.not_sent(
                self._engine, message.id or 0, f"Meta refused it: {error.message}"
            )
        except ProviderRejectedError as error:
            outbound_rows.mark_failed(self._engine, message.id or 0, error.message)
            raise rejected(error) from error
        return outbound_rows.mark_sent(
            self._engine,
            message.id or 0,
            sent.provider_message_id,
            sent.sent_at,
            already_sent=False,
        )

    def _paused(self) -> bool:
        with session_scope(self._engine) as session:
            return business.texting_paused(session)

    def _window(self, request: SendDirectMessageRequest) -> WindowDecision:
        with session_scope(self._engine) as session:
            last = last_inbound_at(
                session, request.conversation_id, request.channel, request.recipient_id
            )
        return reply_allowed(last, server_now(), request.human_agent)

    def _claim(self, request: SendDirectMessageRequest) -> Message:
        with session_scope(self._engine) as session:
            message = messaging.find_by_idempotency_key(session, request.idempotency_key)
            if message is None:
                message = Message(
                    conversation_id=request.conversation_id,
                    channel=request.channel,
                    direction=MessageDirection.OUTBOUND,
                    body=request.text,
                    from_address=_our_account(session, request),
                    to_address=request.recipient_id,
                    status=MessageStatus.PENDING,
                    idempotency_key=request.idempotency_key,
                    sent_by=request.sent_by,
                    kind=request.kind,
                )
                session.add(message)
                session.flush()
            return message
