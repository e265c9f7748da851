"""The owner's wording of the booking texts: listed, edited with a preview, refused when a
placeholder is unknown, reset; managers and the owner only. And the texting settings."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from domain.audit.models import AuditEntry
from domain.business.models import BusinessSettings
from domain.messaging import templates
from domain.messaging.models import MessageTemplate, TemplateKind
from tests.admin_ui.conftest import csrf_of, form_token

PAGE = "/admin/message-templates"
CONFIRMATION = f"{PAGE}/booking_confirmation"
MINE = "Hey {first_name}! {business_name} has you down for {event_date} at {event_time}."


def _stored(engine: Engine) -> list[MessageTemplate]:
    with Session(engine) as session:
        return list(session.exec(select(MessageTemplate)).all())


def _audit(engine: Engine, action: str) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_managers_see_every_text_as_a_customer_reads_it(manager: TestClient) -> None:
    page = manager.get(PAGE)
    assert page.status_code == 200, page.text
    for kind in TemplateKind:
        assert f'id="template-{kind.value}"' in page.text
        assert f'href="{PAGE}/{kind.value}"' in page.text
    # Filled with sample values and the business's own name: no placeholder shows.
    assert "Hi Jennifer! You&#39;re booked with Fremont Hibachi Co." in page.text
    assert "{first_name}" not in page.text
    assert "our wording" in page.text
    assert f'href="{PAGE}"' in page.text  # in the menu


def test_staff_may_neither_see_nor_change_the_texts(staff: TestClient, engine: Engine) -> None:
    assert staff.get(PAGE).status_code == 403
    assert staff.get(CONFIRMATION).status_code == 403
    refused = staff.post(
        CONFIRMATION, data={"body": MINE, "csrf_token": csrf_of(staff.get("/admin/").text)}
    )
    assert refused.status_code == 403
    assert f'href="{PAGE}"' not in staff.get("/admin/").text
    assert _stored(engine) == []


def test_the_edit_page_shows_the_wording_its_preview_and_the_placeholders(
    manager: TestClient,
) -> None:
    page = manager.get(f"{PAGE}/event_reminder")
    assert page.status_code == 200
    assert "{arrival_time}" in page.text  # the wording, in the textarea
    assert "your chef arrives around 5:15 PM" in page.text  # the preview
    assert "<code>{pay_link}</code>" in page.text
    assert "/static/message_templates.js" in page.text


def test_a_manager_rewords_a_text_and_it_is_stored_audited_and_used(
    manager: TestClient, engine: Engine
) -> None:
    response = manager.post(
        CONFIRMATION,
        data={"body": f"  {MINE}\r\n", "csrf_token": form_token(manager, CONFIRMATION)},
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == PAGE
    [stored] = _stored(engine)
    assert (stored.kind, stored.body, stored.active) == (
        TemplateKind.BOOKING_CONFIRMATION,
        MINE,
        True,
    )
    assert stored.updated_by == "Ana Lopez"  # the demo manager
    [entry] = _audit(engine, "message_template.update")
    assert entry.actor.startswith("user:") and entry.entity_id == "booking_confirmation"
    assert entry.changes["body"] == [templates.DEFAULTS[TemplateKind.BOOKING_CONFIRMATION], MINE]

    listed = manager.get(PAGE).text
    assert "Booking confirmation text saved." in listed
    assert "Hey Jennifer! Fremont Hibachi Co. has you down for Sat, Dec 5 at 6:00 PM." in listed
    with Session(engine) as session:
        context = templates.sample_context(TemplateKind.BOOKING_CONFIRMATION)
        sent = templates.render(session, TemplateKind.BOOKING_CONFIRMATION, context)
    assert sent.startswith("Hey Jennifer!")

    again = manager.post(
        CONFIRMATION, data={"body": MINE, "csrf_token": form_token(manager, CONFIRMATION)}
    )
    assert again.status_code == 303
    assert "Nothing changed." in manager.get(PAGE).text
    assert len(_audit(engine, "message_template.update")) == 1


def test_an_unknown_placeholder_is_refused_with_the_ones_that_work(
    manager: TestClient, engine: Engine
) -> None:
    typo = "Hi {frist_name}, see you {event_date}!"
    response = manager.post(
        CONFIRMATION, data={"body": typo, "csrf_token": form_token(manager, CONFIRMATION)}
    )
    assert response.status_code == 400
    assert re.search(
        r'id="body-error">Unknown placeholder \{frist_name\}\. Use only', response.text
    )
    assert "Nothing was saved" in response.text
    assert f">{typo}</textarea>" in response.text  # what was typed stays
    assert _stored(engine) == []


def test_a_lead_follow_up_refuses_booking_placeholders(manager: TestClient, engine: Engine) -> None:
    path = f"{PAGE}/lead_follow_up"
    response = manager.post(
        path,
        data={"body": "Still on for {event_date}?", "csrf_token": form_token(manager, path)},
    )
    assert response.status_code == 400
    assert "Unknown placeholder {event_date}" in response.text
    assert _stored(engine) == []


def test_a_forged_form_changes_nothing(manager: TestClient, engine: Engine) -> None:
    response = manager.post(CONFIRMATION, data={"body": MINE, "csrf_token": "forged"})
    assert response.status_code == 403
    assert _stored(engine) == []


def test_the_live_preview_answers_json_for_good_and_bad_wording(manager: TestClient) -> None:
    token = form_token(manager, CONFIRMATION)
    json = {"Accept": "application/json"}
    good = manager.post(
        f"{CONFIRMATION}/preview", data={"body": MINE, "csrf_token": token}, headers=json
    )
    assert good.status_code == 200
    assert good.json() == {
        "ok": True,
        "text": "Hey Jennifer! Fremont Hibachi Co. has you down for Sat, Dec 5 at 6:00 PM.",
        "characters": 73,
        "segments": 1,
        "unicode": False,
    }
    bad = manager.post(
        f"{CONFIRMATION}/preview",
        data={"body": "Hi {first_name", "csrf_token": token},
        headers=json,
    )
    assert bad.json()["ok"] is False and "not closed" in bad.json()["error"]
    forged = manager.post(f"{CONFIRMATION}/preview", data={"body": MINE}, headers=json)
    assert forged.status_code == 403


def test_the_preview_button_works_without_javascript_and_saves_nothing(
    manager: TestClient, engine: Engine
) -> None:
    response = manager.post(
        f"{CONFIRMATION}/preview",
        data={"body": MINE, "csrf_token": form_token(manager, CONFIRMATION)},
    )
    assert response.status_code == 200
    assert "Hey Jennifer! Fremont Hibachi Co. has you down for" in response.text
    assert f">{MINE}</textarea>" in response.text
    assert _stored(engine) == []


def test_going_back_to_our_wording(manager: TestClient, engine: Engine) -> None:
    manager.post(CONFIRMATION, data={"body": MINE, "csrf_token": form_token(manager, CONFIRMATION)})
    assert "Use our wording" in manager.get(CONFIRMATION).text

    response = manager.post(
        f"{CONFIRMATION}/reset", data={"csrf_token": form_token(manager, CONFIRMATION)}
    )
    assert response.status_code == 303
    assert "back to our wording" in manager.get(PAGE).text
    [stored] = _stored(engine)
    assert stored.active is False and stored.body == MINE  # kept, no longer used
    assert len(_audit(engine, "message_template.reset")) == 1
    with Session(engine) as session:
        assert (
            templates.current_body(session, TemplateKind.BOOKING_CONFIRMATION)
            == (templates.DEFAULTS[TemplateKind.BOOKING_CONFIRMATION])
        )
    assert "Use our wording" not in manager.get(CONFIRMATION).text


def test_an_unknown_kind_is_not_found(manager: TestClient) -> None:
    assert manager.get(f"{PAGE}/birthday_card").status_code == 404


# --- the texting settings (Settings page, owner only) -------------------------------------

_INPUT = re.compile(r'<input id="(\w+)" name="\1" type="[^"]*" value="([^"]*)"')


def _settings_form(owner: TestClient) -> dict[str, str]:
    page = owner.get("/admin/settings")
    assert page.status_code == 200, page.text
    return dict(_INPUT.findall(page.text)) | {"csrf_token": csrf_of(page.text)}


def test_the_owner_sets_when_the_texts_go(owner: TestClient, engine: Engine) -> None:
    form = _settings_form(owner)
    assert form["event_reminder_days_before"] == "1"
    assert form["event_reminder_local_time"] == "10:00"
    assert form["review_link"] == ""
    response = owner.post(
        "/admin/settings",
        data=form
        | {
            "event_reminder_days_before": "2",
            "event_reminder_local_time": "9:30",
            "arrival_lead_minutes": "60",
            "review_request_hours_after": "2",
            "balance_reminder_hours_after": "48",
            "review_link": "https://g.page/r/fremont-hibachi/review",
        },
    )
    assert response.status_code == 303, response.text
    with Session(engine) as session:
        row = session.get(BusinessSettings, 1)
        assert row is not None
        assert (row.event_reminder_days_before, row.event_reminder_local_time) == (2, "09:30")
        assert (row.arrival_lead_minutes, row.review_request_hours_after) == (60, 2)
        assert row.balance_reminder_hours_after == 48
        assert row.review_link == "https://g.page/r/fremont-hibachi/review"


def test_bad_texting_settings_are_refused_next_to_their_field(
    owner: TestClient, engine: Engine
) -> None:
    form = _settings_form(owner) | {
        "event_reminder_days_before": "30",
        "event_reminder_local_time": "25:00",
        "balance_reminder_hours_after": "0",
        "review_link": "g.page/review",
    }
    response = owner.post("/admin/settings", data=form)
    assert response.status_code == 400
    for name, message in {
        "event_reminder_days_before": "from 0 to 14",
        "event_reminder_local_time": "like 10:00",
        "balance_reminder_hours_after": "from 1 to 720",
        "review_link": "starting with https://",
    }.items():
        assert re.search(rf'id="{name}-error">[^<]*{message}', response.text), name
    with Session(engine) as session:
        row = session.get(BusinessSettings, 1)
        assert row is not None and row.event_reminder_local_time == "10:00"
