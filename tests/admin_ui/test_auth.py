from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from domain.accounts.models import User
from domain.customers.models import Customer
from tests.admin_ui.conftest import MANAGER, OWNER, STAFF, csrf_of, form_token, login


def _customers(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Customer)).one())


def test_login_with_good_and_bad_passwords(client: TestClient) -> None:
    page = client.get("/admin/login")
    token = csrf_of(page.text)
    bad = client.post(
        "/admin/login",
        data={"email": OWNER[0], "password": "wrong-password", "csrf_token": token},
    )
    assert bad.status_code == 400
    assert "wrong email or password" in bad.text
    assert client.get("/admin/").status_code == 303

    good = client.post(
        "/admin/login", data={"email": OWNER[0], "password": OWNER[1], "csrf_token": token}
    )
    assert good.status_code == 303
    assert good.headers["location"] == "/admin/"
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert "Fremont Hibachi Co." in dashboard.text
    assert "Kenji Tanaka" in dashboard.text
    assert "Audit log" in dashboard.text


def test_logged_out_requests_go_to_login_and_come_back(client: TestClient) -> None:
    response = client.get("/admin/customers?q=nguyen")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login?next=%2Fadmin%2Fcustomers%3Fq%3Dnguyen"

    page = client.get(response.headers["location"])
    assert 'value="/admin/customers?q=nguyen"' in page.text
    back = client.post(
        "/admin/login",
        data={
            "email": OWNER[0],
            "password": OWNER[1],
            "csrf_token": csrf_of(page.text),
            "next": "/admin/customers?q=nguyen",
        },
    )
    assert back.headers["location"] == "/admin/customers?q=nguyen"


def test_next_cannot_leave_the_panel(client: TestClient) -> None:
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={
            "email": OWNER[0],
            "password": OWNER[1],
            "csrf_token": csrf_of(page.text),
            "next": "https://evil.example.com/admin/",
        },
    )
    assert response.headers["location"] == "/admin/"


def test_logout_ends_the_session(client: TestClient) -> None:
    login(client, OWNER)
    token = form_token(client, "/admin/")
    assert client.post("/admin/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/admin/").status_code == 303


def test_deactivated_user_is_logged_out_on_next_request(client: TestClient, engine: Engine) -> None:
    login(client, STAFF)
    assert client.get("/admin/").status_code == 200
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == STAFF[0])).one()
        user.active = False
        session.add(user)
        session.commit()
    assert client.get("/admin/").status_code == 303


def test_posts_without_or_with_a_wrong_csrf_token_change_nothing(
    client: TestClient, engine: Engine
) -> None:
    login(client, OWNER)
    before = _customers(engine)
    form = {"full_name": "Forged Customer", "phone": "", "email": "", "notes": ""}

    missing = client.post("/admin/customers/new", data=form)
    assert missing.status_code == 403
    assert "security token" in missing.text

    wrong = client.post("/admin/customers/new", data=form | {"csrf_token": "not-the-token"})
    assert wrong.status_code == 403
    assert _customers(engine) == before

    token = form_token(client, "/admin/customers/new")
    right = client.post("/admin/customers/new", data=form | {"csrf_token": token})
    assert right.status_code == 303
    assert _customers(engine) == before + 1


def test_login_form_needs_its_csrf_token(app: FastAPI) -> None:
    client = TestClient(app, follow_redirects=False)
    response = client.post("/admin/login", data={"email": OWNER[0], "password": OWNER[1]})
    assert response.status_code == 403
    assert client.get("/admin/").status_code == 303


def test_staff_cannot_open_the_audit_log_or_edit(client: TestClient) -> None:
    login(client, STAFF)
    response = client.get("/admin/audit")
    assert response.status_code == 403
    assert "Only the owner may do this." in response.text
    assert "Audit log" not in client.get("/admin/").text
    assert client.get("/admin/bookings/1/edit").status_code == 403
    assert client.get("/admin/customers/1/edit").status_code == 403
    token = form_token(client, "/admin/bookings/1")
    assert client.post("/admin/bookings/1/cancel", data={"csrf_token": token}).status_code == 403
    # Staff may still create.
    assert client.get("/admin/customers/new").status_code == 200
    assert client.get("/admin/bookings/new").status_code == 200


def test_manager_edits_but_cannot_read_the_audit_log(app: FastAPI) -> None:
    client = TestClient(app, follow_redirects=False)
    login(client, MANAGER)
    assert client.get("/admin/bookings/1/edit").status_code == 200
    assert client.get("/admin/customers/1/edit").status_code == 200
    assert client.get("/admin/audit").status_code == 403


def test_unknown_records_answer_a_readable_404(client: TestClient) -> None:
    login(client, OWNER)
    response = client.get("/admin/bookings/99999")
    assert response.status_code == 404
    assert "booking 99999 not found" in response.text
    assert client.get("/admin/no-such-page").status_code == 404
