from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from admin_ui.routes.settings import FieldProblem, parse_dollars, parse_percent_to_basis_points
from core.errors import ConflictError, ValidationFailed
from domain.audit.models import AuditEntry
from domain.audit.service import SYSTEM
from domain.business import service as business
from domain.business.models import AddOn, BusinessSettings, Package
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
    assert 'value="Classic Hibachi"' in page.text
    assert 'value="80.00"' in page.text  # Premium per adult, in an editable field
    assert 'value="Sake service"' in page.text and 'value="40.00"' in page.text
    assert 'action="/admin/settings/packages"' in page.text  # the catalogue is editable
    assert 'action="/admin/settings/add-ons"' in page.text
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


# --- packages and add-ons -------------------------------------------------------------


def _token(client: TestClient) -> str:
    return csrf_of(client.get("/admin/settings").text)


def _package(engine: Engine, name: str) -> Package:
    with Session(engine) as session:
        return session.exec(select(Package).where(Package.name == name)).one()


def _add_on(engine: Engine, name: str) -> AddOn:
    with Session(engine) as session:
        return session.exec(select(AddOn).where(AddOn.name == name)).one()


def _entries(engine: Engine, action: str) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


def _package_form(row: Package, **changes: str) -> dict[str, str]:
    form = {
        "name": row.name,
        "description": row.description,
        "price_per_adult": f"{row.price_per_adult_cents / 100:.2f}",
        "price_per_child": f"{row.price_per_child_cents / 100:.2f}",
    }
    if row.active:
        form["active"] = "on"
    return form | changes


def _add_on_form(row: AddOn, **changes: str) -> dict[str, str]:
    form = {"name": row.name, "price": f"{row.price_cents / 100:.2f}"}
    if row.per_person:
        form["per_person"] = "on"
    if row.active:
        form["active"] = "on"
    return form | changes


def test_owner_adds_a_package_and_an_add_on_in_dollars_stored_in_cents_and_audited(
    owner: TestClient, engine: Engine
) -> None:
    token = _token(owner)
    response = owner.post(
        "/admin/settings/packages",
        data={
            "csrf_token": token,
            "name": "  Teppan Deluxe ",
            "description": "Wagyu, lobster and the full show.",
            "price_per_adult": "$95.50",
            "price_per_child": "45",
            "active": "on",
        },
    )
    assert response.status_code == 303, response.text
    package = _package(engine, "Teppan Deluxe")
    assert (package.price_per_adult_cents, package.price_per_child_cents) == (9550, 4500)
    assert package.active and package.description == "Wagyu, lobster and the full show."
    (entry,) = _entries(engine, "package.create")
    assert entry.entity_type == "package" and entry.entity_id == str(package.id)
    assert entry.actor_name == "Kenji Tanaka" and entry.actor.startswith("user:")
    assert entry.changes["price_per_adult_cents"] == [None, 9550]
    assert "Teppan Deluxe" in entry.summary
    assert "Package “Teppan Deluxe” added." in owner.get("/admin/settings").text

    response = owner.post(
        "/admin/settings/add-ons",
        data={"csrf_token": token, "name": "Wagyu upgrade", "price": "25", "active": "on"},
    )
    assert response.status_code == 303, response.text
    add_on = _add_on(engine, "Wagyu upgrade")
    assert add_on.price_cents == 2500 and add_on.active and not add_on.per_person
    (entry,) = _entries(engine, "add_on.create")
    assert entry.entity_type == "add_on" and entry.entity_id == str(add_on.id)
    assert entry.changes["price_cents"] == [None, 2500]
    page = owner.get("/admin/settings").text
    assert "Add-on “Wagyu upgrade” added." in page
    assert f'id="add-on-{add_on.id}-price" name="price" type="text" value="25.00"' in page

    new_quote = owner.get("/admin/quotes/new").text
    assert "Wagyu upgrade" in new_quote and "Teppan Deluxe" in new_quote


def test_owner_edits_a_package_price_and_nothing_changed_is_not_audited(
    owner: TestClient, engine: Engine
) -> None:
    classic = _package(engine, "Classic Hibachi")
    token = _token(owner)
    path = f"/admin/settings/packages/{classic.id}"
    form = _package_form(classic, price_per_adult="65.25", csrf_token=token)
    response = owner.post(path, data=form)
    assert response.status_code == 303, response.text
    row = _package(engine, "Classic Hibachi")
    assert row.price_per_adult_cents == 6525
    assert row.price_per_child_cents == classic.price_per_child_cents
    (entry,) = _entries(engine, "package.update")
    assert entry.changes == {"price_per_adult_cents": [classic.price_per_adult_cents, 6525]}
    page = owner.get("/admin/settings").text
    assert "Package “Classic Hibachi” saved." in page
    assert f'id="package-{classic.id}-price_per_adult" name="price_per_adult"' in page

    assert owner.post(path, data=form).status_code == 303
    assert "Nothing changed." in owner.get("/admin/settings").text
    assert len(_entries(engine, "package.update")) == 1

    sake = _add_on(engine, "Sake service")
    response = owner.post(
        f"/admin/settings/add-ons/{sake.id}",
        data=_add_on_form(sake, price="45.00", per_person="on", csrf_token=token),
    )
    assert response.status_code == 303, response.text
    row_add_on = _add_on(engine, "Sake service")
    assert row_add_on.price_cents == 4500 and row_add_on.per_person
    (entry,) = _entries(engine, "add_on.update")
    assert entry.changes == {"price_cents": [4000, 4500], "per_person": [False, True]}


def test_deactivated_add_on_and_package_leave_the_new_quote_and_booking_forms(
    owner: TestClient, engine: Engine
) -> None:
    token = _token(owner)
    assert "Gyoza appetizer" in owner.get("/admin/quotes/new").text
    gyoza = _add_on(engine, "Gyoza appetizer")
    form = _add_on_form(gyoza, csrf_token=token)
    del form["active"]  # an unticked box is not posted
    response = owner.post(f"/admin/settings/add-ons/{gyoza.id}", data=form)
    assert response.status_code == 303, response.text
    assert not _add_on(engine, "Gyoza appetizer").active  # kept, not deleted
    (entry,) = _entries(engine, "add_on.update")
    assert entry.changes == {"active": [True, False]}
    assert entry.summary == "Deactivated add-on Gyoza appetizer"
    settings_page = owner.get("/admin/settings").text  # still listed, marked
    assert 'value="Gyoza appetizer"' in settings_page and "not offered" in settings_page
    new_quote = owner.get("/admin/quotes/new").text
    assert "Gyoza appetizer" not in new_quote and "Lobster tail" in new_quote

    premium = _package(engine, "Premium Hibachi")
    form = _package_form(premium, csrf_token=token)
    del form["active"]
    assert owner.post(f"/admin/settings/packages/{premium.id}", data=form).status_code == 303
    assert not _package(engine, "Premium Hibachi").active
    assert "Package “Premium Hibachi” saved." in owner.get("/admin/settings").text
    assert "Premium Hibachi" not in owner.get("/admin/quotes/new").text
    new_booking = owner.get("/admin/bookings/new")
    assert new_booking.status_code == 200
    assert "Premium Hibachi" not in new_booking.text and "Classic Hibachi" in new_booking.text


def test_duplicate_names_and_bad_prices_show_errors_next_to_the_fields(
    owner: TestClient, engine: Engine
) -> None:
    token = _token(owner)
    response = owner.post(
        "/admin/settings/packages",
        data={
            "csrf_token": token,
            "name": "classic hibachi",
            "price_per_adult": "70",
            "price_per_child": "35",
            "active": "on",
        },
    )
    assert response.status_code == 400
    assert re.search(
        r'id="package-new-name-error">[^<]*already a package named “classic hibachi”',
        response.text,
    )
    assert 'id="package-new-name" name="name" type="text" value="classic hibachi"' in response.text
    assert "Nothing was saved" in response.text

    sake = _add_on(engine, "Sake service")
    response = owner.post(
        f"/admin/settings/add-ons/{sake.id}",
        data=_add_on_form(sake, name="Lobster tail", price="-3", csrf_token=token),
    )
    assert response.status_code == 400
    assert re.search(rf'id="add-on-{sake.id}-price-error">[^<]*cannot be negative', response.text)
    response = owner.post(
        f"/admin/settings/add-ons/{sake.id}",
        data=_add_on_form(sake, name="Lobster tail", csrf_token=token),
    )
    assert response.status_code == 400
    assert re.search(
        rf'id="add-on-{sake.id}-name-error">[^<]*already an add-on named “Lobster tail”',
        response.text,
    )
    response = owner.post(
        "/admin/settings/add-ons", data={"csrf_token": token, "name": "", "price": "1.234"}
    )
    assert response.status_code == 400
    assert re.search(r'id="add-on-new-name-error">[^<]*cannot be empty', response.text)
    assert re.search(r'id="add-on-new-price-error">[^<]*At most two decimals', response.text)

    assert _add_on(engine, "Sake service").price_cents == 4000
    with Session(engine) as session:
        assert len(session.exec(select(Package)).all()) == 2
        assert len(session.exec(select(AddOn)).all()) == 5
        entries = session.exec(select(AuditEntry)).all()
        assert not [entry for entry in entries if entry.entity_type in ("package", "add_on")]


def test_only_the_owner_may_change_packages_and_add_ons(
    app_manager: TestClient, client: TestClient, engine: Engine
) -> None:
    classic = _package(engine, "Classic Hibachi")
    sake = _add_on(engine, "Sake service")
    login(client, STAFF)
    for who in (app_manager, client):
        token = csrf_of(who.get("/admin/").text)
        posts = {
            "/admin/settings/packages": {"name": "Sneaky", "price_per_adult": "1"},
            f"/admin/settings/packages/{classic.id}": _package_form(classic, price_per_adult="1"),
            "/admin/settings/add-ons": {"name": "Sneaky", "price": "1"},
            f"/admin/settings/add-ons/{sake.id}": _add_on_form(sake, price="1"),
        }
        for path, data in posts.items():
            refused = who.post(path, data=data | {"csrf_token": token})
            assert refused.status_code == 403, (path, refused.text)
    assert _package(engine, "Classic Hibachi").price_per_adult_cents == 6000
    assert _add_on(engine, "Sake service").price_cents == 4000
    with Session(engine) as session:
        assert session.exec(select(Package).where(Package.name == "Sneaky")).first() is None
        assert session.exec(select(AddOn).where(AddOn.name == "Sneaky")).first() is None


def test_a_form_without_its_csrf_token_changes_nothing(owner: TestClient, engine: Engine) -> None:
    sake = _add_on(engine, "Sake service")
    refused = owner.post(f"/admin/settings/add-ons/{sake.id}", data=_add_on_form(sake, price="1"))
    assert refused.status_code == 403
    assert _add_on(engine, "Sake service").price_cents == 4000


def test_the_catalogue_services_refuse_negative_prices_and_taken_names(
    app: FastAPI, engine: Engine
) -> None:
    with Session(engine) as session:
        with pytest.raises(ValidationFailed, match="negative"):
            business.create_add_on(session, name="Broth", price_cents=-1, actor=SYSTEM)
        with pytest.raises(ValidationFailed, match="negative"):
            business.create_package(
                session,
                name="Cheap",
                price_per_adult_cents=100,
                price_per_child_cents=-100,
                actor=SYSTEM,
            )
        sake = session.exec(select(AddOn).where(AddOn.name == "Sake service")).one()
        assert sake.id is not None
        with pytest.raises(ValidationFailed, match="negative"):
            business.update_add_on(session, sake.id, {"price_cents": -5}, SYSTEM)
        with pytest.raises(ConflictError, match="already an add-on named"):
            business.create_add_on(session, name="SAKE SERVICE", price_cents=100, actor=SYSTEM)
        with pytest.raises(ConflictError, match="already a package named"):
            classic = session.exec(select(Package).where(Package.name == "Classic Hibachi")).one()
            assert classic.id is not None
            business.update_package(session, classic.id, {"name": "Premium Hibachi"}, SYSTEM)
        # Its own name (in another case) is no conflict.
        assert business.update_add_on(session, sake.id, {"name": "Sake Service"}, SYSTEM) == {
            "name": ["Sake service", "Sake Service"]
        }
        session.rollback()
