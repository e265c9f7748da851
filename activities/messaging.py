"""Messaging activities: record what customers send, send texts exactly once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Engine
from temporalio import activity

from activities.errors import rejected, retryable
from core.db import session_scope
from core.timeutil import utcnow
from domain.audit import service as audit
from domain.audit.service import Actor
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
from integrations.sms.base import OutboundSms, SentSms, SmsSender

log = logging.getLogger(__name__)

# Clocks differ between us and the provider; look a little before our own start time.
_CLOCK_SKEW = timedelta(minutes=2)
# One automatic acknowledgement per conversation in this period: a burst gets one reply.
ACKNOWLEDGEMENT_QUIET_PERIOD = timedelta(minutes=15)


def _workflow_actor() -> Actor:
    info = activity.info()
    return Actor.workflow(info.workflow_id or "unknown")


def _server_now() -> datetime:
    """Temporal's clock when this attempt was scheduled: the wall clock in production, and the
    skipped-ahead clock under the time-skipping test server, so allowed hours follow the
    workflow's own notion of time."""
    try:
        return activity.info().current_attempt_scheduled_time
    except RuntimeError:  # called outside an activity (a script, a test of the service)
        return utcnow()


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
            return self._result(message, already_sent=True)
        if message.send_started_at is None:
            decision = self._decide(message.id or 0, request)
            if decision.verdict is not Verdict.SEND:
                return self._not_now(message.id or 0, decision)
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
                    return self._finish(message.id or 0, earlier, already_sent=True)
            self._mark_sending(message.id or 0)
            sent = self._sms.send(outbound)
        except ProviderTransientError as error:
            raise retryable(error) from error
        except ProviderRejectedError as error:
            self._mark_failed(message.id or 0, error.message)
            raise rejected(error) from error
        return self._finish(message.id or 0, sent, already_sent=False)

    def _decide(self, message_id: int, request: SendSmsRequest) -> SendDecision:
        with session_scope(self._engine) as session:
            facts = consent.send_facts(
                session,
                kind=request.kind,
                to_number=request.to_number,
                matter=request.matter,
                exclude_message_id=message_id,
                now=_server_now(),
            )
        return decide(facts, _server_now())

    def _not_now(self, message_id: int, decision: SendDecision) -> SendSmsResult:
        """Records why the text did not go: `held` until a time, or `suppressed` for good."""
        held = decision.verdict is Verdict.HOLD
        with session_scope(self._engine) as session:
            message = session.get(Message, message_id)
            assert message is not None
            message.status = MessageStatus.HELD if held else MessageStatus.SUPPRESSED
            message.error = decision.reason[:500]
            session.add(message)
            log.info("SMS %s %s: %s", message.idempotency_key, message.status, decision.reason)
            result = self._result(message, already_sent=False)
        return result.model_copy(
            update={"hold_until": decision.until if held else None, "reason": decision.reason}
        )

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
        actor = _workflow_actor()
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

    def _mark_sending(self, message_id: int) -> None:
        with session_scope(self._engine) as session:
            message = session.get(Message, message_id)
            assert message is not None
            message.status = MessageStatus.SENDING
            message.send_started_at = message.send_started_at or utcnow()
            session.add(message)

    def _mark_failed(self, message_id: int, error: str) -> None:
        with session_scope(self._engine) as session:
            message = session.get(Message, message_id)
            assert message is not None
            message.status = MessageStatus.FAILED
            message.error = error[:500]
            session.add(message)

    def _finish(self, message_id: int, sent: SentSms, *, already_sent: bool) -> SendSmsResult:
        with session_scope(self._engine) as session:
            message = session.get(Message, message_id)
            assert message is not None
            messaging.mark_sent(message, sent.provider_message_id, sent.sent_at)
            session.add(message)
            audit.record(
                session,
                Actor(key=message.sent_by or "system", name=message.sent_by or "system"),
                "message.send",
                "message",
                message.id,
                {"to": message.to_address},
                f"Texted {message.to_address}",
            )
            return self._result(message, already_sent=already_sent)

    @staticmethod
    def _result(message: Message, *, already_sent: bool) -> SendSmsResult:
        return SendSmsResult(
            message_id=message.id or 0,
            provider_message_id=message.external_id,
            status=message.status.value,
            already_sent=already_sent,
        )
