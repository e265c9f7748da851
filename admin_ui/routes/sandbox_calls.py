"""A pretend customer's phone call: call the business through the local RingCentral emulator,
speak as the caller, hang up, and watch what the assistant says and does.

Only offered while RingCentral runs in sandbox mode. The page talks to the emulator's control
API server-side; its poll reads `/sandbox/calls/{sid}/state`, which joins what the emulator saw
(speech, transfers) with our own record of the call (triage decisions, outcome). A side panel
sets how each staff extension behaves when a call is handed to it.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session, select
from starlette.responses import Response

from admin_ui.auth import AnyUser, PostedForm, flash
from admin_ui.lookups import chef_names
from admin_ui.routes.calls import OUTCOME_LABELS, STATUS_LABELS, answered_by, moment
from admin_ui.routes.sandbox_phone import (
    SandboxNotRunning,
    SandboxUnavailable,
    control_request,
    picker,
    sandbox_only,
    shown_time,
)
from admin_ui.web import (
    business_timezone,
    engine_of,
    href,
    local_time,
    redirect,
    render,
    settings_of,
    text_field,
)
from core.settings import Settings
from domain.calls.models import Call
from domain.customers.rules import InvalidPhoneNumber, normalise_phone
from domain.staff import service as staff

router = APIRouter(prefix="/sandbox/calls", dependencies=[Depends(sandbox_only)])

CALLS_PATH = "/sandbox/calls"
MODES = {
    "answer": "answers",
    "ignore": "lets it ring",
    "busy": "is busy",
    "offline": "is offline",
}
SESSION_MODES = "sandbox_extension_modes"
MAX_SAY_LENGTH = 500
_SESSION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,120}$")
_EXTENSION_NUMBER = re.compile(r"^\d{2,6}$")
ACTION_WORDS = {
    "forward": "forwarded to",
    "transfer": "transferred to",
    "voicemail": "sent to voicemail",
    "drop": "hung up by the business",
}
LIVE_TIME = "%-I:%M:%S %p"


def _checked_sid(sid: str) -> str:
    if not _SESSION_ID.match(sid):
        raise HTTPException(status_code=404, detail="No such sandbox call.")
    return sid


# --- the emulator's control API ----------------------------------------------------------


def place_call(settings: Settings, number: str) -> str:
    """Starts a call from `number` to the business; its telephony session id."""
    response = control_request(settings, "POST", CALLS_PATH, json={"from": number})
    try:
        sid = response.json().get("telephonySessionId")
    except (ValueError, AttributeError) as error:
        raise SandboxUnavailable("The sandbox answered something that is not JSON") from error
    if not isinstance(sid, str) or not _SESSION_ID.match(sid):
        raise SandboxUnavailable("The sandbox did not say which call it started")
    return sid


def say(settings: Settings, sid: str, text: str) -> None:
    control_request(settings, "POST", f"{CALLS_PATH}/{sid}/say", json={"text": text})


def hang_up(settings: Settings, sid: str) -> None:
    control_request(settings, "POST", f"{CALLS_PATH}/{sid}/hangup")


def set_mode(settings: Settings, extension_number: str, mode: str) -> None:
    control_request(
        settings, "POST", f"/sandbox/extensions/{extension_number}/mode", json={"mode": mode}
    )


def emulator_problem(settings: Settings) -> str:
    """Why the emulator cannot be used, or "" when something answers on its port."""
    try:
        control_request(settings, "GET", "/")
    except SandboxNotRunning as problem:
        return problem.message
    except SandboxUnavailable:
        return ""  # it answered, if only to say that path is unknown
    return ""


def emulator_modes(settings: Settings) -> dict[str, str]:
    """Each extension's current mode, when the emulator says (`GET /sandbox/extensions`)."""
    try:
        records = control_request(settings, "GET", "/sandbox/extensions").json().get("records")
    except (SandboxUnavailable, ValueError, AttributeError):
        return {}
    return {
        str(record.get("extensionNumber")): str(record.get("mode"))
        for record in _list_of_dicts(records)
        if record.get("mode") in MODES
    }


def _list_of_dicts(raw: object) -> list[dict[str, Any]]:
    return [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []


def emulator_view(settings: Settings, sid: str, zone: str) -> dict[str, Any]:
    """What the emulator saw of the call, as plain text for the page and its poll."""
    response = control_request(settings, "GET", f"{CALLS_PATH}/{sid}")
    try:
        body = response.json()
    except ValueError as error:
        raise SandboxUnavailable("The sandbox answered something that is not JSON") from error
    if not isinstance(body, dict):
        raise SandboxUnavailable("The sandbox answered something unexpected")
    actions = []
    for action in _list_of_dicts(body.get("actions")):
        kind = str(action.get("kind", ""))
        target = str(action.get("target") or "")
        words = ACTION_WORDS.get(kind, kind)
        label = f"{words} {target}" if target and kind in ("forward", "transfer") else words
        result = str(action.get("result") or "")
        if result and result != "pending":
            label = f"{label} ({result})"
        actions.append(
            {"kind": kind, "target": target, "label": label, "time": _time(action, zone)}
        )
    parties = []
    for party in _list_of_dicts(body.get("parties")):
        status = party.get("status")
        code = status.get("code") if isinstance(status, dict) else status
        parties.append(
            {
                "id": str(party.get("id", "")),
                "extension": str(party.get("extensionNumber") or ""),
                "status": str(code or ""),
            }
        )
    return {
        "status": str(body.get("status", "")),
        "speech": [
            {"text": str(item.get("text", "")), "time": _time(item, zone)}
            for item in _list_of_dicts(body.get("speech"))
        ],
        "actions": actions,
        "parties": parties,
    }


def _time(item: dict[str, Any], zone: str) -> str:
    found = moment(item.get("at"))
    return local_time(found, zone, LIVE_TIME) if found else shown_time(item.get("at"), zone)


# --- our own record of the call ----------------------------------------------------------


def record_view(request: Request, session: Session, sid: str, zone: str) -> dict[str, Any] | None:
    """The call as Teppan recorded it (found by telephony session id), or None before it is."""
    call = session.exec(select(Call).where(Call.telephony_session_id == sid)).first()
    if call is None:
        return None
    return {
        "id": call.id,
        "url": href(request, f"/calls/{call.id}"),
        "status": STATUS_LABELS.get(call.status.value, call.status.value),
        "ended": call.ended_at is not None,
        "intent": call.intent or "",
        "urgent": call.urgent,
        "outcome": OUTCOME_LABELS.get(call.outcome or "", call.outcome or ""),
        "taken_by": answered_by(session, [call.id]).get(call.id or 0, ""),
        "transcript": [
            {
                "speaker": "caller" if line.get("speaker") == "caller" else "assistant",
                "text": str(line.get("text", "")),
                "time": _time(line, zone),
            }
            for line in call.transcript
        ],
        "triage": [
            {
                "intent": str(entry.get("intent") or ""),
                "confidence": f"{float(entry['confidence']) * 100:.0f}%"
                if isinstance(entry.get("confidence"), int | float)
                else "",
                "escalate": "yes" if entry.get("escalate") else "no",
                "reason": str(entry.get("reason") or ""),
                "source": {"openai": "OpenAI", "builtin": "built-in rules"}.get(
                    str(entry.get("source")), str(entry.get("source") or "")
                ),
                "time": _time(entry, zone),
            }
            for entry in call.triage
        ],
    }


def call_state(request: Request, sid: str) -> dict[str, Any]:
    with Session(engine_of(request)) as session:
        zone = business_timezone(session)
        record = record_view(request, session, sid, zone)
    try:
        seen = emulator_view(settings_of(request), sid, zone)
    except SandboxUnavailable as problem:
        return {"running": False, "message": problem.message, "call": None, "record": record}
    return {"running": True, "message": "", "call": seen, "record": record}


# --- the page --------------------------------------------------------------------------


def _remembered_modes(request: Request) -> dict[str, str]:
    raw = request.session.get(SESSION_MODES, {})
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def _page(
    request: Request,
    *,
    sid: str = "",
    number: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    choices, zone = picker(request)
    known = {phone for phone, _ in choices}
    with Session(engine_of(request)) as session:
        extensions = staff.all_extensions(session)
        names = chef_names(session, [extension.staff_member_id for extension in extensions])
    state: dict[str, Any] = {"running": True, "message": "", "call": None, "record": None}
    if sid:
        state = call_state(request, sid)
    else:
        problem = emulator_problem(settings_of(request))
        state = {**state, "running": not problem, "message": problem}
    return render(
        request,
        "sandbox/calls.html",
        {
            "choices": choices,
            "number": number,
            "other_number": "" if number in known else number,
            "sid": sid,
            "state": state,
            "error": error,
            "extensions": extensions,
            "staff": names,
            "modes": MODES,
            "remembered": _remembered_modes(request)
            | (emulator_modes(settings_of(request)) if state["running"] else {}),
            "timezone": zone,
        },
        status_code=status_code,
    )


@router.get("", name="sandbox_calls")
def calls_page(request: Request, _user: AnyUser, sid: str = "", number: str = "") -> Response:
    if sid:
        _checked_sid(sid)
    try:
        shown = normalise_phone(number) if number else ""
    except InvalidPhoneNumber:
        shown = ""
    return _page(request, sid=sid, number=shown)


@router.post("")
def start_call(request: Request, _user: AnyUser, form: PostedForm) -> Response:
    raw = text_field(form, "other_number") or text_field(form, "number")
    if not raw:
        return _page(request, error="Pick a number or type one.", status_code=400)
    try:
        number = normalise_phone(raw)
    except InvalidPhoneNumber as problem:
        return _page(request, error=str(problem), status_code=400)
    try:
        sid = place_call(settings_of(request), number)
    except SandboxUnavailable as problem:
        return _page(request, number=number, error=problem.message, status_code=503)
    flash(request, f"Calling the business from {number}: the assistant answers in a moment.")
    return redirect(request, "/sandbox/calls", sid=sid, number=number)


@router.post("/{sid}/say")
def say_words(request: Request, _user: AnyUser, form: PostedForm, sid: str) -> Response:
    _checked_sid(sid)
    number = text_field(form, "number")
    text = text_field(form, "text")
    if not text:
        return _page(
            request, sid=sid, number=number, error="Type what the caller says.", status_code=400
        )
    if len(text) > MAX_SAY_LENGTH:
        return _page(request, sid=sid, number=number, error="Say less at once.", status_code=400)
    try:
        say(settings_of(request), sid, text)
    except SandboxUnavailable as problem:
        return _page(request, sid=sid, number=number, error=problem.message, status_code=503)
    return redirect(request, "/sandbox/calls", sid=sid, number=number)


@router.post("/{sid}/hangup")
def hangup(request: Request, _user: AnyUser, form: PostedForm, sid: str) -> Response:
    _checked_sid(sid)
    number = text_field(form, "number")
    try:
        hang_up(settings_of(request), sid)
    except SandboxUnavailable as problem:
        return _page(request, sid=sid, number=number, error=problem.message, status_code=503)
    flash(request, "Hung up.")
    return redirect(request, "/sandbox/calls", sid=sid, number=number)


@router.post("/extensions/{extension_number}/mode")
def extension_mode(
    request: Request, _user: AnyUser, form: PostedForm, extension_number: str
) -> Response:
    sid = text_field(form, "sid")
    number = text_field(form, "number")
    if sid:
        _checked_sid(sid)
    mode = text_field(form, "mode")
    if not _EXTENSION_NUMBER.match(extension_number) or mode not in MODES:
        return _page(
            request,
            sid=sid,
            number=number,
            error="Choose answer, ignore, busy or offline for an extension.",
            status_code=400,
        )
    try:
        set_mode(settings_of(request), extension_number, mode)
    except SandboxUnavailable as problem:
        return _page(request, sid=sid, number=number, error=problem.message, status_code=503)
    request.session[SESSION_MODES] = {**_remembered_modes(request), extension_number: mode}
    flash(request, f"Extension {extension_number} now {MODES[mode]} when a call comes to it.")
    return redirect(request, "/sandbox/calls", sid=sid, number=number)


@router.get("/{sid}/state")
def state_json(request: Request, _user: AnyUser, sid: str) -> Response:
    """What the page's poll reads; 200 even when the emulator is down, saying so."""
    _checked_sid(sid)
    return JSONResponse(call_state(request, sid))
