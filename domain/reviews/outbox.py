"""Announcing reviews to their workflows through the inbox, in the caller's transaction."""

from __future__ import annotations

from sqlmodel import Session

from domain.inbox import service as inbox
from domain.reviews.models import Review

REVIEW_RECEIVED = "review.received"
REVIEW_WAKE = "review.wake"
REVIEW_SYNC_REQUESTED = "review.sync_requested"


def _payload(review: Review) -> dict[str, object]:
    return {"review_id": review.id, "google_review_id": review.google_review_id}


def received(session: Session, review: Review) -> int:
    event = inbox.enqueue_internal(
        session,
        kind=REVIEW_RECEIVED,
        event_key=f"review-received-{review.id}",
        payload=_payload(review),
    )
    return event.id or 0


def wake(session: Session, review: Review, reason: str) -> int:
    event = inbox.enqueue_internal(
        session,
        kind=REVIEW_WAKE,
        event_key=f"review-{reason}-{review.id}",
        payload={**_payload(review), "reason": reason},
    )
    return event.id or 0


def sync_requested(session: Session, request_key: str) -> int:
    event = inbox.enqueue_internal(
        session, kind=REVIEW_SYNC_REQUESTED, event_key=f"review-sync-{request_key}", payload={}
    )
    return event.id or 0
