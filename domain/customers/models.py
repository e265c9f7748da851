"""A customer is one person across phone, email and social channels."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.columns import enum_field, trigram_indexes, utc_field


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    MESSENGER = "messenger"
    INSTAGRAM = "instagram"
    VOICE = "voice"
    WEB = "web"


class Customer(SQLModel, table=True):
    __tablename__ = "customer"
    __table_args__ = tuple(trigram_indexes("customer", "full_name", "phone", "email"))

    id: int | None = Field(default=None, primary_key=True)
    full_name: str = Field(max_length=200, index=True)
    phone: str | None = Field(default=None, max_length=20, unique=True, description="E.164")
    email: str | None = Field(default=None, max_length=320, unique=True, description="lower case")
    sms_consent: bool = Field(default=False, description="may receive reminders and updates")
    sms_consent_at: datetime | None = utc_field(nullable=True)
    sms_opted_out: bool = Field(default=False, description="sent STOP; no texts but answers")
    notes: str = Field(default="", max_length=4000)
    merged_into_id: int | None = Field(default=None, foreign_key="customer.id")
    created_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)


class CustomerIdentity(SQLModel, table=True):
    """An address on a channel (a Messenger PSID, an Instagram id…) that belongs to a customer."""

    __tablename__ = "customer_identity"
    __table_args__ = (UniqueConstraint("channel", "address", name="uq_customer_identity_address"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    channel: Channel = enum_field(Channel)
    address: str = Field(max_length=320)
    display_name: str | None = Field(default=None, max_length=200)
    created_at: datetime = utc_field(default_now=True)
