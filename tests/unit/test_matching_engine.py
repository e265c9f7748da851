"""Matching decisions: auto, review, unmatched."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from domain.payments.matching import (
    BankTransaction,
    BookingCandidate,
    MatchingIndex,
    MatchResult,
    MatchSettings,
    naive_match,
)

EVENT = date(2026, 9, 12)
SETTINGS = MatchSettings()


def _booking(booking_id: int, name: str, **changes: object) -> BookingCandidate:
    values: dict[str, object] = {
        "booking_id": booking_id,
        "customer_name": name,
        "phone": f"(510) 555-{booking_id:04d}",
        "email": f"guest{booking_id}@example.com",
        "event_date": EVENT,
        "booked_on": EVENT - timedelta(days=40),
        "total_cents": 150_000,
        "deposit_cents": 30_000,
        "paid_cents": 30_000,
    }
    values.update(changes)
    return BookingCandidate(**values)  # type: ignore[arg-type]


def _tx(
    description: str, amount: int, on: date = EVENT, channel: str | None = "zelle"
) -> BankTransaction:
    return BankTransaction("tx-1", on, amount, description, None, channel)


def _match(bookings: list[BookingCandidate], tx: BankTransaction) -> MatchResult:
    return MatchingIndex(bookings, SETTINGS).match(tx)


def test_clear_balance_is_applied_automatically() -> None:
    bookings = [_booking(1, "Dana Smith"), _booking(2, "Jordan Park", total_cents=99_000)]
    result = _match(bookings, _tx("Zelle payment from DANA SMITH BACs44a9oiu1", 120_000))
    assert (result.decision, result.booking_id, result.payment_type) == ("auto", 1, "balance")
    assert result.confidence >= SETTINGS.auto_threshold
    assert result.candidates[0].booking_id == 1


def test_deposit_near_booking_date() -> None:
    booking = _booking(1, "Dana Smith", paid_cents=0)
    tx = _tx("ZELLE FROM SMITH DANA", 30_000, on=booking.booked_on + timedelta(days=1))
    result = _match([booking], tx)
    assert (result.decision, result.payment_type) == ("auto", "deposit")


def test_two_close_candidates_go_to_review() -> None:
    bookings = [_booking(1, "Dana Smith"), _booking(2, "Dana Smith", phone=None)]
    result = _match(bookings, _tx("ZELLE FROM DANA SMITH", 120_000))
    assert result.decision == "review"
    assert {c.booking_id for c in result.candidates[:2]} == {1, 2}


def test_same_surname_same_amount_is_decided_by_the_first_name() -> None:
    bookings = [_booking(1, "Maria Garcia"), _booking(2, "Jose Garcia")]
    result = _match(bookings, _tx("ZELLE FROM MARIA GARCIA", 120_000))
    assert (result.decision, result.booking_id) == ("auto", 1)


def test_partial_payment_is_never_applied_as_the_whole() -> None:
    result = _match([_booking(1, "Dana Smith")], _tx("ZELLE FROM DANA SMITH", 50_000))
    assert result.decision == "review"
    assert (result.booking_id, result.payment_type) == (1, "partial")


def test_cash_out_goes_to_review_never_auto() -> None:
    bookings = [_booking(1, "Dana Smith")]
    result = _match(bookings, _tx("VENMO CASHOUT PPD ID: 5264681992", 120_000, channel=None))
    assert result.decision == "review"
    assert [c.booking_id for c in result.candidates] == [1]
    holder = _tx("VENMO DES:CASHOUT ID:X1 INDN:DANA SMITH CO ID:X2 PPD", 120_000, channel=None)
    assert _match(bookings, holder).decision == "review"  # INDN is the owner, not the payer


def test_stripe_payout_is_unmatched() -> None:
    result = _match([_booking(1, "Dana Smith")], _tx("STRIPE TRANSFER ST-BPQBDJJ8SM", 120_000))
    assert (result.decision, result.booking_id, result.payment_type) == (
        "unmatched",
        None,
        "unknown",
    )
    assert result.candidates == []
    assert any("Stripe payout: reconcile against Stripe payouts" in r for r in result.reasons)


def test_reference_outweighs_the_name() -> None:
    bookings = [_booking(42, "Dana Smith"), _booking(7, "Jordan Park")]
    tx = _tx('Zelle payment from JORDAN PARK for "TP-1042"; Conf# abc123', 120_000)
    result = _match(bookings, tx)
    assert (result.decision, result.booking_id) == ("auto", 42)


def test_phone_in_memo_outweighs_the_name() -> None:
    bookings = [_booking(42, "Dana Smith"), _booking(7, "Jordan Park")]
    tx = _tx("ZELLE FROM JORDAN PARK ON 09/12 REF # WFCT22L6S4DQ 510-555-0042", 120_000)
    assert _match(bookings, tx).booking_id == 42


def test_spouse_is_review_unless_approved_before() -> None:
    booking = _booking(1, "Linh Nguyen")
    tx = _tx("ZELLE FROM DAVID NGUYEN", 120_000)
    spouse = _match([booking], tx)
    assert (spouse.decision, spouse.booking_id) == ("review", 1)
    approved = _match([replace(booking, known_payers=("David Nguyen",))], tx)
    assert (approved.decision, approved.booking_id) == ("auto", 1)


def test_tip_is_detected() -> None:
    result = _match([_booking(1, "Dana Smith")], _tx("ZELLE FROM DANA SMITH", 138_000))
    assert (result.decision, result.payment_type) == ("auto", "balance_with_tip")
    full = _booking(2, "Jordan Park", paid_cents=0)
    result = _match([full], _tx("ZELLE FROM JORDAN PARK", 165_000))
    assert (result.decision, result.payment_type) == ("auto", "full")


def test_exact_balance_outweighs_a_tip_reading_of_another_booking() -> None:
    bookings = [_booking(1, "Dana Smith"), _booking(2, "Dana Smith", total_cents=130_000)]
    result = _match(bookings, _tx("ZELLE FROM DANA SMITH", 120_000))
    assert (result.decision, result.booking_id, result.payment_type) == ("auto", 1, "balance")


def test_the_ledger_decides_what_is_owed() -> None:
    booking = _booking(1, "Dana Smith", paid_cents=60_000)
    result = _match([booking], _tx("ZELLE FROM DANA SMITH", 90_000))
    assert (result.decision, result.payment_type) == ("auto", "balance")


def test_nothing_fits() -> None:
    result = _match([_booking(1, "Dana Smith")], _tx("INTEREST PAYMENT", 1_234, channel=None))
    assert (result.decision, result.booking_id) == ("unmatched", None)


def test_index_gives_the_same_result_as_naive() -> None:
    rng = random.Random(3)
    first = ["Dana", "Jordan", "Linh", "Wei", "Maria", "Robert", "Priya", "Ji-hoon"]
    last = ["Smith", "Park", "Nguyen", "Zhang", "Garcia", "Patel", "Kim"]
    bookings = []
    for booking_id in range(1, 301):
        event = date(2026, 1, 1) + timedelta(days=rng.randrange(120))
        total = rng.randrange(50_000, 300_000, 500)
        deposit = total // 5
        bookings.append(
            _booking(
                booking_id,
                f"{rng.choice(first)} {rng.choice(last)}",
                event_date=event,
                booked_on=event - timedelta(days=rng.randint(3, 60)),
                total_cents=total,
                deposit_cents=deposit,
                paid_cents=rng.choice([0, deposit]),
            )
        )
    index = MatchingIndex(bookings, SETTINGS)
    for number in range(200):
        target = rng.choice(bookings)
        on = target.event_date + timedelta(days=rng.randint(-30, 10))
        amount = rng.choice([target.deposit_cents, target.owed_cents, target.owed_cents * 6 // 5])
        name = rng.choice([target.customer_name.upper(), f"{rng.choice(first)} {rng.choice(last)}"])
        memo = rng.choice(["", "TP-" + str(1000 + target.booking_id), "hibachi"])
        tx = BankTransaction(
            f"tx-{number}", on, amount, f'Zelle payment from {name} for "{memo}"', None, "zelle"
        )
        fast, slow = index.match(tx), naive_match(bookings, tx, SETTINGS)
        assert fast == slow, tx


def test_a_namesake_by_first_name_only_is_no_candidate() -> None:
    # James Brown shares only "James" with the payer: not a lead, whatever the amount.
    bookings = [_booking(1, "James Brown")]
    result = _match(bookings, _tx("ZELLE FROM JAMES SMITH", 138_000))
    assert (result.decision, result.candidates) == ("unmatched", [])


def test_a_relative_paying_part_of_a_booking_is_no_candidate() -> None:
    # A relative's name alone is weak: the amount must read as a whole payment.
    bookings = [_booking(1, "Linh Nguyen")]
    assert _match(bookings, _tx("ZELLE FROM DAVID NGUYEN", 50_000)).candidates == []
    whole = _match(bookings, _tx("ZELLE FROM DAVID NGUYEN", 120_000))
    assert [c.booking_id for c in whole.candidates] == [1]


def test_relatives_are_listed_only_when_a_person_decides() -> None:
    # Jordan owes 115,000: both payments below read as Jordan's balance plus something.
    bookings = [_booking(1, "Dana Smith"), _booking(2, "Jordan Smith", total_cents=145_000)]
    clear = _match(bookings, _tx("ZELLE FROM DANA SMITH", 120_000))
    assert (clear.decision, [c.booking_id for c in clear.candidates]) == ("auto", [1])
    # balance plus a 40 % tip: 0.895, a person looks, and sees Jordan's booking too
    unsure = _match(bookings, _tx("ZELLE FROM DANA SMITH", 168_000))
    assert unsure.decision == "review"
    assert [c.booking_id for c in unsure.candidates] == [1, 2]


def test_a_partial_payment_points_at_the_booking_it_is_due_for() -> None:
    on = EVENT
    just_booked = _booking(2, "Dana Smith", booked_on=on - timedelta(days=2), paid_cents=0)
    event_long_past = _booking(
        1, "Dana Smith", event_date=on - timedelta(days=10), booked_on=on - timedelta(days=60)
    )
    result = _match([just_booked, event_long_past], _tx("ZELLE FROM DANA SMITH", 20_000, on=on))
    assert result.decision == "review"
    assert [c.booking_id for c in result.candidates] == [2, 1]
    assert [c.payment_type for c in result.candidates] == ["partial", "partial"]


def test_reference_in_memo_applies_a_large_tip() -> None:
    bookings = [_booking(42, "Dana Smith")]
    tx = _tx('Zelle payment from JORDAN PARK for "TP-1042"; Conf# abc123', 168_000)
    result = _match(bookings, tx)
    assert (result.decision, result.booking_id, result.payment_type) == (
        "auto",
        42,
        "balance_with_tip",
    )
    # from the name alone, a 40 % tip stays with a person
    assert _match(bookings, _tx("ZELLE FROM DANA SMITH", 168_000)).decision == "review"


def test_approved_payer_paying_exactly_outweighs_a_namesakes_tip() -> None:
    linh = _booking(1, "Linh Nguyen", known_payers=("David Nguyen",))
    david = _booking(2, "David Nguyen", total_cents=130_000)  # owes 100,000: +20 % would fit
    result = _match([linh, david], _tx("ZELLE FROM DAVID NGUYEN", 120_000))
    assert (result.decision, result.booking_id, result.payment_type) == ("auto", 1, "balance")
