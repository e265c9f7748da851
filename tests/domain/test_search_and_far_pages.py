"""Far pages read backwards and the bookings search's one pass give what a plain query gives."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from core.pagination import paginate
from domain.bookings import service as bookings
from domain.bookings.models import Booking, BookingStatus
from domain.customers.models import Customer
from tests import factories

START = datetime(2026, 3, 1, 18, 0, tzinfo=factories.PACIFIC)


def _customers_with_gaps(session: Session, count: int) -> None:
    # Shared names and missing emails: ties broken by id and NULLs, both ends of an order.
    for index in range(count):
        session.add(
            Customer(
                full_name=f"Guest {index % 7}",
                phone=f"+1510555{index:04d}",
                email=None if index % 3 == 0 else f"guest{index % 11}.{index}@example.com",
            )
        )
    session.flush()


@pytest.mark.parametrize(
    "order",
    [
        (col(Customer.full_name), col(Customer.id)),
        (col(Customer.full_name).desc(), col(Customer.id).desc()),
        (col(Customer.email), col(Customer.id)),
        (col(Customer.email).desc(), col(Customer.id)),
    ],
    ids=["name", "name desc", "email (NULLs)", "email desc (NULLs)"],
)
def test_every_page_is_the_slice_of_one_ordered_list(
    session: Session, order: tuple[Any, ...]
) -> None:
    _customers_with_gaps(session, 53)
    query = select(Customer).order_by(*order)
    everyone = [c.id for c in session.exec(query).all()]
    for per_page in (10, 25):
        pages = -(-len(everyone) // per_page)
        for page in range(1, pages + 2):
            found = paginate(session, query, page, per_page)
            expected = everyone[(page - 1) * per_page : page * per_page]
            assert [c.id for c in found.items] == expected, (per_page, page)
            assert found.total == 53


def _bookings_for_search(session: Session) -> tuple[list[Booking], list[Booking]]:
    factories.business(session)
    priya = factories.customer(session, "Priya Kim", "408-555-0142")
    other = factories.customer(session, "Wei Chen", "510-555-0177")
    hers: list[Booking] = []
    theirs: list[Booking] = []
    for day in range(30):
        who = priya if day % 3 == 0 else other
        booking = factories.booking(session, who.id or 0, START + timedelta(days=day))
        (hers if who is priya else theirs).append(booking)
    return hers, theirs


def test_booking_search_by_name_phone_reference_and_address_newest_first(
    session: Session,
) -> None:
    hers, theirs = _bookings_for_search(session)
    newest_first = sorted(hers, key=lambda b: b.scheduled_start, reverse=True)
    for text in ("priya KIM", "4085550142", "55501"):
        found = bookings.search(session, text=text)
        if text == "55501":  # both customers' numbers contain it
            assert found.total == 30
            continue
        assert [b.id for b in found.items] == [b.id for b in newest_first], text
        assert found.total == len(hers)
    one = theirs[4]
    assert [b.id for b in bookings.search(session, text=one.reference.lower()).items] == [one.id]
    assert bookings.search(session, text="bernal ave").total == 30
    assert bookings.search(session, text="nobody at all").items == []


def test_booking_search_pages_and_filters_like_the_plain_list(session: Session) -> None:
    hers, theirs = _bookings_for_search(session)
    everyone = sorted(hers + theirs, key=lambda b: (b.scheduled_start, b.id or 0), reverse=True)
    second = bookings.search(session, text="Bernal", page=2, per_page=7)
    assert [b.id for b in second.items] == [b.id for b in everyone[7:14]]
    assert (second.total, second.pages) == (30, 5)
    last = bookings.search(session, text="Bernal", page=5, per_page=7)
    assert [b.id for b in last.items] == [b.id for b in everyone[28:]]
    assert bookings.search(session, text="Bernal", page=6, per_page=7).items == []

    cancelled = theirs[0]
    cancelled.status = BookingStatus.CANCELLED
    session.add(cancelled)
    session.flush()
    found = bookings.search(session, text="Wei", status=BookingStatus.CANCELLED)
    assert [b.id for b in found.items] == [cancelled.id]
    assert bookings.search(session, text="Priya", customer_id=theirs[0].customer_id).total == 0
