"""Payments (manager and up): every payment and one payment's story, importing a bank's CSV
export, and the weekly reconciliation. The review queue, the bank connection and deposit links
have modules of their own (payments_review, payments_bank, payments_deposit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from sqlmodel import Session, col, select
from starlette.datastructures import UploadFile
from starlette.responses import Response

from admin_ui.auth import ManagerUser, PostedForm, actor_of
from admin_ui.web import business_timezone, engine_of, page_links, render, templates
from core.db import session_scope
from core.errors import TeppanError, ValidationFailed
from core.timeutil import to_local, utcnow
from domain.bookings.models import Booking
from domain.payments import csv_import, ledger, report
from domain.payments.models import Payment, PaymentStatus
from domain.payments.reconcile import get_payment

router = APIRouter(prefix="/payments")

PER_PAGE = 25
#: A bank's export for a year is well under this; a bigger upload is a mistake or an attack.
MAX_IMPORT_BYTES = 10 * 1024 * 1024
#: Rejected rows shown after an import; the count says how many more there were.
SHOWN_REJECTIONS = 100
STATUS_LABELS = {
    PaymentStatus.UNMATCHED: "not matched yet",
    PaymentStatus.IN_REVIEW: "in review",
    PaymentStatus.APPLIED: "applied",
    PaymentStatus.IGNORED: "ignored",
    PaymentStatus.REVERSED: "reversed",
    PaymentStatus.PAYOUT: "Stripe payout",
}

#: What matching concluded (Payment.match_decision), as a person would say it.
DECISION_LABELS = {
    "auto": "sure",
    "review": "unsure",
    "unmatched": "no booking stood out",
    "payout": "a Stripe payout",
    "stripe": "a card payment for a booking",
}


def match_decision_label(decision: str | None) -> str:
    return DECISION_LABELS.get(decision or "", decision or "")


templates.env.globals["match_decision_label"] = match_decision_label


# --- what the payments pages share ------------------------------------------------------


@dataclass(frozen=True)
class CandidateView:
    """A booking matching thought this payment might be for, as stored on the payment."""

    booking_id: int
    reference: str
    customer: str
    event_date: date | None
    owed_cents: int
    score_percent: int
    payment_type: str
    reasons: list[str]


def candidates_of(payment: Payment) -> list[CandidateView]:
    views: list[CandidateView] = []
    for raw in payment.candidates:
        try:
            booking_id = int(raw.get("booking_id", ""))
        except (TypeError, ValueError):
            continue  # written by an older engine; nothing to link or apply to
        try:
            event_date: date | None = date.fromisoformat(str(raw.get("event_date", "")))
        except ValueError:
            event_date = None
        views.append(
            CandidateView(
                booking_id=booking_id,
                reference=str(raw.get("reference") or f"booking {booking_id}"),
                customer=str(raw.get("customer") or ""),
                event_date=event_date,
                owed_cents=int(raw.get("owed_cents") or 0),
                score_percent=round(float(raw.get("score") or 0) * 100),
                payment_type=str(raw.get("payment_type") or "").replace("_", " "),
                reasons=[str(reason) for reason in raw.get("reasons") or []],
            )
        )
    return views


def payer_of(payment: Payment) -> str:
    return payment.payer_name or payment.counterparty_name or "Unknown payer"


def waited(since: datetime, now: datetime) -> str:
    """How long, in the unit a person would say it."""
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 60:
        return "under a minute"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        hours = seconds // 3600
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{seconds // 86400} days"


def sentence(message: str) -> str:
    """A domain message ("no booking TP-9") as the page shows it."""
    text = message.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


def booking_references(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Booking.id, Booking.reference).where(col(Booking.id).in_(ids)))
    return {booking_id: reference for booking_id, reference in rows if booking_id is not None}


def _status_or_none(raw: str) -> PaymentStatus | None:
    try:
        return PaymentStatus(raw)
    except ValueError:
        return None


# --- every payment ------------------------------------------------------------------------


@router.get("", name="payments")
def payment_list(
    request: Request,
    _user: ManagerUser,
    q: str = Query(default="", max_length=200),
    status: str = Query(default="", max_length=20),
    page: int = Query(default=1, ge=1),
) -> Response:
    with Session(engine_of(request)) as session:
        found = report.search(
            session, text=q, status=_status_or_none(status), page=page, per_page=PER_PAGE
        )
        context = {
            "section": "list",
            "q": q,
            "status": status,
            "statuses": STATUS_LABELS,
            "result": found,
            "pages": page_links(request, found),
            "timezone": business_timezone(session),
            "references": booking_references(
                session, {p.booking_id for p in found.items if p.booking_id is not None}
            ),
        }
    return render(request, "payments/list.html", context)


@router.get("/{payment_id:int}")
def payment_detail(request: Request, _user: ManagerUser, payment_id: int) -> Response:
    with Session(engine_of(request)) as session:
        payment = get_payment(session, payment_id)
        lines = ledger.entries_of_payment(session, payment_id)
        booking_ids = {line.booking_id for line in lines}
        if payment.booking_id is not None:
            booking_ids.add(payment.booking_id)
        context = {
            "section": "list",
            "payment": payment,
            "payer": payer_of(payment),
            "status_label": STATUS_LABELS[payment.status],
            "candidates": candidates_of(payment),
            "lines": lines,
            "references": booking_references(session, booking_ids),
            "history": report.history(session, payment_id),
            "timezone": business_timezone(session),
        }
    return render(request, "payments/detail.html", context)


# --- importing a bank's CSV ---------------------------------------------------------------


def _render_import(
    request: Request, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    full: dict[str, Any] = {
        "section": "import",
        "columns": csv_import.REQUIRED_COLUMNS + csv_import.OPTIONAL_COLUMNS,
        "required": csv_import.REQUIRED_COLUMNS,
        "refused": "",
        "file_name": "",
        "report": None,
        "shown_rejections": SHOWN_REJECTIONS,
    }
    full.update(context or {})
    return render(request, "payments/import.html", full, status_code=status_code)


@router.get("/import")
def import_form(request: Request, _user: ManagerUser) -> Response:
    return _render_import(request)


def _read_upload(upload: UploadFile) -> bytes:
    data = upload.file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationFailed(
            f"the file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB: split it by month"
        )
    if not data.strip():
        raise ValidationFailed("the file is empty")
    return data


@router.post("/import")
def import_file(request: Request, user: ManagerUser, form: PostedForm) -> Response:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _render_import(request, {"refused": "Choose a CSV file to import."}, 400)
    file_name = upload.filename[:200]
    try:
        parsed = csv_import.parse_file(_read_upload(upload))
        with session_scope(engine_of(request)) as session:
            result = csv_import.import_rows(session, parsed, actor_of(user), file_name)
    except TeppanError as error:
        # Refused as a whole: nothing was stored.
        return _render_import(
            request, {"refused": sentence(error.message), "file_name": file_name}, 400
        )
    # The new payments' matching workflows start from the inbox on the forwarder's next pass.
    return _render_import(request, {"report": result, "file_name": file_name})


# --- the weekly reconciliation --------------------------------------------------------------


@router.get("/report")
def weekly_report(
    request: Request, _user: ManagerUser, week: str = Query(default="", max_length=10)
) -> Response:
    with Session(engine_of(request)) as session:
        zone = business_timezone(session)
        if week:
            try:
                day = date.fromisoformat(week)
            except ValueError as error:
                raise ValidationFailed(f"give the week as YYYY-MM-DD, not {week!r}") from error
        else:
            day = to_local(utcnow(), zone).date()
        found = report.weekly_report(session, day, zone)
    return render(
        request,
        "payments/report.html",
        {"section": "report", "report": found, "timezone": zone},
    )
