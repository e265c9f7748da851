"""Is the reviewer one of the business's customers? Pure: no database, no network.

Google gives a display name and a text. The name is compared with the customers of the events
before the review (names.py gives a level); the event's date narrows it: an event within
`window_days` before the review is recent, an event after the review is never the one reviewed,
and one further back (up to `lookback_days`) still makes a weaker candidate for names that carry
a surname. A phone number or email in the text that is a booking's is strong evidence, and the
only time contacts are used: Google tells nothing else about a reviewer.

"verified" needs all of:
- a name that carries a surname (`names.VERIFIABLE`: the full name, a nickname and the surname,
  "Sarah J.", "S. Johnson"), or the booking's phone or email in the text with a name that does
  not say it is someone else;
- a recent event;
- a margin of `min_margin` over the best candidate of any other customer: "Sarah J." is
  verified only when a single recent customer fits it;
- for a name alone, a name rare enough: how many customers of the whole history bear it, and
  how common its first name is among its surname's bearers, tell how likely a stranger bears it
  (namesakes.py); against that, how likely a customer reviews that many days after their event
  (most review within days: `typical_delay_days`). The risk that the reviewer is a stranger
  bearing the name must stay under `max_stranger_risk`: a common name here ("John Smith",
  "Linh Nguyen", "Sarah J." in a large business), or an event weeks back in a busy business,
  leaves the review uncertain.
Otherwise "uncertain" with the candidates, or "not_found" when no customer fits at all. A wrong
"verified" costs more than an "uncertain": a manager reads the candidates of an uncertain one.

Give it the business's whole history of bookings, not only the recent ones: the older bookings
are what tells a common name from a rare one (with a few months of them, fewer reviews verify).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process

from domain.payments.matching.models import BookingCandidate
from domain.payments.matching.names import nickname_relatives, normalise
from domain.reviews.contacts import email_key, emails_in, phone_digits, phones_in
from domain.reviews.names import (
    STRONG,
    VERIFIABLE,
    NameEvidence,
    ReviewerName,
    name_evidence,
    parse_customer,
    parse_reviewer,
)
from domain.reviews.namesakes import NameFrequencies, NameParts, stranger_risk

Verdict = Literal["verified", "uncertain", "not_found"]

CONTACT = 0.97  # the booking's phone or email in the text, the name agreeing (or none given)
CONTACT_OTHER_NAME = 0.6  # the booking's phone or email, but the name says someone else
OLDER_EVENT = 0.6  # how much an event before the window still counts
_RECENCY_SLOPE = 0.1  # within the window, a later event ranks a little higher
# rapidfuzz ratios (0..100) low enough to find every pair `names.one_slip` accepts: a slip in a
# surname of 5 letters, in a first name of 4 (a swap).
_SURNAME_TYPO_RATIO = 80
_FIRST_TYPO_RATIO = 75


@dataclass(frozen=True)
class ReviewFacts:
    review_id: str
    reviewer_name: str  # Google's display name
    star_rating: int  # 1..5 (0: Google gave none)
    comment: str
    created_at: datetime  # aware


@dataclass(frozen=True)
class VerificationSettings:
    window_days: int = 45  # an event this many days before the review (or fewer) is recent
    lookback_days: int = 365  # older events are no candidates at all
    min_margin: float = 0.2  # over the best candidate of another customer
    max_stranger_risk: float = 0.01  # that the reviewer is a stranger bearing the name
    # Strangers who review for each customer who does: pessimistic on purpose (a wrong
    # "verified" costs more than an "uncertain"); lower it for a business that knows better.
    stranger_odds: float = 1.0
    typical_delay_days: float = 10.0  # how long after their event customers review, on average
    max_candidates: int = 5
    time_zone: str | None = None  # the business's: the review's date is taken there


@dataclass(frozen=True)
class ScoredCandidate:
    booking_id: int
    score: float  # 0..1: the name's level (or the contact's) times how recent the event is
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Verification:
    review_id: str
    verdict: Verdict
    booking_id: int | None  # verified only
    confidence: float  # 0..1: how sure the first candidate is the reviewer
    candidates: list[ScoredCandidate]
    reasons: list[str] = field(default_factory=list)


class _Candidate(NamedTuple):
    score: float
    position: int
    name: NameEvidence
    contact: str  # what of the booking the text holds: "phone", "email" or ""
    days_before: int
    may_verify: bool  # the name carries a surname, or a contact the name agrees with


def review_day(review: ReviewFacts, time_zone: str | None) -> date:
    created = review.created_at
    if time_zone is not None:
        created = created.astimezone(ZoneInfo(time_zone))
    return created.date()


class _Postings:
    """Booking positions per key, sorted by event date: a date range is two bisects."""

    def __init__(self) -> None:
        self.positions: dict[str, list[int]] = defaultdict(list)
        self.days: dict[str, list[int]] = defaultdict(list)

    def add(self, key: str, position: int, day: int) -> None:
        self.positions[key].append(position)
        self.days[key].append(day)

    def between(self, key: str, start: int, end: int) -> list[int]:
        days = self.days.get(key)
        if not days:
            return []
        return self.positions[key][bisect_left(days, start) : bisect_right(days, end)]


class _Typos:
    """The keys a word may be a typo of (rapidfuzz over the vocabulary), remembered."""

    def __init__(self, keys: Iterable[str], ratio: int, shortest: int) -> None:
        self.listed = sorted(key for key in keys if len(key) >= shortest)
        self.ratio, self.shortest = ratio, shortest
        self._found: dict[str, tuple[str, ...]] = {}

    def of(self, word: str) -> tuple[str, ...]:
        found = self._found.get(word)
        if found is None:
            found = ()
            if len(word) >= self.shortest and self.listed:
                hits = process.extract(
                    word, self.listed, scorer=fuzz.ratio, score_cutoff=self.ratio, limit=None
                )
                found = tuple(key for key, _, _ in hits)
            self._found[word] = found
        return found


@lru_cache(maxsize=200_000)
def _name_keys(customer_name: str) -> tuple[frozenset[str], frozenset[str]]:
    """A customer's full names ("sarah johnson") and first names with an initial ("sarah j")."""
    customer = parse_customer(customer_name)
    first = customer.first
    return (
        frozenset(f"{first} {surname}" for surname in customer.surnames),
        frozenset(f"{first} {initial}" for initial in customer.initials),
    )


def _customer_identities(
    names: list[str], phones: list[str | None], emails: list[str | None]
) -> list[int]:
    """Bookings of one customer share an identity: the same name and a phone or an email.

    Two bookings of "John Smith" with different contacts are two customers, namesakes.
    """
    parent = list(range(len(names)))

    def root(position: int) -> int:
        while parent[position] != position:
            parent[position] = parent[parent[position]]
            position = parent[position]
        return position

    first_with: dict[tuple[str, str], int] = {}
    for position, name in enumerate(names):
        for contact in (phones[position], emails[position]):
            if contact is not None:
                other = first_with.setdefault((name, contact), position)
                if other != position:
                    parent[root(position)] = root(other)
    return [root(position) for position in range(len(names))]


class ReviewVerifier:
    """The bookings indexed once (by surname, first name, initial, phone, email and date);
    `verify` then looks only at the bookings the reviewer's name or text can reach.

    `exhaustive=True` scores every booking instead (the same answers, slowly: for tests).
    """

    def __init__(
        self,
        bookings: Sequence[BookingCandidate],
        settings: VerificationSettings | None = None,
        *,
        exhaustive: bool = False,
    ) -> None:
        self.settings = settings or VerificationSettings()
        self.exhaustive = exhaustive
        rows = list(bookings)
        self.ids = [b.booking_id for b in rows]
        self.names = [b.customer_name for b in rows]
        self.days = [b.event_date.toordinal() for b in rows]
        self.phones = [phone_digits(b.phone) for b in rows]
        self.emails = [email_key(b.email) for b in rows]
        self.customers = _customer_identities(
            [normalise(name) for name in self.names], self.phones, self.emails
        )
        self._days_sorted = sorted(self.days)
        self._by_surname = _Postings()
        self._by_first = _Postings()  # by first name, and by first name and a surname initial
        self._by_lone_first = _Postings()  # customers booked with a first name alone
        self._by_phone: dict[str, list[int]] = defaultdict(list)
        self._by_email: dict[str, list[int]] = defaultdict(list)
        firsts: set[str] = set()
        for position in sorted(range(len(rows)), key=self.days.__getitem__):
            day = self.days[position]
            customer = parse_customer(self.names[position])
            for surname in customer.surnames:
                self._by_surname.add(surname, position, day)
            if customer.first is not None:
                firsts.add(customer.first)
                if not customer.surnames:
                    self._by_lone_first.add(customer.first, position, day)
                self._by_first.add(customer.first, position, day)
                for initial in customer.initials:
                    self._by_first.add(f"{customer.first} {initial}", position, day)
            if self.phones[position] is not None:
                self._by_phone[self.phones[position] or ""].append(position)
            if self.emails[position] is not None:
                self._by_email[self.emails[position] or ""].append(position)
        self._firsts = firsts
        self._nicknamed: dict[str, set[str]] = defaultdict(set)  # a nickname -> its first names
        for first in firsts:
            if len(first) >= 2:
                for relative in nickname_relatives(first):
                    self._nicknamed[relative].add(first)
        self._full_names, self._initial_names, self._name_parts = self._frequencies()
        self._surname_typos = _Typos(self._by_surname.positions, _SURNAME_TYPO_RATIO, 5)
        self._first_typos = _Typos(firsts, _FIRST_TYPO_RATIO, 4)
        self._first_keys: dict[str, frozenset[str]] = {}

    def _frequencies(self) -> tuple[NameFrequencies, NameFrequencies, NameParts]:
        """How common each full name ("sarah johnson"), first name with a surname initial
        ("sarah j"), first name and surname are among the customers."""
        full: dict[int, frozenset[str]] = {}
        initial: dict[int, frozenset[str]] = {}
        parts: dict[int, tuple[str, frozenset[str]]] = {}
        for position, name in enumerate(self.names):
            number = self.customers[position]
            if number in parts:
                continue  # a customer's bookings share their name
            customer = parse_customer(name)
            if customer.first is not None:
                full[number], initial[number] = _name_keys(name)
                parts[number] = (customer.first, customer.surnames)
        return (
            NameFrequencies(full.values()),
            NameFrequencies(initial.values()),
            NameParts(parts.values()),
        )

    def _recent_events(self, day: int) -> int:
        start = day - self.settings.window_days
        return bisect_right(self._days_sorted, day) - bisect_left(self._days_sorted, start)

    def _delay_density(self, days_before: int) -> float:
        """How likely a customer reviews `days_before` days after the event (per day): an
        exponential of mean `typical_delay_days`, cut at the window."""
        mean, window = max(self.settings.typical_delay_days, 0.5), self.settings.window_days
        return math.exp(-days_before / mean) / (mean * (1.0 - math.exp(-(window + 1) / mean)))

    # finding the bookings --------------------------------------------------------------------

    def _firsts_for(self, word: str) -> frozenset[str]:
        """The customers' first names the word may be (`names.first_name_score` above 0)."""
        keys = self._first_keys.get(word)
        if keys is None:
            found = {word} if word in self._firsts else set()
            if len(word) >= 2:
                found.update(name for name in nickname_relatives(word) if name in self._firsts)
                found.update(self._nicknamed.get(word, ()))
            found.update(self._first_typos.of(word))
            keys = self._first_keys[word] = frozenset(found)
        return keys

    def _surnames_for(self, forms: Iterable[str]) -> set[str]:
        keys: set[str] = set()
        for form in forms:
            if form in self._by_surname.positions:
                keys.add(form)
            keys.update(self._surname_typos.of(form))
        return keys

    def _reach(self, reviewer: ReviewerName, start: int, end: int, weak_start: int) -> set[int]:
        """The bookings with an event in [start, end] the name may fit (weak-only fits: from
        `weak_start`)."""
        found: set[int] = set()
        if self.exhaustive:
            return {p for p, day in enumerate(self.days) if start <= day <= end}
        shape, words = reviewer.shape, reviewer.words
        if shape in ("full", "initial_surname", "family"):
            since = weak_start if shape == "family" else start
            for key in self._surnames_for(reviewer.surnames | reviewer.swapped_surnames):
                found.update(self._by_surname.between(key, since, end))
        if shape in ("full", "first", "first_initial"):
            for first in self._firsts_for(words[0]):
                found.update(self._by_lone_first.between(first, weak_start, end))
                if shape == "first":
                    found.update(self._by_first.between(first, weak_start, end))
                elif shape == "first_initial":
                    key = f"{first} {reviewer.initial}"
                    found.update(self._by_first.between(key, start, end))
        return found

    def _contacts(self, comment: str, start: int, end: int) -> dict[int, str]:
        found: dict[int, str] = {}
        for email in emails_in(comment):
            for position in self._by_email.get(email, ()):
                found[position] = "email"
        for phone in phones_in(comment):
            for position in self._by_phone.get(phone, ()):
                found[position] = "phone"
        return {p: how for p, how in found.items() if start <= self.days[p] <= end}

    # scoring ---------------------------------------------------------------------------------

    def _candidate(
        self, reviewer: ReviewerName, position: int, contact: str, day: int
    ) -> _Candidate | None:
        settings = self.settings
        days_before = day - self.days[position]  # never negative: `_reach` ends at the review
        name = name_evidence(reviewer.raw, self.names[position])
        score, may_verify = name.score, name.score >= VERIFIABLE
        if contact:
            agrees = name.score > 0 or reviewer.shape == "none"
            score = max(score, CONTACT if agrees else CONTACT_OTHER_NAME)
            may_verify = may_verify or agrees
        elif score == 0:
            return None
        if days_before <= settings.window_days:
            recency = 1.0 - _RECENCY_SLOPE * days_before / max(settings.window_days, 1)
        elif days_before <= settings.lookback_days and (score >= STRONG or contact):
            recency, may_verify = OLDER_EVENT, False
        else:
            return None
        return _Candidate(
            round(score * recency, 4), position, name, contact, days_before, may_verify
        )

    def _ranked(
        self, reviewer: ReviewerName, comment: str, day: int
    ) -> tuple[list[_Candidate], int]:
        """The best candidate of each customer, best first; and how many customers fit."""
        settings = self.settings
        start = day - settings.lookback_days
        contacts = self._contacts(comment, start, day)
        positions = set(contacts)
        if reviewer.shape != "none":
            positions |= self._reach(reviewer, start, day, day - settings.window_days)
        best: dict[int, _Candidate] = {}
        for position in positions:
            candidate = self._candidate(reviewer, position, contacts.get(position, ""), day)
            if candidate is None:
                continue
            customer = self.customers[position]
            held = best.get(customer)
            if held is None or self._order(candidate) < self._order(held):
                best[customer] = candidate
        ranked = sorted(best.values(), key=self._order)
        return ranked, len(ranked)

    def _order(self, candidate: _Candidate) -> tuple[float, int, int]:
        return (-candidate.score, candidate.days_before, self.ids[candidate.position])

    def _bearers(self, reviewer: ReviewerName) -> int:
        """The customers (of every booking, any date) the name fits as well as a surname can."""
        found: set[int] = set()
        first, last = self._days_sorted[0], self._days_sorted[-1]
        for position in self._reach(reviewer, first, last, last + 1):
            customer = self.customers[position]
            if (
                customer not in found
                and name_evidence(reviewer.raw, self.names[position]).score >= VERIFIABLE
            ):
                found.add(customer)
        return len(found)

    def _stranger_risk(
        self, reviewer: ReviewerName, top: _Candidate, day: int
    ) -> tuple[float, list[str]]:
        """The risk a stranger bearing the name is taken for the customer, with the reason.

        A stranger's name fits a booking of that day with probability p(name) times the events
        of a day; the customer's review comes that many days after their event with the delay
        density. The odds of the two, weighed by `stranger_odds`, give the risk.
        """
        bearers = self._bearers(reviewer)
        by_initial = reviewer.shape in ("first_initial", "initial_surname")
        if by_initial:
            share = self._initial_names.probability(bearers)
        else:
            customer = parse_customer(self.names[top.position])
            named = customer.surnames & (reviewer.surnames | reviewer.swapped_surnames)
            share = max(
                self._full_names.probability(bearers),
                self._name_parts.probability(customer.first or "", named or customer.surnames),
            )
        per_day = self._recent_events(day) / (self.settings.window_days + 1)
        odds = share * per_day / self._delay_density(top.days_before)
        risk = stranger_risk(odds, self.settings.stranger_odds)
        said = "first name and initial" if by_initial else "name"
        reason = (
            f"{bearers} customer(s) here bear this {said}, {per_day:.0f} events a day: risk of "
            f"a stranger bearing it {100 * risk:.1f} %"
        )
        return risk, [reason]

    def _shown(self, candidate: _Candidate) -> ScoredCandidate:
        reasons = [f"{self.names[candidate.position]}: {candidate.name.reason or 'name differs'}"]
        if candidate.contact:
            reasons.append(f"the booking's {candidate.contact} is in the review")
        days = candidate.days_before
        when = "on the day of the review" if days == 0 else f"{days} days before the review"
        if days > self.settings.window_days:
            when += f" (outside the {self.settings.window_days}-day window)"
        reasons.append(f"event {when}")
        return ScoredCandidate(self.ids[candidate.position], candidate.score, reasons)

    # deciding --------------------------------------------------------------------------------

    def verify(self, review: ReviewFacts) -> Verification:
        settings = self.settings
        reviewer = parse_reviewer(review.reviewer_name)
        day = review_day(review, settings.time_zone).toordinal()
        ranked, fitting = self._ranked(reviewer, review.comment, day)
        if not ranked:
            reason = (
                "no name to go by (anonymous, or a handle) and no booking's phone or email in "
                "the text"
                if reviewer.shape == "none"
                else f"no customer with an event in the {settings.lookback_days} days before "
                "the review fits the name"
            )
            return Verification(review.review_id, "not_found", None, 0.0, [], [reason])
        top = ranked[0]
        rival = ranked[1].score if len(ranked) > 1 else 0.0
        close = [c for c in ranked if top.score - c.score < settings.min_margin]
        share = top.score / sum(c.score for c in close)
        shown = [self._shown(c) for c in ranked[: settings.max_candidates]]
        reasons = self._why(reviewer, top, fitting, len(close))
        risk = 0.0
        verified = top.may_verify and top.score - rival >= settings.min_margin
        if verified and not top.contact:
            risk, why = self._stranger_risk(reviewer, top, day)
            reasons += why
            if risk > settings.max_stranger_risk:
                verified = False
                reasons.append("the name alone is not sure enough here: a namesake is too likely")
        confidence = round(top.score * share * (1.0 - risk), 4)
        if verified:
            reasons = [*shown[0].reasons, "no other customer fits as well", *reasons]
            booking = self.ids[top.position]
            return Verification(review.review_id, "verified", booking, confidence, shown, reasons)
        return Verification(review.review_id, "uncertain", None, confidence, shown, reasons)

    def _why(self, reviewer: ReviewerName, top: _Candidate, fitting: int, close: int) -> list[str]:
        settings = self.settings
        reasons: list[str] = []
        if top.contact:
            booking = self.ids[top.position]
            reasons.append(f"the review holds the {top.contact} of booking {booking}")
            if not top.may_verify and top.days_before <= settings.window_days:
                reasons.append("but the reviewer's name is someone else's")
        if top.name.score and top.name.score < VERIFIABLE and not top.contact:
            if reviewer.shape in ("first", "family"):
                reasons.append("the name has no surname: never enough to verify")
            else:
                reasons.append(f"the name is not enough to verify ({top.name.reason})")
        if top.days_before > settings.window_days:
            reasons.append(
                f"the closest event is {top.days_before} days before the review, outside the "
                f"{settings.window_days}-day window"
            )
        if close > 1:
            reasons.append(f"{close} customers fit about as well")
        if fitting > settings.max_candidates:
            reasons.append(f"{fitting} customers fit; the best {settings.max_candidates} shown")
        return reasons


def verify(
    review: ReviewFacts,
    bookings: Sequence[BookingCandidate],
    settings: VerificationSettings | None = None,
) -> Verification:
    """One review against the bookings (index them once with `ReviewVerifier` for many)."""
    return ReviewVerifier(bookings, settings).verify(review)
