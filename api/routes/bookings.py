"""Bookings over REST."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import AwareDatetime

from api.auth import StaffActor
from api.deps import SessionDep
from api.pages import PageOut, page_out
from domain.bookings import service
from domain.bookings.models import Booking, BookingStatus
from domain.bookings.schemas import BookingCreate, BookingPublic, BookingUpdate
from domain.payments import ledger
from domain.storable import PageNumber, RowId, Text

router = APIRouter(prefix="/bookings", tags=["bookings"])


def _public(booking: Booking, paid: int) -> BookingPublic:
    out = BookingPublic.model_validate(booking)
    out.paid_cents = paid
    out.balance_cents = booking.total_cents - paid
    return out


@router.get("", response_model=PageOut[BookingPublic])
def list_bookings(
    _reader: StaffActor,
    session: SessionDep,
    # Annotated: with `= Query(...)` FastAPI drops the type's own validator.
    q: Annotated[Text, Query(max_length=200, description="reference, address, customer")] = "",
    status_filter: BookingStatus | None = Query(default=None, alias="status"),
    customer_id: RowId | None = None,
    starts_from: AwareDatetime | None = None,
    starts_before: AwareDatetime | None = None,
    page: PageNumber = 1,
    per_page: int = Query(default=25, ge=1, le=200),
) -> PageOut[BookingPublic]:
    result = service.search(
        session,
        text=q,
        status=status_filter,
        customer_id=customer_id,
        starts_from=starts_from,
        starts_before=starts_before,
        page=page,
        per_page=per_page,
    )
    paid = ledger.paid_cents_by_booking(session, (b.id for b in result.items if b.id))
    return page_out(result, BookingPublic, lambda b: _public(b, paid.get(b.id, 0)))


@router.post("", response_model=BookingPublic, status_code=status.HTTP_201_CREATED)
def create_booking(actor: StaffActor, session: SessionDep, data: BookingCreate) -> BookingPublic:
    return _public(service.create(session, data, actor), 0)


@router.get("/{booking_id}", response_model=BookingPublic)
def get_booking(_reader: StaffActor, session: SessionDep, booking_id: RowId) -> BookingPublic:
    return _public(service.get(session, booking_id), ledger.paid_cents(session, booking_id))


@router.patch("/{booking_id}", response_model=BookingPublic)
def update_booking(
    actor: StaffActor, session: SessionDep, booking_id: RowId, data: BookingUpdate
) -> BookingPublic:
    booking = service.update(session, booking_id, data, actor)
    return _public(booking, ledger.paid_cents(session, booking_id))


@router.delete("/{booking_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_booking(actor: StaffActor, session: SessionDep, booking_id: RowId) -> Response:
    """Refused (409) for a booking with money on its ledger or a history (its quote, a payment,
    a review…): cancel or archive it instead."""
    service.delete(session, booking_id, actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
