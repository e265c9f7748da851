"""Messaging activities: record what customers send, send texts exactly once."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import Engine
from temporalio import activity

from activities import outbound_rows
from activities.actor import server_now, workflow_actor
from activities.errors import rejected, retryable
from core.db import session_scope
from domain.business import service as business
from domain.customers import service as customers
from domain.customers.models import Channel
from domain.messaging import consent
from domain.messaging import service as messaging
from domain.messaging.consent_rules import (
    ConsentKeyword,
    SendDecision,
    Verdict,
    consent_keyword,
    decide,
    help_answer,
    opt_in_confirmation,
    opt_out_confirmation,
)
from domain.messaging.models import Message, MessageDirection, MessageKind, MessageStatus
from domain.messaging.payloads import (
    ConsentKeywordOutcome,
    ConsentKeywordRequest,
    SendSmsRequest,
    SendSmsResult,
)
from integrations.errors import ProviderRejectedError, ProviderTransientError
from integrations.sms.base import OutboundSms, SmsSender

log = logging.getLogger(__name__)

# Clocks differ between us and the provider; look a little before our own start time.
_CLOCK_SKEW = timedelta(minutes=2)


class MessagingActivities:
    def __init__(self, engine: Engine, sms: SmsSender) -> None:
        self._engine = engine
        self._sms = sms

    @activity.defn
    def send_sms(self, request: SendSmsRequest) -> SendSmsResult:
        """Sends once per idempotency key, even across retries and worker crashes.

        RingCentral has no idempotency keys, so the row is marked `sending` before the call;
        a later attempt that finds it `sending` asks the provider's message store whether the
        first attempt went out before trying again.
        """
        message = self._claim(request)
        if message.status == MessageStatus.SENT:
            return outbound_rows.result_of(message, already_sent=True)
        if message.send_started_at is None:
            decision = self._decide(message.id or 0, request)
            if decision.verdict is not Verdict.SEND:
                held = decision.verdict is Verdict.HOLD
                return outbound_rows.not_sent(
                    self._engine,
                    message.id or 0,
                    decision.reason,
                    hold_until=decision.until if held else None,
                )
        outbound = OutboundSms(request.from_number, request.to_number, request.text)
        try:
            if message.send_started_at is not None:
                earlier = self._sms.find_sent(
                    request.to_number, request.text, message.send_started_at - _CLOCK_SKEW
                )
                if earlier is not None:
                    log.info(
                        "SMS %s had already gone out; not sending again", request.idempotency_key
                    )
                    return outbound_rows.mark_sent(
                        self._engine,
                        message.id or 0,
                        earlier.provider_message_id,
                        earlier.sent_at,
                        already_sent=True,
                    )
            outbound_rows.mark_sending(self._engine, message.id or 0)
            sent = self._sms.send(outbound)
        except ProviderTransientError as error:
            raise retryable(error) from error
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

    def _decide(self, message_id: int, request: SendSmsRequest) -> SendDecision:
        with session_scope(self._engine) as session:
            facts = consent.send_facts(
                session,
                kind=request.kind,
                to_number=request.to_number,
                matter=request.matter,
                exclude_message_id=message_id,
                now=server_now(),
            )
        return decide(facts, server_now())

    @activity.defn
    def withdraw_held(self, idempotency_key: str) -> None:
        """A held text that is no longer wanted (its booking moved or was cancelled)."""
        with session_scope(self._engine) as session:
            message = messaging.find_by_idempotency_key(session, idempotency_key)
            if message is not None and message.status == MessageStatus.HELD:
                message.status = MessageStatus.SUPPRESSED
                message.error = "withdrawn while it waited: no longer due as it was"
                session.add(message)

    @activity.defn
    def handle_consent_keyword(self, request: ConsentKeywordRequest) -> ConsentKeywordOutcome:
        """STOP, START and HELP: record the change at once; the one confirmation is returned for
        the workflow to send (kind `consent`: it goes even to a number that just opted out)."""
        keyword = consent_keyword(request.text)
        if keyword is None:
            return ConsentKeywordOutcome(keyword=None)
        actor = workflow_actor()
        with session_scope(self._engine) as session:
            customer = customers.get(session, request.customer_id)
            changed = consent.apply_keyword(
                session,
                customer,
                keyword,
                address=request.from_address,
                evidence=request.text,
                message_id=request.message_id,
                actor=actor,
            )
            settings = business.get_settings(session)
            text = {
                ConsentKeyword.OPT_OUT: opt_out_confirmation(settings.name),
                ConsentKeyword.OPT_IN: opt_in_confirmation(settings.name),
                ConsentKeyword.HELP: help_answer(
                    settings.name, settings.phone_number, settings.email
                ),
            }[keyword]
        reply = SendSmsRequest(
            idempotency_key=f"consent:{request.message_id}",
            conversation_id=request.conversation_id,
            from_number=request.to_address,
            to_number=request.from_address,
            text=text,
            sent_by=actor.key,
            kind=MessageKind.CONSENT,
        )
        return ConsentKeywordOutcome(keyword=keyword.value, reply=reply if changed else None)

    def _claim(self, request: SendSmsRequest) -> Message:
        with session_scope(self._engine) as session:
            message = messaging.find_by_idempotency_key(session, request.idempotency_key)
            if message is None:
                message = Message(
                    conversation_id=request.conversation_id,
                    channel=Channel.SMS,
                    direction=MessageDirection.OUTBOUND,
                    body=request.text,
                    from_address=request.from_number,
                    to_address=request.to_number,
                    status=MessageStatus.PENDING,
                    idempotency_key=request.idempotency_key,
                    sent_by=request.sent_by,
                    kind=request.kind,
                    matter=request.matter,
                    booking_id=request.booking_id,
                )
                session.add(message)
                session.flush()
            return message
