from datetime import UTC, datetime, timedelta

import pytest

from domain.bookings.rules import (
    AddOnLine,
    booking_reference,
    event_end,
    price_booking,
    slots_overlap,
)


def _price(**overrides: object) -> object:
    values: dict[str, object] = {
        "adults": 20,
        "children": 4,
        "price_per_adult_cents": 6000,
        "price_per_child_cents": 3000,
        "add_ons": [],
        "minimum_spend_cents": 60000,
        "deposit_percent": 20,
    }
    values.update(overrides)
    return price_booking(**values)  # type: ignore[arg-type]


def test_guests_and_add_ons_add_up() -> None:
    price = _price(add_ons=[AddOnLine("Lobster tail", 1500, 6)])
    assert price.guests_cents == 20 * 6000 + 4 * 3000
    assert price.add_ons_cents == 9000
    assert price.minimum_top_up_cents == 0
    assert price.total_cents == 132000 + 9000
    assert price.deposit_cents == 28200


def test_small_parties_pay_the_minimum_spend() -> None:
    price = _price(adults=5, children=0)
    assert price.guests_cents == 30000
    assert price.minimum_top_up_cents == 30000
    assert price.total_cents == 60000


def test_tax_and_deposit_round_half_up_to_the_cent() -> None:
    price = _price(
        adults=1,
        children=0,
        minimum_spend_cents=0,
        price_per_adult_cents=1001,
        tax_rate_basis_points=725,
        deposit_percent=25,
    )
    assert price.tax_cents == 73  # 72.5725 cents
    assert price.total_cents == 1074
    assert price.deposit_cents == 269  # 268.5 → 269


def test_negative_guests_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        _price(adults=-1)


def test_slots_are_half_open() -> None:
    six = datetime(2026, 12, 5, 18, tzinfo=UTC)
    assert slots_overlap(
        six, six + timedelta(hours=2), six + timedelta(hours=1), six + timedelta(hours=3)
    )
    assert not slots_overlap(
        six, six + timedelta(hours=2), six + timedelta(hours=2), six + timedelta(hours=4)
    )


def test_event_end_and_reference() -> None:
    six = datetime(2026, 12, 5, 18, tzinfo=UTC)
    assert event_end(six, 150) == six + timedelta(minutes=150)
    assert booking_reference(42) == "TP-1042"
