"""The business itself: one row of settings, its packages and add-ons."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from domain.columns import utc_field


class BusinessSettings(SQLModel, table=True):
    """A single row (id 1): who the business is and how it prices."""

    __tablename__ = "business_settings"

    id: int = Field(default=1, primary_key=True)
    name: str = Field(max_length=200)
    timezone: str = Field(default="America/Los_Angeles", max_length=64)
    base_address: str = Field(max_length=400)
    phone_number: str = Field(max_length=20, description="E.164 number customers call and text")
    email: str | None = Field(default=None, max_length=320)
    price_per_adult_cents: int = Field(default=6000, ge=0)
    price_per_child_cents: int = Field(default=3000, ge=0)
    minimum_spend_cents: int = Field(default=60000, ge=0)
    deposit_percent: int = Field(default=20, ge=0, le=100)
    tax_rate_basis_points: int = Field(default=0, ge=0, le=10000)
    travel_free_radius_miles: int = Field(default=30, ge=0)
    travel_fee_per_mile_cents: int = Field(default=200, ge=0)
    travel_max_distance_miles: int = Field(default=100, ge=0)
    event_duration_minutes: int = Field(default=150, ge=30)
    quote_valid_days: int = Field(default=7, ge=1, le=90)
    quote_reminder_lead_hours: int = Field(default=24, ge=1, le=24 * 30)
    # Texting. The emergency switch stops every outbound text at once.
    texting_paused: bool = False
    event_reminder_days_before: int = Field(default=1, ge=0, le=14)
    event_reminder_local_time: str = Field(default="10:00", max_length=5, description="HH:MM")
    arrival_lead_minutes: int = Field(default=45, ge=0, le=240, description="chef arrives early")
    balance_reminder_hours_after: int = Field(default=24, ge=1, le=24 * 30)
    review_request_hours_after: int = Field(default=3, ge=0, le=24 * 14)
    review_link: str = Field(default="", max_length=400)
    lead_follow_up_hours: int = Field(default=48, ge=1, le=24 * 30)
    sms_per_number_per_hour: int = Field(default=6, ge=1, le=100)
    sms_per_business_per_minute: int = Field(default=60, ge=1, le=6000)


class Package(SQLModel, table=True):
    __tablename__ = "package"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    description: str = Field(default="", max_length=2000)
    price_per_adult_cents: int = Field(ge=0)
    price_per_child_cents: int = Field(ge=0)
    active: bool = True
    created_at: datetime = utc_field(default_now=True)


class AddOn(SQLModel, table=True):
    __tablename__ = "add_on"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    price_cents: int = Field(ge=0)
    per_person: bool = Field(default=True, description="priced per guest rather than once")
    active: bool = True


class FaqEntry(SQLModel, table=True):
    """A question the assistant may answer on the phone, in the business's own words."""

    __tablename__ = "faq_entry"

    id: int | None = Field(default=None, primary_key=True)
    question: str = Field(max_length=300)
    answer: str = Field(max_length=1000)
    keywords: str = Field(default="", max_length=300, description="comma-separated")
    active: bool = True
