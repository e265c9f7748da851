"""Call activities: open the record, speak, triage what the caller says, choose and reach an
extension, fall back to voicemail, close the record."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import Engine
from temporalio import activity

from activities.actor import workflow_actor
from activities.errors import rejected, retryable
from core.db import session_scope
from core.timeutil import to_local
from domain.business import service as business
from domain.calls import rules as call_rules
from domain.calls import service as calls
from domain.calls.payloads import (
    CallClosing,
    CallStart,
    CallSummary,
    ChosenExtension,
    EscalationOutcome,
    ExtensionChoice,
    OpenedCall,
    Speech,
    SpokenTurn,
    TransferRequest,
    TriageDecision,
    VoicemailRequest,
)
from domain.calls.triage import TriageResult, classify
from domain.customers import service as customers
from domain.messaging.models import MessageKind
from domain.messaging.payloads import SendSmsRequest
from domain.staff import service as staff
from domain.staff.models import StaffMember
from domain.tasks import service as tasks
from integrations.errors import ProviderError, ProviderRejectedError, ProviderTransientError
from integrations.llm.base import TriageModel
from integrations.telephony.base import CallControl
from integrations.voice.base import VoiceAssistant

log = logging.getLogger(__name__)


class CallSettings:
    def __init__(self, ring_timeout: int, silence_timeout: int, max_turns: int) -> None:
        self.ring_timeout = ring_timeout
        self.silence_timeout = silence_timeout
        self.max_turns = max_turns


def _workflow_actor_key() -> str:
    return workflow_actor().key


class CallActivities:
    def __init__(
        self,
        engine: Engine,
        call_control: CallControl,
        voice: VoiceAssistant,
        triage_model: TriageModel | None,
        settings: CallSettings,
    ) -> None:
        self._engine = engine
        self._calls = call_control
        self._voice = voice
        self._model = triage_model
        self._settings = settings

    @activity.defn
    def open_call(self, start: CallStart) -> OpenedCall:
        now = datetime.now(UTC)
        with session_scope(self._engine) as session:
            call = calls.open_call(
                session,
                session_id=start.session_id,
                from_number=start.from_number,
                to_number=start.to_number,
                at=now,
            )
            settings = business.get_settings(session)
            customer = customers.get(session, call.customer_id) if call.customer_id else None
            urgent, context = calls.caller_context(session, customer, now, settings.timezone)
            call.urgent = urgent
            session.add(call)
            first_name = customer.full_name.split()[0] if customer else None
            return OpenedCall(
                call_id=call.id or 0,
                customer_id=call.customer_id,
                caller_name=call.caller_name,
                urgent=urgent,
                greeting=call_rules.greeting(settings.name, first_name),
                context=context,
                ring_timeout_seconds=self._settings.ring_timeout,
                silence_timeout_seconds=self._settings.silence_timeout,
                max_assistant_turns=self._settings.max_turns,
            )

    @activity.defn
    def say(self, speech: Speech) -> None:
        """Speaks to the caller; a voice outage must not lose the call, so it is logged."""
        try:
            self._voice.say(speech.session_id, speech.text)
        except ProviderTransientError as error:
            raise retryable(error) from error
        except ProviderRejectedError as error:
            log.warning("call %s: could not speak: %s", speech.call_id, error)
        with session_scope(self._engine) as session:
            call = calls.get(session, speech.call_id)
            sequence = max((int(line.get("sequence", 0)) for line in call.transcript), default=0)
            calls.add_transcript(
                session,
                call,
                sequence=sequence,
                speaker="assistant",
                text=speech.text,
                at=datetime.now(UTC),
            )

    @activity.defn
    def triage_turn(self, turn: SpokenTurn) -> TriageDecision:
        with session_scope(self._engine) as session:
            call = calls.get(session, turn.call_id)
            calls.add_transcript(
                session, call, sequence=turn.sequence, speaker="caller", text=turn.text, at=turn.at
            )
            staff_names = staff.names_on_extensions(session)
            faqs = calls.faq_entries(session)
        result, source = self._triage(turn.text, staff_names)
        reply = None
        if not result.escalate:
            faq = call_rules.best_faq(turn.text, faqs)
            reply = faq.answer if faq is not None else None
        decision = TriageDecision(
            intent=result.intent.value,
            escalate=result.escalate,
            confidence=result.confidence,
            reason=result.reason,
            emergency=result.emergency,
            reply=reply,
            source=source,
        )
        with session_scope(self._engine) as session:
            calls.record_triage(
                session,
                calls.get(session, turn.call_id),
                decision.model_dump() | {"at": turn.at.isoformat(), "sequence": turn.sequence},
            )
        return decision

    def _triage(self, text: str, staff_names: list[str]) -> tuple[TriageResult, str]:
        """OpenAI when configured; the built-in classifier when not, or when it fails: a call is
        never stuck on a third party."""
        if self._model is not None:
            try:
                return self._model.triage(text, staff_names=staff_names), "openai"
            except ProviderError as error:
                log.warning("OpenAI triage failed, using the built-in classifier: %s", error)
        return classify(text, staff_names=staff_names), "builtin"

    @activity.defn
    def choose_extension(self, choice: ExtensionChoice) -> ChosenExtension | None:
        on_call = self._on_call()
        with session_scope(self._engine) as session:
            timezone = business.get_settings(session).timezone
            extension = staff.take_next(
                session,
                moment=choice.at,
                timezone=timezone,
                on_call=on_call,
                exclude=set(choice.exclude_extension_ids),
            )
            if extension is None:
                return None
            member = session.get(StaffMember, extension.staff_member_id)
            return ChosenExtension(
                extension_id=extension.id or 0,
                extension_number=extension.extension_number,
                ringcentral_extension_id=extension.ringcentral_extension_id,
                staff_name=member.full_name if member else extension.extension_number,
                staff_phone=member.phone if member else None,
            )

    def _on_call(self) -> set[str]:
        """Extensions RingCentral shows busy or away. Presence is a hint: without it the
        extensions' own statuses still decide."""
        try:
            return {
                p.extension_number for p in self._calls.presence() if p.on_call or not p.available
            }
        except ProviderError as error:
            log.warning("presence unavailable, choosing from our own statuses: %s", error)
            return set()

    @activity.defn
    def transfer(self, request: TransferRequest) -> SendSmsRequest | None:
        """Moves the caller to the extension; returns the staff member's heads-up text."""
        now = datetime.now(UTC)
        with session_scope(self._engine) as session:
            call = calls.get(session, request.call_id)
            if not any(
                e.extension_id == request.extension_id and e.outcome is None
                for e in calls.escalations(session, call.id or 0)
            ):
                calls.begin_escalation(session, call, request.extension_id, request.reason, now)
        try:
            if request.ringing:
                self._calls.forward(request.session_id, request.party_id, request.extension_number)
            else:
                self._calls.transfer(request.session_id, request.party_id, request.extension_number)
        except ProviderTransientError as error:
            raise retryable(error) from error
        except ProviderRejectedError as error:
            raise rejected(error) from error
        with session_scope(self._engine) as session:
            call = calls.get(session, request.call_id)
            settings = business.get_settings(session)
            extension = staff.get(session, request.extension_id)
            member = session.get(StaffMember, extension.staff_member_id)
            if member is None or not member.phone:
                return None
            caller = call.caller_name or call.from_number
            local = to_local(now, settings.timezone)
            return SendSmsRequest(
                idempotency_key=f"call:{call.id}:heads-up:{extension.id}",
                conversation_id=None,
                kind=MessageKind.STAFF,
                from_number=settings.phone_number,
                to_number=member.phone,
                text=(
                    f"Teppan: transferring a call to you ({local:%I:%M %p}) from {caller}"
                    f"{' (URGENT: event today/tomorrow)' if call.urgent else ''}. "
                    f"Why: {request.reason}"
                )[:480],
                sent_by=_workflow_actor_key(),
            )

    @activity.defn
    def escalation_outcome(self, outcome: EscalationOutcome) -> None:
        with session_scope(self._engine) as session:
            call = calls.get(session, outcome.call_id)
            calls.finish_escalation(
                session, call, outcome.extension_id, outcome.outcome, outcome.at
            )

    @activity.defn
    def voicemail(self, request: VoicemailRequest) -> SendSmsRequest | None:
        """Nobody can take it: voicemail, a callback task, and a text to the primary extension."""
        with session_scope(self._engine) as session:
            primary = staff.primary(session)
            primary_id = primary.ringcentral_extension_id if primary else None
            primary_member = session.get(StaffMember, primary.staff_member_id) if primary else None
        try:
            self._voice.say(request.session_id, call_rules.VOICEMAIL_MESSAGE)
            if primary_id:
                self._calls.to_voicemail(request.session_id, request.party_id, primary_id)
            else:
                log.warning("call %s: no primary extension with a RingCentral id", request.call_id)
        except ProviderTransientError as error:
            raise retryable(error) from error
        except ProviderRejectedError as error:
            log.warning("call %s: voicemail failed: %s", request.call_id, error)
        with session_scope(self._engine) as session:
            call = calls.get(session, request.call_id)
            settings = business.get_settings(session)
            caller = call.caller_name or call.from_number
            tasks.raise_task(
                session,
                kind="callback",
                title=f"Call back {caller}",
                details=f"{call.from_number} called and nobody could take it. {request.reason}",
                source_key=f"call:{call.id}:callback",
                actor=workflow_actor(),
                customer_id=call.customer_id,
                assigned_staff_id=primary.staff_member_id if primary else None,
            )
            if primary_member is None or not primary_member.phone:
                return None
            return SendSmsRequest(
                idempotency_key=f"call:{call.id}:missed",
                conversation_id=None,
                kind=MessageKind.STAFF,
                from_number=settings.phone_number,
                to_number=primary_member.phone,
                text=(
                    f"Teppan: missed call from {caller} ({call.from_number}), sent to voicemail. "
                    f"A callback task is waiting. Why they called: {request.reason}"
                )[:480],
                sent_by=_workflow_actor_key(),
            )

    @activity.defn
    def drop_call(self, speech: Speech) -> None:
        try:
            self._voice.say(speech.session_id, speech.text)
            self._calls.drop(speech.session_id)
        except ProviderTransientError as error:
            raise retryable(error) from error
        except ProviderRejectedError as error:
            log.warning("call %s: could not end it cleanly: %s", speech.call_id, error)

    @activity.defn
    def close_call(self, closing: CallClosing) -> CallSummary:
        with session_scope(self._engine) as session:
            call = calls.get(session, closing.call_id)
            calls.close_call(session, call, closing.outcome, closing.at)
            answered = [
                e.extension_id
                for e in calls.escalations(session, call.id or 0)
                if e.outcome == "answered" and e.extension_id is not None
            ]
            number = staff.get(session, answered[-1]).extension_number if answered else None
            return CallSummary(
                call_id=call.id or 0,
                outcome=call.outcome or closing.outcome,
                intent=call.intent,
                extension_number=number,
            )
