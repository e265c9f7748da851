"""The Texting page: the owner's emergency switch, waiting and refused texts, the consent log."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from domain.audit.models import AuditEntry
from domain.audit.service import SYSTEM
from domain.business.models import BusinessSettings
from domain.customers.models import Channel, Customer
from domain.messaging import consent
from domain.messaging.models import (
    ConsentAction,
    Message,
    MessageDirection,
    MessageKind,
    MessageStatus,
)
from tests.admin_ui.conftest import csrf_of


def _paused(engine: Engine) -> bool:
    with Session(engine) as session:
        settings = session.get(BusinessSettings, 1)
        assert settings is not None
        return settings.texting_paused


def test_a_manager_pauses_and_resumes_every_text(manager: TestClient, engine: Engine) -> None:
    page = manager.get("/admin/texting")
    assert page.status_code == 200
    assert "Texting is on" in page.text
    assert "Nothing waiting" in page.text and "No text has been refused" in page.text
    assert "texts consent ticked" in page.text  # the seeded customers who agreed to texts

    paused = manager.post("/admin/texting/pause", data={"csrf_token": csrf_of(page.text)})
    assert paused.status_code == 303
    assert _paused(engine)
    elsewhere = manager.get("/admin/customers")
    assert 'id="texting-paused-banner"' in elsewhere.text

    page = manager.get("/admin/texting")
    manager.post("/admin/texting/resume", data={"csrf_token": csrf_of(page.text)})
    assert not _paused(engine)
    with Session(engine) as session:
        summaries = [e.summary for e in session.exec(select(AuditEntry)).all()]
    assert "Paused every outbound text" in summaries and "Resumed outbound texts" in summaries


def test_staff_may_not_see_or_flip_the_switch(staff: TestClient, engine: Engine) -> None:
    assert staff.get("/admin/texting").status_code == 403
    token = csrf_of(staff.get("/admin/customers").text)
    assert staff.post("/admin/texting/pause", data={"csrf_token": token}).status_code == 403
    assert not _paused(engine)


def test_the_switch_needs_the_forms_token(manager: TestClient, engine: Engine) -> None:
    assert manager.post("/admin/texting/pause", data={}).status_code in (400, 403)
    assert not _paused(engine)


def test_held_and_refused_texts_and_the_consent_log(manager: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        customer = session.exec(select(Customer).where(Customer.phone.is_not(None))).first()  # type: ignore[union-attr]
        assert customer is not None and customer.phone
        for status, why in (
            (MessageStatus.HELD, "outside the recipient's allowed hours"),
            (MessageStatus.SUPPRESSED, "the customer opted out of texts"),
        ):
            session.add(
                Message(
                    channel=Channel.SMS,
                    direction=MessageDirection.OUTBOUND,
                    body=f"<script>alert('{status.value}')</script>",
                    from_address="+15105550100",
                    to_address=customer.phone,
                    status=status,
                    kind=MessageKind.REMINDER,
                    error=why,
                )
            )
        consent.record(
            session,
            address=customer.phone,
            channel=Channel.SMS,
            customer_id=customer.id,
            action=ConsentAction.OPT_OUT,
            method="keyword",
            evidence="please stop texting me",
            actor=SYSTEM,
            now=datetime(2026, 12, 1, 20, tzinfo=UTC),
        )
        session.commit()
        name, digits = customer.full_name, customer.phone[-4:]

    page = manager.get("/admin/texting")
    assert "outside the recipient&#39;s allowed hours" in page.text
    assert "the customer opted out of texts" in page.text
    assert "<script>" not in page.text  # customers' words are escaped
    assert "please stop texting me" in page.text and name in page.text

    found = manager.get("/admin/texting", params={"number": digits})
    assert "please stop texting me" in found.text
    none = manager.get("/admin/texting", params={"number": "0000000"})
    assert "No consent changes for that number" in none.text
