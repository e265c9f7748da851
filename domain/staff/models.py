"""Staff (chefs, phone staff) and the RingCentral extensions calls are escalated to."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from domain.columns import enum_field, json_field, utc_field


class StaffRole(StrEnum):
    CHEF = "chef"
    PHONE = "phone"
    MANAGER = "manager"
    OWNER = "owner"


class ExtensionStatus(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    OFFLINE = "offline"


class StaffMember(SQLModel, table=True):
    __tablename__ = "staff_member"

    id: int | None = Field(default=None, primary_key=True)
    full_name: str = Field(max_length=200)
    role: StaffRole = enum_field(StaffRole)
    phone: str | None = Field(default=None, max_length=20, description="E.164, for heads-up texts")
    email: str | None = Field(default=None, max_length=320)
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    active: bool = True
    created_at: datetime = utc_field(default_now=True)


class Extension(SQLModel, table=True):
    __tablename__ = "extension"

    id: int | None = Field(default=None, primary_key=True)
    extension_number: str = Field(max_length=10, unique=True)
    staff_member_id: int = Field(foreign_key="staff_member.id", index=True)
    ringcentral_extension_id: str | None = Field(default=None, max_length=40)
    status: ExtensionStatus = enum_field(ExtensionStatus, ExtensionStatus.AVAILABLE)
    # {"mon": [["09:00", "17:00"]], ...} in the business's time zone
    working_hours: dict[str, list[list[str]]] = json_field()
    is_primary_escalation: bool = False
    updated_at: datetime = utc_field(default_now=True)


class RotationCursor(SQLModel, table=True):
    """Where a rotation stands (the last extension it chose), so it survives restarts.

    `version` makes advancing it a compare-and-set: two calls arriving together cannot both
    take the same next extension, on SQLite or PostgreSQL alike.
    """

    __tablename__ = "rotation_cursor"

    name: str = Field(primary_key=True, max_length=40)
    last_extension_id: int | None = Field(default=None, foreign_key="extension.id")
    version: int = 0
    updated_at: datetime = utc_field(default_now=True)
