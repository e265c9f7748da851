"""Plain payloads that travel through Temporal for reviews (never ORM rows)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from domain.messaging.payloads import SendSmsRequest

ReviewPlan = Literal["auto_reply", "approval", "done"]


class ReviewInput(BaseModel):
    review_id: int


class ReviewWake(BaseModel):
    """A manager approved, edited or skipped the draft."""

    reason: str


class AssessedReview(BaseModel):
    """What the assessment decided, and the texts it wants sent (staff heads-up, make-good)."""

    review_id: int
    plan: ReviewPlan
    verdict: str
    auto_reply_delay_minutes: int = 0
    texts: list[SendSmsRequest] = []


class ReplyDecision(BaseModel):
    review_id: int
    plan: ReviewPlan  # approval: still waiting; auto_reply: approved, post it; done: skipped


class ReviewOutcome(BaseModel):
    review_id: int
    verdict: str
    reply_status: str


class ReviewSyncInput(BaseModel):
    pass


class ReviewSyncReport(BaseModel):
    seen: int = 0
    new: int = 0
    edited: int = 0
    replies_removed: int = 0
    new_review_ids: list[int] = []
