from datetime import UTC, datetime, timedelta

import pytest

from domain.bookings.rules import AddOnLine
from domain.quotes.rules import (
    SPECIAL_ARRANGEMENTS,
    TravelFee,
    TravelRule,
    meters_to_miles,
    price_quote,
    reminder_time,
    travel_fee,
)

RULE = TravelRule(free_radius_miles=30, fee_per_mile_cents=200, max_distance_miles=100)


@pytest.mark.parametrize(
    ("miles", "fee", "declined"),
    [
        (0.0, 0, False),
        (12.4, 0, False),
        (30.0, 0, False),
        (30.1, 20, False),
        (64.6, 6920, False),  # Fremont → Stockton: 34.6 miles at $2
        (100.0, 14000, False),
        (100.1, 0, True),
        (182.0, 0, True),
    ],
)
def test_travel_fee(miles: float, fee: int, declined: bool) -> None:
    result = travel_fee(miles, RULE)
    assert (result.fee_cents, result.declined) == (fee, declined)
    if declined:
        assert result.reason == SPECIAL_ARRANGEMENTS


def test_travel_fee_rounds_half_up_to_the_cent() -> None:
    assert travel_fee(31.3, TravelRule(30, 125, 100)).fee_cents == 163  # 1.3 miles at 125 = 162.5


def test_negative_distance_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        travel_fee(-1, RULE)


def test_meters_to_miles() -> None:
    assert meters_to_miles(104_000) == 64.6
    assert meters_to_miles(0) == 0.0


def test_quote_adds_travel_outside_tax_and_takes_the_deposit_of_the_whole() -> None:
    price = price_quote(
        adults=25,
        children=2,
        price_per_adult_cents=6000,
        price_per_child_cents=3000,
        add_ons=[AddOnLine("Lobster tail", 1500, 10)],
        minimum_spend_cents=60000,
        deposit_percent=20,
        tax_rate_basis_points=925,
        travel=TravelFee(64.6, 6920, False, ""),
    )
    food = 25 * 6000 + 2 * 3000 + 10 * 1500  # 171,000
    assert price.subtotal_cents == food + 6920
    assert price.tax_cents == round(food * 0.0925)
    assert price.total_cents == food + 6920 + price.tax_cents
    assert price.deposit_cents == round(price.total_cents * 0.2)


def test_a_small_party_pays_the_minimum_spend() -> None:
    price = price_quote(
        adults=4,
        children=0,
        price_per_adult_cents=6000,
        price_per_child_cents=3000,
        add_ons=[],
        minimum_spend_cents=60000,
        deposit_percent=20,
        tax_rate_basis_points=0,
        travel=TravelFee(10, 0, False, ""),
    )
    assert price.food.minimum_top_up_cents == 36000 and price.total_cents == 60000


def test_reminder_time() -> None:
    sent = datetime(2026, 11, 23, 18, tzinfo=UTC)
    assert reminder_time(sent, sent + timedelta(days=7), timedelta(days=1)) == sent + timedelta(
        days=6
    )
    assert reminder_time(sent, sent + timedelta(hours=12), timedelta(days=1)) is None
