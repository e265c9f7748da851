from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from domain.payments.models import LedgerEntry, LedgerEntryKind


def _customer(client: TestClient) -> int:
    response = client.post("/api/v1/customers", json={"full_name": "Maria Gonzalez"})
    return int(response.json()["id"])


def _booking(client: TestClient, **overrides: object) -> dict[str, object]:
    body = {
        "customer_id": _customer(client),
        "requested_start": "2026-12-05T18:00:00-08:00",
        "address": "2200 Pacific Ave, Stockton, CA 95204",
        "adults": 25,
        "children": 2,
    } | overrides
    response = client.post("/api/v1/bookings", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_create_prices_in_cents_and_stores_utc(client: TestClient) -> None:
    booking = _booking(client)
    assert booking["total_cents"] == 25 * 6000 + 2 * 3000
    assert booking["deposit_cents"] == 31200
    assert booking["balance_cents"] == booking["total_cents"]
    assert booking["scheduled_start"].startswith("2026-12-06T02:00:00")
    assert str(booking["reference"]).startswith("TP-")


def test_naive_times_are_refused(client: TestClient) -> None:
    response = client.post(
        "/api/v1/bookings",
        json={
            "customer_id": _customer(client),
            "requested_start": "2026-12-05T18:00:00",
            "address": "2200 Pacific Ave, Stockton, CA 95204",
            "adults": 10,
        },
    )
    assert response.status_code == 422
    assert "requested_start" in response.json()["error"]["message"]


def test_search_filter_and_delete_rules(client: TestClient, engine: Engine) -> None:
    kept = _booking(client)
    other = _booking(client, address="980 Sylvan Ave, Modesto, CA 95350")
    found = client.get("/api/v1/bookings", params={"q": "modesto"}).json()
    assert [b["id"] for b in found["items"]] == [other["id"]]

    with Session(engine) as session:
        session.add(
            LedgerEntry(
                booking_id=int(str(kept["id"])),
                kind=LedgerEntryKind.PAYMENT,
                amount_cents=10000,
                description="Deposit",
                created_by="test",
            )
        )
        session.commit()
    refused = client.delete(f"/api/v1/bookings/{kept['id']}")
    assert refused.status_code == 409 and "cancel or archive" in refused.json()["error"]["message"]
    assert client.get(f"/api/v1/bookings/{kept['id']}").json()["balance_cents"] == (
        int(str(kept["total_cents"])) - 10000
    )
    assert client.delete(f"/api/v1/bookings/{other['id']}").status_code == 204

    cancelled = client.patch(f"/api/v1/bookings/{kept['id']}", json={"status": "cancelled"})
    assert cancelled.json()["status"] == "cancelled"
    listed = client.get("/api/v1/bookings", params={"status": "cancelled"}).json()
    assert listed["total"] == 1
