from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from admin_ui.routes.settings import FieldProblem, parse_dollars, parse_percent_to_basis_points
from domain.audit.models import AuditEntry
from domain.business.models import BusinessSettings
from tests.admin_ui.conftest import OWNER, STAFF, csrf_of, login

_INPUT = re.compile(r'<input id="(\w+)" name="\1" type="[^"]*" value="([^"]*)"')


def _settings(engine: Engine) -> BusinessSettings:
    with Session(engine) as session:
        row = session.get(BusinessSettings, 1)
        assert row is not None
        return row


def _form(client: TestClient) -> dict[str, str]:
    page = client.get("/admin/settings")
    assert page.status_code == 200, page.text
    return dict(_INPUT.findall(page.text)) | {"csrf_token": csrf_of(page.text)}


@pytest.fixture
def owner(app: FastAPI) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    login(client, OWNER)
    return client


def test_owner_sees_settings_in_dollars_and_the_catalogue(owner: TestClient) -> None:
    page = owner.get("/admin/settings")
    assert page.status_code == 200
    form = _form(owner)
    assert form["price_per_adult"] == "60.00"
    assert form["minimum_spend"] == "600.00"
    assert form["tax_rate"] == "0.00"
    assert form["timezone"] == "America/Los_Angeles"
    assert form["phone_number"] == "+15105550100"
    assert "Classic Hibachi" in page.text and "$80.00" in page.text  # Premium per adult
    assert "Sake service" in page.text and "$40.00" in page.text
    assert "Read-only for now" in page.text
    assert 'href="/admin/settings"' in page.text  # in the owner's menu


def test_owner_edits_prices_in_dollars_stored_in_cents_and_audited(
    owner: TestClient, engine: Engine
) -> None:
    form = _form(owner) | {
        "price_per_adult": "65.50",
        "minimum_spend": "$1,200",
        "tax_rate": "9.25",
        "travel_fee_per_mile": "2.5",
        "phone_number": "(510) 555-0199",
        "timezone": "America/New_York",
        "quote_valid_days": "10",
    }
    response = owner.post("/admin/settings", data=form)
    assert response.status_code == 303, response.text
    row = _settings(engine)
    assert row.price_per_adult_cents == 6550
    assert row.price_per_child_cents == 3000
    assert row.minimum_spend_cents == 120_000
    assert row.tax_rate_basis_points == 925
    assert row.travel_fee_per_mile_cents == 250
    assert row.phone_number == "+15105550199"
    assert row.timezone == "America/New_York"
    assert row.quote_valid_days == 10
    with Session(engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "business.update")).one()
    assert entry.actor_name == "Kenji Tanaka" and entry.actor.startswith("user:")
    assert entry.entity_type == "business" and entry.entity_id == "1"
    assert entry.changes["price_per_adult_cents"] == [6000, 6550]
    assert entry.changes["tax_rate_basis_points"] == [0, 925]
    assert "price_per_child_cents" not in entry.changes
    assert "price per adult" in entry.summary

    page = owner.get(response.headers["location"])
    assert "Settings saved." in page.text
    assert 'value="65.50"' in page.text and 'value="9.25"' in page.text
    log = owner.get("/admin/audit", params={"entity": "business"})
    assert "business.update" in log.text

    unchanged = owner.post("/admin/settings", data=_form(owner))
    assert unchanged.status_code == 303
    assert "Nothing changed." in owner.get("/admin/settings").text
    with Session(engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "business.update"))
        assert len(entries.all()) == 1


def test_bad_settings_show_field_errors_and_change_nothing(
    owner: TestClient, engine: Engine
) -> None:
    form = _form(owner) | {
        "price_per_adult": "12.345",
        "price_per_child": "-5",
        "minimum_spend": "lots",
        "tax_rate": "120",
        "timezone": "Mars/Olympus_Mons",
        "phone_number": "123",
        "email": "nope",
        "quote_valid_days": "0",
        "travel_free_radius_miles": "50",
        "travel_max_distance_miles": "40",
        "name": "",
    }
    response = owner.post("/admin/settings", data=form)
    assert response.status_code == 400
    text = response.text
    assert "Nothing was saved" in text
    for name, message in {
        "price_per_adult": "At most two decimals",
        "price_per_child": "cannot be negative",
        "minimum_spend": "like 60.00",
        "tax_rate": "from 0 to 100",
        "timezone": "Not a time zone",
        "phone_number": "phone number",
        "email": "not an email",
        "quote_valid_days": "from 1 to 90",
        "travel_max_distance_miles": "less than the free radius",
        "name": "cannot be empty",
    }.items():
        assert re.search(rf'id="{name}-error">[^<]*{message}', text), name
    assert 'value="12.345"' in text  # what was typed stays in the form
    row = _settings(engine)
    assert row.price_per_adult_cents == 6000 and row.timezone == "America/Los_Angeles"
    with Session(engine) as session:
        assert (
            session.exec(select(AuditEntry).where(AuditEntry.action == "business.update")).first()
            is None
        )


def test_only_the_owner_may_see_or_change_settings(
    app_manager: TestClient, client: TestClient, owner: TestClient, engine: Engine
) -> None:
    form = _form(owner) | {"price_per_adult": "1.00"}
    assert app_manager.get("/admin/settings").status_code == 403
    refused = app_manager.post("/admin/settings", data=form)
    assert refused.status_code == 403
    assert "Only the owner may do this." in refused.text
    assert 'href="/admin/settings"' not in app_manager.get("/admin/").text
    login(client, STAFF)
    assert client.post("/admin/settings", data=form).status_code == 403
    assert _settings(engine).price_per_adult_cents == 6000


@pytest.mark.parametrize(
    ("raw", "cents"), [("60", 6000), ("60.00", 6000), ("0.5", 50), ("$1,234.56", 123_456)]
)
def test_dollars_to_cents(raw: str, cents: int) -> None:
    assert parse_dollars(raw) == cents


@pytest.mark.parametrize("raw", ["", "1.001", "-1", "NaN", "Infinity", "1e9", "abc"])
def test_bad_dollars(raw: str) -> None:
    with pytest.raises(FieldProblem):
        parse_dollars(raw)


def test_percent_to_basis_points() -> None:
    assert parse_percent_to_basis_points("9.25") == 925
    assert parse_percent_to_basis_points("8.5%") == 850
    with pytest.raises(FieldProblem):
        parse_percent_to_basis_points("9.255")
