"""The texts a customer receives about a quote. Pure: no I/O, no clock."""

from __future__ import annotations

from datetime import datetime

from core.money import dollars

ADDRESS_NOT_FOUND = (
    "We couldn't find that address. Please reply with the full street address and ZIP code "
    "of your event and we'll send your quote."
)
NO_ROUTE = "We can't reach that address by road: contact us for special arrangements."


def offer_text(
    *,
    business_name: str,
    reference: str,
    guests: int,
    formatted_address: str,
    total_cents: int,
    travel_fee_cents: int,
    deposit_cents: int,
    estimated: bool,
    link: str,
    expires_local: datetime,
) -> str:
    travel = f"incl. {dollars(travel_fee_cents)} travel" if travel_fee_cents else "free travel"
    caveat = " Travel is estimated; we'll confirm it." if estimated else ""
    return (
        f"{business_name}: your hibachi quote {reference} for {guests} guests at "
        f"{formatted_address} is {dollars(total_cents)} ({travel}).{caveat} "
        f"A {dollars(deposit_cents)} deposit holds the date. See and accept it: {link} "
        f"(valid until {expires_local:%b} {expires_local.day})."
    )


def decline_text(*, business_name: str, reason: str) -> str:
    return f"{business_name}: thanks for asking about a hibachi party! {reason}"


def reminder_text(*, business_name: str, reference: str, link: str) -> str:
    return (
        f"{business_name}: a friendly reminder that quote {reference} expires tomorrow. "
        f"Accept it here to hold your date: {link}"
    )
