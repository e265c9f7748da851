"""Every route of the API and the panel, as read from the app's route table, called anonymously
and as each role: the role its dependencies declare is enforced, allowed callers never see a
server error, and every form refuses a missing or wrong CSRF token.

A new route is walked without anyone listing it; a new path parameter fails until the seed
gives it a value, and a new route without any role must be added to PUBLIC on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from admin_ui.auth import REFUSALS
from api.app import create_app
from core.settings import Settings
from domain.accounts.models import ROLE_RANK, Role
from domain.audit.models import AuditEntry
from domain.messaging.models import TemplateKind
from tests.admin_ui.conftest import MANAGER, OWNER, STAFF, csrf_of, login, seed
from tests.admin_ui.route_table import Endpoint, route_table
from tests.admin_ui.walk_seed import seed_rows

if TYPE_CHECKING:
    from httpx2 import Response  # what TestClient answers

CREDENTIALS = {Role.STAFF: STAFF, Role.MANAGER: MANAGER, Role.OWNER: OWNER}
ROLES = sorted(CREDENTIALS, key=ROLE_RANK.__getitem__)

#: Routes anyone may call: health checks, signed webhooks, the customers' own pages (their
#: link's token is the secret) and the login form.
PUBLIC = {
    "GET /health",
    "GET /ready",
    "POST /webhooks/ringcentral",
    "POST /webhooks/stripe",
    "GET /webhooks/meta",
    "POST /webhooks/meta",
    "GET /q/{token}",
    "POST /q/{token}/accept",
    "GET /deposit/{reference}/paid",
    "GET /deposit/{reference}/cancelled",
    "GET /admin/login",
    "POST /admin/login",
}
#: Routes that are not API routes: FastAPI's docs and the static files.
NOT_API_ROUTES = {
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/public/static",
    "/admin/static",
}
#: Statuses a caller may meet on a route it is allowed to call, with the route's dependency
#: down: Temporal and the RingCentral emulator do not run in these tests (`admin_settings`).
DEPENDENCY_DOWN = 503
CSRF_REFUSAL = "security token is missing or does not match"
LOGOUT = "POST /admin/logout"


@pytest.fixture
def walk_app(admin_settings: Settings, sqlite_engine: Engine) -> FastAPI:
    seed(sqlite_engine)
    return create_app(admin_settings, sqlite_engine)


@pytest.fixture
def values(walk_app: FastAPI, sqlite_engine: Engine) -> dict[str, object]:
    seeded = seed_rows(sqlite_engine, lambda label: f"Walk {label}")
    return asdict(seeded) | {
        "closing": "done",
        "kind": TemplateKind.BOOKING_CONFIRMATION.value,
        "sid": seeded.call_sid,
        "token": seeded.quote_token,
        "reference": seeded.booking_reference,
    }


def _client(app: FastAPI) -> TestClient:
    # Server errors come back as 500 responses, so one walk reports every route that fails.
    return TestClient(app, follow_redirects=False, raise_server_exceptions=False)


def _panel_token(client: TestClient) -> str:
    page = client.get("/admin/")
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


class Caller:
    """One role's panel session (with its CSRF token) and HTTP Basic for the API."""

    def __init__(self, app: FastAPI, role: Role | None) -> None:
        self.role = role
        self.client = _client(app)
        self.token = ""
        self.auth: tuple[str, str] | None = None
        if role is not None:
            login(self.client, CREDENTIALS[role])
            self.token = _panel_token(self.client)
            self.auth = CREDENTIALS[role]

    def call(self, endpoint: Endpoint, url: str, *, token: str | None = None) -> Response:
        if endpoint.panel:
            form = {"csrf_token": self.token if token is None else token}
            data = form if endpoint.method == "POST" else None
            return self.client.request(endpoint.method, url, data=data)
        body: dict[str, object] | None = {} if endpoint.method in {"POST", "PATCH"} else None
        if self.auth is None:
            return self.client.request(endpoint.method, url, json=body)
        return self.client.request(endpoint.method, url, json=body, auth=self.auth)


def _allowed(role: Role, endpoint: Endpoint) -> bool:
    assert endpoint.minimum is not None
    return ROLE_RANK[role] >= ROLE_RANK[endpoint.minimum]


def _server_error(response: Response) -> bool:
    return response.status_code >= 500 and response.status_code != DEPENDENCY_DOWN


def _audit_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(AuditEntry)).one()


def _mutating_last(endpoints: list[Endpoint]) -> Iterator[Endpoint]:
    # Reads first, so a cancel or delete does not turn a later page into a 404; logging out
    # last, so the session lasts the walk.
    reads = [e for e in endpoints if e.method == "GET"]
    writes = [e for e in endpoints if e.method != "GET" and str(e) != LOGOUT]
    yield from reads
    yield from writes
    yield from (e for e in endpoints if str(e) == LOGOUT)


def test_every_route_is_public_on_purpose_or_declares_a_role(walk_app: FastAPI) -> None:
    table = route_table(walk_app)
    public = {str(e) for e in table.endpoints if e.minimum is None}
    assert public == PUBLIC, "a route without a role dependency, or PUBLIC is stale"
    assert set(table.others) == NOT_API_ROUTES
    # The walk reads the roles correctly: spot checks against what the modules declare.
    by_name = {str(e): e for e in table.endpoints}
    assert by_name["GET /admin/customers"].minimum is Role.STAFF
    assert by_name["GET /admin/extensions"].minimum is Role.MANAGER
    assert by_name["GET /admin/audit"].minimum is Role.OWNER
    assert by_name["GET /api/v1/customers"].minimum is Role.STAFF
    assert by_name["POST /api/v1/extensions"].minimum is Role.MANAGER
    assert by_name["POST /admin/customers/new"].takes_form
    assert not by_name["GET /admin/customers/new"].takes_form


def test_each_role_gets_exactly_the_routes_its_role_allows(
    walk_app: FastAPI, values: dict[str, object]
) -> None:
    endpoints = route_table(walk_app).endpoints
    problems: list[str] = []
    anonymous = Caller(walk_app, None)
    callers = {role: Caller(walk_app, role) for role in ROLES}

    for endpoint in endpoints:
        url = endpoint.url(values)
        response = anonymous.call(endpoint, url)
        if endpoint.minimum is None:
            if _server_error(response):
                problems.append(f"anonymous {endpoint}: {response.status_code}")
        elif endpoint.panel:
            location = response.headers.get("location", "")
            if response.status_code != 303 or not location.startswith("/admin/login?next="):
                problems.append(f"anonymous {endpoint}: {response.status_code} {location}")
        elif response.status_code != 401 or "www-authenticate" not in response.headers:
            problems.append(f"anonymous {endpoint}: {response.status_code}, not 401")

    protected = [e for e in endpoints if e.minimum is not None]
    for role, caller in callers.items():
        for endpoint in (e for e in protected if not _allowed(role, e)):
            response = caller.call(endpoint, endpoint.url(values))
            assert endpoint.minimum is not None
            refused = response.status_code == 403 and (
                not endpoint.panel or REFUSALS[endpoint.minimum] in response.text
            )
            if not refused:
                problems.append(f"{role} {endpoint}: {response.status_code}, not 403")

    for role, caller in callers.items():
        for endpoint in _mutating_last([e for e in protected if _allowed(role, e)]):
            response = caller.call(endpoint, endpoint.url(values))
            location = response.headers.get("location", "")
            if (
                response.status_code in {401, 403}
                or (location.startswith("/admin/login") and str(endpoint) != LOGOUT)
                or _server_error(response)
            ):
                problems.append(f"{role} {endpoint}: {response.status_code} {location}")

    assert not problems, "\n".join(problems)


def test_every_form_refuses_a_missing_or_wrong_csrf_token(
    walk_app: FastAPI, sqlite_engine: Engine, values: dict[str, object]
) -> None:
    forms = [e for e in route_table(walk_app).endpoints if e.takes_form]
    assert len(forms) > 50  # the walk found the panel's forms, not nothing
    owner = Caller(walk_app, Role.OWNER)
    anonymous = Caller(walk_app, None)
    anonymous.client.get("/admin/login")  # its session holds a token too
    before = _audit_count(sqlite_engine)
    problems: list[str] = []
    for endpoint in forms:
        caller = anonymous if endpoint.minimum is None else owner
        url = endpoint.url(values)
        missing = caller.client.post(url, data={})
        wrong = caller.call(endpoint, url, token="not-the-session-token")
        for what, response in (("no token", missing), ("a wrong token", wrong)):
            if response.status_code != 403 or CSRF_REFUSAL not in response.text:
                problems.append(f"{endpoint} with {what}: {response.status_code}")
    assert not problems, "\n".join(problems)
    assert _audit_count(sqlite_engine) == before, "a refused form changed something"
    # Still signed in: the refusals did not end the session either.
    assert owner.client.get("/admin/").status_code == 200
