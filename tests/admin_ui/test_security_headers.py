"""Security headers on every kind of response (panel pages, the customers' public pages, the
API's JSON and its errors, static files) and the panel's session cookie flags."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from admin_ui.app import SESSION_COOKIE
from api.app import create_app
from api.security_headers import API_DOCS_POLICY, DEFAULT_POLICY, HSTS
from core.settings import Settings
from sandbox.framework import BackgroundServer
from sandbox.plaid import SANDBOX_CLIENT_ID, SANDBOX_SECRET, PlaidState
from tests.admin_ui.conftest import MANAGER, OWNER, STAFF, csrf_of, login, seed
from tests.admin_ui.walk_seed import Seeded, seed_rows

if TYPE_CHECKING:
    from httpx2 import Response  # what TestClient answers

MakeApp = Callable[..., FastAPI]


@pytest.fixture
def make_app(admin_settings: Settings, sqlite_engine: Engine) -> MakeApp:
    seed(sqlite_engine)

    def make(**settings: object) -> FastAPI:
        return create_app(admin_settings.model_copy(update=settings), sqlite_engine)

    return make


@pytest.fixture
def seeded(make_app: MakeApp, sqlite_engine: Engine) -> Seeded:
    return seed_rows(sqlite_engine, lambda label: f"Sample {label}")


def _client(app: FastAPI, who: tuple[str, str] | None = None) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    if who is not None:
        login(client, who)
    return client


def _directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


def assert_hardened(response: Response, *, https: bool = False) -> None:
    headers = response.headers
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("referrer-policy") == "strict-origin-when-cross-origin", where
    assert "camera=()" in headers.get("permissions-policy", ""), where
    policy = _directives(headers.get("content-security-policy", ""))
    assert policy.get("frame-ancestors") == ["'none'"], where
    assert policy.get("object-src") == ["'none'"], where
    if response.request.url.path not in {"/docs", "/redoc"}:
        # No inline script or style may run: a stored <script> would be inert too.
        for directive in ("default-src", "script-src", "style-src"):
            assert "'unsafe-inline'" not in policy.get(directive, []), where
            assert "'unsafe-eval'" not in policy.get(directive, []), where
    if https:
        assert headers.get("strict-transport-security") == HSTS, where
    else:
        assert "strict-transport-security" not in headers, where


def test_panel_pages_and_their_errors(make_app: MakeApp, seeded: Seeded) -> None:
    app = make_app()
    anonymous = _client(app)
    staff = _client(app, STAFF)
    manager = _client(app, MANAGER)
    responses = [
        anonymous.get("/admin/login"),
        anonymous.get("/admin/"),  # the redirect to the login page
        staff.get("/admin/"),
        staff.get(f"/admin/customers/{seeded.customer_id}"),
        staff.get("/admin/reviews/analytics"),
        staff.get("/admin/audit"),  # 403: owner only
        staff.get("/admin/customers/999999"),  # 404
        staff.post("/admin/customers/new", data={"csrf_token": "forged"}),  # CSRF refusal
        manager.get("/admin/inbox/updates", headers={"Accept": "application/json"}),
        staff.get("/admin/static/admin.css"),
        staff.get("/admin/static/inbox.js"),
    ]
    assert [r.status_code for r in responses] == [200, 303, 200, 200, 200, 403, 404, 403] + [
        200
    ] * 3
    for response in responses:
        assert_hardened(response)
        assert response.headers["content-security-policy"] == DEFAULT_POLICY


def test_public_quote_and_deposit_pages(make_app: MakeApp, seeded: Seeded) -> None:
    client = _client(make_app())
    responses = [
        client.get(f"/q/{seeded.quote_token}"),
        client.get("/q/no-such-token"),
        client.get(f"/deposit/{seeded.booking_reference}/paid"),
        client.get(f"/deposit/{seeded.booking_reference}/cancelled"),
        client.get("/public/static/public.css"),
    ]
    assert [r.status_code for r in responses] == [200, 404, 200, 200, 200]
    for response in responses:
        assert_hardened(response)
    # The pages' look comes from the stylesheet the policy allows, not an inline <style>.
    assert '<link rel="stylesheet" href="/public/static/public.css">' in responses[0].text
    assert "<style" not in responses[0].text and "style=" not in responses[0].text


def test_plaid_link_page_allows_plaid_and_nothing_inline(
    make_app: MakeApp, plaid_server: tuple[BackgroundServer, PlaidState]
) -> None:
    # Real-looking Plaid keys, pointed at the emulator: the panel then shows Plaid Link.
    plaid_url = f"http://127.0.0.1:{plaid_server[0].port}"
    app = make_app(
        plaid_client_id=SANDBOX_CLIENT_ID,
        plaid_secret=SecretStr(SANDBOX_SECRET),
        plaid_base_url=plaid_url,
    )
    page = _client(app, MANAGER).get("/admin/payments/bank/link")
    assert page.status_code == 200, page.text
    assert_hardened(page)
    policy = _directives(page.headers["content-security-policy"])
    assert policy["script-src"] == [
        "'self'",
        "https://cdn.plaid.com/link/v2/stable/link-initialize.js",
    ]
    assert policy["frame-src"] == ["'self'", "https://cdn.plaid.com"]
    assert plaid_url in policy["connect-src"]
    # Its own start-up code is a file under the panel's static files, not inline.
    assert '<script src="/admin/static/plaid_link.js"></script>' in page.text
    assert "<script>" not in page.text


def test_api_json_and_its_errors(make_app: MakeApp, seeded: Seeded) -> None:
    client = _client(make_app())
    responses = [
        client.get("/health"),
        client.get("/api/v1/customers", auth=STAFF),
        client.get("/api/v1/customers"),  # 401
        client.get("/api/v1/extensions", auth=STAFF),  # 403
        client.get("/api/v1/customers/999999", auth=STAFF),  # 404
        client.post("/api/v1/customers", json={}, auth=STAFF),  # 422
        client.post("/webhooks/stripe", content=b"{}"),  # unsigned: refused
        client.get("/openapi.json"),
    ]
    assert [r.status_code for r in responses[:6]] == [200, 200, 401, 403, 404, 422]
    assert 400 <= responses[6].status_code < 500
    for response in responses:
        assert response.headers["content-type"].startswith("application/json")
        assert_hardened(response)
        assert response.headers["content-security-policy"] == DEFAULT_POLICY


def test_api_docs_get_their_own_looser_policy_and_nothing_else_does(make_app: MakeApp) -> None:
    client = _client(make_app())
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert_hardened(docs)
    assert docs.headers["content-security-policy"] == API_DOCS_POLICY
    # Only the exact paths: a page below them gets the strict one.
    assert client.get("/docs/anything").headers["content-security-policy"] == DEFAULT_POLICY


def test_hsts_only_when_served_over_https(make_app: MakeApp) -> None:
    app = make_app(public_base_url="https://panel.fremont-hibachi.example.com")
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    for response in (client.get("/admin/login"), client.get("/health"), client.get("/nope")):
        assert_hardened(response, https=True)


def _session_cookie(app: FastAPI) -> str:
    # Over https, so the client sends a Secure cookie back: the flags follow the settings only.
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={"email": OWNER[0], "password": OWNER[1], "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 303
    cookies = [
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith(f"{SESSION_COOKIE}=")
    ]
    assert len(cookies) == 1
    return cookies[0].lower()


@pytest.mark.parametrize(
    ("overrides", "secure"),
    [
        ({}, False),  # http://127.0.0.1:8000, a developer's machine
        ({"public_base_url": "https://hibachi.example.com"}, True),
        ({"secure_cookies": True}, True),  # TLS ends at a proxy in front of an http URL
        ({"public_base_url": "https://hibachi.example.com", "secure_cookies": False}, False),
    ],
)
def test_session_cookie_flags(
    make_app: MakeApp, overrides: dict[str, object], secure: bool
) -> None:
    cookie = _session_cookie(make_app(**overrides))
    attributes = {part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert ("secure" in attributes) is secure
    assert any(part.startswith("max-age=") for part in attributes)
