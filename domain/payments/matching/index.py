"""Finding the few bookings worth scoring, instead of scoring every pair.

- dicts from references, phones and emails to bookings (the memo points at the booking);
- dicts from exact amounts (deposit due, first total, balance owed) to bookings, kept when the
  date is in the window that amount is expected in;
- customer keys (surnames, company words, approved payers' surnames): per key, the bookings
  sorted by booked_on and by event_date, cut to the windows with bisect. A payer's word reaches
  the keys it is related to (`names.words_related`: equal, a prefix, a typo) through the
  vocabulary of keys: a dict of their prefixes, and rapidfuzz over them for typos;
- customers' first names, and which of them a payer's word may be (`first_similarity`), the
  same way: what splits the bookings reached into those whose customer the payer may be
  (strong: scored first) and relatives and namesakes (weak: scored only when the payment is not
  applied outright, `scoring.match_in_stages`).
What a payer's word reaches is remembered: payers' words repeat.

Every booking `score_bookings` accepts is found by one of these, and the split is the one
`scoring._is_strong` makes, so `MatchingIndex.match` gives the same answer as `naive_match`,
which scores every booking (tests/unit/test_matching_speed_index.py).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import compress
from operator import and_, not_

from rapidfuzz import fuzz, process

from domain.payments.matching.descriptors import parse_descriptor
from domain.payments.matching.models import (
    BankTransaction,
    BookingCandidate,
    MatchResult,
    MatchSettings,
)
from domain.payments.matching.names import (
    RELATED_RATIO,
    PayerName,
    first_similarity,
    nickname_relatives,
    words_related,
)
from domain.payments.matching.scoring import (
    BookingProfile,
    BookingTable,
    TransactionFacts,
    match_in_stages,
    stripe_result,
)

_SHORTEST_PREFIX = 3  # `words_related`: a prefix of 3 letters or more


class _Typos:
    """Words by length, for rapidfuzz to look for typos (ratio RELATED_RATIO or more) only among
    words long enough and short enough to reach it: 2 * common / (a + b) >= 0.8."""

    def __init__(self, words: Iterable[str]) -> None:
        self.by_length: dict[int, list[str]] = defaultdict(list)
        for word in sorted(words):
            self.by_length[len(word)].append(word)

    def of(self, word: str) -> list[str]:
        size = len(word)
        choices = [
            other
            for length in range((2 * size + 2) // 3, (3 * size) // 2 + 1)
            for other in self.by_length.get(length, ())
        ]
        found = process.extract(
            word, choices, scorer=fuzz.ratio, score_cutoff=RELATED_RATIO, limit=None
        )
        return [other for other, _, _ in found]


class _Vocabulary:
    """The customer keys of the index, and which of them a payer's word is related to."""

    def __init__(self, keys: Sequence[str]) -> None:
        self.keys = set(keys)
        self.typos = _Typos(self.keys)
        self.by_prefix: dict[str, list[str]] = defaultdict(list)
        for key in sorted(self.keys):
            for end in range(_SHORTEST_PREFIX, len(key) + 1):
                self.by_prefix[key[:end]].append(key)
        self._related: dict[str, tuple[str, ...]] = {}

    def related(self, word: str) -> tuple[str, ...]:
        found = self._related.get(word)
        if found is None:
            found = self._related[word] = self._search(word)
        return found

    def _search(self, word: str) -> tuple[str, ...]:
        # Candidates from each way `words_related` may hold, then its own verdict on each.
        found: set[str] = set()
        if word in self.keys:
            found.add(word)
        if len(word) >= _SHORTEST_PREFIX:
            found.update(self.by_prefix.get(word, ()))  # keys the word is a prefix of
            found.update(
                word[:end] for end in range(_SHORTEST_PREFIX, len(word)) if word[:end] in self.keys
            )
        if len(word) >= 4:
            found.update(self.typos.of(word))
        return tuple(sorted(key for key in found if words_related(word, key)))


class _FirstNames:
    """The customers' first names, and which of them a payer's word may be.

    The same verdict as `PayerName.first_name_may_be` (`first_similarity` 0.75 or more),
    found through the vocabulary: equal, an initial, a nickname either way, cut short, a typo.
    """

    def __init__(self, names: set[str]) -> None:
        self.names = names
        self.typos = _Typos(names)
        self.by_prefix: dict[str, list[str]] = defaultdict(list)
        self.by_nickname: dict[str, list[str]] = defaultdict(list)  # a nickname -> its names
        for name in sorted(names):
            self.by_prefix[name[:1]].append(name)
            for end in range(_SHORTEST_PREFIX, len(name) + 1):
                self.by_prefix[name[:end]].append(name)
            if len(name) >= 2:
                for relative in nickname_relatives(name):
                    self.by_nickname[relative].append(name)
        self._may_be: dict[tuple[str, bool], tuple[str, ...]] = {}

    def may_be(self, payer: PayerName) -> set[str]:
        """The first names one of the payer's words may be (none for a one-word payer)."""
        words = payer.tokens
        if len(words) < 2:
            return set()
        last = len(words) - 1
        return set().union(
            *(self._search(word, payer.cut and i == last) for i, word in enumerate(words))
        )

    def _search(self, word: str, may_be_cut: bool) -> tuple[str, ...]:
        known = self._may_be.get((word, may_be_cut))
        if known is not None:
            return known
        found: set[str] = set()
        if word in self.names:
            found.add(word)
        found.update(self.by_prefix.get(word[:1], ()) if len(word) == 1 else ())  # an initial
        if word[:1] in self.names:
            found.add(word[:1])  # the customer gave an initial
        if len(word) >= 2:
            found.update(self.by_nickname.get(word, ()))
            found.update(name for name in nickname_relatives(word) if name in self.names)
        if may_be_cut and len(word) >= _SHORTEST_PREFIX:
            found.update(self.by_prefix.get(word, ()))
        if len(word) >= 4:
            found.update(self.typos.of(word))
        verdict = tuple(
            sorted(name for name in found if first_similarity(word, name, may_be_cut)[0] >= 0.75)
        )
        self._may_be[(word, may_be_cut)] = verdict
        return verdict


class _ByKey:
    """Booking positions per customer key (a few hundred keys), by booked_on and event_date.

    Listed in one pass; a key's lists are sorted by each date the first time it is looked up.
    """

    def __init__(self, keys: list[tuple[str, ...]], booked: list[int], events: list[int]) -> None:
        self.positions: dict[str, list[int]] = defaultdict(list)
        for position, its_keys in enumerate(keys):
            for key in its_keys:
                self.positions[key].append(position)
        self._booked, self._events = booked, events
        self._sorted: dict[str, tuple[_Dated, _Dated]] = {}

    def reached(self, key: str, booked: tuple[int, int], event: tuple[int, int]) -> list[int]:
        """The key's bookings booked in [booked] plus those held in [event] (both inclusive)."""
        by_dates = self._sorted.get(key)
        if by_dates is None:
            positions = self.positions.get(key, [])
            by_dates = self._sorted[key] = (
                _Dated(positions, self._booked),
                _Dated(positions, self._events),
            )
        return by_dates[0].between(*booked) + by_dates[1].between(*event)


class _Dated:
    """Positions sorted by a date, cut to a window with bisect."""

    __slots__ = ("dates", "positions")

    def __init__(self, positions: list[int], dates: list[int]) -> None:
        self.positions = sorted(positions, key=dates.__getitem__)
        self.dates = [dates[position] for position in self.positions]

    def between(self, start: int, end: int) -> list[int]:
        low = bisect_left(self.dates, start)
        return self.positions[low : bisect_right(self.dates, end, lo=low)]


class _Exact:
    """Positions by an exact value (reference, phone, email, amount): most values are unique.

    A dict to the first position and another for the rest, not a list per value: a hundred
    thousand small lists cost more to build and to garbage-collect than the lookups."""

    def __init__(self, values: Iterable[str | int | None], positions: Iterable[int]) -> None:
        self.first: dict[str | int, int] = {}
        self.more: dict[str | int, list[int]] = {}
        for value, position in zip(values, positions, strict=True):
            if value is None or value == "":
                continue
            if value in self.first:
                self.more.setdefault(value, []).append(position)
            else:
                self.first[value] = position

    def get(self, value: str | int) -> list[int]:
        position = self.first.get(value)
        if position is None:
            return []
        others = self.more.get(value)
        return [position, *others] if others else [position]


def _dated(positions: list[int], dates: list[int], start: int, end: int) -> list[int]:
    return [position for position in positions if start <= dates[position] <= end]


class MatchingIndex:
    """The open bookings, indexed once; `match` one bank transaction at a time."""

    def __init__(self, bookings: Sequence[BookingCandidate], settings: MatchSettings) -> None:
        self.settings = settings
        self.table = table = BookingTable(bookings)
        everywhere = range(len(table))
        self._by_reference = _Exact(table.references, everywhere)
        self._by_phone = _Exact(table.phones, everywhere)
        self._by_email = _Exact(table.emails, everywhere)
        booked, events = table.booked_on, table.event_date
        total, deposit, paid = table.total, table.deposit, table.paid
        # Exact amounts whose date score comes from booked_on: the deposit due, a first total;
        # from event_date: the balance owed (a first total is owed too).
        amounts: list[int] = []
        where: list[int] = []
        for position in everywhere:
            deposit_due = deposit[position] - paid[position]
            if deposit_due > 0 and paid[position] * 2 <= deposit[position]:
                amounts.append(deposit_due)
                where.append(position)
            if paid[position] == 0 and total[position] != deposit_due:
                amounts.append(total[position])
                where.append(position)
        self._amounts_near_booking = _Exact(amounts, where)
        owing = [position for position in everywhere if total[position] > paid[position]]
        self._amounts_near_event = _Exact([total[p] - paid[p] for p in owing], owing)
        self._by_key = _ByKey(table.keys, booked, events)
        self._vocabulary = _Vocabulary(list(self._by_key.positions))
        self._first_names = _FirstNames({f for f in table.plain_first_name if f is not None})

    def _positions(self, facts: TransactionFacts, related: set[str]) -> tuple[set[int], set[int]]:
        """The bookings worth scoring: those that may hold a strong candidate (`_is_strong`),
        and the others the payer's words reach (relatives, namesakes). Fills `related` with the
        keys the payer's words are related to."""
        settings, parsed, on = self.settings, facts.parsed, facts.on
        strong: set[int] = set()
        for reference in parsed.references:
            strong.update(self._by_reference.get(reference))
        for phone in parsed.phones:
            strong.update(self._by_phone.get(phone))
        for email in parsed.emails:
            strong.update(self._by_email.get(email))
        # `in_extended_window`: booked_on in [on - 2 * deposit window, on + 1], or event_date in
        # [on - late, on + early].
        booked_from, booked_to = on - 2 * settings.deposit_window_days, on + 1
        event_from, event_to = on - settings.late_balance_days, on + settings.early_balance_days
        amount = facts.tx.amount_cents
        booked, events = self.table.booked_on, self.table.event_date
        if amount in self._amounts_near_booking.first:
            strong.update(
                _dated(self._amounts_near_booking.get(amount), booked, booked_from, booked_to)
            )
        if amount in self._amounts_near_event.first:
            strong.update(
                _dated(self._amounts_near_event.get(amount), events, event_from, event_to)
            )
        payer = facts.payer
        if payer is None:
            return strong, set()
        for word in payer.tokens:
            related.update(self._vocabulary.related(word))
        reached: set[int] = set()
        for key in related:
            reached.update(
                self._by_key.reached(key, (booked_from, booked_to), (event_from, event_to))
            )
        # `name_may_be_the_customer` for all of them, with map and compress (one C loop each,
        # not a Python loop: there are dozens): a first name the payer's words may be (from the
        # vocabulary) or a name that is not a plain first name and surname makes them strong;
        # a customer with as many words sharing a payer's word as surname is a relative (whole
        # names do not count); the others are strong when their whole name counts and is close.
        table = self.table
        listed = list(reached)
        maybe: set[str | None] = {None, *self._first_names.may_be(payer)}
        is_strong = list(map(maybe.__contains__, map(table.plain_first_name.__getitem__, listed)))
        strong.update(compress(listed, is_strong))
        rest = list(compress(listed, map(not_, is_strong)))
        weak: set[int] = set()
        count = len(payer.tokens)
        if count > 1:
            surnames = related.intersection(payer.tokens)
            same_count = map(count.__eq__, map(table.word_count.__getitem__, rest))
            shares = map(not_, map(surnames.isdisjoint, map(table.keys.__getitem__, rest)))
            relative = list(map(and_, same_count, shares))
            weak.update(compress(rest, relative))
            rest = list(compress(rest, map(not_, relative)))
        close = payer.close_among(list(map(table.whole.__getitem__, rest)))
        names = table.names
        for place, position in enumerate(rest):
            if place in close and payer.compares_whole(names[position]):
                strong.add(position)
            else:
                weak.add(position)
        return strong, weak - strong

    def match(self, tx: BankTransaction) -> MatchResult:
        parsed = parse_descriptor(tx.description, tx.counterparty_name, tx.channel)
        if parsed.stripe_payout:
            return stripe_result(tx, parsed)
        facts = TransactionFacts.of(tx, parsed)
        related: set[str] = set()
        strong, weak = self._positions(facts, related)
        return match_in_stages(facts, self.table, self.settings, strong, weak, related)


def naive_match(
    bookings: Sequence[BookingCandidate] | Sequence[BookingProfile] | BookingTable,
    tx: BankTransaction,
    settings: MatchSettings,
) -> MatchResult:
    """Scores every booking (pass a `BookingTable` to read the bookings once for many calls)."""
    parsed = parse_descriptor(tx.description, tx.counterparty_name, tx.channel)
    if parsed.stripe_payout:
        return stripe_result(tx, parsed)
    if isinstance(bookings, BookingTable):
        table = bookings
    else:
        table = BookingTable([b.booking if isinstance(b, BookingProfile) else b for b in bookings])
    facts = TransactionFacts.of(tx, parsed)
    return match_in_stages(facts, table, settings, range(len(table)))
