"""`teppan reviews verify`: the review-verification contract, one JSON object per line.

Reads Google reviews and the business's bookings from CSV files, verifies each review with the
pure engine (domain/reviews/verification.py) and prints its verdict. No database, no network.

REVIEWS.csv: review_id, reviewer_name, star_rating (1-5, or Google's ONE..FIVE), comment,
create_time (ISO 8601; without an offset it is UTC).
BOOKINGS.csv: the payments contract's (`cli.payments.read_bookings`): booking_id,
customer_name, phone, email, event_date, booked_on, total_cents, deposit_cents, paid_cents.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cli.payments import ContractFileError, read_bookings, read_rows
from domain.reviews.verification import (
    ReviewFacts,
    ReviewVerifier,
    Verification,
    VerificationSettings,
)

REVIEW_COLUMNS = ("review_id", "reviewer_name", "star_rating", "comment", "create_time")
_GOOGLE_STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}


def _stars(raw: str) -> int:
    stars = _GOOGLE_STARS.get(raw.upper()) or int(raw)
    if not 1 <= stars <= 5:
        raise ValueError(raw)
    return stars


def _time(raw: str) -> datetime:
    # Google writes nanoseconds ("2025-03-14T18:22:05.123456789Z"): Python reads six digits.
    head, dot, tail = raw.partition(".")
    if dot:
        digits = len(tail) - len(tail.lstrip("0123456789"))
        tail = tail[: min(digits, 6)] + tail[digits:]
        raw = f"{head}.{tail}" if digits else head + tail
    created = datetime.fromisoformat(raw)
    return created if created.tzinfo is not None else created.replace(tzinfo=UTC)


def read_reviews(path: Path) -> list[ReviewFacts]:
    reviews: list[ReviewFacts] = []
    seen: set[str] = set()
    for line, row in read_rows(path, REVIEW_COLUMNS):
        review_id = row["review_id"]
        if not review_id:
            raise ContractFileError(path, line, "review_id is empty")
        if review_id in seen:
            raise ContractFileError(path, line, f"review_id {review_id!r} appears twice")
        seen.add(review_id)
        try:
            stars = _stars(row["star_rating"])
        except ValueError as error:
            raise ContractFileError(
                path, line, f"star_rating {row['star_rating']!r} is not 1-5"
            ) from error
        try:
            created = _time(row["create_time"])
        except ValueError as error:
            raise ContractFileError(
                path, line, f"create_time {row['create_time']!r} is not ISO 8601"
            ) from error
        reviews.append(
            ReviewFacts(review_id, row["reviewer_name"], stars, row.get("comment", ""), created)
        )
    return reviews


def contract_line(result: Verification) -> dict[str, Any]:
    return {
        "review_id": result.review_id,
        "verdict": result.verdict,
        "booking_id": result.booking_id,
        "confidence": round(result.confidence, 4),
        "candidates": [candidate.booking_id for candidate in result.candidates],
    }


def verify_files(
    reviews_csv: Path, bookings_csv: Path, settings: VerificationSettings | None = None
) -> Iterator[dict[str, Any]]:
    """Reads both files first (a bad file fails before any output), then one line per review."""
    reviews = read_reviews(reviews_csv)
    bookings = read_bookings(bookings_csv)
    verifier = ReviewVerifier(bookings, settings)
    for review in reviews:
        yield contract_line(verifier.verify(review))
