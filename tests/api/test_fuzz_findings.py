"""What the OpenAPI fuzzing (test_openapi_fuzz.py) and the route walk found answering 500,
pinned down one by one: numbers the database cannot store, the NUL character in text, `null`
in a PATCH for a field that cannot be empty (each now a 422 that names the field), and deleting
a booking that other records point at (now a 409 that says which)."""

from __future__ import annotations

import base64
from typing import Any, Protocol

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from domain.accounts import service as accounts
from domain.accounts.models import Role
from domain.audit.service import SYSTEM
from domain.customers.schemas import CustomerCreate
from domain.quotes import service as quotes
from domain.quotes.models import Quote
from domain.quotes.schemas import QuoteCreate
from tests import factories

# Past PostgreSQL's INTEGER (ids and cents columns), and past SQLite's 64 bits.
TOO_BIG = [2**31, 2**64]

BOOKING = {
    "requested_start": "2026-12-05T18:00:00-08:00",
    "address": "2200 Pacific Ave, Stockton, CA 95204",
    "adults": 12,
}


class _Answer(Protocol):
    """What TestClient answers (httpx2's Response, not a dependency of ours)."""

    @property
    def status_code(self) -> int: ...
    @property
    def text(self) -> str: ...
    def json(self) -> Any: ...


def _refused(response: _Answer, field: str) -> None:
    assert response.status_code == 422, response.text
    message = response.json()["error"]["message"]
    assert field in message, message


def _customer(client: TestClient) -> int:
    response = client.post("/api/v1/customers", json={"full_name": "Maria Gonzalez"})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _booking(client: TestClient) -> int:
    response = client.post("/api/v1/bookings", json=BOOKING | {"customer_id": _customer(client)})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


@pytest.mark.parametrize("number", TOO_BIG)
def test_ids_and_pages_beyond_what_the_database_stores_are_refused(
    client: TestClient, number: int
) -> None:
    _refused(client.get(f"/api/v1/customers/{number}"), "customer_id")
    _refused(client.delete(f"/api/v1/bookings/{number}"), "booking_id")
    _refused(client.post(f"/api/v1/quotes/{number}/cancel"), "quote_id")
    _refused(client.get("/api/v1/bookings", params={"customer_id": number}), "customer_id")
    _refused(client.get("/api/v1/quotes", params={"page": number}), "page")
    _refused(client.post("/api/v1/bookings", json=BOOKING | {"customer_id": number}), "customer_id")


@pytest.mark.parametrize("number", TOO_BIG)
def test_amounts_beyond_what_the_database_stores_are_refused(
    client: TestClient, number: int
) -> None:
    booking_id = _booking(client)
    _refused(
        client.patch(f"/api/v1/bookings/{booking_id}", json={"total_cents": number}), "total_cents"
    )
    # The largest amount the column holds is still taken.
    kept = client.patch(f"/api/v1/bookings/{booking_id}", json={"deposit_cents": 2**31 - 1})
    assert kept.status_code == 200, kept.text


def test_ids_start_at_one(client: TestClient) -> None:
    _refused(client.get("/api/v1/customers/0"), "customer_id")
    _refused(client.get("/api/v1/bookings/-1"), "booking_id")
    assert client.get("/api/v1/customers/2147483647").status_code == 404


def test_text_with_the_nul_character_is_refused(client: TestClient) -> None:
    # PostgreSQL cannot store it; SQLite could, but both answer the same.
    _refused(client.post("/api/v1/customers", json={"full_name": "Maria\u0000"}), "full_name")
    _refused(client.get("/api/v1/customers", params={"q": "ma\x00ria"}), "q")
    _refused(client.get("/api/v1/bookings", params={"q": "\x00"}), "q")
    _refused(client.get("/api/v1/quotes", params={"q": "\x00"}), "q")
    booking_id = _booking(client)
    _refused(client.patch(f"/api/v1/bookings/{booking_id}", json={"notes": "a\u0000"}), "notes")
    assert client.get("/api/v1/customers", params={"q": "maria"}).json()["total"] == 1


def test_a_patch_may_not_set_a_required_field_to_null(client: TestClient) -> None:
    customer_id = _customer(client)
    for field in ("full_name", "sms_consent", "notes"):
        _refused(client.patch(f"/api/v1/customers/{customer_id}", json={field: None}), field)
    booking_id = _booking(client)
    for field in ("adults", "children", "address", "status", "scheduled_start", "total_cents"):
        _refused(client.patch(f"/api/v1/bookings/{booking_id}", json={field: None}), field)
    # Fields that may be empty still clear with null.
    cleared = client.patch(f"/api/v1/customers/{customer_id}", json={"phone": None})
    assert cleared.status_code == 200 and cleared.json()["phone"] is None
    unassigned = client.patch(f"/api/v1/bookings/{booking_id}", json={"chef_id": None})
    assert unassigned.status_code == 200 and unassigned.json()["chef_id"] is None


def test_an_extension_patch_may_not_null_its_number(app: FastAPI, engine: Engine) -> None:
    with Session(engine) as session:
        accounts.create_user(
            session,
            email="ana@example.com",
            full_name="Ana Lopez",
            password="manager-password",
            role=Role.MANAGER,
            actor=SYSTEM,
        )
        factories.owner_on_primary_extension(session, "+15105550199")
        session.commit()
    login = base64.b64encode(b"ana@example.com:manager-password").decode()
    manager = TestClient(app, headers={"Authorization": f"Basic {login}"})
    extension_id = manager.get("/api/v1/extensions").json()[0]["id"]
    for field in ("extension_number", "is_primary_escalation", "working_hours", "status"):
        _refused(manager.patch(f"/api/v1/extensions/{extension_id}", json={field: None}), field)
    cleared = manager.patch(
        f"/api/v1/extensions/{extension_id}", json={"ringcentral_extension_id": None}
    )
    assert cleared.status_code == 200 and cleared.json()["ringcentral_extension_id"] is None


def test_a_booking_made_from_a_quote_is_not_deleted_but_says_why(
    client: TestClient, engine: Engine
) -> None:
    booking_id = _booking(client)
    with Session(engine) as session:
        asked = QuoteCreate(
            customer=CustomerCreate(full_name="Maria Gonzalez", phone="510-555-0111"),
            address="2200 Pacific Ave, Stockton",
            adults=12,
        )
        quote = quotes.create(session, asked, SYSTEM).quote
        quote.booking_id = booking_id  # what accepting the quote does
        session.add(quote)
        quote_id = quote.id
        session.commit()

    refused = client.delete(f"/api/v1/bookings/{booking_id}")
    assert refused.status_code == 409, refused.text
    message = refused.json()["error"]["message"]
    assert "the quote it was booked from" in message and "cancel or archive" in message
    assert client.get(f"/api/v1/bookings/{booking_id}").status_code == 200
    with Session(engine) as session:
        kept = session.get(Quote, quote_id)
        assert kept is not None and kept.booking_id == booking_id
