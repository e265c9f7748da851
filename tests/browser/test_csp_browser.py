"""The Content-Security-Policy in a real browser: every page of the panel (read from the route
table) and the customers' public pages load with no CSP violation and no script error, Plaid
Link still starts, and stored script payloads never run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pydantic import SecretStr
from sqlmodel import Session

from api.app import create_app
from core.db import make_engine
from core.migrate import upgrade_database
from core.settings import Settings
from domain.demo_data import seed_demo_data
from domain.messaging.models import TemplateKind
from sandbox.framework import BackgroundServer
from sandbox.plaid import SANDBOX_CLIENT_ID, SANDBOX_SECRET, PlaidState
from tests.admin_ui.live_server import free_port, serve
from tests.admin_ui.route_table import route_table
from tests.admin_ui.test_xss_walk import payload
from tests.admin_ui.walk_seed import seed_rows
from tests.browser.test_admin_browser import CHROMIUM, CHROMIUM_ARGS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Collects the page's CSP violations; injected by the browser itself, so the policy does
#: not apply to it.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${where}`);
});
"""
#: Markup past the templates, with an inline style the policy refuses.
INJECT_INLINE_STYLE = """
document.body.insertAdjacentHTML("beforeend", '<b style="color: red">x</b>');
"""
#: Stands in for Plaid's CDN script (no internet here): records what the page asks of it.
FAKE_PLAID = """
window.Plaid = { create: function (options) {
  window.__plaidToken = options.token;
  return { open: function () { document.body.setAttribute("data-plaid-opened", "yes"); } };
} };
"""


@dataclass
class Served:
    base_url: str
    values: dict[str, object]
    pages: list[str]


@dataclass
class Watched:
    problems: list[str] = field(default_factory=list)


@pytest.fixture
def served(tmp_path: Path, plaid_server: tuple[BackgroundServer, PlaidState]) -> Iterator[Served]:
    url = f"sqlite:///{tmp_path / 'csp.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    with Session(engine) as session:
        seed_demo_data(
            session,
            business_name="Fremont Hibachi Co.",
            business_phone="+15105550100",
            owner_email="owner@example.com",
            owner_password="teppan-owner",
        )
        session.commit()
    seeded = seed_rows(engine, payload)
    settings = Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=url,
        temporal_address=f"127.0.0.1:{free_port()}",
        sandbox_ringcentral_port=free_port(),
        # "Real" Plaid keys pointed at the emulator: the panel shows the Plaid Link page.
        plaid_client_id=SANDBOX_CLIENT_ID,
        plaid_secret=SecretStr(SANDBOX_SECRET),
        plaid_base_url=f"http://127.0.0.1:{plaid_server[0].port}",
        _env_file=None,
    )
    app = create_app(settings, engine)
    values = asdict(seeded) | {
        "closing": "done",
        "kind": TemplateKind.BOOKING_CONFIRMATION.value,
        "sid": seeded.call_sid,
        "token": seeded.quote_token,
        "reference": seeded.booking_reference,
    }
    pages = [
        endpoint.url(values)
        for endpoint in route_table(app).endpoints
        if endpoint.method == "GET"
        and (endpoint.panel or endpoint.path.startswith(("/q/", "/deposit/")))
        # JSON for the pages' scripts, and the OAuth return (a 400 without Google's code).
        and not endpoint.path.endswith(("/updates", "/live", "/thread", "/state", "/callback"))
    ]
    try:
        with serve(app) as base_url:
            yield Served(base_url, values, pages)
    finally:
        engine.dispose()


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _watched_page(browser: Browser, watched: Watched) -> Page:
    page = browser.new_page()
    page.add_init_script(WATCH)
    page.route(
        "https://cdn.plaid.com/**",
        lambda route: route.fulfill(content_type="text/javascript", body=FAKE_PLAID),
    )
    page.on(
        "console",
        lambda message: (
            watched.problems.append(f"console: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: watched.problems.append(f"script error: {error}"))

    def dialog(opened: object) -> None:
        watched.problems.append(f"a dialog opened: {getattr(opened, 'message', '')}")
        getattr(opened, "dismiss")()  # noqa: B009 - typed only under TYPE_CHECKING

    page.on("dialog", dialog)
    return page


def _visit(page: Page, url: str, watched: Watched) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None
    page.wait_for_timeout(150)  # deferred scripts and their first fetch
    for violation in page.evaluate("window.__violations"):
        watched.problems.append(f"{url}: CSP violation {violation}")


def test_every_page_runs_its_scripts_under_the_policy(browser: Browser, served: Served) -> None:
    from playwright.sync_api import expect

    watched = Watched()
    page = _watched_page(browser, watched)
    page.goto(f"{served.base_url}/admin/login")
    page.fill("#email", "owner@example.com")
    page.fill("#password", "teppan-owner")
    page.click("button:has-text('Log in')")
    expect(page).to_have_url(f"{served.base_url}/admin/")

    # The watch sees a violation when there is one: markup injected past the templates.
    page.evaluate(INJECT_INLINE_STYLE)
    page.wait_for_timeout(100)
    assert page.evaluate("window.__violations.length") > 0
    watched.problems.clear()

    assert len(served.pages) > 40
    for path in served.pages:
        _visit(page, served.base_url + path, watched)

    # Plaid Link: Plaid's script (allowed from its CDN) and ours (a static file) both ran.
    _visit(page, f"{served.base_url}/admin/payments/bank/link", watched)
    expect(page.locator("body")).to_have_attribute("data-plaid-opened", "yes")
    token = page.locator("#plaid-exchange").get_attribute("data-link-token")
    assert token and page.evaluate("window.__plaidToken") == token

    # A page's own script at work under the policy: the template preview fetches and shows.
    _visit(page, f"{served.base_url}/admin/message-templates/booking_confirmation", watched)
    page.fill("#body", "Hi {first_name}, see you soon")
    expect(page.locator("#preview-text")).to_contain_text("see you soon")

    assert not watched.problems, "\n".join(watched.problems)
