"""Failed logins per client address: the panel's form and the API's HTTP Basic share one count,
refuse with 429 and Retry-After once it is reached, and let the address in again after the
window. The account's own lockout is a separate rule (tests/admin_ui/test_auth.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.routing import Mount

from api.app import create_app
from core.settings import Settings
from domain.accounts.models import User
from domain.accounts.throttle import LoginThrottle
from tests.admin_ui.conftest import OWNER, STAFF, csrf_of, seed

if TYPE_CHECKING:
    from httpx2 import Response  # what TestClient answers

LIMIT = 3
WINDOW = 600
ATTACKER = ("203.0.113.7", 40000)
COLLEAGUE = ("198.51.100.20", 40000)


class Clock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(admin_settings: Settings, sqlite_engine: Engine, clock: Clock) -> FastAPI:
    seed(sqlite_engine)
    settings = admin_settings.model_copy(
        update={"login_failures_per_address": LIMIT, "login_failure_window_seconds": WINDOW}
    )
    app = create_app(settings, sqlite_engine)
    # The settings reach the throttle the app builds.
    assert app.state.login_throttle.limit == LIMIT
    assert app.state.login_throttle.window_seconds == WINDOW
    # The same throttle as the app builds, on a clock the test moves.
    throttle = LoginThrottle(limit=LIMIT, window_seconds=WINDOW, clock=clock)
    app.state.login_throttle = throttle
    for route in app.routes:
        if isinstance(route, Mount) and isinstance(route.app, FastAPI):
            route.app.state.login_throttle = throttle
    return app


def _from(app: FastAPI, address: tuple[str, int]) -> TestClient:
    return TestClient(app, follow_redirects=False, client=address)


def _panel_login(client: TestClient, email: str, password: str) -> Response:
    page = client.get("/admin/login")
    return client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
    )


def _failed_logins(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {user.email: user.failed_logins for user in session.exec(select(User)).all()}


def test_panel_form_refuses_an_address_after_too_many_failures(
    app: FastAPI, sqlite_engine: Engine
) -> None:
    attacker = _from(app, ATTACKER)
    # Guessing several accounts' passwords: no account reaches its own lockout.
    for email in ("owner@example.com", "manager@example.com", "nobody@example.com"):
        assert _panel_login(attacker, email, "guess").status_code == 400
    refused = _panel_login(attacker, *OWNER)  # even the right password now
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == str(WINDOW)
    assert "Too many failed logins from your network: wait 10 minutes" in refused.text
    assert refused.headers["content-security-policy"]  # the refusal page is hardened too
    assert attacker.get("/admin/").status_code == 303  # not logged in
    # Refused before the password was checked: the account's counter did not move.
    assert _failed_logins(sqlite_engine)["owner@example.com"] == 1
    # Another address is not held back.
    assert _panel_login(_from(app, COLLEAGUE), *OWNER).status_code == 303


def test_the_window_passes_and_the_address_may_try_again(app: FastAPI, clock: Clock) -> None:
    attacker = _from(app, ATTACKER)
    for _ in range(LIMIT):
        _panel_login(attacker, "nobody@example.com", "guess")
        clock.now += 100
    refused = _panel_login(attacker, *STAFF)
    assert refused.status_code == 429
    # The first failure was 300 s ago: it leaves the window in another 300.
    assert refused.headers["retry-after"] == str(WINDOW - LIMIT * 100)
    clock.now += WINDOW - LIMIT * 100 - 1
    assert _panel_login(attacker, *STAFF).headers["retry-after"] == "1"
    clock.now += 1
    assert _panel_login(attacker, *STAFF).status_code == 303


def test_api_basic_auth_counts_and_is_refused_alike(app: FastAPI, sqlite_engine: Engine) -> None:
    attacker = _from(app, ATTACKER)
    for _ in range(LIMIT - 1):
        wrong = attacker.get("/api/v1/customers", auth=("staff@example.com", "guess"))
        assert wrong.status_code == 401
    # The panel's failures and the API's are one count.
    assert _panel_login(attacker, "nobody@example.com", "guess").status_code == 400
    refused = attacker.get("/api/v1/customers", auth=STAFF)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == str(WINDOW)
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert "Too many failed logins" in refused.json()["error"]["message"]
    assert _panel_login(attacker, *STAFF).status_code == 429
    assert _failed_logins(sqlite_engine)["staff@example.com"] == LIMIT - 1
    # Another address with the right password is served.
    assert _from(app, COLLEAGUE).get("/api/v1/customers", auth=STAFF).status_code == 200


def test_successful_logins_do_not_count(app: FastAPI) -> None:
    for _ in range(LIMIT + 2):
        client = _from(app, ATTACKER)  # a fresh session each time: signed out
        assert _panel_login(client, *STAFF).status_code == 303
        assert client.get("/api/v1/customers", auth=STAFF).status_code == 200
