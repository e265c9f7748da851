"""An inbound call, from the first ring to a person, the voicemail, or a polite goodbye.

One workflow per RingCentral telephony session (`call-<session id>`). Telephony events and
transcript segments arrive as signals, possibly out of order: a party's status is the one with
the highest sequence number seen, and segments are triaged in sequence order. The workflow
decides; activities speak, triage, choose the next extension and move the call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.workflow import ActivityHandle

with workflow.unsafe.imports_passed_through():
    from activities.calls import CallActivities
    from activities.messaging import MessagingActivities
    from domain.calls.models import CallOutcome
    from domain.calls.payloads import (
        CallClosing,
        CallSignal,
        CallStart,
        CallSummary,
        EscalationOutcome,
        ExtensionChoice,
        OpenedCall,
        Speech,
        SpokenTurn,
        TransferRequest,
        TriageDecision,
        VoicemailRequest,
    )
    from domain.calls.rules import FOLLOW_UP, GOODBYE_SILENT, announcement
    from domain.messaging.payloads import SendSmsRequest, SendSmsResult
    from workflows.policies import DATABASE_RETRY, PROVIDER_RETRY

RINGING = frozenset({"Setup", "Proceeding"})
GONE = frozenset({"Disconnected", "Gone"})
# A connected call is followed until it ends, for its duration; past this it is closed anyway.
LONGEST_CONVERSATION = timedelta(hours=4)
QUICK = timedelta(seconds=15)


def workflow_id_for(session_id: str) -> str:
    return f"call-{session_id}"


@workflow.defn
class CallWorkflow:
    def __init__(self) -> None:
        self._segments: list[CallSignal] = []
        self._seen_segments: set[int] = set()
        # party id → (sequence, status code, the provider's extension id)
        self._parties: dict[str, tuple[int, str, str | None]] = {}
        self._caller_party = ""
        self._caller_number = ""
        self._business_number = ""
        self._session = ""

    @workflow.signal
    def event(self, signal: CallSignal) -> None:
        if signal.kind == "transcript":
            if signal.text.strip() and signal.sequence not in self._seen_segments:
                self._seen_segments.add(signal.sequence)
                self._segments.append(signal)
            return
        if not self._caller_party and signal.extension_id is None:
            self._caller_party = signal.party_id
            self._caller_number = signal.from_number
            self._business_number = signal.to_number
        known = self._parties.get(signal.party_id)
        if known is None or signal.sequence > known[0]:
            extension = signal.extension_id or (known[2] if known else None)
            self._parties[signal.party_id] = (signal.sequence, signal.status_code, extension)

    @workflow.query
    def caller_status(self) -> str:
        return self._status(self._caller_party)

    def _status(self, party_id: str) -> str:
        known = self._parties.get(party_id)
        return known[1] if known else ""

    def _caller_gone(self) -> bool:
        return self._status(self._caller_party) in GONE

    def _answered_by(self, extension_id: str | None) -> bool:
        return any(
            extension == extension_id and code == "Answered"
            for party, (_, code, extension) in self._parties.items()
            if party != self._caller_party
        )

    @workflow.run
    async def run(self, start: CallStart) -> CallSummary:
        self._session = start.session_id
        if start.caller_party_id:
            self._caller_party = start.caller_party_id
            self._caller_number, self._business_number = start.from_number, start.to_number
        # Started by a transcript segment that overtook the call's first event: wait for it.
        await self._wait(lambda: bool(self._caller_party), QUICK)
        start = start.model_copy(
            update={
                "caller_party_id": self._caller_party,
                "from_number": self._caller_number,
                "to_number": self._business_number,
            }
        )
        opened: OpenedCall = await workflow.execute_activity_method(
            CallActivities.open_call,
            start,
            start_to_close_timeout=QUICK,
            retry_policy=DATABASE_RETRY,
        )
        await self._say(opened, opened.greeting)
        turns = 0
        while True:
            spoke = await self._wait(
                lambda: bool(self._segments) or self._caller_gone(),
                timedelta(seconds=opened.silence_timeout_seconds),
            )
            if self._caller_gone():
                gone = CallOutcome.HANDLED if turns else CallOutcome.CALLER_HUNG_UP
                return await self._close(opened, gone)
            if not spoke:
                await workflow.execute_activity_method(
                    CallActivities.drop_call,
                    Speech(
                        call_id=opened.call_id, session_id=start.session_id, text=GOODBYE_SILENT
                    ),
                    start_to_close_timeout=QUICK,
                    retry_policy=PROVIDER_RETRY,
                )
                return await self._close(
                    opened, CallOutcome.HANDLED if turns else CallOutcome.SILENT
                )
            decisions = [await self._triage(opened, segment) for segment in self._take_segments()]
            turns += 1
            escalating = next((d for d in decisions if d.escalate), None)
            if escalating is not None:
                return await self._escalate(opened, start, escalating.reason)
            if turns >= opened.max_assistant_turns:
                return await self._escalate(
                    opened, start, f"the assistant could not settle it in {turns} turns"
                )
            await self._say(opened, decisions[-1].reply or FOLLOW_UP)

    def _take_segments(self) -> list[CallSignal]:
        segments = sorted(self._segments, key=lambda segment: segment.sequence)
        self._segments.clear()
        return segments

    async def _triage(self, opened: OpenedCall, segment: CallSignal) -> TriageDecision:
        return await workflow.execute_activity_method(
            CallActivities.triage_turn,
            SpokenTurn(
                call_id=opened.call_id,
                sequence=segment.sequence,
                text=segment.text,
                at=segment.event_time,
            ),
            # OpenAI has its own short timeout inside; the built-in classifier is instant.
            start_to_close_timeout=QUICK,
            retry_policy=DATABASE_RETRY,
        )

    async def _escalate(self, opened: OpenedCall, start: CallStart, reason: str) -> CallSummary:
        tried: list[int] = []
        announced = False
        while not self._caller_gone():
            chosen = await workflow.execute_activity_method(
                CallActivities.choose_extension,
                ExtensionChoice(
                    call_id=opened.call_id, exclude_extension_ids=tried, at=workflow.now()
                ),
                start_to_close_timeout=QUICK,
                retry_policy=DATABASE_RETRY,
            )
            if chosen is None:
                return await self._voicemail(opened, start, reason)
            if not announced:
                # The caller hears this before the line moves: no dead air.
                await self._say(opened, announcement(chosen.staff_name.split()[0]))
                announced = True
            heads_up = await workflow.execute_activity_method(
                CallActivities.transfer,
                TransferRequest(
                    call_id=opened.call_id,
                    session_id=start.session_id,
                    party_id=start.caller_party_id,
                    extension_id=chosen.extension_id,
                    extension_number=chosen.extension_number,
                    ringing=self._status(self._caller_party) in RINGING,
                    reason=reason,
                ),
                start_to_close_timeout=QUICK,
                retry_policy=PROVIDER_RETRY,
            )
            # The heads-up goes out while the extension rings, not after.
            texting = self._start_text(heads_up)
            extension = chosen.ringcentral_extension_id

            def picked_up_or_gone(extension: str | None = extension) -> bool:
                return self._answered_by(extension) or self._caller_gone()

            await self._wait(picked_up_or_gone, timedelta(seconds=opened.ring_timeout_seconds))
            answered = self._answered_by(extension) and not self._caller_gone()
            await self._outcome(
                opened, chosen.extension_id, "answered" if answered else "no_answer"
            )
            if texting is not None:
                await texting
            if answered:
                await self._wait(self._caller_gone, LONGEST_CONVERSATION)
                return await self._close(opened, CallOutcome.CONNECTED)
            tried.append(chosen.extension_id)
        return await self._close(opened, CallOutcome.CALLER_HUNG_UP)

    async def _voicemail(self, opened: OpenedCall, start: CallStart, reason: str) -> CallSummary:
        missed = await workflow.execute_activity_method(
            CallActivities.voicemail,
            VoicemailRequest(
                call_id=opened.call_id,
                session_id=start.session_id,
                party_id=start.caller_party_id,
                reason=reason,
            ),
            start_to_close_timeout=QUICK,
            retry_policy=PROVIDER_RETRY,
        )
        await self._text(missed)
        return await self._close(opened, CallOutcome.VOICEMAIL)

    async def _outcome(self, opened: OpenedCall, extension_id: int, outcome: str) -> None:
        await workflow.execute_activity_method(
            CallActivities.escalation_outcome,
            EscalationOutcome(
                call_id=opened.call_id,
                extension_id=extension_id,
                outcome=outcome,
                at=workflow.now(),
            ),
            start_to_close_timeout=QUICK,
            retry_policy=DATABASE_RETRY,
        )

    def _start_text(self, sms: SendSmsRequest | None) -> ActivityHandle[SendSmsResult] | None:
        if sms is None:
            return None
        return workflow.start_activity_method(
            MessagingActivities.send_sms,
            sms,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=PROVIDER_RETRY,
        )

    async def _text(self, sms: SendSmsRequest | None) -> None:
        texting = self._start_text(sms)
        if texting is not None:
            await texting

    async def _say(self, opened: OpenedCall, text: str) -> None:
        await workflow.execute_activity_method(
            CallActivities.say,
            Speech(call_id=opened.call_id, session_id=self._session, text=text),
            start_to_close_timeout=QUICK,
            retry_policy=PROVIDER_RETRY,
        )

    async def _wait(self, condition: Callable[[], bool], at_most: timedelta) -> bool:
        try:
            await workflow.wait_condition(condition, timeout=at_most)
        except TimeoutError:
            return condition()
        return True

    async def _close(self, opened: OpenedCall, outcome: str) -> CallSummary:
        return await workflow.execute_activity_method(
            CallActivities.close_call,
            CallClosing(call_id=opened.call_id, outcome=outcome, at=workflow.now()),
            start_to_close_timeout=QUICK,
            retry_policy=DATABASE_RETRY,
        )
