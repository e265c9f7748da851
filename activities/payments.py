"""Payments: matching bank lines, reconciling Stripe payouts, syncing the bank, card events."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity

from activities.actor import workflow_actor
from activities.errors import rejected, retryable
from core.db import session_scope
from core.timeutil import utcnow
from domain.audit.service import Actor
from domain.business import service as business
from domain.messaging.models import MessageKind
from domain.messaging.payloads import SendSmsRequest
from domain.payments import bank, card, outbox, reconcile, recording
from domain.payments.matching import MatchSettings
from domain.payments.models import PaymentSource, PaymentStatus
from domain.payments.payloads import (
    BankSyncInput,
    BankSyncReport,
    CardEventInput,
    CardEventOutcome,
    MatchOutcome,
    PaymentMatchInput,
    ReviewCheck,
    ReviewCheckRequest,
)
from domain.payments.schemas import IncomingPayment, PayoutSeen
from domain.staff import service as staff
from domain.staff.models import StaffMember
from integrations.bank_feed.base import BankFeed, BankLine, SyncBatch
from integrations.card_payments.base import CardPayments
from integrations.errors import ProviderRejectedError, ProviderTransientError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaymentSettings:
    matching: MatchSettings
    review_reminder_hours: int = 24


class PaymentActivities:
    def __init__(
        self,
        engine: Engine,
        settings: PaymentSettings,
        bank_feed: BankFeed,
        card_payments: CardPayments,
        decrypt: Callable[[str], str],
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._bank_feed = bank_feed
        self._card_payments = card_payments
        self._decrypt = decrypt

    @activity.defn
    def match_payment(self, request: PaymentMatchInput) -> MatchOutcome:
        with session_scope(self._engine) as session:
            outcome = reconcile.match_payment(
                session, request.payment_id, self._settings.matching, workflow_actor()
            )
        return outcome.model_copy(
            update={"review_reminder_hours": self._settings.review_reminder_hours}
        )

    @activity.defn
    def reconcile_stripe_payout(self, request: PaymentMatchInput) -> MatchOutcome:
        with session_scope(self._engine) as session:
            received = reconcile.get_payment(session, request.payment_id).received_at.date()
        try:
            payouts = self._card_payments.payouts_between(
                received - timedelta(days=7), received + timedelta(days=3)
            )
        except ProviderTransientError as error:
            raise retryable(error) from error
        except ProviderRejectedError as error:
            raise rejected(error) from error
        seen = [
            PayoutSeen(
                payout_id=p.payout_id,
                amount_cents=p.amount_cents,
                arrival_date=p.arrival_date,
                trace_id=p.trace_id,
            )
            for p in payouts
        ]
        with session_scope(self._engine) as session:
            outcome = reconcile.reconcile_payout(
                session, request.payment_id, seen, workflow_actor()
            )
        return outcome.model_copy(
            update={"review_reminder_hours": self._settings.review_reminder_hours}
        )

    @activity.defn
    def check_review(self, request: ReviewCheckRequest) -> ReviewCheck:
        """Where the review item stands; with `remind`, the owner's text if it still waits."""
        with session_scope(self._engine) as session:
            payment = reconcile.get_payment(session, request.payment_id)
            stage = reconcile.stage_of(payment)
            check = ReviewCheck(
                payment_id=request.payment_id, stage=stage.stage, booking_ids=stage.booking_ids
            )
            if not request.remind or payment.status != PaymentStatus.IN_REVIEW:
                return check
            primary = staff.primary(session)
            member = session.get(StaffMember, primary.staff_member_id) if primary else None
            if member is None or not member.phone:
                log.info("payment %s waits for review; nobody to text", payment.id)
                return check
            settings = business.get_settings(session)
            dollars = f"${payment.amount_cents / 100:,.2f}"
            payer = payment.payer_name or payment.counterparty_name or "an unknown payer"
            return check.model_copy(
                update={
                    "reminder": SendSmsRequest(
                        idempotency_key=f"payment:{payment.id}:review-reminder",
                        conversation_id=None,
                        kind=MessageKind.STAFF,
                        from_number=settings.phone_number,
                        to_number=member.phone,
                        text=(
                            f"Teppan: a {dollars} payment from {payer} has waited over "
                            f"{self._settings.review_reminder_hours} h for review. "
                            "Admin → Payments → Review."
                        ),
                        sent_by="system",
                    )
                }
            )

    @activity.defn
    def apply_card_event(self, event: CardEventInput) -> CardEventOutcome:
        with session_scope(self._engine) as session:
            return card.apply_card_event(session, event, workflow_actor())

    @activity.defn
    def sync_bank(self, request: BankSyncInput) -> BankSyncReport:
        with session_scope(self._engine) as session:
            targets = [
                (c.id or 0, c.access_token_encrypted, c.cursor)
                for c in bank.connections(session)
                if request.connection_id is None or c.id == request.connection_id
            ]
        report = BankSyncReport()
        for connection_id, token, cursor in targets:
            activity.heartbeat(connection_id)
            try:
                batch = self._bank_feed.sync(self._decrypt(token), cursor)
            except ProviderTransientError as error:
                raise retryable(error) from error
            except ProviderRejectedError as error:
                with session_scope(self._engine) as session:
                    bank.record_sync_error(session, connection_id, str(error))
                raise rejected(error) from error
            with session_scope(self._engine) as session:
                store_batch(session, connection_id, batch, report, workflow_actor())
            report.connections += 1
        return report


def store_batch(
    session: Session, connection_id: int, batch: SyncBatch, report: BankSyncReport, actor: Actor
) -> None:
    """One transaction per sync: lines, withdrawals, cursor and the workflows' inbox events."""
    modified_from = len(batch.added)
    for position, line in enumerate([*batch.added, *batch.modified]):
        if line.amount_cents <= 0:
            report.skipped_debits += 1  # money out is not a customer payment
            continue
        payment, is_new = recording.record_incoming(session, _incoming(line), actor)
        if is_new:
            report.added += 1
            report.new_payment_ids.append(payment.id or 0)
            outbox.recorded(session, payment)
        elif position >= modified_from:
            report.modified += 1
    for transaction_id in batch.removed:
        report.removed += 1
        withdrawn = recording.withdraw(session, PaymentSource.BANK, transaction_id, actor)
        if withdrawn is not None:
            report.reversed += 1
            report.reversed_payment_ids.append(withdrawn.id or 0)
            outbox.wake(session, withdrawn, "withdrawn")
    bank.record_sync(
        session,
        connection_id,
        cursor=batch.next_cursor,
        at=utcnow(),
        added=report.added,
        removed=report.removed,
    )


def _incoming(line: BankLine) -> IncomingPayment:
    return IncomingPayment(
        source=PaymentSource.BANK,
        external_id=line.transaction_id,
        pending_external_id=line.pending_transaction_id,
        posted_on=line.posted_on,
        amount_cents=line.amount_cents,
        description=line.description[:500],
        counterparty_name=line.counterparty_name,
        pending=line.pending,
    )
