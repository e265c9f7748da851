"""The demo's bank: link the sandbox Plaid account and put a week of customer payments on it,
so the first bank sync shows payments applied on their own and a few waiting for review."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlmodel import Session, col, select

from core import secrets_at_rest
from core.db import make_engine, session_scope
from core.settings import Settings
from domain.audit.service import SYSTEM
from domain.bookings.models import Booking, BookingStatus
from domain.customers.models import Customer
from domain.payments import bank, ledger, outbox
from integrations.factory import bank_feed


def stock_the_sandbox_bank(settings: Settings) -> bool:
    """Once per data folder, and only against the emulator. True when it linked the bank."""
    if not settings.uses_plaid_sandbox:
        return False
    engine = make_engine(settings.effective_database_url)
    try:
        with Session(engine) as session:
            if bank.connections(session, active_only=False):
                return False
            credits = _demo_credits(session, settings.business_timezone)
        feed = bank_feed(settings)
        link = feed.exchange_public_token(feed.create_sandbox_public_token())
        with httpx.Client(base_url=settings.sandbox_plaid_url, timeout=10) as plaid:
            for credit in credits:
                plaid.post("/sandbox/teppan/transactions", json=credit).raise_for_status()
        with session_scope(engine) as session:
            bank.connect(
                session,
                item_id=link.item_id,
                access_token_encrypted=secrets_at_rest.encrypt(settings, link.access_token),
                institution_name="Sandbox Bank (demo)",
                actor=SYSTEM,
            )
            outbox.bank_sync_requested(session, "demo-first-sync")
        return True
    finally:
        engine.dispose()


def _demo_credits(session: Session, timezone: str) -> list[dict[str, object]]:
    """Balances of recent events paid the ways customers pay: some clear, some not."""
    zone = ZoneInfo(timezone)
    today = datetime.now(zone).date()
    rows = session.exec(
        select(Booking, Customer)
        .join(Customer, col(Customer.id) == Booking.customer_id)
        .where(col(Booking.status).in_([BookingStatus.CONFIRMED, BookingStatus.COMPLETED]))
        .order_by(col(Booking.scheduled_start))
    ).all()
    recent = [
        (booking, customer)
        for booking, customer in rows
        if today - timedelta(days=6) <= booking.scheduled_start.astimezone(zone).date() <= today
    ]
    credits: list[dict[str, object]] = []
    for n, (booking, customer) in enumerate(recent[:5]):
        owed = booking.total_cents - ledger.paid_cents(session, booking.id or 0)
        if owed <= 0:
            continue
        event_day = booking.scheduled_start.astimezone(zone).date()
        paid_on = min(today, event_day + timedelta(days=1)).isoformat()
        name = customer.full_name.upper()
        descriptions = [
            f"Zelle payment from {name} Conf# {booking.reference}",
            f"ZELLE FROM {name} ON {paid_on}",
            "VENMO CASHOUT PPD ID: 5264681992",  # names nobody: waits for review
            f"Cash App*{customer.full_name.split()[0].upper()}",
            f"Zelle payment from {name}",
        ]
        tip = owed // 5 if n == 1 else 0
        credits.append({"amount_cents": owed + tip, "date": paid_on, "name": descriptions[n]})
    credits.append(
        {
            "amount_cents": 48_210,
            "date": today.isoformat(),
            "name": "STRIPE TRANSFER ST-DEMO0000001 FREMONT HIBACHI CO",
        }
    )
    return credits
