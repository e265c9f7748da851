"""Finding the few bookings worth scoring, instead of scoring every pair.

- an exact dict for references, phones and emails (the memo points at the booking);
- name keys (words, formal names of nicknames, 5-letter prefixes): per key, the bookings sorted
  by booked_on (deposit window) and by event_date (balance window), cut with bisect;
- exact amounts (deposit due, balance owed, total): per amount, the bookings, filtered by date.

Every booking `score_candidate` accepts is found by one of these, so `MatchingIndex.match` gives
the same answer as `naive_match`, which scores all pairs.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.payments.matching.amounts import exact_amounts
from domain.payments.matching.descriptors import parse_descriptor
from domain.payments.matching.models import (
    BankTransaction,
    BookingCandidate,
    MatchResult,
    MatchSettings,
)
from domain.payments.matching.scoring import (
    BookingProfile,
    TransactionFacts,
    decide,
    evaluate,
    stripe_result,
)


@dataclass
class _DatedList:
    """Booking positions sorted by a date, for bisect."""

    ordinals: list[int]
    positions: list[int]

    def between(self, start: date, end: date) -> list[int]:
        lo = bisect_left(self.ordinals, start.toordinal())
        hi = bisect_right(self.ordinals, end.toordinal())
        return self.positions[lo:hi]


def _dated(pairs: Iterable[tuple[int, int]]) -> _DatedList:
    ordered = sorted(pairs)
    return _DatedList([o for o, _ in ordered], [p for _, p in ordered])


class MatchingIndex:
    def __init__(self, bookings: Sequence[BookingCandidate], settings: MatchSettings) -> None:
        self.settings = settings
        self.profiles = [BookingProfile.of(booking) for booking in bookings]
        self._by_reference: dict[str, list[int]] = defaultdict(list)
        self._by_phone: dict[str, list[int]] = defaultdict(list)
        self._by_email: dict[str, list[int]] = defaultdict(list)
        by_amount_booked: dict[int, list[int]] = defaultdict(list)  # deposits, totals
        by_amount_event: dict[int, list[int]] = defaultdict(list)  # balances, totals
        by_key: dict[str, list[int]] = defaultdict(list)
        for position, profile in enumerate(self.profiles):
            self._by_reference[profile.reference].append(position)
            if profile.phone:
                self._by_phone[profile.phone].append(position)
            if profile.email:
                self._by_email[profile.email].append(position)
            booking = profile.booking
            for amount in exact_amounts(booking):
                if amount != booking.owed_cents or booking.paid_cents == 0:
                    by_amount_booked[amount].append(position)
                if amount == booking.owed_cents:
                    by_amount_event[amount].append(position)
            for key in profile.keys:
                by_key[key].append(position)
        self._amount_by_booked = {
            amount: _dated((self.profiles[p].booking.booked_on.toordinal(), p) for p in positions)
            for amount, positions in by_amount_booked.items()
        }
        self._amount_by_event = {
            amount: _dated((self.profiles[p].booking.event_date.toordinal(), p) for p in positions)
            for amount, positions in by_amount_event.items()
        }
        self._key_by_event: dict[str, _DatedList] = {}
        self._key_by_booked: dict[str, _DatedList] = {}
        for key, positions in by_key.items():
            self._key_by_event[key] = _dated(
                (self.profiles[p].booking.event_date.toordinal(), p) for p in positions
            )
            self._key_by_booked[key] = _dated(
                (self.profiles[p].booking.booked_on.toordinal(), p) for p in positions
            )

    def _positions(self, facts: TransactionFacts) -> set[int]:
        settings, parsed, on = self.settings, facts.parsed, facts.tx.date
        found: set[int] = set()
        for reference in parsed.references:
            found.update(self._by_reference.get(reference, ()))
        for phone in parsed.phones:
            found.update(self._by_phone.get(phone, ()))
        for email in parsed.emails:
            found.update(self._by_email.get(email, ()))
        # booked_on in [on - 2 * deposit window, on + 1]; event_date in [on - late, on + early]
        booked_from = on - timedelta(days=2 * settings.deposit_window_days)
        booked_to = on + timedelta(days=1)
        event_from = on - timedelta(days=settings.late_balance_days)
        event_to = on + timedelta(days=settings.early_balance_days)
        amount = facts.tx.amount_cents
        if amount in self._amount_by_booked:
            found.update(self._amount_by_booked[amount].between(booked_from, booked_to))
        if amount in self._amount_by_event:
            found.update(self._amount_by_event[amount].between(event_from, event_to))
        if facts.keys:
            for key in facts.keys:
                by_booked = self._key_by_booked.get(key)
                if by_booked is None:
                    continue
                found.update(by_booked.between(booked_from, booked_to))
                found.update(self._key_by_event[key].between(event_from, event_to))
        return found

    def match(self, tx: BankTransaction) -> MatchResult:
        parsed = parse_descriptor(tx.description, tx.counterparty_name, tx.channel)
        if parsed.stripe_payout:
            return stripe_result(tx, parsed)
        facts = TransactionFacts.of(tx, parsed)
        scored = []
        for position in self._positions(facts):
            evaluation = evaluate(facts, self.profiles[position], self.settings)
            if evaluation is not None:
                scored.append(evaluation)
        return decide(facts, scored, self.settings)


def naive_match(
    bookings: Sequence[BookingCandidate] | Sequence[BookingProfile],
    tx: BankTransaction,
    settings: MatchSettings,
) -> MatchResult:
    """Scores every booking (pass profiles, `BookingProfile.of`, to skip re-reading names)."""
    parsed = parse_descriptor(tx.description, tx.counterparty_name, tx.channel)
    if parsed.stripe_payout:
        return stripe_result(tx, parsed)
    facts = TransactionFacts.of(tx, parsed)
    scored = []
    for item in bookings:
        profile = item if isinstance(item, BookingProfile) else BookingProfile.of(item)
        evaluation = evaluate(facts, profile, settings)
        if evaluation is not None:
            scored.append(evaluation)
    return decide(facts, scored, settings)
