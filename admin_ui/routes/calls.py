"""Phone calls: the live ones (refreshed every few seconds), recent ones filtered by intent and
outcome, and one call's timeline: transcript, every triage decision, every escalation attempt.

Read-only: the call workflow writes these records through `domain.calls.service`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session, col, select
from starlette.responses import Response

from admin_ui.auth import AnyUser
from admin_ui.lookups import customer_names
from admin_ui.web import (
    business_timezone,
    engine_of,
    href,
    local_time,
    page_links,
    phone,
    render,
)
from core.pagination import paginate
from domain.calls import service as calls
from domain.calls.models import Call, CallOutcome, CallStatus, Escalation
from domain.customers import service as customers
from domain.staff.models import Extension, StaffMember

router = APIRouter(prefix="/calls")

PER_PAGE = 25
MAX_LIVE = 50
LIST_TIME = "%a %-d %b, %-I:%M %p"
OUTCOME_LABELS = {
    CallOutcome.CONNECTED.value: "connected to staff",
    CallOutcome.VOICEMAIL.value: "voicemail",
    CallOutcome.HANDLED.value: "handled by the assistant",
    CallOutcome.CALLER_HUNG_UP.value: "caller hung up",
    CallOutcome.SILENT.value: "silent",
}
STATUS_LABELS = {
    CallStatus.RINGING.value: "ringing",
    CallStatus.IN_TRIAGE.value: "with the assistant",
    CallStatus.ESCALATING.value: "ringing staff",
    CallStatus.CONNECTED.value: "with staff",
    CallStatus.ENDED.value: "ended",
}


def duration(seconds: int | None) -> str:
    """ "2m 05s", "45s"; empty while the call goes on."""
    if seconds is None:
        return ""
    minutes, rest = divmod(max(0, seconds), 60)
    return f"{minutes}m {rest:02d}s" if minutes else f"{rest}s"


def moment(raw: object) -> datetime | None:
    """A stored ISO instant (transcript lines, triage decisions), if it is one."""
    if isinstance(raw, datetime):
        return raw
    if not isinstance(raw, str):
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


@dataclass(frozen=True)
class Taker:
    """Who was rung: the extension's number and the person behind it (if it still exists)."""

    extension_number: str
    staff_name: str

    @property
    def label(self) -> str:
        if not self.staff_name:
            return self.extension_number
        return f"{self.extension_number} · {self.staff_name}"


def takers(session: Session, extension_ids: Iterable[int | None]) -> dict[int, Taker]:
    wanted = {value for value in extension_ids if value is not None}
    if not wanted:
        return {}
    rows = session.exec(
        select(Extension, StaffMember)
        .join(StaffMember, col(StaffMember.id) == col(Extension.staff_member_id))
        .where(col(Extension.id).in_(wanted))
    ).all()
    return {
        extension.id: Taker(extension.extension_number, member.full_name)
        for extension, member in rows
        if extension.id is not None
    }


def answered_by(session: Session, call_ids: Iterable[int | None]) -> dict[int, str]:
    """For each call a person took, "102 · Ana Lopez" from its answered escalation."""
    wanted = {value for value in call_ids if value is not None}
    if not wanted:
        return {}
    answered = session.exec(
        select(Escalation)
        .where(col(Escalation.call_id).in_(wanted), Escalation.outcome == "answered")
        .order_by(col(Escalation.id))
    ).all()
    names = takers(session, [escalation.extension_id for escalation in answered])
    found: dict[int, str] = {}
    for escalation in answered:
        taker = names.get(escalation.extension_id or 0)
        found[escalation.call_id] = taker.label if taker else "a removed extension"
    return found


def _live(session: Session) -> list[Call]:
    return list(
        session.exec(
            select(Call)
            .where(Call.status != CallStatus.ENDED)
            .order_by(col(Call.started_at).desc(), col(Call.id).desc())
            .limit(MAX_LIVE)
        ).all()
    )


def _intents(session: Session) -> list[str]:
    rows = session.exec(select(Call.intent).where(col(Call.intent).is_not(None)).distinct()).all()
    return sorted({row for row in rows if row})


def caller_label(call: Call, names: dict[int, str]) -> str:
    if call.customer_id is not None and call.customer_id in names:
        return names[call.customer_id]
    return call.caller_name or phone(call.from_number) or "unknown caller"


def live_row(
    request: Request, call: Call, names: dict[int, str], took: dict[int, str], zone: str
) -> dict[str, Any]:
    """One live call as the page's poll shows it (plain text: the script never writes HTML)."""
    return {
        "id": call.id,
        "url": href(request, f"/calls/{call.id}"),
        "started": local_time(call.started_at, zone, LIST_TIME),
        "caller": caller_label(call, names),
        "caller_url": href(request, f"/customers/{call.customer_id}") if call.customer_id else "",
        "number": phone(call.from_number),
        "status": STATUS_LABELS.get(call.status.value, call.status.value),
        "intent": call.intent or "",
        "urgent": call.urgent,
        "taken_by": took.get(call.id or 0, ""),
    }


@router.get("", name="calls")
def call_list(
    request: Request,
    _user: AnyUser,
    intent: str = Query(default="", max_length=40),
    outcome: str = Query(default="", max_length=40),
    page: int = Query(default=1, ge=1),
) -> Response:
    outcome = outcome if outcome in OUTCOME_LABELS else ""
    with Session(engine_of(request)) as session:
        query = select(Call).where(Call.status == CallStatus.ENDED)
        if intent:
            query = query.where(Call.intent == intent)
        if outcome:
            query = query.where(Call.outcome == outcome)
        found = paginate(
            session,
            query.order_by(col(Call.started_at).desc(), col(Call.id).desc()),
            page,
            PER_PAGE,
        )
        live = _live(session)
        shown = [*live, *found.items]
        context = {
            "intent": intent,
            "outcome": outcome,
            "intents": _intents(session),
            "outcomes": OUTCOME_LABELS,
            "statuses": STATUS_LABELS,
            "result": found,
            "pages": page_links(request, found),
            "live": live,
            "timezone": business_timezone(session),
            "customers": customer_names(
                session, [call.customer_id for call in shown if call.customer_id is not None]
            ),
            "taken_by": answered_by(session, [call.id for call in shown]),
            "duration": duration,
            "list_time": LIST_TIME,
        }
    return render(request, "calls/list.html", context)


@router.get("/live")
def live_calls(request: Request, _user: AnyUser) -> Response:
    """What the list page polls every 3 seconds: the calls still going on."""
    with Session(engine_of(request)) as session:
        live = _live(session)
        zone = business_timezone(session)
        names = customer_names(
            session, [call.customer_id for call in live if call.customer_id is not None]
        )
        took = answered_by(session, [call.id for call in live])
        rows = [live_row(request, call, names, took, zone) for call in live]
    return JSONResponse({"calls": rows})


@dataclass(frozen=True)
class Attempt:
    taker: Taker | None
    escalation: Escalation

    @property
    def result(self) -> str:
        if self.escalation.outcome == "answered":
            return "answered"
        if self.escalation.outcome == "no_answer":
            return "not answered"
        return self.escalation.outcome or "ringing…"


@router.get("/{call_id}")
def call_detail(request: Request, _user: AnyUser, call_id: int) -> Response:
    with Session(engine_of(request)) as session:
        call = calls.get(session, call_id)
        escalations = calls.escalations(session, call_id)
        names = takers(session, [escalation.extension_id for escalation in escalations])
        context = {
            "call": call,
            "customer": customers.get(session, call.customer_id) if call.customer_id else None,
            "transcript": [{**line, "moment": moment(line.get("at"))} for line in call.transcript],
            "triage": [{**entry, "moment": moment(entry.get("at"))} for entry in call.triage],
            "attempts": [
                Attempt(names.get(escalation.extension_id or 0), escalation)
                for escalation in escalations
            ],
            "outcome_label": OUTCOME_LABELS.get(call.outcome or "", call.outcome or ""),
            "status_label": STATUS_LABELS.get(call.status.value, call.status.value),
            "duration": duration(call.duration_seconds),
            "timezone": business_timezone(session),
        }
    return render(request, "calls/detail.html", context)
