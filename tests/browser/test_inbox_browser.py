"""The inbox in a real browser: a customer's new message appears in the list and in the open
thread without reloading the page (inbox.js polling /inbox/updates)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from api.app import create_app
from core.db import make_engine
from core.migrate import upgrade_database
from core.settings import Settings
from domain.audit.service import SYSTEM
from domain.customers.models import Channel
from domain.demo_data import seed_demo_data
from domain.messaging import conversations
from domain.messaging.payloads import InboundMessage
from tests.admin_ui.live_server import free_port, serve
from tests.browser.test_admin_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The page polls every 4 seconds; give it two rounds.
APPEARS_WITHIN_MS = 10_000


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
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
        with serve(create_app(settings, engine)) as base_url:
            yield base_url, engine
    finally:
        engine.dispose()


def _texts(engine: Engine, text: str) -> int:
    """Jennifer Nguyen (a demo customer) texts the business."""
    with Session(engine, expire_on_commit=False) as session:
        received = conversations.receive(
            session,
            InboundMessage(
                channel=Channel.SMS,
                external_id=uuid.uuid4().hex,
                from_address="+15105550111",
                to_address="+15105550100",
                text=text,
                received_at=datetime.now(UTC),
            ),
            SYSTEM,
        )
        session.commit()
        return received.conversation.id or 0


def test_new_messages_appear_without_reloading(served: tuple[str, Engine]) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import expect, sync_playwright

    base_url, engine = served
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{base_url}/admin/inbox")
            page.fill("#email", "staff@example.com")
            page.fill("#password", "teppan-staff1")
            page.click("button:has-text('Log in')")
            expect(page.locator("#inbox-empty")).to_contain_text("No conversations yet.")

            conversation_id = _texts(engine, "Are you free on <b>Dec 12</b>?")
            row = page.locator("#inbox-list tbody tr", has_text="Jennifer Nguyen")
            expect(row).to_contain_text("Are you free on <b>Dec 12</b>?", timeout=APPEARS_WITHIN_MS)
            expect(page.locator("#inbox-empty")).to_be_hidden()
            expect(page.locator("#inbox-unread")).to_have_text("1")

            row.locator("a", has_text="Jennifer Nguyen").click()
            expect(page).to_have_url(f"{base_url}/admin/inbox/{conversation_id}")
            expect(page.locator("#inbox-unread")).to_have_count(0)  # opening read it

            _texts(engine, "Also: 20 guests")
            latest = page.locator("#thread li.inbound").last
            expect(latest).to_contain_text("Also: 20 guests", timeout=APPEARS_WITHIN_MS)
            expect(latest).to_contain_text("Jennifer Nguyen · SMS")

            page.click("button.quick-reply:has-text('What we bring')")
            expect(page.locator("#reply-body")).to_have_value(
                "Our chef brings the hibachi grill, propane, all the food and the cooking tools. "
                "You provide tables, chairs, plates and utensils for your guests."
            )
        finally:
            browser.close()
