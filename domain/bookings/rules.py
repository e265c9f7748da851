"""Pure booking rules: price, deposit, time slots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class AddOnLine:
    name: str
    unit_price_cents: int
    quantity: int

    @property
    def total_cents(self) -> int:
        return self.unit_price_cents * self.quantity


@dataclass(frozen=True)
class BookingPrice:
    guests_cents: int
    add_ons_cents: int
    minimum_top_up_cents: int
    tax_cents: int
    total_cents: int
    deposit_cents: int


def price_booking(
    *,
    adults: int,
    children: int,
    price_per_adult_cents: int,
    price_per_child_cents: int,
    add_ons: list[AddOnLine],
    minimum_spend_cents: int,
    deposit_percent: int,
    tax_rate_basis_points: int = 0,
) -> BookingPrice:
    """Guests plus add-ons, raised to the minimum spend, plus tax; deposit rounded to cents."""
    if adults < 0 or children < 0:
        raise ValueError("guest counts cannot be negative")
    guests = adults * price_per_adult_cents + children * price_per_child_cents
    extras = sum(line.total_cents for line in add_ons)
    top_up = max(0, minimum_spend_cents - (guests + extras))
    subtotal = guests + extras + top_up
    tax = _round_half_up(subtotal * tax_rate_basis_points, 10_000)
    total = subtotal + tax
    deposit = _round_half_up(total * deposit_percent, 100)
    return BookingPrice(guests, extras, top_up, tax, total, deposit)


def _round_half_up(numerator: int, denominator: int) -> int:
    return (numerator * 2 + denominator) // (denominator * 2)


def slots_overlap(start_a: datetime, end_a: datetime, start_b: datetime, end_b: datetime) -> bool:
    """Half-open intervals: an event ending at 7pm does not clash with one starting at 7pm."""
    return start_a < end_b and start_b < end_a


def event_end(start: datetime, duration_minutes: int) -> datetime:
    return start + timedelta(minutes=duration_minutes)


def booking_reference(booking_id: int) -> str:
    """Short and speakable; customers write it in Zelle memos."""
    return f"TP-{1000 + booking_id}"
