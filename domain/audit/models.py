"""Every change made by a person or a workflow."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from domain.columns import json_field, utc_field


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_field(default_now=True, index=True)
    actor: str = Field(max_length=120, index=True, description="user:<id>, workflow:<id>, system")
    actor_name: str = Field(default="", max_length=200)
    action: str = Field(max_length=60, description="booking.create, customer.update…")
    entity_type: str = Field(max_length=40, index=True)
    entity_id: str = Field(max_length=60, index=True)
    # {"field": [old, new]} for updates, the new values for creates
    changes: dict[str, Any] = json_field()
    summary: str = Field(default="", max_length=500)
