"""The admin panel in a real browser: Debian's Chromium driven by Playwright, real uvicorn."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlmodel import Session

from api.app import create_app
from core.db import make_engine
from core.migrate import upgrade_database
from core.settings import Settings
from domain.demo_data import seed_demo_data
from tests.admin_ui.live_server import free_port, serve

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture
def base_url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'browser.db'}"
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
    settings = Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=url,
        temporal_address=f"127.0.0.1:{free_port()}",
        sandbox_ringcentral_port=free_port(),
        _env_file=None,
    )
    try:
        with serve(create_app(settings, engine)) as served:
            yield served
    finally:
        engine.dispose()


def choose(page: Page, select: str, starts_with: str) -> None:
    """Picks the option whose label starts with this text (labels also carry phone or price)."""
    option = page.locator(f"{select} option", has_text=starts_with).first
    page.select_option(select, value=option.get_attribute("value"))


def test_owner_books_an_event_through_the_form(base_url: str) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import expect, sync_playwright

    day = (date.today() + timedelta(days=300)).isoformat()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{base_url}/admin/bookings/new")
            expect(page).to_have_url(re.compile(r"/admin/login\?next="))
            page.fill("#email", "owner@example.com")
            page.fill("#password", "teppan-owner")
            page.click("button:has-text('Log in')")
            expect(page).to_have_url(f"{base_url}/admin/bookings/new")

            choose(page, "#customer_id", "Priya Sharma")
            page.fill("#date", day)
            page.fill("#time", "17:45")
            page.fill("#address", "1 Harbor Bay Pkwy, Alameda, CA 94502")
            page.fill("#adults", "18")
            page.fill("#children", "3")
            choose(page, "#package_id", "Premium Hibachi")
            page.select_option("#chef_id", label="Chef Mei Lin")
            page.fill("#notes", "Birthday: bring the volcano")
            page.click("button:has-text('Create booking')")

            expect(page).to_have_url(re.compile(r"/admin/bookings/\d+$"))
            heading = page.locator("h1").inner_text()
            reference = re.search(r"TP-\d+", heading)
            assert reference, heading
            expect(page.locator(".flash")).to_contain_text(f"Booked {reference.group(0)}")
            expect(page.locator(".event-start")).to_contain_text("5:45 PM")
            expect(page.locator(".event-address")).to_have_text(
                "1 Harbor Bay Pkwy, Alameda, CA 94502"
            )
            expect(page.locator("body")).to_contain_text("Chef Mei Lin")
            # 18 adults x $80 + 3 children x $40 on the premium package.
            expect(page.locator("body")).to_contain_text("$1,560.00")

            page.click("nav >> text=Bookings")
            page.fill("#q", reference.group(0))
            page.click("form.search button")
            row = page.locator("tbody tr", has_text=reference.group(0))
            expect(row).to_contain_text("Priya Sharma")
            expect(row).to_contain_text("confirmed")
        finally:
            browser.close()
