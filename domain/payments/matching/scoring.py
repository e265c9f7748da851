"""Scoring one booking against one transaction, and deciding from the scored candidates.

score = 0.55 * identity + 0.30 * amount + 0.15 * date, each 0..1.

identity: the booking's reference in the memo (1.0), its phone or email in the memo (0.97), else
the payer's name (names.py). A memo that names *another* booking's reference costs 40 %.
amount: how the amount reads against the ledger (amounts.py); date: whether it came when that
kind of payment is expected.

A booking is a candidate at all ("related") when the memo points at it, or when the date is in
one of its (extended) windows and the payer's name shares an index key with the customer or
the amount is exactly a deposit, balance or total. The index (index.py) finds exactly these.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from domain.bookings.rules import booking_reference
from domain.payments.matching.amounts import AmountFit, amount_fits, date_fit
from domain.payments.matching.descriptors import (
    ParsedDescriptor,
    digits_of_phone,
    parse_descriptor,
)
from domain.payments.matching.models import (
    BankTransaction,
    BookingCandidate,
    CandidateScore,
    Decision,
    MatchResult,
    MatchSettings,
    PaymentType,
)
from domain.payments.matching.names import (
    NO_MATCH,
    NameMatch,
    booking_name_keys,
    name_similarity,
    payer_name_keys,
)

IDENTITY_WEIGHT = 0.55
AMOUNT_WEIGHT = 0.30
DATE_WEIGHT = 0.15
REFERENCE = 1.0
CONTACT = 0.97
OTHER_REFERENCE_FACTOR = 0.6
STRIPE_REASON = "Stripe payout: reconcile against Stripe payouts"
CASH_OUT_REASON = "cash-out of a payment app balance: names nobody; check the app's activity"
PARTIAL_REASON = "partial payment: never applied automatically"
CLOSE_REASON = "two candidates are close: a person decides"


@dataclass(frozen=True)
class BookingProfile:
    """A booking with what matching needs precomputed once."""

    booking: BookingCandidate
    reference: str
    phone: str | None
    email: str | None
    keys: frozenset[str]

    @classmethod
    def of(cls, booking: BookingCandidate) -> BookingProfile:
        keys = booking_name_keys(booking.customer_name)
        for payer in booking.known_payers:
            keys = keys | booking_name_keys(payer)
        reference = (booking.reference or booking_reference(booking.booking_id)).upper()
        email = booking.email.strip().lower() if booking.email else None
        return cls(booking, reference, digits_of_phone(booking.phone), email or None, keys)


@dataclass(frozen=True)
class TransactionFacts:
    """A transaction with its descriptor read and its name keys computed once."""

    tx: BankTransaction
    parsed: ParsedDescriptor
    keys: frozenset[str]

    @classmethod
    def of(cls, tx: BankTransaction, parsed: ParsedDescriptor | None = None) -> TransactionFacts:
        parsed = parsed or parse_transaction(tx)
        keys = payer_name_keys(parsed.payer_name) if parsed.payer_name else frozenset()
        return cls(tx, parsed, keys)


def parse_transaction(tx: BankTransaction) -> ParsedDescriptor:
    return parse_descriptor(tx.description, tx.counterparty_name, tx.channel)


@dataclass(frozen=True)
class Evaluation:
    """One booking scored, reasons not yet written (only the shown candidates get them)."""

    score: float
    profile: BookingProfile
    fit: AmountFit
    when: float
    identity: float
    evidence: str  # "reference", the contact found in the memo, or "" (the name)
    name: NameMatch
    outweighed: bool = False  # another booking's phone or email is in the memo

    def candidate(self, facts: TransactionFacts) -> CandidateScore:
        reasons: list[str] = []
        if self.evidence == "reference":
            reasons.append(f"reference {self.profile.reference} in memo")
        elif self.evidence:
            reasons.append(self.evidence)
        if self.name.score >= 0.8 or (not self.evidence and self.name.score > 0):
            reasons.append(self.name.reason)
        references = facts.parsed.references
        if references and self.evidence != "reference":
            reasons.append(f"memo names another booking ({', '.join(references)})")
        elif self.outweighed:
            reasons.append("memo's phone or email is another booking's")
        if self.identity == 0.0:
            reasons.append("name does not match" if facts.parsed.payer_name else "no name to go by")
        reasons.append(self.fit.reason())
        if self.when < 1.0:
            reasons.append("outside the usual dates" if self.when > 0 else "unexpected date")
        return CandidateScore(
            self.profile.booking.booking_id,
            self.score,
            self.fit.payment_type,
            reasons,
            round(self.identity, 4),
            self.fit.exact,
        )


def in_extended_window(on: date, booking: BookingCandidate, settings: MatchSettings) -> bool:
    since_booking = (on - booking.booked_on).days
    from_event = (on - booking.event_date).days
    near_booking = -1 <= since_booking <= 2 * settings.deposit_window_days and from_event <= 0
    near_event = -settings.early_balance_days <= from_event <= settings.late_balance_days
    return near_booking or near_event


def _contact_hit(parsed: ParsedDescriptor, profile: BookingProfile) -> str:
    if profile.phone is not None and profile.phone in parsed.phones:
        return "customer's phone in memo"
    if profile.email is not None and profile.email in parsed.emails:
        return "customer's email in memo"
    return ""


def evaluate(
    facts: TransactionFacts, profile: BookingProfile, settings: MatchSettings
) -> Evaluation | None:
    """The booking's score for this transaction, or None when it is not a candidate at all."""
    tx, parsed, booking = facts.tx, facts.parsed, profile.booking
    evidence = ""
    if parsed.references and profile.reference in parsed.references:
        evidence = "reference"
    elif parsed.phones or parsed.emails:
        evidence = _contact_hit(parsed, profile)
    best: tuple[AmountFit, float, float] | None = None
    for fit in amount_fits(tx.amount_cents, booking):
        when = date_fit(fit, tx.date, booking, settings)
        value = AMOUNT_WEIGHT * fit.score + DATE_WEIGHT * when
        if best is None or value > best[1]:
            best = (fit, value, when)
    if best is None:
        return None
    fit, amount_and_date, when = best
    if not evidence:
        if not in_extended_window(tx.date, booking, settings):
            return None
        if not (fit.exact and when >= 0.6) and not (facts.keys & profile.keys):
            return None

    identity = REFERENCE if evidence == "reference" else CONTACT if evidence else 0.0
    name = NO_MATCH
    if parsed.payer_name and identity < REFERENCE:
        name = name_similarity(parsed.payer_name, booking.customer_name, booking.known_payers)
        identity = max(identity, name.score)
    if parsed.references and evidence != "reference":
        identity *= OTHER_REFERENCE_FACTOR
    score = round(min(IDENTITY_WEIGHT * identity + amount_and_date, 1.0), 4)
    return Evaluation(score, profile, fit, when, identity, evidence, name)


def score_candidate(
    facts: TransactionFacts, profile: BookingProfile, settings: MatchSettings
) -> CandidateScore | None:
    """One booking's score with its reasons (None: not a candidate for this transaction)."""
    evaluation = evaluate(facts, profile, settings)
    return evaluation.candidate(facts) if evaluation is not None else None


def stripe_result(tx: BankTransaction, parsed: ParsedDescriptor) -> MatchResult:
    reason = STRIPE_REASON + (f" ({parsed.payout_reference})" if parsed.payout_reference else "")
    return MatchResult(tx.transaction_id, "unmatched", None, 0.0, "unknown", [], [reason])


def _outweighed_by_contact(evaluation: Evaluation) -> Evaluation:
    """The memo's phone or email is some booking's: the others lose as a wrong reference would."""
    if evaluation.evidence:
        return evaluation
    identity = evaluation.identity * OTHER_REFERENCE_FACTOR
    lost = IDENTITY_WEIGHT * (evaluation.identity - identity)
    return replace(
        evaluation, identity=identity, score=round(evaluation.score - lost, 4), outweighed=True
    )


def _outweighs(top: Evaluation, other: Evaluation) -> bool:
    """An exact amount from at least as sure a payer beats a tip or partial reading outright."""
    return top.fit.exact and not other.fit.exact and top.identity >= other.identity


def decide(
    facts: TransactionFacts, evaluations: list[Evaluation], settings: MatchSettings
) -> MatchResult:
    """auto only above the threshold, with the margin, for a whole payment from a named payer.

    The margin is taken to the best runner-up the top candidate does not outweigh (an exact
    amount against a tip or partial reading, with no surer identity): a customer's other
    booking that fits only as "balance plus 30 % tip" is not a real rival for an exact balance.
    """
    tx, parsed = facts.tx, facts.parsed
    if not parsed.references and any(e.evidence for e in evaluations):
        evaluations = [_outweighed_by_contact(e) for e in evaluations]
    evaluations.sort(key=lambda e: (-e.score, e.profile.booking.booking_id))
    ranked = [e.candidate(facts) for e in evaluations[: settings.max_candidates]]
    if not ranked or ranked[0].score < settings.review_threshold:
        if parsed.cash_out:
            return MatchResult(
                tx.transaction_id, "review", None, 0.0, "unknown", ranked, [CASH_OUT_REASON]
            )
        best = ranked[0].score if ranked else 0.0
        reason = "no booking fits" if not ranked else "no candidate is close enough"
        return MatchResult(tx.transaction_id, "unmatched", None, best, "unknown", ranked, [reason])
    top, leader = ranked[0], evaluations[0]
    kind: PaymentType = top.payment_type
    rival = next((e.score for e in evaluations[1:] if not _outweighs(leader, e)), 0.0)
    reasons: list[str] = []
    if parsed.cash_out:
        reasons.append(CASH_OUT_REASON)
    if kind in ("partial", "unknown"):
        reasons.append(PARTIAL_REASON if kind == "partial" else "amount does not fit the booking")
    if top.score - rival < settings.min_margin:
        reasons.append(CLOSE_REASON)
    if top.score < settings.auto_threshold:
        reasons.append(f"confidence {top.score:.2f} below {settings.auto_threshold:.2f}")
    decision: Decision = "review" if reasons else "auto"
    return MatchResult(
        tx.transaction_id, decision, top.booking_id, top.score, kind, ranked, reasons
    )
