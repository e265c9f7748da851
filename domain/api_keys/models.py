"""A machine client's API key. Only the SHA-256 of the key is kept: the key itself is shown
once, when it is made, and cannot be recovered (make a new one instead)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from domain.columns import json_field, utc_field


class Scope(StrEnum):
    """What a key may do: read or write one /api/v1 resource (write includes read)."""

    READ_CUSTOMERS = "read:customers"
    WRITE_CUSTOMERS = "write:customers"
    READ_BOOKINGS = "read:bookings"
    WRITE_BOOKINGS = "write:bookings"
    READ_QUOTES = "read:quotes"
    WRITE_QUOTES = "write:quotes"
    READ_EXTENSIONS = "read:extensions"
    WRITE_EXTENSIONS = "write:extensions"


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, description="who uses it, e.g. 'Zapier bookings sync'")
    prefix: str = Field(
        max_length=40, unique=True, description="the key's public start, e.g. tpk_live_1a2b3c4d"
    )
    secret_hash: str = Field(max_length=64, description="hex SHA-256 of the whole key")
    scopes: list[str] = json_field(list)
    created_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_by: str = Field(max_length=200, description="who made it, as the audit log names them")
    created_at: datetime = utc_field(default_now=True)
    expires_at: datetime | None = utc_field(nullable=True)
    last_used_at: datetime | None = utc_field(nullable=True)
    revoked_at: datetime | None = utc_field(nullable=True)
    revoked_by: str | None = Field(default=None, max_length=200)
