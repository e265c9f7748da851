"""Google reviews of the business, what Teppan made of them, and the Google connection."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from domain.columns import enum_field, json_field, utc_field


class ReviewVerdict(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    UNCERTAIN = "uncertain"
    NOT_FOUND = "not_found"


class ReplyStatus(StrEnum):
    NONE = "none"  # not looked at yet
    AWAITING_APPROVAL = "awaiting_approval"  # a draft waits for a manager
    APPROVED = "approved"  # a manager approved (or edited) it: the workflow posts it
    SCHEDULED = "scheduled"  # an automatic reply waits out its delay
    POSTED = "posted"
    SKIPPED = "skipped"  # a manager chose not to answer
    REMOVED_ON_GOOGLE = "removed_on_google"  # someone deleted our reply in Google


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
    # What the review workflow made of it.
    reviewer_anonymous: bool = False
    sentiment: str | None = Field(default=None, max_length=20)
    sentiment_score: float | None = None
    topics: list[str] = json_field(list)
    verification_confidence: float | None = None
    # [{"booking_id", "reference", "customer", "event_date", "score", "reasons": [...]}]
    candidates: list[dict[str, Any]] = json_field(list)
    verification_reasons: list[str] = json_field(list)
    reply_status: ReplyStatus = enum_field(ReplyStatus, ReplyStatus.NONE, index=True)
    draft_reply: str | None = Field(default=None, sa_type=Text)
    flagged_for_investigation: bool = False
    edited_on_google: bool = False  # the reviewer changed it after we assessed it
    decided_by: str | None = Field(default=None, max_length=120)
    decided_at: datetime | None = utc_field(nullable=True)
    assessed_at: datetime | None = utc_field(nullable=True)
    first_seen_at: datetime = utc_field(default_now=True)


class GoogleConnection(SQLModel, table=True):
    """The business's Google Business Profile: its refresh token is encrypted at rest."""

    __tablename__ = "google_connection"

    id: int | None = Field(default=None, primary_key=True)
    refresh_token_encrypted: str = Field(max_length=2000)
    account: str = Field(default="", max_length=120, description="accounts/123")
    location: str = Field(default="", max_length=120, description="locations/456")
    location_title: str = Field(default="", max_length=200)
    active: bool = True
    connected_by: str = Field(max_length=120)
    connected_at: datetime = utc_field(default_now=True)
    last_synced_at: datetime | None = utc_field(nullable=True)
    last_sync_new: int = 0
    last_error: str | None = Field(default=None, max_length=1000)
