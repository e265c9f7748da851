"""What the API and the panel accept and show for bookings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from core.timeutil import as_utc
from domain.bookings.models import BookingStatus
from domain.storable import Cents, RowId, Text, not_null

# Stored and answered in UTC whatever offset the caller wrote, so a response never depends on
# whether the row was just written or read back.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(as_utc)]


class AddOnSelection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    add_on_id: RowId
    quantity: int = Field(ge=1, le=500)


class BookingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: RowId
    requested_start: UtcDatetime = Field(description="what the customer asked for, with offset")
    scheduled_start: UtcDatetime | None = Field(
        default=None, description="the slot given; defaults to the requested time"
    )
    address: Text = Field(min_length=5, max_length=400)
    adults: int = Field(ge=0, le=500)
    children: int = Field(default=0, ge=0, le=500)
    package_id: RowId | None = None
    add_ons: list[AddOnSelection] = Field(default_factory=list)
    chef_id: RowId | None = None
    status: BookingStatus = BookingStatus.CONFIRMED
    total_cents: Cents | None = Field(default=None, description="overrides the price rule")
    deposit_cents: Cents | None = None
    notes: Text = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _has_guests(self) -> BookingCreate:
        if self.adults + self.children == 0:
            raise ValueError("a booking needs at least one guest")
        if self.status in (BookingStatus.CANCELLED, BookingStatus.ARCHIVED):
            raise ValueError("create a booking as inquiry or confirmed")
        return self


class BookingUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheduled_start: UtcDatetime | None = None
    address: Text | None = Field(default=None, min_length=5, max_length=400)
    adults: int | None = Field(default=None, ge=0, le=500)
    children: int | None = Field(default=None, ge=0, le=500)
    chef_id: RowId | None = None
    status: BookingStatus | None = None
    total_cents: Cents | None = None
    deposit_cents: Cents | None = None
    notes: Text | None = Field(default=None, max_length=4000)

    # chef_id alone may be null: that takes the chef off the booking.
    _not_null = field_validator(
        "scheduled_start",
        "address",
        "adults",
        "children",
        "status",
        "total_cents",
        "deposit_cents",
        "notes",
    )(not_null)


class BookingPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str
    customer_id: int
    status: BookingStatus
    requested_start: datetime
    scheduled_start: datetime
    scheduled_end: datetime
    address: str
    adults: int
    children: int
    package_id: int | None
    add_ons: list[dict[str, Any]]
    total_cents: int
    deposit_cents: int
    paid_cents: int = 0
    balance_cents: int = 0
    chef_id: int | None
    notes: str
    created_at: datetime
    updated_at: datetime
