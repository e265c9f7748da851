"""A pretend customer's phone: text the business through the local RingCentral emulator.

Only offered while RingCentral runs in sandbox mode; the emulator delivers each text to our
webhook exactly as RingCentral would, so the whole inbound path is exercised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session, col, select
from starlette.responses import Response

from admin_ui.auth import AnyUser, PostedForm, flash
from admin_ui.web import (
    business_timezone,
    engine_of,
    local_time,
    redirect,
    render,
    settings_of,
    text_field,
)
from core.settings import Settings
from domain.customers.models import Customer
from domain.customers.rules import InvalidPhoneNumber, normalise_phone

NOT_RUNNING = "The sandbox is not running (start the product with ./dev up)"
MESSAGES_PATH = "/sandbox/phone/messages"
MAX_PICKER_NUMBERS = 50
MAX_TEXT_LENGTH = 1000
TIMEOUT = httpx.Timeout(5.0, connect=2.0)


def sandbox_only(request: Request) -> None:
    if not settings_of(request).uses_ringcentral_sandbox:
        raise HTTPException(status_code=404, detail="RingCentral is live: no sandbox phone here.")


router = APIRouter(prefix="/sandbox/phone", dependencies=[Depends(sandbox_only)])


class SandboxUnavailable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SandboxNotRunning(SandboxUnavailable):
    """Nothing listens on the emulator's port."""


@dataclass(frozen=True)
class ThreadMessage:
    direction: str
    from_number: str
    to_number: str
    text: str
    time: str

    @property
    def inbound(self) -> bool:
        return self.direction.lower() == "inbound"

    def as_json(self) -> dict[str, Any]:
        return {
            "direction": self.direction,
            "inbound": self.inbound,
            "from": self.from_number,
            "to": self.to_number,
            "text": self.text,
            "time": self.time,
        }


def _call(settings: Settings, method: str, **kwargs: Any) -> httpx.Response:
    return control_request(settings, method, MESSAGES_PATH, **kwargs)


def control_request(settings: Settings, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request to the emulator's control API; any failure is a `SandboxUnavailable`."""
    try:
        with httpx.Client(base_url=settings.sandbox_ringcentral_url, timeout=TIMEOUT) as client:
            response = client.request(method, path, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout) as error:
        raise SandboxNotRunning(NOT_RUNNING) from error
    except httpx.HTTPError as error:
        raise SandboxUnavailable(f"The sandbox did not answer properly: {error}") from error
    if response.status_code >= 400:
        raise SandboxUnavailable(
            f"The sandbox refused ({response.status_code}): {response.text[:300]}"
        )
    return response


def fetch_thread(settings: Settings, number: str, timezone: str) -> list[ThreadMessage]:
    response = _call(settings, "GET", params={"number": number})
    try:
        records = response.json().get("records", [])
    except ValueError as error:
        raise SandboxUnavailable("The sandbox answered something that is not JSON") from error
    thread = []
    for record in records if isinstance(records, list) else []:
        if not isinstance(record, dict):
            continue
        thread.append(
            ThreadMessage(
                direction=str(record.get("direction", "")),
                from_number=str(record.get("from", "")),
                to_number=str(record.get("to", "")),
                text=str(record.get("text", "")),
                time=shown_time(record.get("creationTime"), timezone),
            )
        )
    return thread


def shown_time(raw: object, timezone: str) -> str:
    if not isinstance(raw, str):
        return ""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if moment.tzinfo is None:
        return raw
    return local_time(moment, timezone, "%d %b, %-I:%M:%S %p")


def send_text(settings: Settings, number: str, text: str) -> None:
    _call(settings, "POST", json={"from": number, "text": text})


def picker(request: Request) -> tuple[list[tuple[str, str]], str]:
    with Session(engine_of(request)) as session:
        rows = session.exec(
            select(Customer)
            .where(col(Customer.phone).is_not(None), col(Customer.merged_into_id).is_(None))
            .order_by(col(Customer.full_name))
            .limit(MAX_PICKER_NUMBERS)
        ).all()
        zone = business_timezone(session)
    return [(row.phone or "", row.full_name) for row in rows], zone


def _page(
    request: Request,
    number: str,
    *,
    text: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    choices, zone = picker(request)
    known = {phone for phone, _ in choices}
    thread: list[ThreadMessage] = []
    sandbox_problem = ""
    if number:
        try:
            thread = fetch_thread(settings_of(request), number, zone)
        except SandboxUnavailable as problem:
            sandbox_problem = problem.message
    return render(
        request,
        "sandbox/phone.html",
        {
            "choices": choices,
            "number": number,
            "other_number": "" if number in known else number,
            "text": text,
            "error": error,
            "sandbox_problem": sandbox_problem,
            "thread": thread,
            "timezone": zone,
        },
        status_code=status_code,
    )


@router.get("", name="sandbox_phone")
def phone_page(request: Request, _user: AnyUser, number: str = "") -> Response:
    chosen, error = "", ""
    if number.strip():
        try:
            chosen = normalise_phone(number)
        except InvalidPhoneNumber as problem:
            error = str(problem)
    if not chosen and not error:
        choices, _ = picker(request)
        chosen = choices[0][0] if choices else ""
    return _page(request, chosen, error=error, status_code=400 if error else 200)


@router.post("")
def send(request: Request, _user: AnyUser, form: PostedForm) -> Response:
    raw = text_field(form, "other_number") or text_field(form, "number")
    text = text_field(form, "text")
    if not raw:
        return _page(request, "", text=text, error="Pick a number or type one.", status_code=400)
    try:
        number = normalise_phone(raw)
    except InvalidPhoneNumber as problem:
        return _page(request, "", text=text, error=str(problem), status_code=400)
    if not text:
        return _page(request, number, error="Write a message first.", status_code=400)
    if len(text) > MAX_TEXT_LENGTH:
        return _page(
            request, number, text=text, error="That is too long for one text.", status_code=400
        )
    try:
        send_text(settings_of(request), number, text)
    except SandboxUnavailable as problem:
        return _page(request, number, text=text, error=problem.message, status_code=503)
    flash(request, "Sent. The business's reply appears below when the workflow answers.")
    return redirect(request, "/sandbox/phone", number=number)


@router.get("/thread")
def thread_json(request: Request, _user: AnyUser, number: str = "") -> Response:
    """What the page's poll reads; answers 200 even when the sandbox is down, saying so."""
    try:
        normalised = normalise_phone(number)
    except InvalidPhoneNumber as problem:
        return JSONResponse({"error": str(problem)}, status_code=400)
    with Session(engine_of(request)) as session:
        zone = business_timezone(session)
    try:
        thread = fetch_thread(settings_of(request), normalised, zone)
    except SandboxUnavailable as problem:
        return JSONResponse({"running": False, "message": problem.message, "records": []})
    return JSONResponse(
        {"running": True, "message": "", "records": [item.as_json() for item in thread]}
    )
