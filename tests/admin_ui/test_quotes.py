from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select
from starlette.routing import Mount

from admin_ui.app import create_admin_app
from core.settings import Settings
from domain.audit.models import AuditEntry
from domain.audit.service import SYSTEM
from domain.bookings.schemas import AddOnSelection
from domain.business.models import AddOn
from domain.customers.models import Customer
from domain.inbox.models import WebhookEvent
from domain.quotes import service as quotes
from domain.quotes.models import Quote, QuoteStatus
from domain.quotes.schemas import QuoteCreate
from domain.quotes.service import TravelMeasurement
from tests.admin_ui.conftest import MANAGER, OWNER, STAFF, csrf_of, form_token, login, seed

PACIFIC = "America/Los_Angeles"
FAR_DAY = (date.today() + timedelta(days=400)).isoformat()
FORTY_MILES = 64_374  # meters: 40.0 miles, 10 beyond the free radius at $2.00 a mile


@dataclass
class FakeForwarder:
    forwarded: list[int] = field(default_factory=list)

    async def forward(self, event_id: int) -> bool:
        self.forwarded.append(event_id)
        return True


@dataclass
class FakeTemporal:
    """A gateway whose Temporal is down: tell_quote_decided logs and gives up."""

    asked: int = 0

    async def client(self) -> object:
        self.asked += 1
        raise RuntimeError("Temporal is down")


@dataclass
class Fakes:
    forwarder: FakeForwarder
    temporal: FakeTemporal


def _admin_of(app: FastAPI) -> FastAPI:
    for route in app.routes:
        if isinstance(route, Mount) and route.path == "/admin":
            admin = route.app
            assert isinstance(admin, FastAPI)
            return admin
    raise AssertionError("no admin panel mounted")


@pytest.fixture
def fakes(app: FastAPI) -> Fakes:
    admin = _admin_of(app)
    found = Fakes(FakeForwarder(), FakeTemporal())
    admin.state.forwarder = found.forwarder
    admin.state.temporal = found.temporal
    return found


def _customer_id(engine: Engine, name: str = "Robert Kim") -> int:
    with Session(engine) as session:
        customer = session.exec(select(Customer).where(Customer.full_name == name)).one()
        assert customer.id is not None
        return customer.id


def _add_on_id(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        add_on = session.exec(select(AddOn).where(AddOn.name == name)).one()
        assert add_on.id is not None
        return add_on.id


def _quote_form(client: TestClient, **values: str) -> dict[str, str]:
    return {
        "csrf_token": form_token(client, "/admin/quotes/new"),
        "customer_id": "",
        "new_name": "",
        "new_phone": "",
        "new_email": "",
        "address": "3500 Deer Creek Rd, Palo Alto, CA 94304",
        "adults": "12",
        "children": "2",
        "date": FAR_DAY,
        "time": "18:30",
        "package_id": "",
        "notes": "Gate code 1234",
    } | values


def _make_quote(engine: Engine, customer_id: int, address: str, adults: int = 10) -> int:
    with Session(engine) as session:
        created = quotes.create(
            session,
            QuoteCreate(customer_id=customer_id, address=address, adults=adults, source="admin"),
            SYSTEM,
        )
        session.commit()
        assert created.quote.id is not None
        return created.quote.id


def _price(
    engine: Engine, quote_id: int, meters: int = FORTY_MILES, source: str = "estimate"
) -> None:
    with Session(engine) as session:
        quotes.apply_price(
            session,
            quote_id,
            TravelMeasurement(
                formatted_address="3500 Deer Creek Rd, Palo Alto, CA 94304, USA",
                meters=meters,
                seconds=47 * 60,
                source=source,
            ),
            SYSTEM,
        )
        session.commit()


def _quote(engine: Engine, quote_id: int) -> Quote:
    with Session(engine) as session:
        quote = session.get(Quote, quote_id)
        assert quote is not None
        return quote


def test_quote_created_through_the_form_starts_its_workflow(
    client: TestClient, engine: Engine, fakes: Fakes, admin_settings: Settings
) -> None:
    customer_id = _customer_id(engine)
    gyoza = _add_on_id(engine, "Gyoza appetizer")
    login(client, STAFF)
    form = _quote_form(client, customer_id=str(customer_id), **{f"add_on_{gyoza}": "12"})
    response = client.post("/admin/quotes/new", data=form)
    assert response.status_code == 303, response.text
    quote_id = int(response.headers["location"].rsplit("/", 1)[1])

    with Session(engine) as session:
        quote = session.get(Quote, quote_id)
        assert quote is not None
        assert quote.source == "admin" and quote.status == QuoteStatus.PRICING
        assert quote.customer_id == customer_id and quote.adults == 12 and quote.children == 2
        assert quote.add_ons == [
            {"add_on_id": gyoza, "name": "Gyoza appetizer", "unit_price_cents": 600, "quantity": 12}
        ]
        local = datetime.combine(date.fromisoformat(FAR_DAY), time(18, 30), ZoneInfo(PACIFIC))
        assert quote.requested_start == local
        event = session.exec(
            select(WebhookEvent).where(
                WebhookEvent.provider == "teppan",
                WebhookEvent.event_key == f"quote-created-{quote_id}",
            )
        ).one()
        entry = session.exec(
            select(AuditEntry).where(
                AuditEntry.action == "quote.create", AuditEntry.entity_id == str(quote_id)
            )
        ).one()
        assert entry.actor_name == "Jessica Wu"
    # The workflow was started after the commit, from the inbox event.
    assert fakes.forwarder.forwarded == [event.id]

    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert f"Created {quote.reference}" in page.text
    assert "Pricing… refresh in a few seconds" in page.text
    assert "data-refresh-while-pricing" in page.text
    assert f"{admin_settings.public_base_url}/q/{quote.public_token}" in page.text
    assert "6:30 PM" in page.text
    assert "requested via admin by Jessica Wu" in page.text  # the timeline


def test_quote_for_a_new_customer_and_form_errors(
    client: TestClient, engine: Engine, fakes: Fakes
) -> None:
    login(client, STAFF)
    form = _quote_form(client, new_name="Nina Park", new_phone="555")
    bad_phone = client.post("/admin/quotes/new", data=form)
    assert bad_phone.status_code == 400
    assert re.search(r'id="new_phone-error">[^<]*phone number', bad_phone.text)
    assert 'value="Nina Park"' in bad_phone.text

    no_phone = client.post("/admin/quotes/new", data=form | {"new_phone": ""})
    assert 'id="new_phone-error">The quote is sent by text' in no_phone.text
    nobody = client.post("/admin/quotes/new", data=form | {"new_name": "", "new_phone": ""})
    assert "Choose a customer, or enter a new customer" in nobody.text
    both = client.post("/admin/quotes/new", data=form | {"customer_id": "1"})
    assert "not both" in both.text
    assert "give either customer_id" not in both.text
    no_guests = client.post(
        "/admin/quotes/new",
        data=form | {"new_phone": "510-555-0199", "adults": "0", "children": "0"},
    )
    assert no_guests.status_code == 400 and "at least one guest" in no_guests.text
    short = client.post(
        "/admin/quotes/new", data=form | {"new_phone": "510-555-0199", "address": "x"}
    )
    assert 'id="address-error"' in short.text
    lobster = _add_on_id(engine, "Lobster tail")
    too_many = client.post(
        "/admin/quotes/new",
        data=form | {"new_phone": "510-555-0199", f"add_on_{lobster}": "lots"},
    )
    assert f'id="add_on_{lobster}-error"' in too_many.text
    bad_date = client.post(
        "/admin/quotes/new", data=form | {"new_phone": "510-555-0199", "date": "friday"}
    )
    assert "YYYY-MM-DD" in bad_date.text
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Quote)).one() == 0
    assert fakes.forwarder.forwarded == []

    good = client.post("/admin/quotes/new", data=form | {"new_phone": "(510) 555-0199", "date": ""})
    assert good.status_code == 303, good.text
    quote = _quote(engine, int(good.headers["location"].rsplit("/", 1)[1]))
    assert quote.requested_start is None
    with Session(engine) as session:
        customer = session.get(Customer, quote.customer_id)
        assert customer is not None
        assert customer.full_name == "Nina Park" and customer.phone == "+15105550199"
    assert "Not chosen yet" in client.get(good.headers["location"]).text


def test_quote_list_search_filter_and_pages(
    client: TestClient, engine: Engine, fakes: Fakes
) -> None:
    login(client, STAFF)
    empty = client.get("/admin/quotes")
    assert "No quotes yet" in empty.text
    kim = _customer_id(engine)
    nguyen = _customer_id(engine, "Jennifer Nguyen")
    for number in range(27):
        _make_quote(engine, kim, f"{100 + number} Paging Way, Fremont, CA 94539")
    special = _make_quote(engine, nguyen, "1 Infinite Loop, Cupertino, CA 95014", adults=20)
    _price(engine, special)
    reference = _quote(engine, special).reference

    first = client.get("/admin/quotes")
    assert "28 quotes" in first.text and "page 1 of 2" in first.text
    assert 'href="/admin/quotes?page=2"' in first.text
    assert reference in first.text  # newest first
    assert "126 Paging Way" in first.text
    assert "100 Paging Way" not in first.text
    second = client.get("/admin/quotes", params={"page": 2})
    assert "100 Paging Way" in second.text and reference not in second.text

    by_name = client.get("/admin/quotes", params={"q": "nguyen"})
    assert "1 quote" in by_name.text and reference in by_name.text
    # Priced: the formatted address, the total and the unconfirmed estimate show.
    assert "Palo Alto, CA 94304, USA" in by_name.text
    assert "40.0 mi" in by_name.text and ">estimated</span>" in by_name.text
    by_reference = client.get("/admin/quotes", params={"q": reference})
    assert "1 quote" in by_reference.text
    by_address = client.get("/admin/quotes", params={"q": "paging way"})
    assert "27 quotes" in by_address.text

    sent = client.get("/admin/quotes", params={"status": "sent"})
    assert "No quote matches." in sent.text
    with Session(engine) as session:
        quotes.mark_sent(session, special, datetime.now(ZoneInfo("UTC")))
        session.commit()
    sent = client.get("/admin/quotes", params={"status": "sent"})
    assert "1 quote" in sent.text and reference in sent.text
    pricing = client.get("/admin/quotes", params={"status": "pricing", "q": "paging"})
    assert "27 quotes" in pricing.text
    to_confirm = client.get("/admin/quotes", params={"travel": "to-confirm"})
    assert "1 quote" in to_confirm.text and reference in to_confirm.text

    dashboard = client.get("/admin/")
    assert 'id="quotes-sent">1<' in dashboard.text
    assert 'id="distances-to-confirm">1<' in dashboard.text
    assert 'href="/admin/quotes?travel=to-confirm"' in dashboard.text
    assert 'href="/admin/quotes?status=sent"' in dashboard.text


def test_priced_quote_shows_its_breakdown(client: TestClient, engine: Engine, fakes: Fakes) -> None:
    customer_id = _customer_id(engine)
    gyoza = _add_on_id(engine, "Gyoza appetizer")
    with Session(engine, expire_on_commit=False) as session:
        created = quotes.create(
            session,
            QuoteCreate(
                customer_id=customer_id,
                address="3500 deer creek palo alto",
                adults=12,
                children=2,
                add_ons=[AddOnSelection(add_on_id=gyoza, quantity=12)],
                source="admin",
            ),
            SYSTEM,
        )
        session.commit()
    quote_id = created.quote.id
    assert quote_id is not None
    _price(engine, quote_id)
    login(client, STAFF)
    page = client.get(f"/admin/quotes/{quote_id}")
    assert page.status_code == 200
    text = page.text
    assert "Pricing…" not in text and "Not priced yet." not in text
    assert "Priced: texting it to the customer" in text  # the workflow sends it next
    assert "$780.00" in text  # 12 adults x $60 + 2 children x $30
    assert "12 \u00d7 Gyoza appetizer at $6.00" in text and "$72.00" in text
    assert "40.0 mi, 47 min" in text and "$20.00" in text  # 10 miles past the free 30
    assert "$872.00" in text and "$174.40" in text  # total and the 20% deposit
    assert "an offline estimate from the ZIP code" in text
    assert "3500 Deer Creek Rd, Palo Alto, CA 94304, USA" in text  # formatted
    assert "3500 deer creek palo alto" in text  # as the customer wrote it
    assert "priced" in text and "by estimate" in text  # the timeline
    assert 'class="quote-expiry"' in text
    # Staff see the estimate but may not confirm or cancel it.
    assert "Confirm travel</button>" not in text
    assert "Cancel quote" not in text
    assert "A manager should check this distance." in text


def test_staff_cannot_cancel_but_a_manager_can(
    app: FastAPI, client: TestClient, engine: Engine, fakes: Fakes
) -> None:
    quote_id = _make_quote(engine, _customer_id(engine), "1 Infinite Loop, Cupertino, CA 95014")
    login(client, STAFF)
    token = form_token(client, f"/admin/quotes/{quote_id}")
    refused = client.post(f"/admin/quotes/{quote_id}/cancel", data={"csrf_token": token})
    assert refused.status_code == 403
    refused = client.post(
        f"/admin/quotes/{quote_id}/confirm-travel", data={"csrf_token": token, "miles": "5"}
    )
    assert refused.status_code == 403
    assert _quote(engine, quote_id).status == QuoteStatus.PRICING
    assert fakes.temporal.asked == 0

    manager = TestClient(app, follow_redirects=False)
    login(manager, MANAGER)
    page = manager.get(f"/admin/quotes/{quote_id}")
    assert "Cancel quote" in page.text
    forged = manager.post(f"/admin/quotes/{quote_id}/cancel", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    response = manager.post(
        f"/admin/quotes/{quote_id}/cancel", data={"csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 303
    assert _quote(engine, quote_id).status == QuoteStatus.CANCELLED
    assert fakes.temporal.asked == 1  # the workflow was told (Temporal being down is fine)
    after = manager.get(response.headers["location"])
    assert "Cancelled Q-" in after.text and "Cancel quote" not in after.text
    with Session(engine) as session:
        entry = session.exec(
            select(AuditEntry).where(
                AuditEntry.action == "quote.cancel", AuditEntry.entity_id == str(quote_id)
            )
        ).one()
        assert entry.actor_name == "Ana Lopez"
    again = manager.post(
        f"/admin/quotes/{quote_id}/cancel", data={"csrf_token": csrf_of(page.text)}
    )
    assert again.status_code == 303
    assert "Not cancelled" in manager.get(again.headers["location"]).text


def test_manager_confirms_travel_with_corrected_miles(
    app_manager: TestClient, engine: Engine, fakes: Fakes
) -> None:
    client = app_manager
    quote_id = _make_quote(
        engine, _customer_id(engine), "3500 Deer Creek Rd, Palo Alto, CA 94304", adults=12
    )
    _price(engine, quote_id)
    assert _quote(engine, quote_id).travel_fee_cents == 2000
    path = f"/admin/quotes/{quote_id}"
    page = client.get(path)
    assert "Confirm travel</button>" in page.text
    token = csrf_of(page.text)

    bad = client.post(f"{path}/confirm-travel", data={"csrf_token": token, "miles": "far"})
    assert bad.status_code == 400
    assert re.search(r'id="miles-error">Give the driving distance in miles', bad.text)
    assert 'value="far"' in bad.text
    negative = client.post(f"{path}/confirm-travel", data={"csrf_token": token, "miles": "-3"})
    assert negative.status_code == 400 and "from 0 to 1000 miles" in negative.text
    assert not _quote(engine, quote_id).travel_confirmed

    response = client.post(f"{path}/confirm-travel", data={"csrf_token": token, "miles": "50"})
    assert response.status_code == 303
    quote = _quote(engine, quote_id)
    assert quote.travel_confirmed and quote.travel_source == "staff"
    assert quote.travel_fee_cents == 4000  # 20 miles past the free 30 at $2.00
    assert quote.total_cents == 72_000 + 4000
    after = client.get(response.headers["location"])
    assert "re-priced at 50 miles: total $760.00" in after.text
    assert "Confirm travel</button>" not in after.text
    assert "as corrected by staff" in after.text
    with Session(engine) as session:
        actions = session.exec(
            select(AuditEntry.action).where(
                AuditEntry.entity_type == "quote",
                AuditEntry.entity_id == str(quote_id),
                AuditEntry.actor_name == "Ana Lopez",
            )
        ).all()
        assert sorted(actions) == ["quote.confirm_travel", "quote.price"]


def test_confirming_the_estimate_as_it_is(
    app_manager: TestClient, engine: Engine, fakes: Fakes
) -> None:
    client = app_manager
    quote_id = _make_quote(engine, _customer_id(engine), "3500 Deer Creek Rd, Palo Alto, CA 94304")
    _price(engine, quote_id)
    total = _quote(engine, quote_id).total_cents
    token = form_token(client, f"/admin/quotes/{quote_id}")
    response = client.post(
        f"/admin/quotes/{quote_id}/confirm-travel", data={"csrf_token": token, "miles": ""}
    )
    assert response.status_code == 303
    quote = _quote(engine, quote_id)
    assert quote.travel_confirmed and quote.travel_source == "estimate"
    assert quote.total_cents == total
    assert "Confirmed the estimated distance" in client.get(response.headers["location"]).text
    listing = client.get("/admin/quotes", params={"travel": "to-confirm"})
    assert "No quote matches." in listing.text


def test_missing_quote_is_a_404(client: TestClient) -> None:
    login(client, STAFF)
    assert client.get("/admin/quotes/9999").status_code == 404


def test_bare_admin_app_creates_quotes_without_a_forwarder(
    admin_settings: Settings, engine: Engine
) -> None:
    seed(engine)
    client = TestClient(create_admin_app(admin_settings, engine), follow_redirects=False)
    page = client.get("/login")
    client.post(
        "/login", data={"email": OWNER[0], "password": OWNER[1], "csrf_token": csrf_of(page.text)}
    )
    form = _quote_form_bare(client, _customer_id(engine))
    response = client.post("/quotes/new", data=form)
    assert response.status_code == 303, response.text
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Quote)).one() == 1


def _quote_form_bare(client: TestClient, customer_id: int) -> dict[str, str]:
    page = client.get("/quotes/new")
    assert page.status_code == 200, page.text
    return {
        "csrf_token": csrf_of(page.text),
        "customer_id": str(customer_id),
        "address": "1 Infinite Loop, Cupertino, CA 95014",
        "adults": "10",
    }


def test_customer_page_offers_a_quote_for_them(client: TestClient, engine: Engine) -> None:
    customer_id = _customer_id(engine)
    login(client, STAFF)
    page = client.get(f"/admin/customers/{customer_id}")
    link = f'href="/admin/quotes/new?customer_id={customer_id}"'
    assert link in page.text
    form = client.get(f"/admin/quotes/new?customer_id={customer_id}")
    assert f'<option value="{customer_id}" selected>' in form.text
