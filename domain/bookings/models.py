"""Bookings: an event at a customer's address, with a chef and a price."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from domain.columns import enum_field, json_field, trigram_indexes, utc_field


class BookingStatus(StrEnum):
    INQUIRY = "inquiry"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ARCHIVED = "archived"


#: Statuses in which a booking holds its chef's time slot.
SLOT_HOLDING_STATUSES = (BookingStatus.INQUIRY, BookingStatus.CONFIRMED)


class Booking(SQLModel, table=True):
    __tablename__ = "booking"
    __table_args__ = (
        # The service checks overlaps; this index is the last line of defence against two
        # concurrent writers giving one chef the same start time.
        Index(
            "uq_booking_chef_slot",
            "chef_id",
            "scheduled_start",
            unique=True,
            sqlite_where=text("status IN ('inquiry', 'confirmed') AND chef_id IS NOT NULL"),
            postgresql_where=text("status IN ('inquiry', 'confirmed') AND chef_id IS NOT NULL"),
        ),
        # The dashboard's day and week: open bookings in a time range. Without statistics
        # (SQLite never gathers them unasked) the planner otherwise reads every open booking
        # through the status index.
        Index("ix_booking_status_start", "status", "scheduled_start"),
        # Lists are in start order with the id as tie-break: with the id in the index, a deep
        # page skips index entries alone (core.pagination).
        Index("ix_booking_start_id", "scheduled_start", "id"),
        *trigram_indexes("booking", "reference", "address"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True, description="what customers quote, TP-1042")
    customer_id: int = Field(foreign_key="customer.id", index=True)
    status: BookingStatus = enum_field(BookingStatus, BookingStatus.CONFIRMED, index=True)
    requested_start: datetime = utc_field(description="what the customer asked for")
    scheduled_start: datetime = utc_field()
    scheduled_end: datetime = utc_field()
    address: str = Field(max_length=400)
    adults: int = Field(ge=0)
    children: int = Field(default=0, ge=0)
    package_id: int | None = Field(default=None, foreign_key="package.id")
    # [{"name": "Lobster", "unit_price_cents": 1500, "quantity": 10}]
    add_ons: list[dict[str, Any]] = json_field(list)
    total_cents: int = Field(ge=0)
    deposit_cents: int = Field(ge=0)
    chef_id: int | None = Field(default=None, foreign_key="staff_member.id", index=True)
    notes: str = Field(default="", max_length=4000)
    created_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)
    cancelled_at: datetime | None = utc_field(nullable=True)
