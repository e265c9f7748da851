"""API keys on /api/v1: scopes decide, revoked and unknown keys are refused, changes are
audited under the key, and only the key's hash is stored."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from core.timeutil import utcnow
from domain.api_keys import service as api_keys
from domain.api_keys.models import ApiKey
from domain.api_keys.rules import required_scope
from domain.audit.models import AuditEntry
from domain.audit.service import SYSTEM, Actor

BOOKING = {
    "requested_start": "2026-12-05T18:00:00-08:00",
    "address": "2200 Pacific Ave, Stockton, CA 95204",
    "adults": 12,
}


def _make_key(engine: Engine, name: str, *scopes: str) -> tuple[int, str]:
    with Session(engine) as session:
        made = api_keys.create(session, name=name, scopes=scopes, actor=SYSTEM)
        session.commit()
        return made.api_key.id or 0, made.key


def _with_key(app: FastAPI, key: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {key}"})


def _customer(client: TestClient) -> int:
    response = client.post("/api/v1/customers", json={"full_name": "Maria Gonzalez"})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_a_read_scope_lists_but_may_not_create(
    app: FastAPI, client: TestClient, engine: Engine
) -> None:
    customer_id = _customer(client)  # a panel login (HTTP Basic) still works
    assert client.post("/api/v1/bookings", json=BOOKING | {"customer_id": customer_id}).is_success
    _, key = _make_key(engine, "Calendar sync", "read:bookings")
    reader = _with_key(app, key)

    listed = reader.get("/api/v1/bookings")
    assert listed.status_code == 200 and listed.json()["total"] == 1

    refused = reader.post("/api/v1/bookings", json=BOOKING | {"customer_id": customer_id})
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "this API key lacks the write:bookings scope"
    other = reader.get(f"/api/v1/customers/{customer_id}")
    assert other.status_code == 403 and "read:customers" in other.json()["error"]["message"]
    assert reader.get("/api/v1/extensions").status_code == 403


def test_a_write_scope_creates_and_the_audit_names_the_key(app: FastAPI, engine: Engine) -> None:
    key_id, key = _make_key(engine, "Zapier", "write:customers", "write:bookings")
    writer = _with_key(app, key)
    customer_id = _customer(writer)
    created = writer.post("/api/v1/bookings", json=BOOKING | {"customer_id": customer_id})
    assert created.status_code == 201, created.text
    assert writer.get(f"/api/v1/bookings/{created.json()['id']}").status_code == 200  # write ⊇ read

    with Session(engine) as session:
        entries = session.exec(
            select(AuditEntry).where(
                col(AuditEntry.action).in_(["customer.create", "booking.create"])
            )
        ).all()
        row = session.get(ApiKey, key_id)
    assert len(entries) == 2
    assert {(entry.actor, entry.actor_name) for entry in entries} == {
        (f"api_key:{key_id}", "API key Zapier")
    }
    assert row is not None and row.last_used_at is not None
    assert utcnow() - row.last_used_at < timedelta(minutes=1)


def test_last_used_is_written_at_most_once_a_minute(app: FastAPI, engine: Engine) -> None:
    key_id, key = _make_key(engine, "Dashboard", "read:customers")
    reader = _with_key(app, key)
    assert reader.get("/api/v1/customers").status_code == 200
    with Session(engine) as session:
        first = session.get(ApiKey, key_id)
        assert first is not None and first.last_used_at is not None
        used_at = first.last_used_at
    assert reader.get("/api/v1/customers").status_code == 200
    with Session(engine) as session:
        again = session.get(ApiKey, key_id)
        assert again is not None and again.last_used_at == used_at


def test_revoked_unknown_expired_and_malformed_keys_get_401(app: FastAPI, engine: Engine) -> None:
    revoked_id, revoked = _make_key(engine, "Old sync", "read:bookings")
    expired_id, expired = _make_key(engine, "Trial", "read:bookings")
    _, live = _make_key(engine, "Live", "read:bookings")
    with Session(engine) as session:
        api_keys.revoke(session, revoked_id, Actor.user(1, "Owner"))
        trial = session.get(ApiKey, expired_id)
        assert trial is not None
        trial.expires_at = utcnow() - timedelta(seconds=1)
        session.add(trial)
        session.commit()
    unknown = live[:-4] + ("AAAA" if not live.endswith("AAAA") else "BBBB")
    cases = {
        revoked: "this API key was revoked: ask a manager for a new one",
        expired: "this API key expired on",
        unknown: "unknown API key",
        "tpk_live_nonsense": "not a Teppan API key",
    }
    for key, message in cases.items():
        response = _with_key(app, key).get("/api/v1/bookings")
        assert response.status_code == 401, key
        assert response.json()["error"]["message"].startswith(message)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert _with_key(app, live).get("/api/v1/bookings").status_code == 200


def test_only_the_hash_of_the_key_is_stored(engine: Engine) -> None:
    key_id, key = _make_key(engine, "Accounting export", "read:bookings", "read:customers")
    secret = key.rsplit("_", 1)[1]
    with engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM api_key WHERE id = :id"), {"id": key_id}).one()
        audit_rows = connection.execute(text("SELECT * FROM audit_entry")).all()
    stored = [str(value) for value in row] + [str(value) for entry in audit_rows for value in entry]
    assert not [value for value in stored if secret in value or key in value]
    assert row._mapping["secret_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(row._mapping["prefix"] + "_")


def test_every_api_route_has_a_scope_and_openapi_offers_both_schemes(app: FastAPI) -> None:
    schema = app.openapi()
    assert {"HTTPBasic", "HTTPBearer"} <= set(schema["components"]["securitySchemes"])
    operations = [
        (method, path, operation)
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in methods.items()
    ]
    assert len(operations) >= 15
    for method, path, operation in operations:
        assert required_scope(method, path) is not None, (method, path)
        assert operation["security"] == [{"HTTPBasic": []}, {"HTTPBearer": []}], (method, path)
