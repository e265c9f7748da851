"""Storing bank lines a batch at a time (the CSV import): the same outcome as one by one."""

from datetime import date

from sqlmodel import Session, col, select

from domain.audit.service import Actor
from domain.inbox import service as inbox
from domain.inbox.models import WebhookEvent
from domain.payments import outbox, recording
from domain.payments.models import Payment, PaymentSource
from domain.payments.schemas import IncomingPayment
from tests import factories

ACTOR = Actor("cli", "test")


def _line(external_id: str, cents: int = 45_000, **extra: object) -> IncomingPayment:
    return IncomingPayment.model_validate(
        {
            "source": PaymentSource.CSV,
            "external_id": external_id,
            "posted_on": date(2026, 12, 6),
            "amount_cents": cents,
            "description": "Zelle payment from JENNIFER NGUYEN",
            **extra,
        }
    )


def test_a_batch_stores_new_lines_once_and_refreshes_known_ones(session: Session) -> None:
    factories.business(session)
    known, _ = recording.record_incoming(session, _line("t1", 100), ACTOR)
    session.commit()

    stored = recording.record_many(
        session, [_line("t1", 200), _line("t2"), _line("t3"), _line("t2", 999)], ACTOR
    )
    session.commit()

    assert [(payment.external_id, is_new) for payment, is_new in stored] == [
        ("t1", False),
        ("t2", True),
        ("t3", True),
        ("t2", False),  # the same id twice in one batch is one payment
    ]
    rows = session.exec(select(Payment).order_by(col(Payment.external_id))).all()
    assert [(p.external_id, p.amount_cents) for p in rows] == [
        ("t1", 200),
        ("t2", 999),
        ("t3", 45_000),
    ]
    assert rows[0].id == known.id
    assert rows[1].payer_name  # read from the descriptor, as one by one
    assert rows[1].received_at.hour == 12  # noon in the business's zone, as one by one


def test_a_batch_with_a_pending_line_posting_takes_the_one_by_one_path(session: Session) -> None:
    factories.business(session)
    pending, _ = recording.record_incoming(session, _line("p1", pending=True), ACTOR)
    session.commit()

    [(posted, is_new)] = recording.record_many(
        session, [_line("t1", pending_external_id="p1")], ACTOR
    )

    assert posted.id == pending.id and not is_new and posted.external_id == "t1"


def test_batch_events_are_queued_once_per_key_even_when_one_exists(session: Session) -> None:
    factories.business(session)
    stored = recording.record_many(session, [_line("t1"), _line("t2")], ACTOR)
    payments = [payment for payment, _ in stored]
    outbox.recorded(session, payments[0])  # already queued: the batch must not fail or repeat it

    outbox.recorded_many(session, payments)
    session.commit()

    events = session.exec(select(WebhookEvent).order_by(col(WebhookEvent.event_key))).all()
    assert [event.event_key for event in events] == [
        f"payment-recorded-{payments[0].id}",
        f"payment-recorded-{payments[1].id}",
    ]
    assert inbox.count_pending(session) == 2
