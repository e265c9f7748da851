"""Plain payloads that travel through Temporal for calls (never ORM rows)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class CallStart(BaseModel):
    session_id: str
    caller_party_id: str
    from_number: str
    to_number: str


class CallSignal(BaseModel):
    """One telephony event or transcript segment, as the webhook delivered it."""

    sequence: int
    kind: str  # "status" or "transcript"
    event_time: datetime
    party_id: str = ""
    status_code: str = ""  # Setup, Proceeding, Answered, Disconnected, VoiceMail…
    extension_id: str | None = None  # the provider's id of the party's extension, if any
    from_number: str = ""
    to_number: str = ""
    text: str = ""


class OpenedCall(BaseModel):
    call_id: int
    customer_id: int | None
    caller_name: str | None
    urgent: bool
    greeting: str
    context: str  # one line for staff: next booking, balance, complaints
    ring_timeout_seconds: int
    silence_timeout_seconds: int
    max_assistant_turns: int


class SpokenTurn(BaseModel):
    call_id: int
    sequence: int
    text: str
    at: datetime


class TriageDecision(BaseModel):
    intent: str
    escalate: bool
    confidence: float
    reason: str
    emergency: bool
    reply: str | None  # what the assistant says when it keeps the call
    source: str  # "openai" or "builtin"


class ExtensionChoice(BaseModel):
    call_id: int
    exclude_extension_ids: list[int]
    at: datetime


class ChosenExtension(BaseModel):
    extension_id: int
    extension_number: str
    ringcentral_extension_id: str | None  # how telephony events name it
    staff_name: str
    staff_phone: str | None


class TransferRequest(BaseModel):
    call_id: int
    session_id: str
    party_id: str
    extension_id: int
    extension_number: str
    ringing: bool  # forward while the caller's party rings, transfer once it is answered
    reason: str


class Speech(BaseModel):
    call_id: int
    session_id: str
    text: str


class EscalationOutcome(BaseModel):
    call_id: int
    extension_id: int
    outcome: str  # "answered", "no_answer"
    at: datetime


class VoicemailRequest(BaseModel):
    call_id: int
    session_id: str
    party_id: str
    reason: str


class CallClosing(BaseModel):
    call_id: int
    outcome: str
    at: datetime


class CallSummary(BaseModel):
    call_id: int
    outcome: str
    intent: str | None
    extension_number: str | None = None
