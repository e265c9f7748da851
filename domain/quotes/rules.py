"""Pure quote rules: the travel fee, the full price with its breakdown, and the follow-up dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from domain.bookings.rules import AddOnLine, BookingPrice, price_booking

METERS_PER_MILE = 1609.344
SPECIAL_ARRANGEMENTS = "That's farther than we usually travel: contact us for special arrangements."


@dataclass(frozen=True)
class TravelRule:
    free_radius_miles: int
    fee_per_mile_cents: int
    max_distance_miles: int


@dataclass(frozen=True)
class TravelFee:
    miles: float
    fee_cents: int
    declined: bool
    reason: str


def meters_to_miles(meters: int) -> float:
    return round(meters / METERS_PER_MILE, 1)


def travel_fee(miles: float, rule: TravelRule) -> TravelFee:
    """Free inside the radius, a price per mile beyond it, declined past the maximum.

    Charged on the one-decimal miles the customer sees, rounded half up to the cent.
    """
    if miles < 0:
        raise ValueError("a distance cannot be negative")
    if miles > rule.max_distance_miles:
        return TravelFee(miles, 0, True, SPECIAL_ARRANGEMENTS)
    chargeable = Decimal(str(miles)) - rule.free_radius_miles
    if chargeable <= 0:
        return TravelFee(miles, 0, False, f"free within {rule.free_radius_miles} miles")
    fee = (chargeable * rule.fee_per_mile_cents).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return TravelFee(
        miles,
        int(fee),
        False,
        f"{chargeable} miles beyond {rule.free_radius_miles} at "
        f"${rule.fee_per_mile_cents / 100:.2f}/mile",
    )


@dataclass(frozen=True)
class QuotePrice:
    food: BookingPrice
    travel: TravelFee
    subtotal_cents: int
    tax_cents: int
    total_cents: int
    deposit_cents: int


def price_quote(
    *,
    adults: int,
    children: int,
    price_per_adult_cents: int,
    price_per_child_cents: int,
    add_ons: list[AddOnLine],
    minimum_spend_cents: int,
    deposit_percent: int,
    tax_rate_basis_points: int,
    travel: TravelFee,
) -> QuotePrice:
    """The event's price (guests, add-ons, minimum spend, tax on the food) plus the travel fee;
    the deposit is the business's percentage of the whole."""
    food = price_booking(
        adults=adults,
        children=children,
        price_per_adult_cents=price_per_adult_cents,
        price_per_child_cents=price_per_child_cents,
        add_ons=add_ons,
        minimum_spend_cents=minimum_spend_cents,
        deposit_percent=deposit_percent,
        tax_rate_basis_points=tax_rate_basis_points,
    )
    subtotal = food.guests_cents + food.add_ons_cents + food.minimum_top_up_cents
    subtotal += travel.fee_cents
    total = subtotal + food.tax_cents
    deposit = (total * deposit_percent * 2 + 100) // 200
    return QuotePrice(food, travel, subtotal, food.tax_cents, total, deposit)


def reminder_time(sent_at: datetime, expires_at: datetime, lead: timedelta) -> datetime | None:
    """When to remind once before the quote expires; None when there is no room for it."""
    remind_at = expires_at - lead
    return remind_at if remind_at > sent_at else None


def quote_reference(quote_id: int) -> str:
    return f"Q-{1000 + quote_id}"
