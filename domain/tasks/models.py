"""Work for staff that a workflow or a person created (call back, check a review…)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from domain.columns import enum_field, utc_field


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DISMISSED = "dismissed"


class Task(SQLModel, table=True):
    __tablename__ = "task"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40, description="callback, review_followup, payment_review…")
    title: str = Field(max_length=200)
    details: str = Field(default="", max_length=4000)
    status: TaskStatus = enum_field(TaskStatus, TaskStatus.OPEN, index=True)
    assigned_staff_id: int | None = Field(default=None, foreign_key="staff_member.id")
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    booking_id: int | None = Field(default=None, foreign_key="booking.id")
    source_key: str | None = Field(
        default=None, max_length=200, unique=True, description="so a retried workflow adds one"
    )
    due_at: datetime | None = utc_field(nullable=True)
    created_at: datetime = utc_field(default_now=True, index=True)
    completed_at: datetime | None = utc_field(nullable=True)
