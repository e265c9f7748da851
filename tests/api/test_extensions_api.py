"""Extensions over REST: managers and the owner only, exactly one primary, audited."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from domain.accounts import service as accounts
from domain.accounts.models import Role
from domain.audit.models import AuditEntry
from domain.audit.service import SYSTEM
from domain.staff.models import StaffMember, StaffRole

MANAGER = ("ana@example.com", "manager-password")
STAFF = ("jess@example.com", "staff-password")


@pytest.fixture
def people(engine: Engine, client: TestClient) -> tuple[int, int]:
    with Session(engine) as session:
        accounts.create_user(
            session,
            email=MANAGER[0],
            full_name="Ana Lopez",
            password=MANAGER[1],
            role=Role.MANAGER,
            actor=SYSTEM,
        )
        accounts.create_user(
            session,
            email=STAFF[0],
            full_name="Jessica Wu",
            password=STAFF[1],
            role=Role.STAFF,
            actor=SYSTEM,
        )
        jessica = StaffMember(full_name="Jessica Wu", role=StaffRole.PHONE, phone="+15105550103")
        marco = StaffMember(full_name="Marco Rossi", role=StaffRole.PHONE, phone="+15105550104")
        session.add_all([jessica, marco])
        session.commit()
        return jessica.id or 0, marco.id or 0


def test_who_may_see_and_change_extensions(
    app: FastAPI, client: TestClient, people: tuple[int, int]
) -> None:
    assert TestClient(app).get("/api/v1/extensions").status_code == 401
    assert client.get("/api/v1/extensions", auth=(MANAGER[0], "wrong")).status_code == 401
    forbidden = client.get("/api/v1/extensions", auth=STAFF)
    assert forbidden.status_code == 403 and "manager" in forbidden.json()["error"]["message"]
    assert client.get("/api/v1/extensions", auth=MANAGER).json() == []


def test_create_update_and_exactly_one_primary(
    client: TestClient, engine: Engine, people: tuple[int, int]
) -> None:
    jessica, marco = people
    hours = {"mon": [["09:00", "17:00"]]}
    first = client.post(
        "/api/v1/extensions",
        auth=MANAGER,
        json={"extension_number": "101", "staff_member_id": jessica, "working_hours": hours},
    )
    assert first.status_code == 201, first.text
    assert first.json()["is_primary_escalation"] is True  # the first one is the primary
    assert first.json()["staff_name"] == "Jessica Wu"
    second = client.post(
        "/api/v1/extensions",
        auth=MANAGER,
        json={"extension_number": "102", "staff_member_id": marco, "is_primary_escalation": True},
    ).json()
    listed = {
        e["extension_number"]: e for e in client.get("/api/v1/extensions", auth=MANAGER).json()
    }
    assert [listed["101"]["is_primary_escalation"], listed["102"]["is_primary_escalation"]] == [
        False,
        True,
    ]
    no_primary = client.patch(
        f"/api/v1/extensions/{second['id']}", auth=MANAGER, json={"is_primary_escalation": False}
    )
    assert no_primary.status_code == 409
    busy = client.patch(f"/api/v1/extensions/{second['id']}", auth=MANAGER, json={"status": "busy"})
    assert busy.json()["status"] == "busy"
    with Session(engine) as session:
        actions = [
            e.action for e in session.exec(select(AuditEntry)).all() if e.entity_type == "extension"
        ]
        actors = {
            e.actor_name
            for e in session.exec(select(AuditEntry)).all()
            if e.entity_type == "extension"
        }
    assert actions.count("extension.create") == 2 and "extension.update" in actions
    assert actors == {"Ana Lopez"}


def test_bad_input_says_what_is_wrong(client: TestClient, people: tuple[int, int]) -> None:
    jessica, _ = people
    bad_hours = client.post(
        "/api/v1/extensions",
        auth=MANAGER,
        json={
            "extension_number": "101",
            "staff_member_id": jessica,
            "working_hours": {"monday": [["9", "5"]]},
        },
    )
    assert bad_hours.status_code == 422 and "monday" in bad_hours.json()["error"]["message"]
    client.post(
        "/api/v1/extensions",
        auth=MANAGER,
        json={"extension_number": "101", "staff_member_id": jessica},
    )
    duplicate = client.post(
        "/api/v1/extensions",
        auth=MANAGER,
        json={"extension_number": "101", "staff_member_id": jessica},
    )
    assert duplicate.status_code == 409 and "already exists" in duplicate.text
    nobody = client.post(
        "/api/v1/extensions", auth=MANAGER, json={"extension_number": "105", "staff_member_id": 999}
    )
    assert nobody.status_code == 422
