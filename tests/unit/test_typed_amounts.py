"""Amounts a person types in the review queue's split form."""

from __future__ import annotations

import pytest

from core.errors import ValidationFailed
from domain.payments.review import dollars_to_cents


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("450", 45000), ("450.5", 45050), ("$1,250.00", 125000), (" 12.34 ", 1234), ("0.99", 99)],
)
def test_dollars_become_cents(typed: str, cents: int) -> None:
    assert dollars_to_cents(typed) == cents


@pytest.mark.parametrize("typed", ["inf", "1e2", "12.345", "3OO", "-5", "", "1,25.00", "nan"])
def test_what_is_not_money_is_refused_with_the_expected_shape(typed: str) -> None:
    with pytest.raises(ValidationFailed, match=r"is not an amount like 1,250\.00"):
        dollars_to_cents(typed)
