"""Bookings: create, change, cancel, archive, list."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from core.errors import ConflictError, NotFoundError, ValidationFailed
from core.pagination import MAX_PER_PAGE, Page, paginate
from core.textsearch import contains_text
from core.timeutil import utcnow
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.bookings import outbox
from domain.bookings.models import SLOT_HOLDING_STATUSES, Booking, BookingStatus
from domain.bookings.rules import (
    AddOnLine,
    booking_reference,
    event_end,
    price_booking,
    slots_overlap,
)
from domain.bookings.schemas import AddOnSelection, BookingCreate, BookingUpdate
from domain.business import service as business
from domain.business.models import AddOn, Package
from domain.customers import service as customers
from domain.customers.models import Customer
from domain.messaging.models import Message
from domain.payments import ledger
from domain.payments.models import DepositLink, Payment
from domain.quotes.models import Quote
from domain.reviews.models import Review
from domain.staff.models import StaffMember, StaffRole
from domain.tasks.models import Task


def get(session: Session, booking_id: int) -> Booking:
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise NotFoundError(f"booking {booking_id} not found")
    return booking


def get_by_reference(session: Session, reference: str) -> Booking:
    booking = session.exec(select(Booking).where(Booking.reference == reference.upper())).first()
    if booking is None:
        raise NotFoundError(f"booking {reference} not found")
    return booking


def add_on_lines(session: Session, selections: list[AddOnSelection]) -> list[AddOnLine]:
    lines = []
    for selection in selections:
        add_on = session.get(AddOn, selection.add_on_id)
        if add_on is None or not add_on.active:
            raise ValidationFailed(f"add-on {selection.add_on_id} does not exist")
        lines.append(AddOnLine(add_on.name, add_on.price_cents, selection.quantity))
    return lines


def _check_chef_is_free(
    session: Session, chef_id: int, start: datetime, end: datetime, except_id: int | None = None
) -> None:
    chef = session.get(StaffMember, chef_id)
    if chef is None or not chef.active or chef.role != StaffRole.CHEF:
        raise ValidationFailed(f"staff member {chef_id} is not an active chef")
    # Any slot-holding booking of this chef that starts within a day of this one could overlap.
    window = select(Booking).where(
        Booking.chef_id == chef_id,
        col(Booking.status).in_(SLOT_HOLDING_STATUSES),
        col(Booking.scheduled_start) < end,
        col(Booking.scheduled_start) > start - timedelta(days=1),
    )
    for other in session.exec(window).all():
        if other.id != except_id and slots_overlap(
            start, end, other.scheduled_start, other.scheduled_end
        ):
            raise ConflictError(
                f"{chef.full_name} is already booked for {other.reference} at that time"
            )


def create(
    session: Session, data: BookingCreate, actor: Actor, *, announce: bool = True
) -> Booking:
    """`announce=False` starts no texting workflow (demo data of events long arranged)."""
    customer = customers.get(session, data.customer_id)
    settings = business.get_settings(session)
    package = session.get(Package, data.package_id) if data.package_id is not None else None
    if data.package_id is not None and (package is None or not package.active):
        raise ValidationFailed(f"package {data.package_id} does not exist")
    lines = add_on_lines(session, data.add_ons)
    price = price_booking(
        adults=data.adults,
        children=data.children,
        price_per_adult_cents=package.price_per_adult_cents
        if package
        else settings.price_per_adult_cents,
        price_per_child_cents=package.price_per_child_cents
        if package
        else settings.price_per_child_cents,
        add_ons=lines,
        minimum_spend_cents=settings.minimum_spend_cents,
        deposit_percent=settings.deposit_percent,
        tax_rate_basis_points=settings.tax_rate_basis_points,
    )
    start = data.scheduled_start or data.requested_start
    end = event_end(start, settings.event_duration_minutes)
    if data.chef_id is not None:
        _check_chef_is_free(session, data.chef_id, start, end)
    booking = Booking(
        reference=f"new-{uuid.uuid4().hex[:12]}",
        customer_id=customer.id or 0,
        status=data.status,
        requested_start=data.requested_start,
        scheduled_start=start,
        scheduled_end=end,
        address=data.address,
        adults=data.adults,
        children=data.children,
        package_id=data.package_id,
        add_ons=[
            {
                "name": line.name,
                "unit_price_cents": line.unit_price_cents,
                "quantity": line.quantity,
            }
            for line in lines
        ],
        total_cents=data.total_cents if data.total_cents is not None else price.total_cents,
        deposit_cents=data.deposit_cents if data.deposit_cents is not None else price.deposit_cents,
        chef_id=data.chef_id,
        notes=data.notes,
    )
    _flush_guarding_slot(session, booking)
    booking.reference = booking_reference(booking.id or 0)
    session.add(booking)
    audit.record(
        session,
        actor,
        "booking.create",
        "booking",
        booking.id,
        audit.snapshot(booking),
        f"Booked {booking.reference} for {customer.full_name}",
    )
    if announce:
        outbox.changed(session, booking, "created")
    return booking


def _flush_guarding_slot(session: Session, booking: Booking) -> None:
    session.add(booking)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        if "uq_booking_chef_slot" in str(error.orig) or "chef_id" in str(error.orig):
            raise ConflictError("that chef is already booked at that time") from error
        raise


def update(session: Session, booking_id: int, data: BookingUpdate, actor: Actor) -> Booking:
    booking = get(session, booking_id)
    changes = data.model_dump(exclude_unset=True)
    if booking.status == BookingStatus.ARCHIVED and changes:
        raise ConflictError(f"{booking.reference} is archived")
    before = audit.snapshot(booking)
    for key, value in changes.items():
        setattr(booking, key, value)
    if "scheduled_start" in changes:
        duration = before_duration(before)
        booking.scheduled_end = booking.scheduled_start + duration
    if booking.adults + booking.children == 0:
        raise ValidationFailed("a booking needs at least one guest")
    if booking.chef_id is not None and booking.status in SLOT_HOLDING_STATUSES:
        _check_chef_is_free(
            session, booking.chef_id, booking.scheduled_start, booking.scheduled_end, booking.id
        )
    if changes.get("status") == BookingStatus.CANCELLED and booking.cancelled_at is None:
        booking.cancelled_at = utcnow()
    booking.updated_at = utcnow()
    _flush_guarding_slot(session, booking)
    delta = audit.diff(before, audit.snapshot(booking, frozenset({"updated_at"})))
    if delta:
        audit.record(
            session,
            actor,
            "booking.update",
            "booking",
            booking.id,
            delta,
            f"Changed {', '.join(sorted(delta))} of {booking.reference}",
        )
    if outbox.LIFECYCLE_FIELDS & set(delta):
        reason = "cancelled" if booking.status == BookingStatus.CANCELLED else "changed"
        outbox.changed(session, booking, reason)
    return booking


def before_duration(snapshot: dict[str, Any]) -> timedelta:
    start = datetime.fromisoformat(snapshot["scheduled_start"])
    end = datetime.fromisoformat(snapshot["scheduled_end"])
    return end - start


def cancel(session: Session, booking_id: int, actor: Actor) -> Booking:
    return update(session, booking_id, BookingUpdate(status=BookingStatus.CANCELLED), actor)


def archive(session: Session, booking_id: int, actor: Actor) -> Booking:
    return update(session, booking_id, BookingUpdate(status=BookingStatus.ARCHIVED), actor)


def delete(session: Session, booking_id: int, actor: Actor) -> None:
    """Only a booking that never carried money may disappear; the others are cancelled."""
    booking = get(session, booking_id)
    if ledger.has_entries(session, booking_id):
        raise ConflictError(
            f"{booking.reference} has payments on its ledger: cancel or archive it instead"
        )
    kept = _history_of(session, booking_id)
    if kept:
        # Their foreign keys would refuse the delete anyway, as a database error (a 500).
        raise ConflictError(
            f"{booking.reference} is tied to {', '.join(kept)}: cancel or archive it instead"
        )
    audit.record(
        session,
        actor,
        "booking.delete",
        "booking",
        booking.id,
        audit.snapshot(booking),
        f"Deleted {booking.reference}",
    )
    # Texts already sent stay in the customer's conversation, no longer tied to the booking.
    for message in session.exec(select(Message).where(Message.booking_id == booking_id)).all():
        message.booking_id = None
        session.add(message)
    outbox.changed(session, booking, "deleted")
    session.delete(booking)


#: Records that point at a booking and are its history, so they keep it from being deleted
#: (texts are not among them: a delete unties them from the booking).
_HISTORY: tuple[tuple[str, Any], ...] = (
    ("the quote it was booked from", Quote.booking_id),
    ("a payment", Payment.booking_id),
    ("a deposit link", DepositLink.booking_id),
    ("a review", Review.booking_id),
    ("a task", Task.booking_id),
)


def _history_of(session: Session, booking_id: int) -> list[str]:
    return [
        name
        for name, column in _HISTORY
        if session.exec(select(column).where(column == booking_id).limit(1)).first() is not None
    ]


#: Past this many customers matching a search, ask the database for them as a subquery rather
#: than sending their ids back as a list (a broad search scans the bookings either way).
_CUSTOMER_IDS_INLINE = 1000


def search(
    session: Session,
    *,
    text: str = "",
    status: BookingStatus | None = None,
    customer_id: int | None = None,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Page[Booking]:
    conditions: list[ColumnElement[bool]] = []
    if status is not None:
        conditions.append(col(Booking.status) == status)
    if customer_id is not None:
        conditions.append(col(Booking.customer_id) == customer_id)
    if starts_from is not None:
        conditions.append(col(Booking.scheduled_start) >= starts_from)
    if starts_before is not None:
        conditions.append(col(Booking.scheduled_start) < starts_before)
    if not text.strip():
        query = select(Booking).where(*conditions)
        query = query.order_by(col(Booking.scheduled_start).desc(), col(Booking.id).desc())
        return paginate(session, query, page, per_page)
    needle = text.strip()
    # The matching customers first (the smaller table): their ids let PostgreSQL combine the
    # bookings' own indexes instead of joining every booking to its customer before filtering.
    customers_matching = select(Customer.id).where(
        or_(
            contains_text(session, Customer.full_name, needle),
            contains_text(session, Customer.phone, needle),
        )
    )
    customer_ids = list(session.exec(customers_matching.limit(_CUSTOMER_IDS_INLINE + 1)))
    # The id test first: SQLite tries the terms in order and LIKE is the dear one.
    matches: list[ColumnElement[bool]] = []
    if len(customer_ids) > _CUSTOMER_IDS_INLINE:
        matches.append(col(Booking.customer_id).in_(customers_matching))
    elif customer_ids:
        matches.append(col(Booking.customer_id).in_(customer_ids))
    matches.append(contains_text(session, Booking.reference, needle))
    matches.append(contains_text(session, Booking.address, needle))
    return _page_of_matches(session, [*conditions, or_(*matches)], page, per_page)


def _page_of_matches(
    session: Session, conditions: list[ColumnElement[bool]], page: int, per_page: int
) -> Page[Booking]:
    """One pass over the matches, ordered here: a text search cannot use the start-time index,
    and letting the database walk it for a rare match (or a count, then a page) reads every
    booking once or twice over."""
    page = max(1, page)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    found = session.exec(select(Booking.id, Booking.scheduled_start).where(*conditions)).all()
    ordered = sorted(found, key=lambda row: (row[1], row[0]), reverse=True)
    wanted = [row[0] for row in ordered[(page - 1) * per_page : page * per_page]]
    rows = session.exec(select(Booking).where(col(Booking.id).in_(wanted))).all() if wanted else []
    by_id = {row.id: row for row in rows}
    return Page(items=[by_id[i] for i in wanted], total=len(ordered), page=page, per_page=per_page)


def local_day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The UTC instants that start and end a calendar day in the business's zone."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def events_on(session: Session, day: date, timezone: str) -> list[Booking]:
    start, end = local_day_bounds(day, timezone)
    return list(
        session.exec(
            select(Booking)
            .where(
                col(Booking.status).in_(SLOT_HOLDING_STATUSES),
                col(Booking.scheduled_start) >= start,
                col(Booking.scheduled_start) < end,
            )
            .order_by(col(Booking.scheduled_start))
        ).all()
    )
