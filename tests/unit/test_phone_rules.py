import pytest

from domain.customers.rules import (
    InvalidPhoneNumber,
    format_phone_for_display,
    normalise_email,
    normalise_phone,
    normalise_phone_or_none,
)


@pytest.mark.parametrize(
    "raw",
    ["510-555-0123", "(510) 555-0123", "+1 510 555 0123", "1-510-555-0123", " 510.555.0123 "],
)
def test_us_numbers_written_any_way_become_e164(raw: str) -> None:
    assert normalise_phone(raw) == "+15105550123"


def test_international_numbers_keep_their_country() -> None:
    assert normalise_phone("+52 55 1234 5678") == "+525512345678"


@pytest.mark.parametrize("raw", ["hello", "123", "+1 000 000 0000"])
def test_garbage_is_refused_with_the_input_named(raw: str) -> None:
    with pytest.raises(InvalidPhoneNumber, match="phone number"):
        normalise_phone(raw)


def test_blank_phone_means_none() -> None:
    assert normalise_phone_or_none("  ") is None
    assert normalise_phone_or_none(None) is None


def test_display_format_is_national_for_us_numbers() -> None:
    assert format_phone_for_display("+15105550123") == "(510) 555-0123"
    assert format_phone_for_display("+525512345678").startswith("+52")


def test_emails_are_lower_cased_and_checked() -> None:
    assert normalise_email(" Jen.Nguyen@Example.COM ") == "jen.nguyen@example.com"
    assert normalise_email("") is None
    with pytest.raises(ValueError, match="email"):
        normalise_email("not-an-email")
