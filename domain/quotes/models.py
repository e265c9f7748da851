"""Quotes: a priced offer for an event, followed up until it becomes a booking or expires."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.columns import enum_field, json_field, utc_field


class QuoteStatus(StrEnum):
    PRICING = "pricing"
    SENT = "sent"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    DECLINED = "declined"  # too far, or an address nobody could find
    CANCELLED = "cancelled"


OPEN_QUOTE_STATUSES = (QuoteStatus.PRICING, QuoteStatus.SENT)


class Quote(SQLModel, table=True):
    __tablename__ = "quote"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True, description="Q-1042")
    public_token: str = Field(max_length=64, unique=True, description="the customer's link")
    customer_id: int = Field(foreign_key="customer.id", index=True)
    status: QuoteStatus = enum_field(QuoteStatus, QuoteStatus.PRICING, index=True)
    source: str = Field(default="admin", max_length=20, description="admin, api, sms, call, web")
    requested_start: datetime | None = utc_field(nullable=True)
    address: str = Field(max_length=400, description="as the customer gave it")
    formatted_address: str | None = Field(default=None, max_length=400)
    adults: int = Field(ge=0)
    children: int = Field(default=0, ge=0)
    package_id: int | None = Field(default=None, foreign_key="package.id")
    add_ons: list[dict[str, Any]] = json_field(list)
    distance_meters: int | None = None
    duration_seconds: int | None = None
    travel_source: str | None = Field(default=None, max_length=20, description="google, estimate")
    travel_confirmed: bool = Field(default=False, description="staff checked an estimated distance")
    guests_cents: int = 0
    add_ons_cents: int = 0
    minimum_top_up_cents: int = 0
    travel_fee_cents: int = 0
    subtotal_cents: int = 0
    tax_cents: int = 0
    total_cents: int = 0
    deposit_cents: int = 0
    decline_reason: str | None = Field(default=None, max_length=300)
    notes: str = Field(default="", max_length=2000)
    expires_at: datetime | None = utc_field(nullable=True)
    sent_at: datetime | None = utc_field(nullable=True)
    reminded_at: datetime | None = utc_field(nullable=True)
    accepted_at: datetime | None = utc_field(nullable=True)
    booking_id: int | None = Field(default=None, foreign_key="booking.id")
    created_at: datetime = utc_field(default_now=True, index=True)
    updated_at: datetime = utc_field(default_now=True)


class QuoteEvent(SQLModel, table=True):
    """One line of a quote's timeline, as staff see it."""

    __tablename__ = "quote_event"

    id: int | None = Field(default=None, primary_key=True)
    quote_id: int = Field(foreign_key="quote.id", index=True)
    at: datetime = utc_field(default_now=True)
    kind: str = Field(max_length=40)
    detail: str = Field(default="", max_length=500)


class TravelCacheEntry(SQLModel, table=True):
    """Google's answer for one destination from the business's base, reused for later quotes."""

    __tablename__ = "travel_cache"
    __table_args__ = (UniqueConstraint("origin_key", "address_key", name="uq_travel_cache_key"),)

    id: int | None = Field(default=None, primary_key=True)
    origin_key: str = Field(max_length=400)
    address_key: str = Field(max_length=400)
    formatted_address: str = Field(max_length=400)
    distance_meters: int
    duration_seconds: int
    created_at: datetime = utc_field(default_now=True)
