"""A review as the provider reports it, in our terms."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class IncomingReview(BaseModel):
    google_review_id: str = Field(min_length=1, max_length=200)
    reviewer_name: str = Field(max_length=200)
    is_anonymous: bool = False
    star_rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=10000)
    created_at: datetime
    updated_at: datetime
    reply_comment: str | None = None
