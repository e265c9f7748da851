"""The demo's Google profile: connect the sandbox Business Profile (the same OAuth consent a
manager gives in the panel) and put a few reviews on it from the demo's recent customers and
one stranger, so the first sync shows a reply posted and drafts waiting for approval."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlmodel import Session, col, select

from core import secrets_at_rest
from core.db import make_engine, session_scope
from core.settings import Settings
from domain.audit.service import SYSTEM
from domain.bookings.models import Booking, BookingStatus
from domain.customers.models import Customer
from domain.reviews import connection, outbox
from integrations.factory import google_oauth, google_reviews


def connect_the_sandbox_profile(settings: Settings) -> bool:
    """Once per data folder, and only against the emulator. True when it connected."""
    if not settings.uses_google_business_sandbox:
        return False
    engine = make_engine(settings.effective_database_url)
    try:
        with Session(engine) as session:
            if connection.active(session) is not None:
                return False
            reviewers = _recent_customers(session)
        refresh_token = _consent(settings)
        [location] = google_reviews(settings, refresh_token).locations()[:1]
        base = f"{settings.sandbox_google_business_url}/sandbox/google-business"
        now = datetime.now(UTC)
        with httpx.Client(timeout=10) as sandbox:
            for review in _demo_reviews(reviewers, now):
                sandbox.post(f"{base}/reviews", json=review).raise_for_status()
        with session_scope(engine) as session:
            google = connection.connect(
                session,
                refresh_token_encrypted=secrets_at_rest.encrypt(settings, refresh_token),
                actor=SYSTEM,
            )
            connection.choose_location(
                session, google, location.account, location.location, location.title, SYSTEM
            )
            outbox.sync_requested(session, "demo-first-sync")
        return True
    finally:
        engine.dispose()


def _consent(settings: Settings) -> str:
    """The owner's "Allow" on the emulator's consent page, and the code exchanged."""
    oauth = google_oauth(settings)
    redirect_uri = f"{settings.public_base_url}/admin/reviews/google/callback"
    url = oauth.authorization_url(redirect_uri, secrets.token_urlsafe(16))
    answer = httpx.get(f"{url}&auto=1", timeout=10)
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    tokens = oauth.exchange_code(code, redirect_uri)
    if tokens.refresh_token is None:
        raise RuntimeError("the sandbox consent gave no refresh token")
    return tokens.refresh_token


def _recent_customers(session: Session) -> list[tuple[str, datetime]]:
    rows = session.exec(
        select(Customer.full_name, Booking.scheduled_start)
        .join(Customer, col(Customer.id) == Booking.customer_id)
        .where(
            col(Booking.status).in_([BookingStatus.CONFIRMED, BookingStatus.COMPLETED]),
            col(Booking.scheduled_start) <= datetime.now(UTC),
        )
        .order_by(col(Booking.scheduled_start).desc())
        .limit(2)
    ).all()
    return [(name, start) for name, start in rows]


def _demo_reviews(customers: list[tuple[str, datetime]], now: datetime) -> list[dict[str, object]]:
    reviews: list[dict[str, object]] = []
    texts = [
        (5, "The chef was amazing with the kids and the fried rice was the best we've had!"),
        (2, "Food was good but the chef arrived 40 minutes late and nobody called us."),
    ]
    for (name, start), (stars, comment) in zip(customers, texts, strict=False):
        first, _, last = name.partition(" ")
        shown = f"{first} {last[:1]}." if stars == 5 and last else name
        written = min(now, start + timedelta(days=1))
        reviews.append(
            {
                "stars": stars,
                "comment": comment,
                "reviewer_name": shown,
                "create_time": written.isoformat(),
            }
        )
    reviews.append(
        {
            "stars": 1,
            "comment": "Worst hibachi ever.",
            "reviewer_name": "Zed Quartermaine",
            "create_time": (now - timedelta(hours=5)).isoformat(),
        }
    )
    return reviews
