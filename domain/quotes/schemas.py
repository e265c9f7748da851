"""What the API and the panel accept and show for quotes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.bookings.schemas import AddOnSelection, UtcDatetime
from domain.customers.schemas import CustomerCreate
from domain.quotes.models import QuoteStatus
from domain.storable import RowId, Text


class QuoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: RowId | None = Field(default=None, description="an existing customer, or…")
    customer: CustomerCreate | None = Field(
        default=None, description="…a new or returning one, found by phone or email"
    )
    address: Text = Field(min_length=5, max_length=400, description="where the event is")
    adults: int = Field(ge=0, le=500)
    children: int = Field(default=0, ge=0, le=500)
    requested_start: UtcDatetime | None = Field(default=None, description="with offset")
    package_id: RowId | None = None
    add_ons: list[AddOnSelection] = Field(default_factory=list)
    notes: Text = Field(default="", max_length=2000)
    source: str = Field(default="api", pattern="^(admin|api|sms|call|web|messenger)$")

    @model_validator(mode="after")
    def _who_and_how_many(self) -> QuoteCreate:
        if (self.customer_id is None) == (self.customer is None):
            raise ValueError("give either customer_id or customer")
        if self.customer is not None and not self.customer.phone:
            raise ValueError("customer.phone: the quote is sent by text, so a phone is needed")
        if self.adults + self.children == 0:
            raise ValueError("a quote needs at least one guest")
        return self


class QuoteEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    kind: str
    detail: str


class QuotePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str
    customer_id: int
    status: QuoteStatus
    source: str
    requested_start: datetime | None
    address: str
    formatted_address: str | None
    adults: int
    children: int
    package_id: int | None
    add_ons: list[dict[str, Any]]
    distance_miles: float | None = None
    duration_minutes: int | None = None
    travel_source: str | None
    travel_confirmed: bool
    guests_cents: int
    add_ons_cents: int
    minimum_top_up_cents: int
    travel_fee_cents: int
    subtotal_cents: int
    tax_cents: int
    total_cents: int
    deposit_cents: int
    decline_reason: str | None
    expires_at: datetime | None
    sent_at: datetime | None
    accepted_at: datetime | None
    booking_id: int | None
    public_url: str = ""
    created_at: datetime
    timeline: list[QuoteEventPublic] = Field(default_factory=list)


class TravelConfirmation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    distance_miles: float | None = Field(
        default=None, ge=0, le=1000, description="the corrected driving distance, if it differs"
    )
