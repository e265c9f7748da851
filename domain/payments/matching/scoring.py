"""Scoring bookings against one transaction, and deciding from the scored candidates.

score = 0.55 * identity + 0.30 * amount + 0.15 * date, each 0..1.

identity: the booking's reference in the memo (1.0), its phone or email in the memo (0.97), else
the payer's name (names.py). A memo that names *another* booking's reference costs 40 %.
amount: how the amount reads against the ledger (amounts.py); date: whether it came when that
kind of payment is expected. When the memo names the booking, a large tip reads as any tip.

A booking is a candidate at all when the memo points at it; or when the date is in one of its
(extended) windows and
- the amount is exactly a deposit, balance or total, at a date it is expected (0.6 or more), or
- one of the payer's words is related to one of the customer's keys (`names.words_related`:
  the surnames, the company's words, those of payers approved before) and either the name may
  be the customer's (0.8 or more: `PERSON`) or the amount reads as a whole payment (deposit,
  balance or total, with or without a tip) at a date it is expected. A relative or a namesake
  paying part of a booking, or at an odd time, is no lead.

The index (index.py) finds exactly these; `naive_match` scores every booking with the same
`score_bookings`, and both decide with `match_in_stages`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from domain.bookings.rules import booking_reference
from domain.payments.matching.amounts import (
    AMOUNT_WEIGHT,
    DATE_WEIGHT,
    EXACT,
    TIP_TYPICAL,
    RawReading,
    Reading,
    Windows,
    best_reading,
    fit_reason,
)
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
    KNOWN_PAYER,
    NO_MATCH,
    SAME_SURNAME,
    NameMatch,
    NameProfile,
    PayerName,
    customer_profile,
    known_payer_profile,
)

IDENTITY_WEIGHT = 0.55
# A name that says "this customer" (names.py: the payer name matches, with a nickname, an
# initial, cut short, close). Below it (a relative, a namesake's first name) a booking needs
# the amount to read as a whole payment at an expected date to be a candidate at all.
PERSON = 0.8
CERTAIN = KNOWN_PAYER  # an approved payer, an exact name, the memo naming the booking
_WHOLE = frozenset({"deposit", "full", "balance", "balance_with_tip"})
# The best score of a booking the payer's name may not be the customer's (a relative, a
# namesake: `_is_strong`): the name gives it SAME_SURNAME at most.
WEAK_BOUND = round(
    min(IDENTITY_WEIGHT * SAME_SURNAME + (AMOUNT_WEIGHT * EXACT + DATE_WEIGHT), 1.0), 4
)
_LARGEST_WHOLE = 1.51  # a whole payment is at most the amount due plus a 50 % tip
REFERENCE = 1.0
CONTACT = 0.97
OTHER_REFERENCE_FACTOR = 0.6
STRIPE_REASON = "Stripe payout: reconcile against Stripe payouts"
CASH_OUT_REASON = "cash-out of a payment app balance: names nobody; check the app's activity"
PARTIAL_REASON = "partial payment: never applied automatically"
CLOSE_REASON = "two candidates are close: a person decides"


def booking_keys(name: NameProfile, known_payers: tuple[NameProfile, ...]) -> tuple[str, ...]:
    if not known_payers:
        return name.keys
    return tuple(
        dict.fromkeys([*name.keys, *(key for payer in known_payers for key in payer.keys)])
    )


def reference_of(booking: BookingCandidate) -> str:
    return (booking.reference or booking_reference(booking.booking_id)).upper()


def email_of(booking: BookingCandidate) -> str | None:
    return (booking.email.strip().lower() or None) if booking.email else None


@dataclass(frozen=True, slots=True)
class BookingProfile:
    """One booking with what matching reads of it (`BookingTable` holds the same as columns)."""

    booking: BookingCandidate
    reference: str
    phone: str | None
    email: str | None
    name: NameProfile
    known_payers: tuple[NameProfile, ...]
    keys: tuple[str, ...]  # the customer's words a payer's word must be related to

    @classmethod
    def of(cls, booking: BookingCandidate) -> BookingProfile:
        name = customer_profile(booking.customer_name)
        known = tuple(known_payer_profile(payer) for payer in booking.known_payers)
        return cls(
            booking,
            reference_of(booking),
            digits_of_phone(booking.phone),
            email_of(booking),
            name,
            known,
            booking_keys(name, known),
        )


class BookingTable:
    """The bookings as columns, read once: one list per field, a booking is a position.

    Columns, not an object per booking: building 100,000 objects costs more than all the lists.
    """

    def __init__(self, bookings: Sequence[BookingCandidate]) -> None:
        self.bookings = list(bookings)
        rows = self.bookings
        self.ids = [b.booking_id for b in rows]
        self.booked_on = [b.booked_on.toordinal() for b in rows]
        self.event_date = [b.event_date.toordinal() for b in rows]
        self.total = [b.total_cents for b in rows]
        self.deposit = [b.deposit_cents for b in rows]
        self.paid = [b.paid_cents for b in rows]
        self.names = [customer_profile(b.customer_name) for b in rows]
        self.known_payers = [
            tuple(known_payer_profile(payer) for payer in b.known_payers) if b.known_payers else ()
            for b in rows
        ]
        self.keys = [
            booking_keys(name, known) if known else name.keys
            for name, known in zip(self.names, self.known_payers, strict=True)
        ]
        self.phones = [digits_of_phone(b.phone) if b.phone else None for b in rows]
        self.emails = [email_of(b) for b in rows]
        self.references = [reference_of(b) for b in rows]
        # For the cheap tests of `score_bookings`: what a whole payment is read against, and
        # the customer's first name when comparing words is all the name check takes.
        self.base = [t if p == 0 else t - p for t, p in zip(self.total, self.paid, strict=True)]
        self.largest_whole = [base * _LARGEST_WHOLE for base in self.base]
        self.deposit_due = [d - p for d, p in zip(self.deposit, self.paid, strict=True)]
        self.plain_first_name = [
            name.tokens[0] if len(name.tokens) > 1 and name.company is None and not known else None
            for name, known in zip(self.names, self.known_payers, strict=True)
        ]
        self.word_count = [len(name.tokens) for name in self.names]
        self.whole = [name.whole for name in self.names]

    def __len__(self) -> int:
        return len(self.bookings)


@dataclass(slots=True)
class TransactionFacts:
    """A transaction with its descriptor and payer read once, for all the bookings it meets."""

    tx: BankTransaction
    parsed: ParsedDescriptor
    payer: PayerName | None
    on: int  # day ordinal

    @classmethod
    def of(cls, tx: BankTransaction, parsed: ParsedDescriptor | None = None) -> TransactionFacts:
        parsed = parsed or parse_transaction(tx)
        # Made anew for each transaction: its reading of the words is cached by the string, and
        # what it remembers (first names it may be) lives as long as the transaction.
        payer = PayerName(parsed.payer_name) if parsed.payer_name else None
        return cls(tx, parsed, payer, tx.date.toordinal())


def parse_transaction(tx: BankTransaction) -> ParsedDescriptor:
    return parse_descriptor(tx.description, tx.counterparty_name, tx.channel)


# One booking scored: a plain tuple, since a transaction meets dozens of bookings and a tuple
# costs a tenth of an object. Sorting them ranks the best first (ties: the lower booking id).
Scored = tuple[
    float,  # minus the score
    int,  # booking id
    int,  # position in the table
    float,  # identity, 0..1
    str,  # evidence: "reference", the contact found in the memo, or "" (the name)
    RawReading,  # how the amount and date read (amounts.best_reading)
    NameMatch,
    bool,  # outweighed: another booking's phone or email is in the memo
]


def _exact(scored: Scored) -> bool:
    return scored[5][1] >= 1.0  # the amount is exactly a deposit, balance or total


def candidate_score(scored: Scored, facts: TransactionFacts, table: BookingTable) -> CandidateScore:
    """A scored booking as shown: with the reasons for its score."""
    negative, booking_id, position, identity, evidence, raw, name, outweighed = scored
    reading = Reading(*raw)
    reasons: list[str] = []
    if evidence == "reference":
        reasons.append(f"reference {table.references[position]} in memo")
    elif evidence:
        reasons.append(evidence)
    if name.score >= 0.8 or (not evidence and name.score > 0):
        reasons.append(name.reason)
    references = facts.parsed.references
    if references and evidence != "reference":
        reasons.append(f"memo names another booking ({', '.join(references)})")
    elif outweighed:
        reasons.append("memo's phone or email is another booking's")
    if identity == 0.0:
        reasons.append("name does not match" if facts.parsed.payer_name else "no name to go by")
    reasons.append(
        fit_reason(reading.payment_type, reading.label, reading.base_cents, facts.tx.amount_cents)
    )
    if reading.when < 1.0:
        reasons.append("outside the usual dates" if reading.when > 0 else "unexpected date")
    return CandidateScore(
        booking_id,
        -negative,
        reading.payment_type,
        reasons,
        round(identity, 4),
        reading.exact,
    )


def _evidence(parsed: ParsedDescriptor, table: BookingTable, position: int) -> str:
    if parsed.references and table.references[position] in parsed.references:
        return "reference"
    phone = table.phones[position]
    if phone is not None and phone in parsed.phones:
        return "customer's phone in memo"
    email = table.emails[position]
    if email is not None and email in parsed.emails:
        return "customer's email in memo"
    return ""


def score_bookings(
    facts: TransactionFacts,
    table: BookingTable,
    positions: Iterable[int],
    settings: MatchSettings,
    related_keys: AbstractSet[str] | None = None,
    weak: bool = False,
) -> list[Scored]:
    """The candidates among these bookings, scored; the others are left out.

    Cheap tests first, since most bookings a payer's surname reaches are relatives and
    namesakes that a partial or odd amount rules out: the window, then whether the amount may
    read as a whole payment, then (in bulk) whether the name may be the customer's; the reading
    of the amount and the full name comparison only for what is left.
    `related_keys`, when given, are the keys the payer's words are related to among all the
    bookings' keys (the index knows them); else each key is asked (`PayerName.relates_to`).
    `weak`: the payer's name is known not to be any of these customers' (the index's split,
    `name_may_be_the_customer`), so a name alone makes none of them a candidate.
    """
    parsed, payer, on, amount = facts.parsed, facts.payer, facts.on, facts.tx.amount_cents
    if amount <= 0:
        return []
    windows = Windows.of(settings)
    booked_on, event_date, keys = table.booked_on, table.event_date, table.keys
    total, deposit, paid = table.total, table.deposit, table.paid
    base, largest_whole, deposit_due = table.base, table.largest_whole, table.deposit_due
    if payer is None:
        related_keys = frozenset()
    elif related_keys is None:
        related_keys = {key for position in positions for key in keys[position]}
        related_keys = {key for key in related_keys if payer.relates_to(key)}
    # `in_extended_window`, as bounds on the two dates
    booked_low, booked_high = on - windows.deposit_far, on + 1
    event_low, event_high = on - windows.late, on + windows.early
    found: list[tuple[int, RawReading, str]] = []
    pending: list[int] = []  # related by name only: candidates if the name is the customer's
    pointed = bool(parsed.references or parsed.phones or parsed.emails)
    for position in positions:
        booked, event = booked_on[position], event_date[position]
        if pointed:
            evidence = _evidence(parsed, table, position)
            if evidence:
                reading = best_reading(
                    amount, on, total[position], deposit[position], paid[position], booked, event,
                    windows,
                )  # fmt: skip
                found.append((position, reading, evidence))
                continue
        if not (
            (booked_low <= booked <= booked_high and event >= on)
            or event_low <= event <= event_high
        ):
            continue
        if (
            base[position] <= amount <= largest_whole[position]
            or amount == deposit_due[position]
            or amount == deposit[position]
        ):  # it may read as a whole payment
            reading = best_reading(
                amount, on, total[position], deposit[position], paid[position], booked, event,
                windows,
            )  # fmt: skip
            if reading[4] >= 0.6:  # at an expected date
                if reading[1] >= 1.0:  # exactly what is due
                    found.append((position, reading, ""))
                    continue
                if reading[0] in _WHOLE and not related_keys.isdisjoint(keys[position]):
                    found.append((position, reading, ""))
                    continue
        if not weak and not related_keys.isdisjoint(keys[position]):
            pending.append(position)

    maybe = _maybe_the_customer(payer, table, pending) if pending else []
    names = _names(
        payer,
        table,
        [position for position, _, evidence in found if evidence != "reference"] + maybe,
        related_keys,
    )
    for position in maybe:
        if names[position].score >= PERSON:
            reading = best_reading(
                amount, on, total[position], deposit[position], paid[position],
                booked_on[position], event_date[position], windows,
            )  # fmt: skip
            found.append((position, reading, ""))

    scored: list[Scored] = []
    other_reference = bool(parsed.references)
    ids = table.ids
    for position, reading, evidence in found:
        if evidence and reading[2] == "tip" and reading[1] < TIP_TYPICAL:
            reading = _tip_for_the_booking(reading)
        identity = REFERENCE if evidence == "reference" else CONTACT if evidence else 0.0
        name = names.get(position, NO_MATCH)
        if name.score > identity:
            identity = name.score
        if other_reference and evidence != "reference":
            identity *= OTHER_REFERENCE_FACTOR
        score = round(min(IDENTITY_WEIGHT * identity + reading[5], 1.0), 4)
        scored.append((-score, ids[position], position, identity, evidence, reading, name, False))
    return scored


def _tip_for_the_booking(reading: RawReading) -> RawReading:
    """A large tip (25-50 %) reads as a tip like any other when the memo names the booking.

    It scores lower because a range that wide fits many amounts: that matters when the name is
    what finds the booking, not when the memo's reference, phone or email does.
    """
    kind, _, label, base, when, _ = reading
    return kind, TIP_TYPICAL, label, base, when, AMOUNT_WEIGHT * TIP_TYPICAL + DATE_WEIGHT * when


def _maybe_the_customer(
    payer: PayerName | None, table: BookingTable, positions: list[int]
) -> list[int]:
    """The bookings whose customer the payer's name may be (identity `PERSON` or more).

    Cheap and never too strict: the rare customers with a company or approved payers are
    kept for the full comparison; the others need every word, a first name the payer's could
    be, or the whole names close (`PayerName.close_among`, one rapidfuzz call per way).
    """
    assert payer is not None
    kept: list[int] = []
    unsure: list[int] = []
    names, plain_first_name = table.names, table.plain_first_name
    first_name_may_be = payer.first_name_may_be
    for position in positions:
        first = plain_first_name[position]
        if first is not None:  # a person with a first name and a surname, nothing else
            (kept if first_name_may_be(first) else unsure).append(position)
            continue
        name = names[position]
        if table.known_payers[position] or name.company is not None:
            kept.append(position)
        elif name.tokens:
            (kept if payer.may_be_by_words(name) else unsure).append(position)
    if unsure:
        close = payer.close_among([names[position].whole for position in unsure])
        kept.extend(unsure[place] for place in sorted(close))
    return kept


def _names(
    payer: PayerName | None,
    table: BookingTable,
    positions: list[int],
    related_keys: AbstractSet[str],
) -> dict[int, NameMatch]:
    """The payer against the customers of these bookings: once per distinct customer name.

    A customer none of whose keys the payer's words are related to cannot match word by word
    (`words_related` holds for every pair of words that scores): only whole names and the
    company are compared."""
    if payer is None or not positions:
        return {}
    found: dict[int, NameMatch] = {}
    distinct: dict[str, NameProfile] = {}
    for position in positions:
        known = table.known_payers[position]
        if known:
            found[position] = payer.against(table.names[position], known)
        else:
            name = table.names[position]
            distinct[name.raw] = name
    if len(found) < len(positions):
        profiles = list(distinct.values())
        by_word = [not related_keys.isdisjoint(profile.keys) for profile in profiles]
        by_name = dict(zip(distinct, payer.against_many(profiles, by_word), strict=True))
        for position in positions:
            if position not in found:
                found[position] = by_name[table.names[position].raw]
    return found


def stripe_result(tx: BankTransaction, parsed: ParsedDescriptor) -> MatchResult:
    reason = STRIPE_REASON + (f" ({parsed.payout_reference})" if parsed.payout_reference else "")
    return MatchResult(tx.transaction_id, "unmatched", None, 0.0, "unknown", [], [reason])


def _outweighed_by_contact(scored: Scored) -> Scored:
    """The memo's phone or email is some booking's: the others lose as a wrong reference would."""
    if scored[4]:  # the booking the memo points at
        return scored
    negative, booking_id, position, was, evidence, reading, name, _ = scored
    identity = was * OTHER_REFERENCE_FACTOR
    lost = IDENTITY_WEIGHT * (was - identity)
    score = round(-negative - lost, 4)
    return (-score, booking_id, position, identity, evidence, reading, name, True)


def _outweighs(top: Scored, other: Scored) -> bool:
    """An exact amount from at least as sure a payer beats a tip or partial reading outright.

    A payer a person approved for the customer, the booking's reference, phone or email (all
    CERTAIN or more) are as sure as a namesake's exact name: the exact amount decides.
    """
    identity, other_identity = top[3], other[3]
    return _exact(top) and not _exact(other) and (identity >= other_identity or identity >= CERTAIN)


def decide(
    facts: TransactionFacts, table: BookingTable, scored: list[Scored], settings: MatchSettings
) -> MatchResult:
    """auto only above the threshold, with the margin, for a whole payment from a named payer.

    The margin is taken to the best runner-up the top candidate does not outweigh (an exact
    amount against a tip or partial reading, with no surer identity): a customer's other
    booking that fits only as "balance plus 30 % tip" is not a real rival for an exact balance.
    """
    tx, parsed = facts.tx, facts.parsed
    if not parsed.references and any(s[4] for s in scored):
        scored = [_outweighed_by_contact(s) for s in scored]
    scored.sort()
    ranked = [candidate_score(s, facts, table) for s in scored[: settings.max_candidates]]
    if not ranked or ranked[0].score < settings.review_threshold:
        if parsed.cash_out:
            return MatchResult(
                tx.transaction_id, "review", None, 0.0, "unknown", ranked, [CASH_OUT_REASON]
            )
        best = ranked[0].score if ranked else 0.0
        reason = "no booking fits" if not ranked else "no candidate is close enough"
        return MatchResult(tx.transaction_id, "unmatched", None, best, "unknown", ranked, [reason])
    top, leader = ranked[0], scored[0]
    kind: PaymentType = top.payment_type
    rival = next((-s[0] for s in scored[1:] if not _outweighs(leader, s)), 0.0)
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


def name_may_be_the_customer(payer: PayerName, table: BookingTable, position: int) -> bool:
    """Whether the payer's name may be this booking's customer's (a name score of 0.8 or more
    is possible): a first name one of the payer's words may be, a whole name that counts and is
    close, or a customer that takes more than two words to compare (a company, approved
    payers). The others score SAME_SURNAME at most: relatives, namesakes."""
    first = table.plain_first_name[position]
    if first is None or payer.first_name_may_be(first):
        return True
    name = table.names[position]
    return payer.compares_whole(name) and bool(payer.close_among([name.whole]))


def _is_strong(scored: Scored, payer: PayerName | None, table: BookingTable) -> bool:
    """A candidate that may compete for the payment: the memo points at it, the amount is
    exactly due at an expected date, or the name may be its customer's. The others (relatives,
    namesakes) score WEAK_BOUND at most."""
    reading = scored[5]
    if scored[4] or (reading[1] >= 1.0 and reading[4] >= 0.6) or payer is None:
        return True
    return name_may_be_the_customer(payer, table, scored[2])


def match_in_stages(
    facts: TransactionFacts,
    table: BookingTable,
    settings: MatchSettings,
    strong_positions: Iterable[int],
    weak_positions: Iterable[int] = (),
    related_keys: AbstractSet[str] | None = None,
) -> MatchResult:
    """Decides on the strong candidates; adds the weak ones (relatives, namesakes) only when
    the payment is not applied outright.

    A weak candidate scores WEAK_BOUND at most, so when the leader is applied automatically
    with `min_margin` to spare over WEAK_BOUND, no weak one could be its rival or lead: the
    decision is the same, and the candidates shown are the ones that competed. The weak
    positions hold no strong candidate (the index's split); those found among the strong
    positions are set aside the same way `naive_match` sets them aside.
    """
    payer = facts.payer
    strong: list[Scored] = []
    weak: list[Scored] = []
    for scored in score_bookings(facts, table, strong_positions, settings, related_keys):
        (strong if _is_strong(scored, payer, table) else weak).append(scored)
    result = decide(facts, table, list(strong), settings)
    if result.decision == "auto" and result.confidence - WEAK_BOUND >= settings.min_margin:
        return result
    weak += score_bookings(facts, table, weak_positions, settings, related_keys, weak=True)
    if not weak:
        return result
    return decide(facts, table, strong + weak, settings)
