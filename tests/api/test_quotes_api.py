"""Quotes over REST and the customer's public quote page."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.timeutil import utcnow
from domain.audit.service import SYSTEM
from domain.bookings.models import Booking
from domain.inbox.models import WebhookEvent
from domain.quotes import service as quotes
from domain.quotes.models import Quote, QuoteStatus
from domain.quotes.service import TravelMeasurement

NEW_CUSTOMER = {"full_name": "Sofia Ramirez", "phone": "(925) 555-0113"}


def _create(client: TestClient, **overrides: object) -> dict[str, object]:
    body = {
        "customer": NEW_CUSTOMER,
        "address": "2200 Pacific Ave, Stockton, CA 95204",
        "adults": 25,
        "children": 2,
        "requested_start": "2026-12-12T17:00:00-08:00",
    } | overrides
    response = client.post("/api/v1/quotes", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _price_and_send(engine: Engine, quote_id: int, miles: float = 64.6) -> Quote:
    """What the quote's workflow does (its own tests run it on Temporal)."""
    with Session(engine, expire_on_commit=False) as session:
        quotes.apply_price(
            session,
            quote_id,
            TravelMeasurement("Stockton, CA 95204, USA", round(miles * 1609.344), 4200, "google"),
            SYSTEM,
        )
        quote, _ = quotes.mark_sent(session, quote_id, utcnow())
        session.commit()
        return quote


def test_create_stores_the_quote_and_queues_its_workflow(
    client: TestClient, engine: Engine
) -> None:
    quote = _create(client)
    assert quote["status"] == "pricing" and quote["reference"] == f"Q-{1000 + quote['id']}"
    assert "/q/" in str(quote["public_url"])
    assert [event["kind"] for event in quote["timeline"]] == ["created"]  # type: ignore[index]
    with Session(engine) as session:
        [event] = session.exec(select(WebhookEvent)).all()
        assert event.provider == "teppan" and event.event_type == "quote.created"
        assert event.status == "pending"  # Temporal is down in these tests: it waits


def test_a_returning_customer_is_found_by_phone(client: TestClient) -> None:
    first = _create(client)
    second = _create(client, customer={"full_name": "Sofia R.", "phone": "925.555.0113"})
    assert first["customer_id"] == second["customer_id"]


def test_bad_requests_say_what_is_wrong(client: TestClient) -> None:
    missing = client.post("/api/v1/quotes", json={"address": "Stockton 95204", "adults": 5})
    assert missing.status_code == 422 and "customer_id or customer" in missing.text
    no_phone = client.post(
        "/api/v1/quotes",
        json={"customer": {"full_name": "Ann"}, "address": "Stockton 95204", "adults": 5},
    )
    assert no_phone.status_code == 422 and "phone" in no_phone.json()["error"]["message"]
    nobody = client.post(
        "/api/v1/quotes",
        json={"customer": NEW_CUSTOMER, "address": "Stockton 95204", "adults": 0},
    )
    assert nobody.status_code == 422 and "at least one guest" in nobody.text
    assert client.get("/api/v1/quotes/999").status_code == 404


def test_list_filter_and_detail(client: TestClient, engine: Engine) -> None:
    first = _create(client)
    _create(client, address="1500 Old Oakland Rd, San Jose, CA 95112")
    _price_and_send(engine, int(first["id"]))  # type: ignore[arg-type]
    sent = client.get("/api/v1/quotes", params={"status": "sent"}).json()
    assert sent["total"] == 1 and sent["items"][0]["id"] == first["id"]
    found = client.get("/api/v1/quotes", params={"q": "san jose"}).json()
    assert found["total"] == 1
    detail = client.get(f"/api/v1/quotes/{first['id']}").json()
    assert detail["distance_miles"] == 64.6 and detail["duration_minutes"] == 70
    assert detail["travel_fee_cents"] == 6920  # 34.6 miles beyond the free 30, at $2
    assert detail["total_cents"] == 25 * 6000 + 2 * 3000 + 6920
    assert [e["kind"] for e in detail["timeline"]] == ["created", "priced", "sent"]


def test_staff_confirm_an_estimated_distance(client: TestClient, engine: Engine) -> None:
    quote_id = int(_create(client)["id"])  # type: ignore[arg-type]
    with Session(engine) as session:
        quotes.apply_price(
            session,
            quote_id,
            TravelMeasurement("Stockton, CA 95204", 96_000, 5400, "estimate"),
            SYSTEM,
        )
        session.commit()
    assert client.get(f"/api/v1/quotes/{quote_id}").json()["travel_confirmed"] is False
    confirmed = client.post(
        f"/api/v1/quotes/{quote_id}/confirm-travel", json={"distance_miles": 70}
    ).json()
    assert confirmed["travel_confirmed"] is True and confirmed["travel_fee_cents"] == 8000


def test_cancel(client: TestClient) -> None:
    quote_id = _create(client)["id"]
    cancelled = client.post(f"/api/v1/quotes/{quote_id}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    again = client.post(f"/api/v1/quotes/{quote_id}/cancel")
    assert again.status_code == 409 and "cancelled" in again.json()["error"]["message"]


def test_the_customer_sees_the_breakdown_and_accepts(client: TestClient, engine: Engine) -> None:
    quote = _price_and_send(engine, int(_create(client)["id"]))  # type: ignore[arg-type]
    page = client.get(f"/q/{quote.public_token}")
    assert page.status_code == 200
    assert "$1,629.20" in page.text and "64.6 miles" in page.text  # total, travel
    assert "Accept this quote" in page.text and "Saturday December 12" in page.text

    accepted = client.post(
        f"/q/{quote.public_token}/accept",
        data={"event_date": "2026-12-12", "event_time": "17:30"},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    assert "You're booked" in client.get(f"/q/{quote.public_token}").text
    with Session(engine) as session:
        stored = session.get(Quote, quote.id)
        assert stored is not None and stored.status == QuoteStatus.ACCEPTED
        booking = session.get(Booking, stored.booking_id)
        assert booking is not None and booking.total_cents == stored.total_cents == 162920
        assert booking.scheduled_start.isoformat() == "2026-12-13T01:30:00+00:00"
    # A second click changes nothing.
    client.post(f"/q/{quote.public_token}/accept", data={"event_date": "2026-12-12"})
    with Session(engine) as session:
        assert len(session.exec(select(Booking)).all()) == 1


def test_an_expired_or_unknown_quote_cannot_be_accepted(client: TestClient, engine: Engine) -> None:
    quote = _price_and_send(engine, int(_create(client)["id"]))  # type: ignore[arg-type]
    with Session(engine) as session:
        stored = session.get(Quote, quote.id)
        assert stored is not None
        stored.expires_at = utcnow() - timedelta(minutes=1)
        session.add(stored)
        session.commit()
    late = client.post(
        f"/q/{quote.public_token}/accept", data={"event_date": "2026-12-12", "event_time": "17:00"}
    )
    assert late.status_code == 409 and "expired" in late.text
    assert client.get("/q/not-a-real-token").status_code == 404
