from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from api.app import create_app
from core.settings import Settings
from domain.accounts.models import User
from domain.audit.models import AuditEntry
from domain.audit.service import SYSTEM
from domain.bookings.models import Booking, BookingStatus
from domain.customers import service as customers
from domain.customers.models import Customer
from domain.customers.schemas import CustomerCreate
from domain.staff.models import StaffMember, StaffRole
from tests.admin_ui.conftest import OWNER, STAFF, form_token, login, seed

PACIFIC = "America/Los_Angeles"
FAR_DAY = (date.today() + timedelta(days=400)).isoformat()


def _ids(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        customer = session.exec(select(Customer).where(Customer.full_name == "Robert Kim")).one()
        chef = session.exec(select(StaffMember).where(StaffMember.role == StaffRole.CHEF)).first()
        assert customer.id is not None and chef is not None and chef.id is not None
        return customer.id, chef.id


def _booking_form(client: TestClient, customer_id: int, chef_id: int | str) -> dict[str, str]:
    return {
        "csrf_token": form_token(client, "/admin/bookings/new"),
        "customer_id": str(customer_id),
        "date": FAR_DAY,
        "time": "18:30",
        "address": "3500 Deer Creek Rd, Palo Alto, CA 94304",
        "adults": "12",
        "children": "2",
        "package_id": "",
        "chef_id": str(chef_id),
        "status": "confirmed",
        "notes": "Gate code 1234",
    }


def test_customer_search_by_name_email_and_phone_digits(client: TestClient) -> None:
    login(client, STAFF)
    by_name = client.get("/admin/customers", params={"q": "nguyen"})
    assert "Jennifer Nguyen" in by_name.text
    assert "Michael Patel" not in by_name.text
    assert "1 customer" in by_name.text
    by_email = client.get("/admin/customers", params={"q": "mpatel@"})
    assert "Michael Patel" in by_email.text
    by_digits = client.get("/admin/customers", params={"q": "(510) 555-0114"})
    assert "David Chen" in by_digits.text
    nothing = client.get("/admin/customers", params={"q": "zzzz"})
    assert "No customer matches" in nothing.text


def test_customer_list_pages(client: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        for number in range(20):
            customers.create(session, CustomerCreate(full_name=f"Zed Paging {number:02d}"), SYSTEM)
        session.commit()
    login(client, STAFF)
    first = client.get("/admin/customers")
    assert "36 customers" in first.text
    assert "page 1 of 2" in first.text
    assert 'href="/admin/customers?page=2"' in first.text
    assert "Zed Paging 19" not in first.text
    second = client.get("/admin/customers", params={"page": 2})
    assert "Zed Paging 19" in second.text
    assert "Jennifer Nguyen" not in second.text
    filtered = client.get("/admin/customers", params={"q": "zed", "page": 1})
    assert "20 customers" in filtered.text


def test_customer_form_shows_validation_errors_and_creates(client: TestClient) -> None:
    login(client, STAFF)
    token = form_token(client, "/admin/customers/new")
    form = {"csrf_token": token, "full_name": "Nina Park", "phone": "555", "email": "nope"}
    bad = client.post("/admin/customers/new", data=form)
    assert bad.status_code == 400
    assert re.search(r'class="field-error" id="phone-error">[^<]*phone number', bad.text)
    assert 'id="email-error"' in bad.text
    assert 'value="Nina Park"' in bad.text

    taken = client.post("/admin/customers/new", data=form | {"phone": "510-555-0111", "email": ""})
    assert taken.status_code == 400
    assert "already has this phone" in taken.text

    good = client.post(
        "/admin/customers/new",
        data=form | {"phone": "(510) 555-0199", "email": "Nina@Example.com", "sms_consent": "on"},
    )
    assert good.status_code == 303
    page = client.get(good.headers["location"])
    assert "Nina Park" in page.text
    assert "nina@example.com" in page.text
    assert "(510) 555-0199" in page.text
    assert "Consented" in page.text


def test_manager_edits_a_customer(app_manager: TestClient) -> None:
    client = app_manager
    token = form_token(client, "/admin/customers/1/edit")
    response = client.post(
        "/admin/customers/1/edit",
        data={"csrf_token": token, "full_name": "Jennifer Nguyen-Tran", "phone": "510-555-0111"},
    )
    assert response.status_code == 303
    assert "Jennifer Nguyen-Tran" in client.get("/admin/customers/1").text


def test_customer_page_lists_their_bookings(client: TestClient) -> None:
    login(client, STAFF)
    page = client.get("/admin/customers/1")
    assert page.status_code == 200
    assert "Jennifer Nguyen" in page.text
    assert "TP-10" in page.text
    assert "No messages yet." in page.text


def test_booking_created_through_the_form_is_audited_as_the_user(
    client: TestClient, engine: Engine
) -> None:
    customer_id, chef_id = _ids(engine)
    login(client, STAFF)
    response = client.post("/admin/bookings/new", data=_booking_form(client, customer_id, chef_id))
    assert response.status_code == 303, response.text
    booking_id = int(response.headers["location"].rsplit("/", 1)[1])
    page = client.get(response.headers["location"])
    assert "Robert Kim" in page.text
    assert "6:30 PM" in page.text
    assert "$780.00" in page.text  # 12 adults x $60 + 2 children x $30, in dollars from cents
    assert "$156.00" in page.text  # the 20% deposit
    with Session(engine) as session:
        booking = session.get(Booking, booking_id)
        assert booking is not None
        assert booking.adults == 12 and booking.chef_id == chef_id
        local = datetime.combine(date.fromisoformat(FAR_DAY), time(18, 30), ZoneInfo(PACIFIC))
        assert booking.scheduled_start == local
        user = session.exec(select(User).where(User.email == STAFF[0])).one()
        entry = session.exec(
            select(AuditEntry).where(
                AuditEntry.action == "booking.create", AuditEntry.entity_id == str(booking_id)
            )
        ).one()
        assert entry.actor == f"user:{user.id}"
        assert entry.actor_name == "Jessica Wu"

    owner = TestClient(client.app, follow_redirects=False)
    login(owner, OWNER)
    log = owner.get("/admin/audit", params={"q": booking.reference})
    assert "Jessica Wu" in log.text
    assert "booking.create" in log.text
    listing = owner.get("/admin/bookings", params={"q": booking.reference})
    assert booking.reference in listing.text


def test_chef_double_booking_is_shown_on_the_form(client: TestClient, engine: Engine) -> None:
    customer_id, chef_id = _ids(engine)
    login(client, STAFF)
    first = client.post("/admin/bookings/new", data=_booking_form(client, customer_id, chef_id))
    assert first.status_code == 303
    with Session(engine) as session:
        count = session.exec(select(func.count()).select_from(Booking)).one()
    second = client.post("/admin/bookings/new", data=_booking_form(client, customer_id, chef_id))
    assert second.status_code == 400
    assert "is already booked for TP-" in second.text
    assert 'value="3500 Deer Creek Rd, Palo Alto, CA 94304"' in second.text
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Booking)).one() == count


def test_booking_form_validation(client: TestClient, engine: Engine) -> None:
    customer_id, _ = _ids(engine)
    login(client, STAFF)
    form = _booking_form(client, customer_id, "")
    no_guests = client.post("/admin/bookings/new", data=form | {"adults": "0", "children": "0"})
    assert no_guests.status_code == 400
    assert "at least one guest" in no_guests.text
    bad_date = client.post("/admin/bookings/new", data=form | {"date": "next friday"})
    assert bad_date.status_code == 400
    assert "YYYY-MM-DD" in bad_date.text
    no_customer = client.post("/admin/bookings/new", data=form | {"customer_id": ""})
    assert "Choose a customer." in no_customer.text


def test_manager_edits_and_cancels_a_booking(app_manager: TestClient, engine: Engine) -> None:
    client = app_manager
    token = form_token(client, "/admin/bookings/1/edit")
    edit = client.get("/admin/bookings/1/edit").text
    values = dict(
        re.findall(r'name="(date|time|address|adults|children)"[^>]*value="([^"]*)"', edit)
    )
    response = client.post(
        "/admin/bookings/1/edit",
        data=values | {"csrf_token": token, "adults": "33", "chef_id": "", "status": "confirmed"},
    )
    assert response.status_code == 303, response.text
    cancel = client.post("/admin/bookings/1/cancel", data={"csrf_token": token})
    assert cancel.status_code == 303
    with Session(engine) as session:
        booking = session.get(Booking, 1)
        assert booking is not None
        assert booking.adults == 33 and booking.status == BookingStatus.CANCELLED
        actions = session.exec(
            select(AuditEntry.actor_name).where(
                AuditEntry.entity_id == "1", col(AuditEntry.action) == "booking.update"
            )
        ).all()
        assert list(actions) == ["Ana Lopez", "Ana Lopez"]


def test_booking_list_filters_by_status(client: TestClient) -> None:
    login(client, STAFF)
    done = client.get("/admin/bookings", params={"status": "completed"})
    assert "7 bookings" in done.text
    assert "confirmed</span>" not in done.text


def test_dashboard_shows_today(client: TestClient) -> None:
    login(client, STAFF)
    page = client.get("/admin/")
    assert "Today&#39;s events" in page.text or "Today's events" in page.text
    assert "No events today." not in page.text
    assert "Chef " in page.text


def test_dashboard_empty_day(admin_settings: Settings, engine: Engine) -> None:
    # Every demo event is more than two years in the past: today is empty.
    seed(engine, today=date.today() - timedelta(days=800))
    client = TestClient(create_app(admin_settings, engine), follow_redirects=False)
    login(client, OWNER)
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "No events today." in page.text
    assert "No open tasks." in page.text
    assert "No messages from customers yet." in page.text
    assert 'id="week-count">0<' in page.text
