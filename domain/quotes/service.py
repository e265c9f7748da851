"""Quotes: create, price, send, remind, expire, accept into a booking. Services never commit.

A new quote also lands in the inbox as an internal event, in the same transaction, so its
workflow starts after the commit even if Temporal is down at that moment (the forwarder
retries), exactly like a provider's webhook.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from core.errors import ConflictError, NotFoundError, ValidationFailed
from core.pagination import Page, paginate
from core.timeutil import utcnow
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.bookings import service as bookings
from domain.bookings.models import BookingStatus
from domain.bookings.rules import AddOnLine
from domain.bookings.schemas import AddOnSelection, BookingCreate
from domain.business import service as business
from domain.business.models import BusinessSettings, Package
from domain.customers import service as customers
from domain.customers.models import Customer
from domain.inbox import service as inbox
from domain.quotes.models import OPEN_QUOTE_STATUSES, Quote, QuoteEvent, QuoteStatus
from domain.quotes.rules import (
    QuotePrice,
    TravelRule,
    meters_to_miles,
    price_quote,
    quote_reference,
    reminder_time,
    travel_fee,
)
from domain.quotes.schemas import QuoteCreate

#: The inbox provider name of events Teppan raises itself.
INTERNAL_PROVIDER = inbox.INTERNAL_PROVIDER
QUOTE_CREATED = "quote.created"


@dataclass(frozen=True)
class CreatedQuote:
    quote: Quote
    inbox_event_id: int


@dataclass(frozen=True)
class TravelMeasurement:
    formatted_address: str
    meters: int
    seconds: int
    source: str  # "google" or "estimate"


def get(session: Session, quote_id: int) -> Quote:
    quote = session.get(Quote, quote_id)
    if quote is None:
        raise NotFoundError(f"quote {quote_id} not found")
    return quote


def get_by_token(session: Session, token: str) -> Quote:
    quote = session.exec(select(Quote).where(Quote.public_token == token)).first()
    if quote is None:
        raise NotFoundError("this quote link is not valid")
    return quote


def add_event(session: Session, quote: Quote, kind: str, detail: str = "") -> None:
    session.add(QuoteEvent(quote_id=quote.id or 0, kind=kind, detail=detail[:500]))


def timeline(session: Session, quote_id: int) -> list[QuoteEvent]:
    return list(
        session.exec(
            select(QuoteEvent)
            .where(QuoteEvent.quote_id == quote_id)
            .order_by(col(QuoteEvent.at), col(QuoteEvent.id))
        ).all()
    )


def _customer_for(session: Session, data: QuoteCreate, actor: Actor) -> Customer:
    if data.customer_id is not None:
        return customers.get(session, data.customer_id)
    assert data.customer is not None
    known = (data.customer.phone and customers.find_by_phone(session, data.customer.phone)) or (
        data.customer.email and customers.find_by_email(session, data.customer.email)
    )
    return known or customers.create(session, data.customer, actor)


def create(session: Session, data: QuoteCreate, actor: Actor) -> CreatedQuote:
    customer = _customer_for(session, data, actor)
    if not customer.phone:
        raise ValidationFailed(f"{customer.full_name} has no phone number to text the quote to")
    if data.package_id is not None:
        package = session.get(Package, data.package_id)
        if package is None or not package.active:
            raise ValidationFailed(f"package {data.package_id} does not exist")
    lines = bookings.add_on_lines(session, data.add_ons)
    quote = Quote(
        reference=f"new-{secrets.token_hex(6)}",
        public_token=secrets.token_urlsafe(24),
        customer_id=customer.id or 0,
        source=data.source,
        requested_start=data.requested_start,
        address=data.address.strip(),
        adults=data.adults,
        children=data.children,
        package_id=data.package_id,
        add_ons=[
            {
                "add_on_id": selection.add_on_id,
                "name": line.name,
                "unit_price_cents": line.unit_price_cents,
                "quantity": line.quantity,
            }
            for selection, line in zip(data.add_ons, lines, strict=True)
        ],
        notes=data.notes,
    )
    session.add(quote)
    session.flush()
    quote.reference = quote_reference(quote.id or 0)
    session.add(quote)
    add_event(session, quote, "created", f"requested via {data.source} by {actor.name}")
    audit.record(
        session,
        actor,
        "quote.create",
        "quote",
        quote.id,
        {"customer_id": quote.customer_id, "address": quote.address, "adults": quote.adults},
        f"Quote {quote.reference} for {customer.full_name}",
    )
    event = inbox.enqueue_internal(
        session,
        kind=QUOTE_CREATED,
        event_key=f"quote-created-{quote.id}",
        payload={"quote_id": quote.id},
    )
    return CreatedQuote(quote, event.id or 0)


def travel_rule(settings: BusinessSettings) -> TravelRule:
    return TravelRule(
        free_radius_miles=settings.travel_free_radius_miles,
        fee_per_mile_cents=settings.travel_fee_per_mile_cents,
        max_distance_miles=settings.travel_max_distance_miles,
    )


def compute_price(
    session: Session,
    settings: BusinessSettings,
    *,
    adults: int,
    children: int,
    package_id: int | None,
    add_ons: list[AddOnLine],
    miles: float,
) -> QuotePrice:
    package = session.get(Package, package_id) if package_id is not None else None
    return price_quote(
        adults=adults,
        children=children,
        price_per_adult_cents=(package or settings).price_per_adult_cents,
        price_per_child_cents=(package or settings).price_per_child_cents,
        add_ons=add_ons,
        minimum_spend_cents=settings.minimum_spend_cents,
        deposit_percent=settings.deposit_percent,
        tax_rate_basis_points=settings.tax_rate_basis_points,
        travel=travel_fee(miles, travel_rule(settings)),
    )


def _stored_lines(quote: Quote) -> list[AddOnLine]:
    return [
        AddOnLine(line["name"], int(line["unit_price_cents"]), int(line["quantity"]))
        for line in quote.add_ons
    ]


def apply_price(
    session: Session,
    quote_id: int,
    travel: TravelMeasurement,
    actor: Actor,
    issued_at: datetime | None = None,
) -> Quote:
    """Prices the quote for this driving distance; past the maximum distance it is declined."""
    quote = get(session, quote_id)
    settings = business.get_settings(session)
    price = compute_price(
        session,
        settings,
        adults=quote.adults,
        children=quote.children,
        package_id=quote.package_id,
        add_ons=_stored_lines(quote),
        miles=meters_to_miles(travel.meters),
    )
    quote.formatted_address = travel.formatted_address
    quote.distance_meters = travel.meters
    quote.duration_seconds = travel.seconds
    quote.travel_source = travel.source
    quote.travel_confirmed = travel.source != "estimate"
    _store_price(quote, price)
    if price.travel.declined:
        quote.status = QuoteStatus.DECLINED
        quote.decline_reason = price.travel.reason
    elif quote.expires_at is None:
        quote.expires_at = (issued_at or utcnow()) + timedelta(days=settings.quote_valid_days)
    quote.updated_at = utcnow()
    session.add(quote)
    miles = meters_to_miles(travel.meters)
    detail = (
        f"{miles} mi / {travel.seconds // 60} min by {travel.source}; "
        f"travel ${price.travel.fee_cents / 100:.2f}; total ${price.total_cents / 100:.2f}"
    )
    add_event(session, quote, "declined" if price.travel.declined else "priced", detail)
    audit.record(
        session,
        actor,
        "quote.price",
        "quote",
        quote.id,
        {"total_cents": price.total_cents},
        f"Priced {quote.reference}: {detail}",
    )
    return quote


def _store_price(quote: Quote, price: QuotePrice) -> None:
    quote.guests_cents = price.food.guests_cents
    quote.add_ons_cents = price.food.add_ons_cents
    quote.minimum_top_up_cents = price.food.minimum_top_up_cents
    quote.travel_fee_cents = price.travel.fee_cents
    quote.subtotal_cents = price.subtotal_cents
    quote.tax_cents = price.tax_cents
    quote.total_cents = price.total_cents
    quote.deposit_cents = price.deposit_cents


def decline(session: Session, quote_id: int, reason: str, actor: Actor) -> Quote:
    quote = get(session, quote_id)
    if quote.status not in OPEN_QUOTE_STATUSES:
        return quote
    quote.status = QuoteStatus.DECLINED
    quote.decline_reason = reason[:300]
    quote.updated_at = utcnow()
    session.add(quote)
    add_event(session, quote, "declined", reason)
    audit.record(
        session,
        actor,
        "quote.decline",
        "quote",
        quote.id,
        {"reason": reason},
        f"Declined {quote.reference}: {reason}",
    )
    return quote


def mark_sent(session: Session, quote_id: int, now: datetime) -> tuple[Quote, datetime | None]:
    """Starts the validity period; returns the quote and when to remind (None: no room)."""
    quote = get(session, quote_id)
    settings = business.get_settings(session)
    if quote.sent_at is None:
        quote.sent_at = now
        quote.expires_at = quote.expires_at or now + timedelta(days=settings.quote_valid_days)
        if quote.status == QuoteStatus.PRICING:
            quote.status = QuoteStatus.SENT
        quote.updated_at = utcnow()
        session.add(quote)
        add_event(
            session,
            quote,
            "sent",
            f"texted to the customer; valid {settings.quote_valid_days} days",
        )
    assert quote.expires_at is not None and quote.sent_at is not None
    lead = timedelta(hours=settings.quote_reminder_lead_hours)
    return quote, reminder_time(quote.sent_at, quote.expires_at, lead)


def mark_reminded(session: Session, quote_id: int) -> Quote:
    quote = get(session, quote_id)
    if quote.reminded_at is None:
        quote.reminded_at = utcnow()
        session.add(quote)
        add_event(session, quote, "reminded", "texted a reminder before it expires")
    return quote


def expire(session: Session, quote_id: int, actor: Actor) -> Quote:
    quote = get(session, quote_id)
    if quote.status != QuoteStatus.SENT:
        return quote
    quote.status = QuoteStatus.EXPIRED
    quote.updated_at = utcnow()
    session.add(quote)
    add_event(session, quote, "expired", "no answer before the quote's end date")
    audit.record(
        session, actor, "quote.expire", "quote", quote.id, {}, f"{quote.reference} expired"
    )
    return quote


def cancel(session: Session, quote_id: int, actor: Actor) -> Quote:
    quote = get(session, quote_id)
    if quote.status not in OPEN_QUOTE_STATUSES:
        raise ConflictError(
            f"{quote.reference} is {quote.status.value}: it can no longer be cancelled"
        )
    quote.status = QuoteStatus.CANCELLED
    quote.updated_at = utcnow()
    session.add(quote)
    add_event(session, quote, "cancelled", f"by {actor.name}")
    audit.record(
        session, actor, "quote.cancel", "quote", quote.id, {}, f"Cancelled {quote.reference}"
    )
    return quote


def accept(session: Session, token: str, start: datetime | None, actor: Actor) -> Quote:
    """The customer accepts: the quote becomes a confirmed booking at the quoted price."""
    quote = get_by_token(session, token)
    if quote.status == QuoteStatus.ACCEPTED:
        return quote
    if quote.status != QuoteStatus.SENT:
        raise ConflictError(f"this quote is {quote.status.value} and can no longer be accepted")
    if quote.expires_at is not None and quote.expires_at <= utcnow():
        raise ConflictError("this quote has expired: ask us for a new one")
    start = start or quote.requested_start
    if start is None:
        raise ValidationFailed("choose the date and time of your event")
    booking = bookings.create(
        session,
        BookingCreate(
            customer_id=quote.customer_id,
            requested_start=start,
            address=quote.formatted_address or quote.address,
            adults=quote.adults,
            children=quote.children,
            package_id=quote.package_id,
            add_ons=[
                AddOnSelection(add_on_id=int(line["add_on_id"]), quantity=int(line["quantity"]))
                for line in quote.add_ons
            ],
            status=BookingStatus.CONFIRMED,
            total_cents=quote.total_cents,
            deposit_cents=quote.deposit_cents,
            notes=f"From quote {quote.reference}. {quote.notes}".strip(),
        ),
        actor,
    )
    quote.status = QuoteStatus.ACCEPTED
    quote.accepted_at = utcnow()
    quote.requested_start = start
    quote.booking_id = booking.id
    quote.updated_at = utcnow()
    session.add(quote)
    add_event(session, quote, "accepted", f"booked as {booking.reference}")
    audit.record(
        session,
        actor,
        "quote.accept",
        "quote",
        quote.id,
        {"booking_id": booking.id},
        f"{quote.reference} accepted: {booking.reference}",
    )
    return quote


def confirm_travel(session: Session, quote_id: int, miles: float | None, actor: Actor) -> Quote:
    """Staff check an estimated distance; a corrected one re-prices the quote."""
    quote = get(session, quote_id)
    if quote.status not in (*OPEN_QUOTE_STATUSES, QuoteStatus.DECLINED):
        raise ConflictError(f"{quote.reference} is {quote.status.value}: its price is final")
    if quote.distance_meters is None:
        raise ConflictError(f"{quote.reference} has not been priced yet")
    if miles is not None:
        apply_price(
            session,
            quote_id,
            TravelMeasurement(
                formatted_address=quote.formatted_address or quote.address,
                meters=round(miles * 1609.344),
                seconds=quote.duration_seconds or 0,
                source="staff",
            ),
            actor,
        )
    quote.travel_confirmed = True
    session.add(quote)
    add_event(session, quote, "travel_confirmed", f"by {actor.name}")
    audit.record(
        session,
        actor,
        "quote.confirm_travel",
        "quote",
        quote.id,
        {"miles": miles},
        f"Confirmed travel of {quote.reference}",
    )
    return quote


def search(
    session: Session,
    *,
    text: str = "",
    status: QuoteStatus | None = None,
    travel_unconfirmed: bool = False,
    page: int = 1,
    per_page: int = 25,
) -> Page[Quote]:
    """`travel_unconfirmed`: open quotes priced from an estimate nobody has checked yet."""
    query = select(Quote)
    if status is not None:
        query = query.where(Quote.status == status)
    if travel_unconfirmed:
        query = query.where(
            Quote.travel_source == "estimate",
            col(Quote.travel_confirmed).is_(False),
            col(Quote.status).in_(OPEN_QUOTE_STATUSES),
        )
    if text.strip():
        pattern = f"%{text.strip()}%"
        query = query.join(Customer, col(Customer.id) == col(Quote.customer_id)).where(
            col(Quote.reference).ilike(pattern)
            | col(Quote.address).ilike(pattern)
            | col(Customer.full_name).ilike(pattern)
            | col(Customer.phone).ilike(pattern)
        )
    query = query.order_by(col(Quote.created_at).desc(), col(Quote.id).desc())
    return paginate(session, query, page, per_page)
