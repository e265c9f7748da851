"""No text escapes the rules, shown on a booking's real texts (lifecycle workflow, real send
activity, RingCentral emulator, time-skipping server): allowed hours, opt-outs, the owner's
switch."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import Session, select

from domain.audit.service import SYSTEM
from domain.business.models import BusinessSettings
from domain.customers.models import Customer
from domain.messaging import consent
from domain.messaging.consent_rules import ConsentKeyword
from domain.messaging.models import ConsentRecord, MessageStatus
from tests.workflows.lifecycle_world import (
    CUSTOMER_PHONE,
    Lifecycle,
    _book,
    _phone_thread,
    _started,
    _texts,
    _until,
    _until_texts,
)


def _set_business(world: Lifecycle, **values: object) -> None:
    with Session(world.engine) as session:
        settings = session.get(BusinessSettings, 1)
        assert settings is not None
        for name, value in values.items():
            setattr(settings, name, value)
        session.add(settings)
        session.commit()


def _statuses(world: Lifecycle, booking_id: int) -> list[tuple[str, str, str | None]]:
    prefix = f"booking:{booking_id}:"
    return [
        ((m.idempotency_key or "").removeprefix(prefix).split(":")[0], m.status.value, m.error)
        for m in _texts(world, booking_id)
    ]


async def test_a_reminder_due_at_night_waits_for_the_morning(lifecycle: Lifecycle) -> None:
    _set_business(lifecycle, event_reminder_local_time="22:30")
    booking = _book(lifecycle, lifecycle.local(3, 12))
    booking_id = booking.id or 0
    await _started(lifecycle, booking)
    await _until_texts(lifecycle, booking_id, "booking_confirmation")

    await lifecycle.sleep_until(lifecycle.local(2, 22, 35))
    await _until(lambda: len(_texts(lifecycle, booking_id)) == 2)
    assert _statuses(lifecycle, booking_id)[-1] == (
        "event_reminder",
        "held",
        "outside the recipient's allowed hours",
    )
    assert len(_phone_thread(lifecycle)) == 1

    await lifecycle.sleep_until(lifecycle.local(3, 7, 55))
    await asyncio.sleep(0.3)
    assert len(_phone_thread(lifecycle)) == 1  # still night at 7:55
    await lifecycle.sleep_until(lifecycle.local(3, 8, 5))
    await _until(lambda: len(_phone_thread(lifecycle)) == 2)
    assert _statuses(lifecycle, booking_id)[-1][:2] == ("event_reminder", "sent")


async def test_after_stop_no_reminder_or_review_request_reaches_the_customer(
    lifecycle: Lifecycle,
) -> None:
    booking = _book(lifecycle, lifecycle.local(2, 12))
    booking_id = booking.id or 0
    handle = await _started(lifecycle, booking)
    await _until_texts(lifecycle, booking_id, "booking_confirmation")
    with Session(lifecycle.engine) as session:
        customer = session.exec(select(Customer).where(Customer.phone == CUSTOMER_PHONE)).one()
        assert consent.apply_keyword(
            session,
            customer,
            ConsentKeyword.OPT_OUT,
            address=CUSTOMER_PHONE,
            evidence="please stop texting me",
            message_id=None,
            actor=SYSTEM,
        )
        session.commit()

    await lifecycle.sleep_until(lifecycle.local(3, 14, 31))  # past the end, reminder, review
    outcome = await asyncio.wait_for(handle.result(), timeout=30)
    assert [(r.kind.value, r.status) for r in outcome.records] == [
        ("booking_confirmation", "sent"),
        ("event_reminder", "suppressed"),
        ("review_request", "suppressed"),
        ("balance_reminder", "suppressed"),
    ]
    assert {error for _, status, error in _statuses(lifecycle, booking_id)[1:]} == {
        "the customer opted out of texts"
    }
    assert len(_phone_thread(lifecycle)) == 1
    with Session(lifecycle.engine) as session:
        [record] = session.exec(
            select(ConsentRecord).where(ConsentRecord.action == "opt_out")
        ).all()
    assert record.evidence == "please stop texting me"
    assert record.retain_until - record.recorded_at >= timedelta(days=4 * 365)


async def test_the_owners_switch_holds_texts_until_it_is_turned_off(
    lifecycle: Lifecycle,
) -> None:
    _set_business(lifecycle, texting_paused=True)
    booking = _book(lifecycle, lifecycle.local(3, 12))
    booking_id = booking.id or 0
    await _started(lifecycle, booking)
    await _until(lambda: [s for _, s, _ in _statuses(lifecycle, booking_id)] == ["held"])
    assert _statuses(lifecycle, booking_id) == [
        ("booking_confirmation", MessageStatus.HELD.value, "texting is paused by the owner")
    ]
    await lifecycle.env.sleep(timedelta(hours=2))
    assert _phone_thread(lifecycle) == []

    _set_business(lifecycle, texting_paused=False)
    await lifecycle.env.sleep(timedelta(minutes=6))
    await _until(lambda: len(_phone_thread(lifecycle)) == 1)
    assert _statuses(lifecycle, booking_id)[0][:2] == ("booking_confirmation", "sent")
