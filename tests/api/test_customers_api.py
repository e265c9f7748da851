from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from domain.audit.models import AuditEntry


def test_create_get_update_and_search(client: TestClient) -> None:
    created = client.post(
        "/api/v1/customers",
        json={"full_name": "Priya Sharma", "phone": "408 555 0119", "email": "Priya@Example.com"},
    )
    assert created.status_code == 201, created.text
    customer = created.json()
    assert customer["phone"] == "+14085550119" and customer["email"] == "priya@example.com"

    fetched = client.get(f"/api/v1/customers/{customer['id']}")
    assert fetched.json()["full_name"] == "Priya Sharma"

    updated = client.patch(f"/api/v1/customers/{customer['id']}", json={"sms_consent": True})
    assert updated.json()["sms_consent"] is True

    found = client.get("/api/v1/customers", params={"q": "sharma"}).json()
    assert found["total"] == 1 and found["items"][0]["id"] == customer["id"]


def test_malformed_input_says_what_is_wrong(client: TestClient) -> None:
    response = client.post("/api/v1/customers", json={"full_name": "X", "phone": "call me"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "phone" in error["message"] and "not a phone number" in error["message"]

    unknown = client.post("/api/v1/customers", json={"full_name": "X", "shoe_size": 9})
    assert unknown.status_code == 422 and "shoe_size" in unknown.json()["error"]["message"]


def test_duplicates_and_missing_customers_get_clear_errors(client: TestClient) -> None:
    body = {"full_name": "David Chen", "phone": "510-555-0114"}
    assert client.post("/api/v1/customers", json=body).status_code == 201
    duplicate = client.post("/api/v1/customers", json=body | {"full_name": "D. Chen"})
    assert duplicate.status_code == 409
    assert "already has this phone" in duplicate.json()["error"]["message"]
    missing = client.get("/api/v1/customers/9999")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_pagination_is_bounded(client: TestClient) -> None:
    for index in range(3):
        client.post("/api/v1/customers", json={"full_name": f"Guest {index}"})
    page = client.get("/api/v1/customers", params={"per_page": 2, "page": 2}).json()
    assert page["total"] == 3 and page["pages"] == 2 and len(page["items"]) == 1
    assert client.get("/api/v1/customers", params={"per_page": 1000}).status_code == 422


@pytest.mark.parametrize(
    "path", ["/api/v1/customers", "/api/v1/bookings", "/api/v1/quotes", "/api/v1/customers/1"]
)
def test_the_api_needs_a_panel_login(app: FastAPI, path: str) -> None:
    anonymous = TestClient(app)
    refused = anonymous.get(path)
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Basic"
    assert "HTTP Basic" in refused.json()["error"]["message"]
    assert anonymous.get(path, auth=("desk@example.com", "wrong")).status_code == 401
    assert anonymous.post("/api/v1/customers", json={"full_name": "Mallory"}).status_code == 401


def test_changes_are_audited_under_the_person(client: TestClient, engine: Engine) -> None:
    created = client.post("/api/v1/customers", json={"full_name": "Rosa Diaz"})
    assert created.status_code == 201
    with Session(engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "customer.create")).one()
    assert entry.actor_name == "Desk Staff" and entry.actor.startswith("user:")
