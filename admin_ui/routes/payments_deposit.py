"""A booking's money on its page (the ledger summary and the latest deposit link), and making a
Stripe Checkout link for the deposit still due (manager and up).

The link is keyed by booking and amount, so pressing the button twice, or two people pressing
it, gives the customer one Checkout Session. Stripe is called outside any database
transaction; the link is remembered once Stripe has answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from jinja2 import pass_context
from sqlmodel import Session
from starlette.responses import Response

from admin_ui.auth import ManagerUser, PostedForm, actor_of, flash
from admin_ui.routes.payments import sentence
from admin_ui.routes.payments_bank import provider_problem
from admin_ui.web import engine_of, redirect, settings_of, templates
from core.db import session_scope
from core.errors import TeppanError
from core.money import dollars
from domain.bookings import service as bookings
from domain.bookings.models import Booking
from domain.customers import service as customers
from domain.payments import deposits, ledger
from domain.payments.ledger import LedgerSummary
from domain.payments.models import DepositLink
from integrations.errors import ProviderError
from integrations.factory import card_payments

router = APIRouter(prefix="/bookings")


@dataclass(frozen=True)
class BookingMoney:
    summary: LedgerSummary
    link: DepositLink | None
    deposit_cents: int

    @property
    def deposit_due_cents(self) -> int:
        """What a deposit link would ask for now (deposits.deposit_due_cents, without raising)."""
        paid = self.summary.received_cents - self.summary.refunded_cents
        return max(0, self.deposit_cents - paid)


@pass_context
def booking_money(context: Mapping[str, Any], booking: Booking) -> BookingMoney:
    """For bookings/detail.html, whose route (bookings.py) predates payments."""
    request: Request = context["request"]
    with Session(engine_of(request), expire_on_commit=False) as session:
        return BookingMoney(
            ledger.summary(session, booking),
            deposits.latest_link(session, booking.id or 0),
            booking.deposit_cents,
        )


templates.env.globals["booking_money"] = booking_money


def checkout_urls(base_url: str, booking: Booking) -> tuple[str, str]:
    """Where Stripe sends the customer back; the same for every press (Stripe compares a
    replayed request with the first under one idempotency key)."""
    base = base_url.rstrip("/")
    return (
        f"{base}/deposit/{booking.reference}/paid?session_id={{CHECKOUT_SESSION_ID}}",
        f"{base}/deposit/{booking.reference}/cancelled",
    )


@router.post("/{booking_id:int}/deposit-link")
def deposit_link(
    request: Request, user: ManagerUser, _form: PostedForm, booking_id: int
) -> Response:
    page = f"/bookings/{booking_id}"
    settings = settings_of(request)
    try:
        with Session(engine_of(request)) as session:
            booking = bookings.get(session, booking_id)
            due = deposits.deposit_due_cents(session, booking)
            customer = customers.get(session, booking.customer_id)
    except TeppanError as error:
        flash(request, f"No deposit link: {sentence(error.message)}")
        return redirect(request, page)
    success_url, cancel_url = checkout_urls(settings.public_base_url, booking)
    try:
        checkout = card_payments(settings).create_deposit_checkout(
            booking_id=booking_id,
            amount_cents=due,
            description=f"Deposit for hibachi event {booking.reference}",
            customer_email=customer.email,
            success_url=success_url,
            cancel_url=cancel_url,
            idempotency_key=deposits.idempotency_key(booking, due),
        )
    except ProviderError as error:
        flash(request, f"No deposit link. {provider_problem(error)}")
        return redirect(request, page)
    with session_scope(engine_of(request)) as session:
        deposits.remember_link(
            session,
            booking,
            checkout.session_id,
            checkout.url,
            checkout.amount_cents,
            actor_of(user),
        )
    flash(
        request,
        f"Deposit link for {booking.reference} ({dollars(checkout.amount_cents)}): {checkout.url}",
    )
    return redirect(request, page)
