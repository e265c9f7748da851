"""Announcing payments to their workflows through the inbox, in the caller's transaction.

`recorded` starts a payment's matching workflow; `wake` tells a waiting one to look again (a
person decided, or the bank withdrew the line). The forwarder delivers both after the commit,
and later if Temporal is down.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from domain.inbox import service as inbox
from domain.payments.models import Payment

PAYMENT_RECORDED = "payment.recorded"
PAYMENT_WAKE = "payment.wake"
BANK_SYNC_REQUESTED = "bank.sync_requested"


def _payload(payment: Payment) -> dict[str, object]:
    return {
        "payment_id": payment.id,
        "source": payment.source.value,
        "first_external_id": payment.first_external_id or payment.external_id,
    }


def recorded(session: Session, payment: Payment) -> None:
    inbox.enqueue_internal(
        session,
        kind=PAYMENT_RECORDED,
        event_key=f"payment-recorded-{payment.id}",
        payload=_payload(payment),
    )


def recorded_many(session: Session, payments: Sequence[Payment]) -> None:
    """`recorded` for a batch of payments just inserted (a CSV file's chunk), in one flush."""
    inbox.enqueue_internal_many(
        session,
        kind=PAYMENT_RECORDED,
        events=[(f"payment-recorded-{payment.id}", _payload(payment)) for payment in payments],
    )


def wake(session: Session, payment: Payment, reason: str) -> None:
    inbox.enqueue_internal(
        session,
        kind=PAYMENT_WAKE,
        event_key=f"payment-{reason}-{payment.id}",
        payload={**_payload(payment), "reason": reason},
    )


def bank_sync_requested(session: Session, request_key: str) -> int:
    """The panel's "Sync now": a sync workflow of its own, started after the commit."""
    event = inbox.enqueue_internal(
        session, kind=BANK_SYNC_REQUESTED, event_key=f"bank-sync-{request_key}", payload={}
    )
    return event.id or 0
