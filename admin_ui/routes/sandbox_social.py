"""A pretend customer on Messenger or Instagram: write to the business through the Meta emulator.

Only offered while Meta runs in sandbox mode (no Page access token). The emulator delivers each
message to our webhook as Meta would, signed with `X-Hub-Signature-256`, so the whole inbound
path runs (webhook, inbox, conversation workflow); what the business answers through the Send
API lands in the emulator's thread for that customer, which this page shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session
from starlette.responses import Response

from admin_ui.auth import AnyUser, PostedForm, flash
from admin_ui.routes.sandbox_phone import (
    NOT_RUNNING,
    SandboxNotRunning,
    SandboxUnavailable,
    shown_time,
)
from admin_ui.web import business_timezone, engine_of, redirect, render, settings_of, text_field
from core.settings import Settings
from domain.customers.models import Channel

PAGE_PATH = "/sandbox/social"
CONTROL_PREFIX = "/sandbox/meta"
PLATFORMS: dict[str, str] = {
    Channel.MESSENGER.value: "Messenger",
    Channel.INSTAGRAM.value: "Instagram",
}
DEFAULT_PLATFORM = Channel.MESSENGER.value
# Page- and Instagram-scoped ids are digits; the emulator takes 5 to 30 of them.
SENDER_ID = re.compile(r"^[0-9]{5,30}$")
MAX_TEXT_CHARS = 2000  # Meta's limit for one message
MAX_NAME_CHARS = 200
NEW_CUSTOMER_NAME = "Sandbox Customer"
# Longer than the emulator's own 5 s wait on our webhook, so a slow webhook is reported as such.
TIMEOUT = httpx.Timeout(10.0, connect=2.0)
NO_WEBHOOK = (
    "The Meta emulator has no webhook URL, so the message was not delivered "
    "(start the product with ./dev up, which points it at /webhooks/meta)."
)


def meta_sandbox_only(request: Request) -> None:
    if settings_of(request).meta_page_access_token is not None:
        raise HTTPException(status_code=404, detail="Meta is live: no sandbox social here.")


router = APIRouter(prefix=PAGE_PATH, dependencies=[Depends(meta_sandbox_only)])


class EmulatorRefused(SandboxUnavailable):
    """The emulator is up but turned the request down (for instance a Messenger id on
    Instagram): the person can fix it, so it is a 400, not a 503."""


class NotDelivered(SandboxUnavailable):
    """The emulator kept the message but our webhook did not take it."""


@dataclass(frozen=True)
class PretendCustomer:
    platform: str
    sender_id: str
    name: str


# Ready to pick on a fresh emulator; PSIDs have 16 digits, IGSIDs 17 (Instagram shows usernames).
READY_MADE = (
    PretendCustomer("messenger", "6158001000000001", "Maya Patel"),
    PretendCustomer("messenger", "6158001000000002", "Diego Ramirez"),
    PretendCustomer("messenger", "6158001000000003", "Grace Liu"),
    PretendCustomer("instagram", "17841600000000001", "kim.eats.hibachi"),
    PretendCustomer("instagram", "17841600000000002", "sam_and_jo_wedding"),
)


@dataclass(frozen=True)
class SocialMessage:
    direction: str
    source: str
    tag: str | None
    text: str
    time: str

    @property
    def inbound(self) -> bool:
        return self.direction == "inbound"

    @property
    def who(self) -> str:
        if self.inbound:
            return "Customer"
        if self.source == "page_inbox":
            return "Business (Page inbox)"
        if self.tag == "HUMAN_AGENT":
            return "Business (human agent)"
        return "Business"

    def as_json(self) -> dict[str, Any]:
        return {
            "direction": self.direction,
            "inbound": self.inbound,
            "who": self.who,
            "source": self.source,
            "tag": self.tag,
            "text": self.text,
            "time": self.time,
        }


# --- the emulator's control API -----------------------------------------------------------------


def _refusal(response: httpx.Response) -> str:
    """The emulator answers in Graph's error shape, or FastAPI's for a body it cannot read."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        return str(detail[0].get("msg", detail))
    return response.text[:300]


def meta_request(settings: Settings, method: str, path: str, **kwargs: Any) -> Any:
    """One call to the emulator's `/sandbox/meta` API, its JSON answer back; every failure is a
    `SandboxUnavailable`."""
    try:
        with httpx.Client(base_url=settings.sandbox_meta_url, timeout=TIMEOUT) as client:
            response = client.request(method, CONTROL_PREFIX + path, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout) as error:
        raise SandboxNotRunning(NOT_RUNNING) from error
    except httpx.HTTPError as error:
        raise SandboxUnavailable(f"The Meta emulator did not answer properly: {error}") from error
    if 400 <= response.status_code < 500:
        raise EmulatorRefused(f"The Meta emulator refused: {_refusal(response)}")
    if response.status_code >= 500:
        raise SandboxUnavailable(
            f"The Meta emulator failed ({response.status_code}): {response.text[:300]}"
        )
    try:
        return response.json()
    except ValueError as error:
        raise SandboxUnavailable("The Meta emulator answered something that is not JSON") from error


def known_customers(settings: Settings) -> list[PretendCustomer]:
    """Everyone who has written to the emulator's Page or Instagram account so far."""
    answer = meta_request(settings, "GET", "/state")
    rows = answer.get("customers", []) if isinstance(answer, dict) else []
    found = []
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, dict) and row.get("platform") in PLATFORMS and row.get("user_id"):
            found.append(
                PretendCustomer(str(row["platform"]), str(row["user_id"]), str(row.get("name", "")))
            )
    return found


def fetch_thread(settings: Settings, sender_id: str, timezone: str) -> list[SocialMessage]:
    answer = meta_request(settings, "GET", f"/threads/{sender_id}")
    records = answer.get("data", []) if isinstance(answer, dict) else []
    return [
        SocialMessage(
            direction=str(record.get("direction", "")),
            source=str(record.get("source", "")),
            tag=record.get("tag") if isinstance(record.get("tag"), str) else None,
            text=str(record.get("text", "")),
            time=shown_time(record.get("timestamp"), timezone),
        )
        for record in (records if isinstance(records, list) else [])
        if isinstance(record, dict)
    ]


def customer_writes(
    settings: Settings, platform: str, sender_id: str | None, name: str, text: str
) -> str:
    """Has the emulator deliver the customer's message to our webhook; returns the sender id
    (the emulator makes one up for a new customer). Raises `NotDelivered` when the message was
    kept but our webhook did not accept it."""
    answer = meta_request(
        settings,
        "POST",
        "/messages",
        json={
            "platform": platform,
            "sender_id": sender_id,
            "name": name,
            "text": text,
            "deliver": True,
        },
    )
    if not isinstance(answer, dict):
        raise SandboxUnavailable("The Meta emulator answered something unexpected")
    delivered_as = str(answer.get("sender_id") or sender_id or "")
    delivery = answer.get("delivery")
    if not isinstance(delivery, dict):
        raise NotDelivered(NO_WEBHOOK)
    status = delivery.get("status")
    if not isinstance(status, int):
        raise NotDelivered(
            f"The Meta emulator could not reach the webhook at {delivery.get('url')}: "
            f"{delivery.get('error')}"
        )
    if not 200 <= status < 300:
        raise NotDelivered(f"The webhook refused the message ({status}): {delivery.get('error')}")
    return delivered_as


# --- pages --------------------------------------------------------------------------------------


def _choices(settings: Settings) -> tuple[list[PretendCustomer], str]:
    """The ready-made customers and whoever else the emulator knows; the emulator's problem,
    if it has one."""
    choices = list(READY_MADE)
    try:
        met = known_customers(settings)
    except SandboxUnavailable as problem:
        return choices, problem.message
    ready = {customer.sender_id for customer in choices}
    return choices + [customer for customer in met if customer.sender_id not in ready], ""


def _page(
    request: Request,
    platform: str,
    sender_id: str,
    *,
    name: str = "",
    text: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    settings = settings_of(request)
    choices, sandbox_problem = _choices(settings)
    chosen = next((c for c in choices if c.sender_id == sender_id), None)
    if chosen is not None:
        platform = chosen.platform  # an id belongs to one platform
    with Session(engine_of(request)) as session:
        zone = business_timezone(session)
    thread: list[SocialMessage] = []
    if sender_id and not sandbox_problem:
        try:
            thread = fetch_thread(settings, sender_id, zone)
        except SandboxUnavailable as problem:
            sandbox_problem = problem.message
    return render(
        request,
        "sandbox/social.html",
        {
            "platforms": PLATFORMS,
            "platform": platform,
            "choices": [c for c in choices if c.platform == platform],
            "sender_id": sender_id,
            "chosen": chosen,
            "other_sender_id": "" if chosen is not None else sender_id,
            "name": name,
            "text": text,
            "error": error,
            "sandbox_problem": sandbox_problem,
            "thread": thread,
            "max_text": MAX_TEXT_CHARS,
            "timezone": zone,
        },
        status_code=status_code,
    )


def _platform_or_default(raw: str) -> str:
    return raw if raw in PLATFORMS else DEFAULT_PLATFORM


@router.get("", name="sandbox_social")
def social_page(
    request: Request, _user: AnyUser, platform: str = DEFAULT_PLATFORM, sender_id: str = ""
) -> Response:
    if platform not in PLATFORMS:
        return _page(
            request, DEFAULT_PLATFORM, "", error="Pick Messenger or Instagram.", status_code=400
        )
    sender_id = sender_id.strip()
    if sender_id and not SENDER_ID.match(sender_id):
        return _page(request, platform, "", error=_bad_id(sender_id), status_code=400)
    if not sender_id:
        sender_id = next(c.sender_id for c in READY_MADE if c.platform == platform)
    return _page(request, platform, sender_id)


def _bad_id(raw: str) -> str:
    return f"{raw!r} is not a sender id: 5 to 30 digits (leave it empty for a new customer)."


@router.post("")
def send(request: Request, _user: AnyUser, form: PostedForm) -> Response:
    platform = text_field(form, "platform")
    typed_id = text_field(form, "other_sender_id")
    sender_id = typed_id or text_field(form, "sender_id")
    name = text_field(form, "name")
    text = text_field(form, "text")

    def refuse(error: str, status_code: int = 400, shown_id: str = "") -> Response:
        return _page(
            request,
            _platform_or_default(platform),
            shown_id,
            name=name,
            text=text,
            error=error,
            status_code=status_code,
        )

    if platform not in PLATFORMS:
        return refuse("Pick Messenger or Instagram.")
    if sender_id and not SENDER_ID.match(sender_id):
        return refuse(_bad_id(sender_id))
    if not text:
        return refuse("Write a message first.", shown_id=sender_id)
    if len(text) > MAX_TEXT_CHARS:
        return refuse(
            f"That is too long for one message (at most {MAX_TEXT_CHARS} characters).",
            shown_id=sender_id,
        )
    if len(name) > MAX_NAME_CHARS:
        return refuse(f"A name is at most {MAX_NAME_CHARS} characters.", shown_id=sender_id)
    ready = next((c for c in READY_MADE if c.sender_id == sender_id), None)
    # The emulator keeps the name a customer first wrote with; a ready-made one keeps its own.
    display_name = name or (ready.name if ready else NEW_CUSTOMER_NAME)
    try:
        written_as = customer_writes(
            settings_of(request), platform, sender_id or None, display_name, text
        )
    except NotDelivered as problem:
        return refuse(problem.message, status_code=502, shown_id=sender_id)
    except EmulatorRefused as problem:
        return refuse(problem.message, shown_id=sender_id)
    except SandboxUnavailable as problem:
        return refuse(problem.message, status_code=503, shown_id=sender_id)
    flash(
        request,
        f"Sent on {PLATFORMS[platform]}. The business's answer appears below when the "
        "conversation workflow replies.",
    )
    return redirect(request, PAGE_PATH, platform=platform, sender_id=written_as)


@router.get("/thread")
def thread_json(request: Request, _user: AnyUser, sender_id: str = "") -> Response:
    """What the page's poll reads; answers 200 even when the emulator is down, saying so."""
    sender_id = sender_id.strip()
    if not SENDER_ID.match(sender_id):
        return JSONResponse({"error": _bad_id(sender_id)}, status_code=400)
    with Session(engine_of(request)) as session:
        zone = business_timezone(session)
    try:
        thread = fetch_thread(settings_of(request), sender_id, zone)
    except SandboxUnavailable as problem:
        return JSONResponse({"running": False, "message": problem.message, "records": []})
    return JSONResponse(
        {"running": True, "message": "", "records": [item.as_json() for item in thread]}
    )
