from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from admin_ui.routes.extensions import hours_summary
from domain.audit.models import AuditEntry
from domain.calls.models import Call, Escalation
from domain.staff.models import Extension, ExtensionStatus, StaffMember
from tests.admin_ui.conftest import OWNER, STAFF, csrf_of, form_token, login

WEEK_SUMMARY = "Mon\u2013Fri 09:00\u201318:00, Sat\u2013Sun 10:00\u201321:00"


def _staff_id(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        member = session.exec(select(StaffMember).where(StaffMember.full_name == name)).one()
        assert member.id is not None
        return member.id


def _extension(engine: Engine, number: str) -> Extension | None:
    with Session(engine) as session:
        return session.exec(select(Extension).where(Extension.extension_number == number)).first()


def _form(token: str, **values: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "extension_number": "",
        "staff_member_id": "",
        "ringcentral_extension_id": "",
        "status": "available",
    } | values


def test_hours_summary() -> None:
    week = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    weekend = {"sat": [["10:00", "21:00"]], "sun": [["10:00", "21:00"]]}
    assert hours_summary(week | weekend) == WEEK_SUMMARY
    assert hours_summary({}) == "Around the clock"
    split = {"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "wed": [["09:00", "12:00"]]}
    assert hours_summary(split) == "Mon 09:00\u201312:00 and 13:00\u201317:00, Wed 09:00\u201312:00"
    assert hours_summary({"tue": [["09:00", "17:00"]]}) == "Tue 09:00\u201317:00"


def test_staff_get_403(client: TestClient, engine: Engine) -> None:
    login(client, STAFF)
    assert 'href="/admin/extensions"' not in client.get("/admin/calls").text
    assert client.get("/admin/extensions").status_code == 403
    assert client.get("/admin/extensions/new").status_code == 403
    token = form_token(client, "/admin/calls")
    refused = client.post("/admin/extensions/new", data=_form(token, extension_number="105"))
    assert refused.status_code == 403
    ext = _extension(engine, "103")
    assert ext is not None
    deleted = client.post(f"/admin/extensions/{ext.id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 403
    assert _extension(engine, "103") is not None


def test_manager_creates_and_edits_an_extension(app_manager: TestClient, engine: Engine) -> None:
    client = app_manager
    listing = client.get("/admin/extensions")
    assert listing.status_code == 200
    assert WEEK_SUMMARY in listing.text
    assert re.search(r">102</a> <span class=\"badge primary\">primary</span>", listing.text)
    assert "Ana Lopez" in listing.text and "offline" in listing.text

    hiro = _staff_id(engine, "Chef Hiro Sato")
    token = form_token(client, "/admin/extensions/new")
    bad = client.post(
        "/admin/extensions/new",
        data=_form(
            token,
            extension_number="105",
            staff_member_id=str(hiro),
            mon_start_1="18:00",
            mon_end_1="09:00",
            tue_start_1="09:00",
        ),
    )
    assert bad.status_code == 400
    assert 'id="hours_mon-error">18:00 is not before 09:00' in bad.text
    assert 'id="hours_tue-error">Give both a start and an end time.' in bad.text
    assert 'value="18:00"' in bad.text  # what was typed stays
    overlapping = client.post(
        "/admin/extensions/new",
        data=_form(
            token,
            extension_number="105",
            staff_member_id=str(hiro),
            wed_start_1="09:00",
            wed_end_1="13:00",
            wed_start_2="12:00",
            wed_end_2="17:00",
        ),
    )
    assert 'id="hours_wed-error">The second interval' in overlapping.text
    bad_number = client.post(
        "/admin/extensions/new", data=_form(token, extension_number="1x", staff_member_id="")
    )
    assert 'id="extension_number-error">Two to six digits' in bad_number.text
    assert 'id="staff_member_id-error">Choose who answers' in bad_number.text
    taken = client.post(
        "/admin/extensions/new",
        data=_form(token, extension_number="101", staff_member_id=str(hiro)),
    )
    assert taken.status_code == 400 and "extension 101 already exists" in taken.text
    assert _extension(engine, "105") is None

    created = client.post(
        "/admin/extensions/new",
        data=_form(
            token,
            extension_number="105",
            staff_member_id=str(hiro),
            ringcentral_extension_id="62000105",
            status="busy",
            mon_start_1="9:00",
            mon_end_1="12:00",
            mon_start_2="13:00",
            mon_end_2="17:00",
            sat_start_1="10:00",
            sat_end_1="21:00",
        ),
    )
    assert created.status_code == 303, created.text
    extension = _extension(engine, "105")
    assert extension is not None
    assert extension.working_hours == {
        "mon": [["09:00", "12:00"], ["13:00", "17:00"]],
        "sat": [["10:00", "21:00"]],
    }
    assert extension.status == ExtensionStatus.BUSY
    assert extension.ringcentral_extension_id == "62000105"
    assert not extension.is_primary_escalation
    after = client.get("/admin/extensions")
    assert "Added extension 105." in after.text
    assert "Mon 09:00\u201312:00 and 13:00\u201317:00, Sat 10:00\u201321:00" in after.text

    edit_path = f"/admin/extensions/{extension.id}/edit"
    form = client.get(edit_path)
    assert 'name="mon_start_2" type="time" value="13:00"' in form.text
    token = csrf_of(form.text)
    saved = client.post(
        edit_path,
        data=_form(
            token,
            extension_number="105",
            staff_member_id=str(hiro),
            status="available",
            is_primary_escalation="on",
            sun_start_1="11:00",
            sun_end_1="15:00",
        ),
    )
    assert saved.status_code == 303, saved.text
    extension = _extension(engine, "105")
    assert extension is not None
    assert extension.is_primary_escalation and extension.working_hours == {
        "sun": [["11:00", "15:00"]]
    }
    old_primary = _extension(engine, "102")
    assert old_primary is not None and not old_primary.is_primary_escalation

    # The primary cannot simply stop being it: another must take over.
    refused = client.post(
        edit_path, data=_form(token, extension_number="105", staff_member_id=str(hiro))
    )
    assert refused.status_code == 400
    assert "make another extension the primary one instead" in refused.text

    with Session(engine) as session:
        entries = session.exec(
            select(AuditEntry).where(
                AuditEntry.entity_type == "extension", AuditEntry.entity_id == str(extension.id)
            )
        ).all()
    assert sorted(entry.action for entry in entries) == ["extension.create", "extension.update"]
    assert all(entry.actor_name == "Ana Lopez" for entry in entries)


def test_the_primary_cannot_be_removed(app: FastAPI, engine: Engine) -> None:
    client = TestClient(app, follow_redirects=False)
    login(client, OWNER)
    primary = _extension(engine, "102")
    other = _extension(engine, "104")
    busy = _extension(engine, "103")
    assert primary is not None and other is not None and busy is not None
    token = form_token(client, "/admin/extensions")

    refused = client.post(f"/admin/extensions/{primary.id}/delete", data={"csrf_token": token})
    assert refused.status_code == 303
    page = client.get("/admin/extensions")
    assert (
        "Not removed: make another extension the primary one before removing this one" in page.text
    )
    assert _extension(engine, "102") is not None

    removed = client.post(f"/admin/extensions/{other.id}/delete", data={"csrf_token": token})
    assert removed.status_code == 303
    assert "Removed extension 104." in client.get("/admin/extensions").text
    assert _extension(engine, "104") is None

    # An extension calls were handed to keeps their history: it can only go offline.
    with Session(engine) as session:
        call = Call(telephony_session_id="s-1", from_number="+15105550199", to_number="+1")
        session.add(call)
        session.flush()
        session.add(Escalation(call_id=call.id or 0, extension_id=busy.id, reason="asked"))
        session.commit()
    kept = client.post(f"/admin/extensions/{busy.id}/delete", data={"csrf_token": token})
    assert kept.status_code == 303
    assert "set it offline instead" in client.get("/admin/extensions").text
    assert _extension(engine, "103") is not None

    with Session(engine) as session:
        actions = session.exec(
            select(AuditEntry.action).where(AuditEntry.entity_type == "extension")
        ).all()
    assert actions == ["extension.delete"]
