"""The API keys page: managers make a key (shown once) and revoke it; staff may not."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from domain.api_keys.models import ApiKey
from domain.audit.models import AuditEntry
from tests.admin_ui.conftest import STAFF, form_token, login

_KEY = re.compile(r"tpk_live_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def _keys(engine: Engine) -> list[ApiKey]:
    with Session(engine) as session:
        return list(session.exec(select(ApiKey).order_by(col(ApiKey.id))).all())


def test_a_manager_makes_a_key_sees_it_once_and_revokes_it(
    app: FastAPI, manager: TestClient, engine: Engine
) -> None:
    listing = manager.get("/admin/api-keys")
    assert listing.status_code == 200
    assert "No API keys yet" in listing.text
    assert 'href="/admin/api-keys"' in listing.text  # in the menu

    token = form_token(manager, "/admin/api-keys/new")
    refused = manager.post(
        "/admin/api-keys/new", data={"csrf_token": token, "name": "Website form"}
    )
    assert refused.status_code == 400 and "at least one scope" in refused.text
    assert _keys(engine) == []

    made = manager.post(
        "/admin/api-keys/new",
        data={
            "csrf_token": token,
            "name": "Website form",
            "scopes": ["read:customers", "write:bookings"],
            "expires_in_days": "90",
        },
    )
    assert made.status_code == 200, made.text
    assert made.headers["Cache-Control"] == "no-store"
    shown = _KEY.findall(made.text)
    assert len(set(shown)) == 1
    key = shown[0]
    [row] = _keys(engine)
    assert row.scopes == ["read:customers", "write:bookings"] and row.expires_at is not None
    assert row.created_by == "Ana Lopez" and row.created_by_user_id is not None

    listing = manager.get("/admin/api-keys")
    assert row.prefix in listing.text and "read:customers, write:bookings" in listing.text
    assert key not in listing.text and not _KEY.search(listing.text)

    # The key works on the API until it is revoked.
    api = TestClient(app, headers={"Authorization": f"Bearer {key}"})
    assert api.get("/api/v1/customers").status_code == 200

    revoked = manager.post(f"/admin/api-keys/{row.id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303
    after = manager.get("/admin/api-keys").text
    assert "Revoked API key Website form" in after and "status-revoked" in after
    assert api.get("/api/v1/customers").status_code == 401

    with Session(engine) as session:
        actions = session.exec(
            select(AuditEntry.action, AuditEntry.actor_name).where(
                AuditEntry.entity_type == "api_key"
            )
        ).all()
    assert sorted(action for action, _ in actions) == ["api_key.create", "api_key.revoke"]
    assert {name for _, name in actions} == {row.created_by}


def test_staff_may_not_see_make_or_revoke_keys(
    app: FastAPI, manager: TestClient, engine: Engine
) -> None:
    token = form_token(manager, "/admin/api-keys/new")
    manager.post(
        "/admin/api-keys/new",
        data={"csrf_token": token, "name": "Sync", "scopes": "read:bookings"},
    )
    [row] = _keys(engine)

    staff = TestClient(app, follow_redirects=False)
    login(staff, STAFF)
    assert 'href="/admin/api-keys"' not in staff.get("/admin/calls").text
    assert staff.get("/admin/api-keys").status_code == 403
    assert staff.get("/admin/api-keys/new").status_code == 403
    staff_token = form_token(staff, "/admin/calls")
    made = staff.post(
        "/admin/api-keys/new",
        data={"csrf_token": staff_token, "name": "Mine", "scopes": "write:bookings"},
    )
    assert made.status_code == 403
    revoked = staff.post(f"/admin/api-keys/{row.id}/revoke", data={"csrf_token": staff_token})
    assert revoked.status_code == 403
    assert [key.revoked_at for key in _keys(engine)] == [None]
