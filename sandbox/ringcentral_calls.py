"""The telephony half of the RingCentral emulator: extensions, presence, telephony sessions and
Call Control (forward, transfer, voicemail, drop), with telephony-session notifications.

What is RingCentral's wire format here (checked against the API reference):
- `GET /restapi/v1.0/account/~/extension?type=User&status=Enabled` → `{records, paging,
  navigation}`; `GET /restapi/v1.0/account/~/presence?detailedTelephonyState=true` →
  `{records:[{extension:{id, extensionNumber}, presenceStatus, telephonyStatus, userStatus,
  dndStatus}]}` in the *Heavy* rate group (10/min: enforced here, 429 with Retry-After).
- `POST …/telephony/sessions/{sid}/parties/{pid}/forward` (party in Setup/Proceeding only) and
  `…/transfer` (party Answered or on Hold), each with exactly one of `phoneNumber`,
  `extensionNumber`, `voicemail` (and `parkOrbit` for transfer); both answer with a party.
  `DELETE …/telephony/sessions/{sid}` drops the call (204).
- Notifications for the filter `/restapi/v1.0/account/~/telephony/sessions`: envelope
  `{uuid, event, timestamp, subscriptionId, ownerId, body}`, body `{sequence, sessionId,
  telephonySessionId, serverId, eventTime, origin, parties}`; one party per notification here.

What is invented, and kept under `/sandbox/...` or a `teppan` event path:
- The `/sandbox/calls...` and `/sandbox/extensions...` control routes (a caller dialling in,
  speaking, hanging up; an extension's answer mode).
- Transcript notifications (event `/teppan/sandbox/telephony/transcript`): RingCentral sends no
  such webhook. In production a speech-to-text stream of the call's media would post the same
  body; here `POST /sandbox/calls/{sid}/say` does.
- `POST /sandbox/calls/{sid}/speech`: what Teppan's voice assistant says to the caller.
- The error code for a Call Control request on a party in the wrong state (`TAS-409` here) is
  the emulator's; the HTTP status (409) and error-body shape follow RingCentral's.

The caller's party stays the caller's for the whole call: a forward or transfer adds a party
on the target extension (Proceeding, then Answered or VoiceMail) and the party the call left,
if any, goes `Gone`.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import parse_qs

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from sandbox.ringcentral import RingCentralState

ACCOUNT_ID = "100001"
TELEPHONY_SESSIONS_FILTER = "/restapi/v1.0/account/~/telephony/sessions"
TELEPHONY_SESSIONS_EVENT = f"/restapi/v1.0/account/{ACCOUNT_ID}/telephony/sessions"
TRANSCRIPT_EVENT = "/teppan/sandbox/telephony/transcript"
SESSIONS_PATH = "/restapi/v1.0/account/~/telephony/sessions"
SERVER_ID = "10.13.22.241.TAM"
PRESENCE_LIMIT_PER_MINUTE = 10  # the Heavy group's default

AnswerMode = Literal["answer", "ignore", "busy", "offline"]
RINGING = frozenset({"Setup", "Proceeding"})
ENDED = frozenset({"Disconnected", "Gone"})
_FILTER = re.compile(rf"^/restapi/v1\.0/account/(~|{ACCOUNT_ID})/telephony/sessions(\?.*)?$")

# (event path, notification body, subscribed filter → wanted?) → delivered to every wanting
# active subscription; provided by sandbox/ringcentral.py, which owns the subscriptions.
Notify = Callable[[str, dict[str, Any], Callable[[str], bool]], Awaitable[None]]


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class CallControlError(Exception):
    """Answered with RingCentral's error body (`errorCode`, `message`, `errors`)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass
class SandboxExtension:
    id: str
    number: str
    name: str
    mode: AnswerMode = "answer"

    def as_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "uri": f"/restapi/v1.0/account/{ACCOUNT_ID}/extension/{self.id}",
            "extensionNumber": self.number,
            "name": self.name,
            "type": "User",
            "status": "Enabled",
        }


def default_extensions() -> list[SandboxExtension]:
    return [
        # The demo business's staff on the same numbers (domain/demo_data.py).
        SandboxExtension("200101", "101", "Kenji Tanaka"),
        SandboxExtension("200102", "102", "Ana Lopez"),
        SandboxExtension("200103", "103", "Jessica Wu"),
        SandboxExtension("200104", "104", "Marco Rossi"),
    ]


@dataclass
class CallParty:
    id: str
    from_number: str
    from_name: str | None
    to_number: str
    to_name: str | None
    extension_id: str | None
    extension_number: str | None = None  # shown by the sandbox view only, not in notifications
    code: str = "Setup"
    reason: str | None = None
    missed_call: bool = False

    def as_record(self) -> dict[str, Any]:
        status: dict[str, Any] = {"code": self.code}
        if self.reason:
            status["reason"] = self.reason
        sender: dict[str, Any] = {"phoneNumber": self.from_number}
        if self.from_name:
            sender["name"] = self.from_name
        target: dict[str, Any] = {"phoneNumber": self.to_number}
        if self.to_name:
            target["name"] = self.to_name
        if self.extension_id:
            target["extensionId"] = self.extension_id
        record: dict[str, Any] = {
            "id": self.id,
            "accountId": ACCOUNT_ID,
            "direction": "Inbound",
            "from": sender,
            "to": target,
            "status": status,
            "missedCall": self.missed_call,
            "standAlone": False,
            "muted": False,
        }
        if self.extension_id:
            record["extensionId"] = self.extension_id
        return record


@dataclass
class CallSession:
    telephony_session_id: str
    session_id: str
    from_number: str
    to_number: str
    caller_party_id: str
    parties: dict[str, CallParty] = field(default_factory=dict)
    sequence: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    speech: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    created: datetime = field(default_factory=_now)
    # Created in the emulator's event loop on first use: notifications of one session go out
    # one after another, in the order they were made (unless a test asks otherwise).
    delivery_lock: asyncio.Lock | None = None

    @property
    def caller(self) -> CallParty:
        return self.parties[self.caller_party_id]

    @property
    def ended(self) -> bool:
        return self.caller.code in ENDED

    def next_party_id(self) -> str:
        return f"p-{self.telephony_session_id[2:]}-{len(self.parties) + 1}"

    def as_record(self) -> dict[str, Any]:
        return {
            "telephonySessionId": self.telephony_session_id,
            "sessionId": self.session_id,
            "from": self.from_number,
            "to": self.to_number,
            "callerPartyId": self.caller_party_id,
            "status": self.caller.code,
            "ended": self.ended,
            "creationTime": _iso(self.created),
            "parties": [
                {**p.as_record(), "extensionNumber": p.extension_number}
                for p in self.parties.values()
            ],
            "events": list(self.events),
            "speech": list(self.speech),
            "actions": list(self.actions),
        }


@dataclass
class CallsState:
    """Telephony state; lives on `RingCentralState.calls` and shares its lock."""

    lock: threading.Lock
    extensions: list[SandboxExtension] = field(default_factory=default_extensions)
    sessions: dict[str, CallSession] = field(default_factory=dict)
    presence_requests: int = 0
    extension_requests: int = 0
    presence_window: list[float] = field(default_factory=list)
    _initial_modes: dict[str, AnswerMode] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._initial_modes = {e.number: e.mode for e in self.extensions}

    def reset(self) -> None:
        """Forgets every call and request count, and puts each extension back in its first mode."""
        with self.lock:
            self.sessions.clear()
            self.presence_requests = 0
            self.extension_requests = 0
            self.presence_window.clear()
            for extension in self.extensions:
                extension.mode = self._initial_modes.get(extension.number, "answer")

    def by_number(self, number: str) -> SandboxExtension | None:
        return next((e for e in self.extensions if e.number == number), None)

    def by_id(self, extension_id: str) -> SandboxExtension | None:
        return next((e for e in self.extensions if e.id == extension_id), None)

    def presence(self, extension: SandboxExtension) -> dict[str, Any]:
        codes = [
            p.code
            for s in self.sessions.values()
            for p in s.parties.values()
            if p.extension_id == extension.id
        ]
        if extension.mode == "busy" or "Answered" in codes:
            telephony = "CallConnected"  # "busy" means on another call, one we cannot see
        elif any(code in RINGING for code in codes):
            telephony = "Ringing"
        else:
            telephony = "NoCall"
        if extension.mode == "offline":
            status, user, dnd = "Offline", "Offline", "DoNotAcceptAnyCalls"
        elif telephony != "NoCall":
            status, user, dnd = "Busy", "Available", "TakeAllCalls"
        else:
            status, user, dnd = "Available", "Available", "TakeAllCalls"
        return {
            "uri": f"/restapi/v1.0/account/{ACCOUNT_ID}/extension/{extension.id}/presence",
            "extension": {
                "id": extension.id,
                "uri": f"/restapi/v1.0/account/{ACCOUNT_ID}/extension/{extension.id}",
                "extensionNumber": extension.number,
            },
            "presenceStatus": status,
            "telephonyStatus": telephony,
            "userStatus": user,
            "dndStatus": dnd,
            "allowSeeMyPresence": True,
            "ringOnMonitoredCall": False,
            "pickUpCallsOnHold": False,
        }


class StartCall(BaseModel):
    from_number: str = Field(alias="from", pattern=r"^\+[1-9]\d{6,14}$")
    to: str | None = Field(default=None, pattern=r"^\+[1-9]\d{6,14}$")
    name: str | None = Field(default=None, max_length=100)
    auto_answer: bool = True  # False: the call keeps ringing (Setup, Proceeding) until moved
    deliver_out_of_order: bool = False


class SpokenText(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class ModeChange(BaseModel):
    mode: AnswerMode


class _Target(BaseModel):
    phoneNumber: str | None = None
    extensionNumber: str | None = None
    voicemail: str | None = None
    parkOrbit: str | None = None


def wants_telephony(event_filter: str) -> bool:
    return bool(_FILTER.match(event_filter))


def _matches_query(event_filter: str, body: dict[str, Any]) -> bool:
    """Honours the filter's optional `?direction=…&statusCode=…` on telephony events."""
    _, _, query = event_filter.partition("?")
    params = {k: ",".join(v).split(",") for k, v in parse_qs(query).items()}
    parties = body.get("parties", [])
    if "direction" in params and not any(p["direction"] in params["direction"] for p in parties):
        return False
    return "statusCode" not in params or any(
        p["status"]["code"] in params["statusCode"] for p in parties
    )


def _wanted_by(event: str, body: dict[str, Any]) -> Callable[[str], bool]:
    """Transcripts go to every telephony-session subscription; session events honour the
    filter's query."""

    def wants(event_filter: str) -> bool:
        if not wants_telephony(event_filter):
            return False
        return event == TRANSCRIPT_EVENT or _matches_query(event_filter, body)

    return wants


class CallsEngine:
    """Changes call state and hands the resulting notifications to `notify`, in order."""

    def __init__(
        self, state: CallsState, notify: Notify, answer_delay: Callable[[], float]
    ) -> None:
        self.state = state
        self._notify = notify
        self._answer_delay = answer_delay
        self._tasks: set[asyncio.Task[None]] = set()

    # --- state changes (callers hold no lock) -------------------------------------------------

    def _session(self, sid: str) -> CallSession:
        session = self.state.sessions.get(sid)
        if session is None:
            raise CallControlError(
                404, "CMN-102", f"Resource for parameter [telephonySessionId] is not found: {sid}"
            )
        return session

    def _body(self, session: CallSession, party: CallParty) -> dict[str, Any]:
        session.sequence += 1
        body = {
            "sequence": session.sequence,
            "sessionId": session.session_id,
            "telephonySessionId": session.telephony_session_id,
            "serverId": SERVER_ID,
            "eventTime": _iso(_now()),
            "origin": {"type": "Call"},
            "parties": [party.as_record()],
        }
        session.events.append({"event": TELEPHONY_SESSIONS_EVENT, "body": body})
        return body

    def _set(
        self, session: CallSession, party: CallParty, code: str, reason: str | None = None
    ) -> dict[str, Any]:
        party.code, party.reason = code, reason
        return self._body(session, party)

    def start_call(self, request: StartCall, business_number: str) -> CallSession:
        hex_id = uuid.uuid4().hex[:28]
        with self.state.lock:
            session = CallSession(
                telephony_session_id=f"s-{hex_id}",
                session_id=str(40_000_000_000 + len(self.state.sessions) + 1),
                from_number=request.from_number,
                to_number=request.to or business_number,
                caller_party_id=f"p-{hex_id}-1",
            )
            caller = CallParty(
                id=session.caller_party_id,
                from_number=request.from_number,
                from_name=request.name,
                to_number=session.to_number,
                to_name="Teppan",
                extension_id=None,
            )
            session.parties[caller.id] = caller
            self.state.sessions[session.telephony_session_id] = session
            bodies = [self._set(session, caller, "Setup")]
            second = "Answered" if request.auto_answer else "Proceeding"
            bodies.append(self._set(session, caller, second))
        if request.deliver_out_of_order:
            bodies.reverse()
        self._send(session, [(TELEPHONY_SESSIONS_EVENT, b) for b in bodies])
        return session

    def caller_says(self, sid: str, text: str) -> dict[str, Any]:
        with self.state.lock:
            session = self._session(sid)
            if session.ended:
                raise CallControlError(409, "TAS-409", "The call has ended")
            session.sequence += 1
            body = {
                "telephonySessionId": session.telephony_session_id,
                "sequence": session.sequence,
                "eventTime": _iso(_now()),
                "speaker": "caller",
                "text": text,
                "final": True,
            }
            session.events.append({"event": TRANSCRIPT_EVENT, "body": body})
        self._send(session, [(TRANSCRIPT_EVENT, body)])
        return body

    def assistant_says(self, sid: str, text: str) -> dict[str, Any]:
        with self.state.lock:
            session = self._session(sid)
            if session.ended:
                raise CallControlError(409, "TAS-409", "The call has ended")
            line = {"text": text, "at": _iso(_now()), "monotonic": time.monotonic()}
            session.speech.append(line)
        return line

    def end(self, sid: str, *, by: str) -> CallSession:
        """The caller hung up (`by="caller"`) or the call was dropped (`by="drop"`)."""
        with self.state.lock:
            session = self._session(sid)
            if session.ended:
                if by == "drop":
                    raise CallControlError(404, "CMN-102", f"Telephony session is not found: {sid}")
                return session
            bodies = []
            for party in session.parties.values():
                if party.code in ENDED:
                    continue
                party.missed_call = party.code in RINGING
                reason = "CallerHangUp" if by == "caller" else None
                bodies.append(self._set(session, party, "Disconnected", reason))
        self._send(session, [(TELEPHONY_SESSIONS_EVENT, b) for b in bodies])
        return session

    def record_action(
        self, session: CallSession, action: str, party_id: str | None, target: dict[str, Any]
    ) -> dict[str, Any]:
        kind, value = next(iter(target.items()), ("", ""))
        entry = {
            "action": action,
            "kind": action,
            "partyId": party_id,
            "target": str(value),  # "102", "+15105550199", "200101" (voicemail) or ""
            "targetType": kind,  # extensionNumber | phoneNumber | voicemail | parkOrbit
            "request": target,  # the body as received
            "at": _iso(_now()),
            "monotonic": time.monotonic(),
            "result": "pending",
        }
        session.actions.append(entry)
        return entry

    def move(self, sid: str, party_id: str, action: str, target: _Target) -> CallParty:
        """Forward or transfer: the caller's party is now served by the target."""
        given = {k: v for k, v in target.model_dump().items() if v}
        with self.state.lock:
            session = self._session(sid)
            entry = self.record_action(session, action, party_id, given)
            try:
                party, bodies, answer_later = self._move(session, party_id, action, target, given)
            except CallControlError as error:
                entry["result"] = f"{error.status} {error.code}"
                raise
            entry["result"] = "ok"
            entry["newPartyId"] = party.id
        self._send(session, [(TELEPHONY_SESSIONS_EVENT, b) for b in bodies])
        if answer_later:
            self._spawn(self._answer_later(session, party.id))
        return party

    def _move(
        self,
        session: CallSession,
        party_id: str,
        action: str,
        target: _Target,
        given: dict[str, Any],
    ) -> tuple[CallParty, list[dict[str, Any]], bool]:
        moving = session.parties.get(party_id)
        if moving is None:
            raise CallControlError(
                404, "CMN-102", f"Resource for parameter [partyId] is not found: {party_id}"
            )
        allowed = ("Setup", "Proceeding") if action == "forward" else ("Answered", "Hold")
        if moving.code not in allowed:
            raise CallControlError(
                409,
                "TAS-409",
                f"Incorrect party state for {action}: {moving.code} (needs {'/'.join(allowed)})",
            )
        if len(given) != 1 or (action == "forward" and "parkOrbit" in given):
            names = "phoneNumber, voicemail, extensionNumber" + (
                ", parkOrbit" if action == "transfer" else ""
            )
            raise CallControlError(400, "CMN-101", f"Exactly one of {names} must be specified")
        if target.parkOrbit:
            raise CallControlError(400, "CMN-101", "Park orbits are not emulated")
        extension: SandboxExtension | None = None
        to_number = session.to_number
        voicemail = False
        if target.voicemail:
            extension = self.state.by_id(target.voicemail)
            voicemail = True
            if extension is None:
                raise CallControlError(
                    404, "CMN-102", "Resource for parameter [voicemail] is not found"
                )
        elif target.extensionNumber:
            extension = self.state.by_number(target.extensionNumber)
            if extension is None:
                raise CallControlError(
                    404, "CMN-102", "Resource for parameter [extensionNumber] is not found"
                )
        elif target.phoneNumber:
            # "+1888…*104": the main number plus an extension; anything else is external.
            main, star, short = target.phoneNumber.partition("*")
            extension = self.state.by_number(short) if star else None
            if star and extension is None:
                raise CallControlError(
                    404, "CMN-102", "Resource for parameter [phoneNumber] is not found"
                )
            to_number = main if star else target.phoneNumber
        bodies: list[dict[str, Any]] = []
        # The party the call leaves (a ringing or answering extension) drops out.
        if moving.id != session.caller_party_id:
            bodies.append(self._set(session, moving, "Gone", action.capitalize()))
        for other in session.parties.values():
            if other.id not in (session.caller_party_id, moving.id) and other.code not in ENDED:
                other.missed_call = other.code in RINGING
                bodies.append(self._set(session, other, "Gone", action.capitalize()))
        caller = session.caller
        new = CallParty(
            id=session.next_party_id(),
            from_number=caller.from_number,
            from_name=caller.from_name,
            to_number=to_number,
            to_name=extension.name if extension else None,
            extension_id=extension.id if extension else None,
            extension_number=extension.number if extension else None,
        )
        session.parties[new.id] = new
        answer_later = False
        if voicemail:
            bodies.append(self._set(session, new, "VoiceMail"))
        else:
            bodies.append(self._set(session, new, "Proceeding"))
            mode = extension.mode if extension else "answer"
            if mode in ("busy", "offline"):
                new.missed_call = True
                bodies.append(self._set(session, new, "VoiceMail"))
            answer_later = mode == "answer"
        return new, bodies, answer_later

    async def _answer_later(self, session: CallSession, party_id: str) -> None:
        await asyncio.sleep(self._answer_delay())
        with self.state.lock:
            party = session.parties[party_id]
            if party.code != "Proceeding" or session.ended:
                return  # moved on, or the caller hung up, while it rang
            bodies = [self._set(session, party, "Answered")]
            if session.caller.code in RINGING:  # a forwarded call is answered for the caller too
                bodies.append(self._set(session, session.caller, "Answered"))
        self._send(session, [(TELEPHONY_SESSIONS_EVENT, b) for b in bodies])

    # --- delivery -----------------------------------------------------------------------------

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _send(self, session: CallSession, batch: list[tuple[str, dict[str, Any]]]) -> None:
        if batch:
            self._spawn(self._deliver(session, batch))

    async def _deliver(self, session: CallSession, batch: list[tuple[str, dict[str, Any]]]) -> None:
        if session.delivery_lock is None:
            session.delivery_lock = asyncio.Lock()
        async with session.delivery_lock:
            for event, body in batch:
                await self._notify(event, body, _wanted_by(event, body))


def _rate_headers(group: str, limit: int, remaining: int) -> dict[str, str]:
    return {
        "X-Rate-Limit-Group": group,
        "X-Rate-Limit-Limit": str(limit),
        "X-Rate-Limit-Remaining": str(max(0, remaining)),
        "X-Rate-Limit-Window": "60",
    }


def telephony_api_routes(rc: RingCentralState, engine: CallsEngine) -> APIRouter:
    """RingCentral's own API: extensions, presence, Call Control."""
    router = APIRouter()
    calls = engine.state

    @router.get("/restapi/v1.0/account/~/extension")
    def list_extensions(
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        type: str | None = None,
        status: str | None = None,
        perPage: int = Query(default=100, ge=1, le=1000),
        page: int = Query(default=1, ge=1),
    ) -> JSONResponse:
        rc.check_bearer(authorization)
        with calls.lock:
            calls.extension_requests += 1
            found = [
                e.as_record()
                for e in calls.extensions
                if type in (None, "User") and status in (None, "Enabled")
            ]
        return JSONResponse(
            _page(str(request.url), found, page, perPage),
            headers=_rate_headers("medium", 40, 39),
        )

    @router.get("/restapi/v1.0/account/~/presence")
    def account_presence(
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        perPage: int = Query(default=100, ge=1, le=1000),
        page: int = Query(default=1, ge=1),
    ) -> JSONResponse:
        rc.check_bearer(authorization)
        now = time.monotonic()
        with calls.lock:
            calls.presence_window[:] = [t for t in calls.presence_window if now - t < 60]
            if len(calls.presence_window) >= PRESENCE_LIMIT_PER_MINUTE:
                wait = int(60 - (now - calls.presence_window[0])) + 1
                raise _RateLimited(wait)
            calls.presence_window.append(now)
            calls.presence_requests += 1
            remaining = PRESENCE_LIMIT_PER_MINUTE - len(calls.presence_window)
            records = [calls.presence(e) for e in calls.extensions]
        return JSONResponse(
            _page(str(request.url), records, page, perPage),
            headers=_rate_headers("heavy", PRESENCE_LIMIT_PER_MINUTE, remaining),
        )

    @router.post(SESSIONS_PATH + "/{sid}/parties/{party_id}/forward")
    async def forward(
        sid: str,
        party_id: str,
        body: _Target,
        authorization: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        rc.check_bearer(authorization)
        party = engine.move(sid, party_id, "forward", body)
        return JSONResponse(party.as_record(), headers=_rate_headers("light", 50, 49))

    @router.post(SESSIONS_PATH + "/{sid}/parties/{party_id}/transfer")
    async def transfer(
        sid: str,
        party_id: str,
        body: _Target,
        authorization: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        rc.check_bearer(authorization)
        party = engine.move(sid, party_id, "transfer", body)
        return JSONResponse(party.as_record(), headers=_rate_headers("light", 50, 49))

    @router.delete(SESSIONS_PATH + "/{sid}")
    async def drop(sid: str, authorization: Annotated[str | None, Header()] = None) -> Response:
        rc.check_bearer(authorization)
        with calls.lock:
            session = calls.sessions.get(sid)
            entry = engine.record_action(session, "drop", None, {}) if session else None
        try:
            engine.end(sid, by="drop")
        except CallControlError as error:
            if entry is not None:
                entry["result"] = f"{error.status} {error.code}"
            raise
        if entry is not None:
            entry["result"] = "ok"
        return Response(status_code=204, headers=_rate_headers("light", 50, 49))

    return router


class _RateLimited(CallControlError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(429, "CMN-301", "Request rate exceeded")
        self.retry_after = retry_after


def telephony_sandbox_routes(rc: RingCentralState, engine: CallsEngine) -> APIRouter:
    """Not RingCentral's API: a caller on the sandbox phone, and the extensions' answer modes."""
    router = APIRouter(prefix="/sandbox", tags=["sandbox"])
    calls = engine.state

    @router.post("/calls", status_code=201)
    async def start_call(body: StartCall) -> dict[str, Any]:
        session = engine.start_call(body, rc.business_number)
        return {
            "telephonySessionId": session.telephony_session_id,
            "sessionId": session.session_id,
            "partyId": session.caller_party_id,
        }

    @router.get("/calls")
    def list_calls() -> dict[str, Any]:
        with calls.lock:
            return {"records": [s.as_record() for s in calls.sessions.values()]}

    @router.delete("/calls", status_code=204)
    def reset_calls() -> Response:
        calls.reset()
        return Response(status_code=204)

    @router.get("/calls/{sid}")
    def get_call(sid: str) -> dict[str, Any]:
        with calls.lock:
            session = calls.sessions.get(sid)
            if session is None:
                raise CallControlError(404, "CMN-102", f"No such call: {sid}")
            return session.as_record()

    @router.post("/calls/{sid}/say", status_code=201)
    async def caller_says(sid: str, body: SpokenText) -> dict[str, Any]:
        """The caller speaks. RingCentral has no such webhook: in production a speech-to-text
        stream of the call's audio would post this transcript notification instead."""
        return engine.caller_says(sid, body.text)

    @router.post("/calls/{sid}/hangup")
    async def hang_up(sid: str) -> dict[str, Any]:
        session = engine.end(sid, by="caller")
        with calls.lock:
            return session.as_record()

    @router.post("/calls/{sid}/speech", status_code=201)
    def assistant_says(sid: str, body: SpokenText) -> dict[str, Any]:
        """What Teppan's voice assistant says to the caller (a stand-in for a TTS media stream)."""
        return engine.assistant_says(sid, body.text)

    @router.get("/extensions")
    def extensions() -> dict[str, Any]:
        with calls.lock:
            return {
                "records": [
                    {**e.as_record(), "mode": e.mode, "presence": calls.presence(e)}
                    for e in calls.extensions
                ]
            }

    @router.post("/extensions/{extension_number}/mode")
    def set_mode(extension_number: str, body: ModeChange) -> dict[str, Any]:
        with calls.lock:
            extension = calls.by_number(extension_number)
            if extension is None:
                raise CallControlError(404, "CMN-102", f"No extension {extension_number}")
            extension.mode = body.mode
            return {"extensionNumber": extension.number, "id": extension.id, "mode": body.mode}

    return router


def _page(uri: str, records: list[dict[str, Any]], page: int, per_page: int) -> dict[str, Any]:
    chunk = records[(page - 1) * per_page : page * per_page]
    total_pages = max(1, -(-len(records) // per_page))
    return {
        "uri": uri,
        "records": chunk,
        "paging": {
            "page": page,
            "totalPages": total_pages,
            "perPage": per_page,
            "totalElements": len(records),
            "pageStart": (page - 1) * per_page,
            "pageEnd": (page - 1) * per_page + max(0, len(chunk) - 1),
        },
        "navigation": {},
    }


def call_error_response(error: CallControlError, body: dict[str, object]) -> JSONResponse:
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, _RateLimited) else {}
    return JSONResponse(body, status_code=error.status, headers=headers)
