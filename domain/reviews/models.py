"""Google reviews of the business."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from domain.columns import enum_field, utc_field


class ReviewVerdict(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    UNCERTAIN = "uncertain"
    NOT_FOUND = "not_found"


class Review(SQLModel, table=True):
    __tablename__ = "review"

    id: int | None = Field(default=None, primary_key=True)
    google_review_id: str = Field(max_length=200, unique=True)
    reviewer_name: str = Field(max_length=200)
    star_rating: int = Field(ge=0, le=5)
    comment: str = Field(default="", max_length=10000)
    created_on_google_at: datetime = utc_field()
    updated_on_google_at: datetime = utc_field()
    verdict: ReviewVerdict = enum_field(ReviewVerdict, ReviewVerdict.PENDING)
    booking_id: int | None = Field(default=None, foreign_key="booking.id")
    reply_comment: str | None = Field(default=None, max_length=4096)
    replied_at: datetime | None = utc_field(nullable=True)
