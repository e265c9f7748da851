"""Reading bank descriptors: each layout in shared/providers.md."""

from __future__ import annotations

import pytest

from domain.payments.matching import parse_descriptor


def test_chase_zelle_drops_the_confirmation_code() -> None:
    parsed = parse_descriptor("Zelle payment from JOHN SMITH BACs44a9oiu1")
    assert parsed.rail == "zelle" and parsed.payer_name == "JOHN SMITH"
    assert not parsed.cash_out and not parsed.stripe_payout


@pytest.mark.parametrize(
    ("text", "payer"),
    [
        ("Zelle payment from RICHARD CART BACssYqVRlYk", "RICHARD CART"),  # no digit in it
        ("Zelle payment from EMILY PEMBERT BACFMaoZpTLe", "EMILY PEMBERT"),
        ("Zelle payment from JOHN BACKSTROMSEN", "JOHN BACKSTROMSEN"),  # a name, not a code
    ],
)
def test_chase_code_is_dropped_even_without_a_digit(text: str, payer: str) -> None:
    assert parse_descriptor(text).payer_name == payer


def test_bofa_zelle_memo_with_reference_phone_and_email() -> None:
    parsed = parse_descriptor(
        'Zelle payment from DANA SMITH for "TP-1042 510-555-0123 dana@example.com"; Conf# abc123'
    )
    assert parsed.payer_name == "DANA SMITH"
    assert parsed.references == ("TP-1042",)
    assert parsed.phones == ("5105550123",)
    assert parsed.emails == ("dana@example.com",)


def test_bofa_older_layout_puts_the_name_last() -> None:
    parsed = parse_descriptor("Zelle Transfer Conf# 0d2eca0f6; Dana Smith")
    assert parsed.payer_name == "Dana Smith" and parsed.references == ()


def test_wells_fargo_memo_after_the_ref() -> None:
    parsed = parse_descriptor("ZELLE FROM JORDAN PARK ON 08/28 REF # WFCT22L6S4DQ HIBACHI TP1042")
    assert parsed.payer_name == "JORDAN PARK"
    assert parsed.memo == "HIBACHI TP1042"
    assert parsed.references == ("TP-1042",)


def test_generic_zelle_last_first() -> None:
    assert parse_descriptor("ZELLE FROM SMITH DANA").payer_name == "SMITH DANA"
    assert parse_descriptor("ZELLE TRANSFER").payer_name is None


@pytest.mark.parametrize(
    "text",
    [
        "VENMO CASHOUT PPD ID: 5264681992",
        "VENMO DES:CASHOUT ID:XXXXX999 INDN:JANE DOE CO ID:XXXXX81992 PPD",
        "Square Inc DES:* Cash App ID:T200249267023 INDN:JANE DOE CO ID:XXXXX29876 CCD",
        "Cash App*Cash Out Visa Direct CA",
        "CASH APP*CASH OUT 8774174551 CA",
    ],
)
def test_cash_outs_name_nobody(text: str) -> None:
    parsed = parse_descriptor(text)
    assert parsed.cash_out
    assert parsed.payer_name is None  # INDN is the account holder, not the customer
    assert parsed.phones == ()  # the ID is not a phone number


def test_cash_app_person_to_person_names_the_payer() -> None:
    parsed = parse_descriptor("CASH APP*JANE DOE")
    assert parsed.rail == "cashapp" and parsed.payer_name == "JANE DOE" and not parsed.cash_out


@pytest.mark.parametrize(
    ("text", "trace"),
    [
        ("STRIPE TRANSFER ST-BPQBDJJ8SM", "ST-BPQBDJJ8SM"),
        ("STRIPE TRANSFER ST-BPQBDJJ8SM EXAMPLE CATERING LLC", "ST-BPQBDJJ8SM"),
        (
            "STRIPE DES:TRANSFER ID:ST-5ZHG5Y3YVT INDN:EXAMPLE CATERING LLC CO ID:1800948598 CCD",
            "ST-5ZHG5Y3YVT",
        ),
        (
            "ORIG CO NAME:STRIPE ORIG ID:1800948598 DESC DATE:260915 CO ENTRY DESCR:TRANSFER "
            "SEC:CCD TRACE#:021000021234567 IND ID:ST-5ZHG5Y3YVT",
            "ST-5ZHG5Y3YVT",
        ),
    ],
)
def test_stripe_payouts(text: str, trace: str) -> None:
    parsed = parse_descriptor(text)
    assert parsed.stripe_payout and parsed.payout_reference == trace


def test_cleaned_name_and_counterparty_fallback() -> None:
    assert parse_descriptor("Rocío Castillo").payer_name == "Rocío Castillo"
    assert parse_descriptor("INTEREST PAYMENT").payer_name is None
    check = parse_descriptor("MOBILE DEPOSIT CHECK 1234", "Acme Robotics Inc", "check")
    assert check.rail == "check" and check.payer_name == "Acme Robotics Inc"
    assert parse_descriptor("Zelle payment from JOHN DOE", "Zelle").payer_name == "JOHN DOE"
