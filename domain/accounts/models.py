"""People who log in to the admin panel."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from domain.columns import enum_field, utc_field


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    STAFF = "staff"


ROLE_RANK = {Role.STAFF: 0, Role.MANAGER: 1, Role.OWNER: 2}


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, description="lower case")
    full_name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    role: Role = enum_field(Role, Role.STAFF)
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = utc_field(nullable=True)
    last_login_at: datetime | None = utc_field(nullable=True)
    created_at: datetime = utc_field(default_now=True)

    def has_role(self, minimum: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[minimum]
