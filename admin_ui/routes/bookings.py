"""Bookings: search, one booking's page, create (any role), edit and cancel (manager and up)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from admin_ui.auth import AnyUser, ManagerUser, PostedForm, actor_of, flash
from admin_ui.lookups import booking_choices, chef_names, customer_names
from admin_ui.web import (
    business_timezone,
    engine_of,
    field_errors,
    int_or_none,
    page_links,
    redirect,
    render,
    text_field,
)
from core.db import session_scope
from core.errors import TeppanError
from core.timeutil import to_local
from domain.accounts.models import Role
from domain.bookings import service as bookings
from domain.bookings.models import BookingStatus
from domain.bookings.schemas import BookingCreate, BookingUpdate
from domain.business.models import Package
from domain.customers import service as customers
from domain.payments import ledger
from domain.staff.models import StaffMember

router = APIRouter(prefix="/bookings")

PER_PAGE = 25
NEW_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.INQUIRY)
EDIT_STATUSES = (
    BookingStatus.INQUIRY,
    BookingStatus.CONFIRMED,
    BookingStatus.COMPLETED,
    BookingStatus.CANCELLED,
)
# The schemas speak of instants; the form of a local date and time.
_FIELD_FOR = {"requested_start": "date", "scheduled_start": "date"}


def _status_or_none(raw: str) -> BookingStatus | None:
    try:
        return BookingStatus(raw)
    except ValueError:
        return None


@router.get("", name="bookings")
def booking_list(
    request: Request,
    _user: AnyUser,
    q: str = Query(default="", max_length=200),
    status: str = "",
    page: int = Query(default=1, ge=1),
) -> Response:
    with Session(engine_of(request)) as session:
        found = bookings.search(
            session, text=q, status=_status_or_none(status), page=page, per_page=PER_PAGE
        )
        context = {
            "q": q,
            "status": status,
            "statuses": list(BookingStatus),
            "result": found,
            "pages": page_links(request, found),
            "timezone": business_timezone(session),
            "customers": customer_names(session, [b.customer_id for b in found.items]),
            "chefs": chef_names(session, [b.chef_id for b in found.items]),
        }
    return render(request, "bookings/list.html", context)


def local_start(day: str, at: str, timezone: str) -> tuple[datetime | None, str]:
    """The instant a local date and time name in the business's zone, or why there is none."""
    try:
        parsed_day = date.fromisoformat(day)
    except ValueError:
        return None, "Give the date as YYYY-MM-DD."
    try:
        parsed_time = time.fromisoformat(at)
    except ValueError:
        return None, "Give the time as HH:MM."
    zone = ZoneInfo(timezone)
    start = datetime.combine(parsed_day, parsed_time, tzinfo=zone)
    # A wall-clock time skipped by the spring-forward change does not survive the round trip.
    if to_local(start, timezone).replace(tzinfo=None) != start.replace(tzinfo=None):
        return None, f"{at} does not exist on {day} in {timezone} (the clocks change)."
    return start, ""


def _form_values(form: FormData) -> dict[str, str]:
    names = ("customer_id", "date", "time", "address", "adults", "children")
    values = {name: text_field(form, name) for name in names}
    for name in ("package_id", "chef_id", "status", "notes"):
        values[name] = text_field(form, name)
    return values


def _schema_errors(error: ValidationError) -> tuple[dict[str, str], list[str]]:
    errors, general = field_errors(error)
    return {_FIELD_FOR.get(name, name): message for name, message in errors.items()}, general


def _render_form(
    request: Request,
    values: dict[str, str],
    booking_id: int | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    with Session(engine_of(request)) as session:
        choices = booking_choices(session, int_or_none(values.get("customer_id", "")))
        zone = business_timezone(session)
        reference = bookings.get(session, booking_id).reference if booking_id else None
    if errors or general:
        status_code = 400
    return render(
        request,
        "bookings/form.html",
        {
            "values": values,
            "booking_id": booking_id,
            "reference": reference,
            "choices": choices,
            "statuses": EDIT_STATUSES if booking_id else NEW_STATUSES,
            "timezone": zone,
            "errors": errors or {},
            "general": general or [],
        },
        status_code=status_code,
    )


@router.get("/new")
def new_booking(request: Request, _user: AnyUser, customer_id: str = "") -> Response:
    values = {
        "customer_id": customer_id,
        "date": "",
        "time": "18:00",
        "address": "",
        "adults": "",
        "children": "0",
        "package_id": "",
        "chef_id": "",
        "status": BookingStatus.CONFIRMED.value,
        "notes": "",
    }
    return _render_form(request, values)


@router.post("/new")
def create_booking(request: Request, user: AnyUser, form: PostedForm) -> Response:
    values = _form_values(form)
    errors: dict[str, str] = {}
    customer_id = int_or_none(values["customer_id"])
    if customer_id is None:
        errors["customer_id"] = "Choose a customer."
    with Session(engine_of(request)) as session:
        zone = business_timezone(session)
    start, problem = local_start(values["date"], values["time"], zone)
    if start is None:
        errors["date"] = problem
    if errors:
        return _render_form(request, values, errors=errors)
    fields: dict[str, Any] = {
        "customer_id": customer_id,
        "requested_start": start,
        "address": values["address"],
        "adults": values["adults"],
        "children": values["children"] or "0",
        "package_id": int_or_none(values["package_id"]),
        "chef_id": int_or_none(values["chef_id"]),
        "status": values["status"] or BookingStatus.CONFIRMED.value,
        "notes": values["notes"],
    }
    try:
        data = BookingCreate.model_validate(fields)
    except ValidationError as error:
        schema_errors, general = _schema_errors(error)
        return _render_form(request, values, errors=schema_errors, general=general)
    try:
        with session_scope(engine_of(request)) as session:
            booking = bookings.create(session, data, actor_of(user))
    except TeppanError as error:
        return _render_form(request, values, general=[error.message])
    flash(request, f"Booked {booking.reference}.")
    return redirect(request, f"/bookings/{booking.id}")


@router.get("/{booking_id}")
def booking_detail(request: Request, user: AnyUser, booking_id: int) -> Response:
    with Session(engine_of(request)) as session:
        booking = bookings.get(session, booking_id)
        paid = ledger.paid_cents(session, booking_id)
        context = {
            "booking": booking,
            "customer": customers.get(session, booking.customer_id)
            if booking.customer_id
            else None,
            "chef": session.get(StaffMember, booking.chef_id) if booking.chef_id else None,
            "package": session.get(Package, booking.package_id) if booking.package_id else None,
            "paid": paid,
            "balance": booking.total_cents - paid,
            "entries": ledger.entries(session, booking_id),
            "timezone": business_timezone(session),
            "can_manage": user.has_role(Role.MANAGER),
            "cancellable": booking.status not in (BookingStatus.CANCELLED, BookingStatus.ARCHIVED),
        }
    return render(request, "bookings/detail.html", context)


@router.get("/{booking_id}/edit")
def edit_booking(request: Request, _user: ManagerUser, booking_id: int) -> Response:
    with Session(engine_of(request)) as session:
        booking = bookings.get(session, booking_id)
        start = to_local(booking.scheduled_start, business_timezone(session))
    values = {
        "customer_id": str(booking.customer_id),
        "date": start.date().isoformat(),
        "time": start.strftime("%H:%M"),
        "address": booking.address,
        "adults": str(booking.adults),
        "children": str(booking.children),
        "package_id": str(booking.package_id or ""),
        "chef_id": str(booking.chef_id or ""),
        "status": booking.status.value,
        "notes": booking.notes,
    }
    return _render_form(request, values, booking_id=booking_id)


@router.post("/{booking_id}/edit")
def update_booking(
    request: Request, user: ManagerUser, form: PostedForm, booking_id: int
) -> Response:
    values = _form_values(form)
    with Session(engine_of(request)) as session:
        existing = bookings.get(session, booking_id)
        zone = business_timezone(session)
    # Customer and package are fixed once booked (the price depends on them); keep them shown.
    values["customer_id"] = str(existing.customer_id)
    values["package_id"] = str(existing.package_id or "")
    start, problem = local_start(values["date"], values["time"], zone)
    if start is None:
        return _render_form(request, values, booking_id, errors={"date": problem})
    try:
        data = BookingUpdate.model_validate(
            {
                "scheduled_start": start,
                "address": values["address"],
                "adults": values["adults"],
                "children": values["children"] or "0",
                "chef_id": int_or_none(values["chef_id"]),
                "status": _status_or_none(values["status"]) or existing.status,
                "notes": values["notes"],
            }
        )
    except ValidationError as error:
        schema_errors, general = _schema_errors(error)
        return _render_form(request, values, booking_id, schema_errors, general)
    try:
        with session_scope(engine_of(request)) as session:
            booking = bookings.update(session, booking_id, data, actor_of(user))
    except TeppanError as error:
        return _render_form(request, values, booking_id, general=[error.message])
    flash(request, f"Saved {booking.reference}.")
    return redirect(request, f"/bookings/{booking_id}")


@router.post("/{booking_id}/cancel")
def cancel_booking(
    request: Request, user: ManagerUser, _form: PostedForm, booking_id: int
) -> Response:
    try:
        with session_scope(engine_of(request)) as session:
            booking = bookings.cancel(session, booking_id, actor_of(user))
    except TeppanError as error:
        flash(request, f"Not cancelled: {error.message}")
        return redirect(request, f"/bookings/{booking_id}")
    flash(request, f"Cancelled {booking.reference}.")
    return redirect(request, f"/bookings/{booking_id}")
