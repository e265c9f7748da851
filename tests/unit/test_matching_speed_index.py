"""The index finds exactly what scoring every booking finds, and the fast reading of amounts
reads them as `amount_fits` and `date_fit` do."""

from __future__ import annotations

import random
import string
from dataclasses import replace
from datetime import date, timedelta

import pytest

from domain.payments.matching import (
    BankTransaction,
    BookingCandidate,
    BookingProfile,
    BookingTable,
    MatchingIndex,
    MatchSettings,
    naive_match,
)
from domain.payments.matching.amounts import Windows, amount_fits, best_reading, date_fit

START = date(2026, 1, 1)
FIRST = [
    "Robert", "Bob", "Rob", "William", "Will", "James", "Jim", "Dana", "Jordan", "Linh", "Ji-hoon",
    "José", "Maria", "María", "Tom", "Tim", "Ana", "Anna", "Srinivas", "J", "Hannah", "Susan",
]  # fmt: skip
LAST = [
    "Smith", "Smyth", "Smithe", "Williams", "Williamson", "Jun", "Jung", "Nguyễn", "Kim",
    "García López", "García", "Lee", "Li", "Desai", "Vanderberg", "O'Connor", "Park", "Parker",
]  # fmt: skip
COMPANIES = ["Acme Robotics", "Bright Labs LLC", "Acme Dental Inc"]


def _bookings(rng: random.Random, count: int) -> list[BookingCandidate]:
    bookings = []
    for booking_id in range(1, count + 1):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        style = rng.random()
        if style < 0.06:
            name = f"{rng.choice(COMPANIES[:1])} ({name})"
        elif style < 0.09:
            name = rng.choice(COMPANIES[1:])
        elif style < 0.11:
            name = rng.choice(LAST)  # one word
        event = START + timedelta(days=rng.randrange(120))
        total = rng.randrange(40_000, 300_000, 500)
        deposit = total // rng.choice([4, 5])
        paid = rng.choice([0, 0, deposit, deposit + 10_000, total])
        known: tuple[str, ...] = ()
        if rng.random() < 0.1:
            known = (rng.choice([f"{rng.choice(FIRST)} {name.split()[-1]}", "Acme Robotics"]),)
        bookings.append(
            BookingCandidate(
                booking_id=booking_id,
                customer_name=name,
                phone=f"(510) 555-{booking_id:04d}" if rng.random() < 0.7 else None,
                email=f"guest{booking_id}@example.com" if rng.random() < 0.6 else None,
                event_date=event,
                booked_on=event - timedelta(days=rng.randint(2, 70)),
                total_cents=total,
                deposit_cents=deposit,
                paid_cents=paid,
                reference=f"TP-{900_000 + booking_id}" if rng.random() < 0.05 else None,
                known_payers=known,
            )
        )
    return bookings


def _payer(rng: random.Random, target: BookingCandidate) -> str:
    words = target.customer_name.replace("(", "").replace(")", "").split()
    style = rng.randrange(9)
    if style == 0:
        return " ".join(reversed(words)).upper()  # LAST FIRST
    if style == 1:
        return f"{rng.choice(FIRST)} {words[-1]}".upper()  # a relative, a nickname
    if style == 2:
        return " ".join(words).upper()[: rng.choice([11, 12, 13, 15])]  # cut by the bank
    if style == 3:
        word = words[-1]
        return f"{words[0]} {word[:2]}{word[3:2:-1]}{word[3:]}".upper()  # a typo
    if style == 4:
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}".upper()  # anybody
    if style == 5:
        return "".join(words[:2]).upper() + (" " + words[-1].upper() if len(words) > 2 else "")
    if style == 6 and target.known_payers:
        return target.known_payers[0].upper()
    return " ".join(words).upper()


def _amount(rng: random.Random, target: BookingCandidate) -> int:
    owed = max(target.owed_cents, 100)
    kind = rng.randrange(6)
    if kind == 0:
        return target.deposit_cents - target.paid_cents or target.deposit_cents
    if kind == 1:
        return owed
    if kind == 2:
        return owed + owed * rng.choice([4, 5, 10, 18, 25, 30, 40, 50, 55]) // 100
    if kind == 3:
        return owed * rng.randint(20, 80) // 100 // 100 * 100
    if kind == 4:
        return rng.randrange(-5_000, 300_000)
    return rng.choice([target.total_cents, target.deposit_cents])


def _description(rng: random.Random, payer: str, target: BookingCandidate, on: date) -> str:
    memo = rng.choice(
        [
            "",
            "hibachi",
            target.reference or f"TP-{1000 + target.booking_id}",
            f"TP-{1000 + rng.randrange(1, 400)}",
            target.phone or "",
            target.email or "",
            f"(510) 555-{rng.randrange(1, 400):04d}",
        ]
    )
    code = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(9))
    layouts = [
        f"Zelle payment from {payer} BAC{code}",
        f'Zelle payment from {payer} for "{memo}"; Conf# {code.lower()}',
        f"Zelle Transfer Conf# {code.lower()}; {payer.title()}",
        f"ZELLE FROM {payer} ON {on:%m/%d} REF # WFCT{code[:8].upper()} {memo.upper()}".strip(),
        f"ZELLE FROM {payer}",
        f"CASH APP*{payer}",
        payer.title(),
        "VENMO CASHOUT PPD ID: 5264681992",
        "STRIPE TRANSFER ST-BPQBDJJ8SM",
        f"MOBILE DEPOSIT CHECK {rng.randint(1000, 9999)}",
    ]
    weights = [4, 4, 2, 4, 2, 1, 2, 1, 1, 1]
    return rng.choices(layouts, weights)[0]


def _transactions(
    rng: random.Random, bookings: list[BookingCandidate], count: int
) -> list[BankTransaction]:
    transactions = []
    for number in range(count):
        target = rng.choice(bookings)
        on = rng.choice(
            [
                target.booked_on + timedelta(days=rng.randint(-2, 30)),
                target.event_date + timedelta(days=rng.randint(-8, 16)),
                START + timedelta(days=rng.randrange(-20, 140)),
            ]
        )
        description = _description(rng, _payer(rng, target), target, on)
        counterparty = rng.choice([None, None, "Zelle", target.customer_name])
        channel = rng.choice([None, "zelle", "other", "cashapp", "stripe", "check"])
        amount = _amount(rng, target)
        transactions.append(
            BankTransaction(f"tx-{number}", on, amount, description, counterparty, channel)
        )
    return transactions


@pytest.mark.parametrize(
    "settings",
    [
        MatchSettings(),
        MatchSettings(
            deposit_window_days=7,
            late_balance_days=21,
            early_balance_days=3,
            balance_window_days_after=2,
            max_candidates=3,
            min_margin=0.08,
            auto_threshold=0.85,
        ),
    ],
)
def test_index_finds_what_scoring_every_booking_finds(settings: MatchSettings) -> None:
    rng = random.Random(11)
    bookings = _bookings(rng, 700)
    index, table = MatchingIndex(bookings, settings), BookingTable(bookings)
    decisions = set()
    for tx in _transactions(rng, bookings, 500):
        fast, slow = index.match(tx), naive_match(table, tx, settings)
        assert fast == slow, tx
        decisions.add((fast.decision, len(fast.candidates) > 1))
    # the set exercised every outcome, with rivals and without
    assert {("auto", False), ("review", True), ("unmatched", False)} <= decisions


def test_naive_match_takes_bookings_or_their_profiles() -> None:
    rng = random.Random(5)
    bookings = _bookings(rng, 60)
    profiles = [BookingProfile.of(booking) for booking in bookings]
    settings = MatchSettings()
    for tx in _transactions(rng, bookings, 40):
        expected = MatchingIndex(bookings, settings).match(tx)
        assert naive_match(bookings, tx, settings) == expected
        assert naive_match(profiles, tx, settings) == expected


def test_a_known_payer_added_to_a_booking_is_found() -> None:
    """The lead's approved payers: an index built with them finds the booking by their name."""
    rng = random.Random(2)
    bookings = _bookings(rng, 200)
    target = replace(bookings[7], known_payers=("Kenji Tanaka",), paid_cents=0)
    bookings[7] = target
    tx = BankTransaction(
        "tx-known", target.event_date, target.total_cents, "ZELLE FROM KENJI TANAKA", None, "zelle"
    )
    result = MatchingIndex(bookings, MatchSettings()).match(tx)
    assert result.candidates[0].booking_id == target.booking_id
    assert any("approved payer" in reason for reason in result.candidates[0].reasons)


def test_best_reading_is_the_best_of_amount_fits_and_date_fit() -> None:
    rng = random.Random(3)
    settings = MatchSettings()
    windows = Windows.of(settings)
    for _ in range(3_000):
        total = rng.randrange(10_000, 300_000, 500)
        deposit = total // rng.choice([4, 5])
        paid = rng.choice([0, deposit, deposit // 3, total - 5_000, total, total + 100])
        event = START + timedelta(days=60)
        booking = BookingCandidate(
            1, "Dana Smith", None, None, event, event - timedelta(days=rng.randint(2, 90)),
            total, deposit, paid,
        )  # fmt: skip
        owed = max(total - paid, 1)
        amount = rng.choice(
            [deposit, deposit - paid, owed, total, owed + owed * rng.randint(1, 60) // 100,
             rng.randrange(1, 2 * owed), owed * rng.choice([104, 105, 125, 150, 151]) // 100]
        )  # fmt: skip
        if amount <= 0:
            continue
        on = event + timedelta(days=rng.randint(-100, 20))
        expected = None
        for fit in amount_fits(amount, booking):
            when = date_fit(fit, on, booking, settings)
            value = 0.30 * fit.score + 0.15 * when
            if expected is None or value > expected[5]:
                expected = (fit.payment_type, fit.score, fit.label, fit.base_cents, when, value)
        reading = best_reading(
            amount, on.toordinal(), total, deposit, paid,
            booking.booked_on.toordinal(), event.toordinal(), windows,
        )  # fmt: skip
        assert reading == expected, (amount, on, booking)
