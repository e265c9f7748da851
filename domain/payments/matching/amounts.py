"""What an amount can be for a booking, given its ledger, and when each kind is expected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from domain.payments.matching.models import BookingCandidate, MatchSettings, PaymentType

TIP_MIN = 0.05
TIP_MAX = 0.50
TYPICAL_TIP_MAX = 0.25
ROUND_TIPS = (0.10, 0.15, 0.18, 0.20, 0.25)

EXACT = 1.0
TIP_ROUND = 0.9  # 5-25 % and a round percentage or a whole $5
TIP_TYPICAL = 0.85  # 5-25 %
TIP_LARGE = 0.65  # 25-50 %: it happens, but a reading that fits many amounts
SMALL_OVERPAYMENT = 0.6  # under 5 % over: rounding up
DEPOSIT_AGAIN = 0.8
PARTIAL = 0.45
# A part of a payment comes when the whole would: part of the deposit after booking, part of
# the balance around the event. Elsewhere it reads as weakly as a whole payment would there.
PARTIAL_DATE = 0.8
ALREADY_PAID = 0.1
TOO_MUCH = 0.15


@dataclass(frozen=True)
class AmountFit:
    payment_type: PaymentType
    score: float  # 0..1, how well the amount fits this kind of payment
    label: str  # what the amount is read as; `reason()` writes it out
    base_cents: int
    amount_cents: int

    @property
    def exact(self) -> bool:
        return self.score >= EXACT

    def reason(self) -> str:
        return fit_reason(self.payment_type, self.label, self.base_cents, self.amount_cents)


def fit_reason(payment_type: PaymentType, label: str, base_cents: int, amount_cents: int) -> str:
    base, extra = _money(base_cents), amount_cents - base_cents
    if label == "tip":
        kind = "full amount" if payment_type == "full" else "balance"
        ratio = extra / base_cents
        return f"{kind} {base} plus a {ratio:.0%} tip ({_money(extra)})"
    if label == "overpaid":
        kind = "full amount" if payment_type == "full" else "balance"
        return f"{kind} {base} plus a small overpayment ({_money(extra)})"
    if label == "partial":
        return f"partial: {_money(amount_cents)} of {base}"
    if label == "too much":
        return f"more than owed ({base})"
    if label == "paid":
        return "booking already paid in full"
    return f"{label} {base}"


def _money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def _tip_score(amount: int, base: int) -> tuple[float, str] | None:
    """Exact to the cent otherwise: banks move money exactly and the index looks amounts up."""
    if base <= 0 or amount <= base:
        return None
    extra = amount - base
    ratio = extra / base
    if ratio < TIP_MIN - 0.0005:
        return SMALL_OVERPAYMENT, "overpaid"
    if ratio <= TYPICAL_TIP_MAX + 0.0005:
        if extra % 500 == 0:
            return TIP_ROUND, "tip"
        for round_tip in ROUND_TIPS:
            if abs(ratio - round_tip) < 0.0051:
                return TIP_ROUND, "tip"
        return TIP_TYPICAL, "tip"
    if ratio <= TIP_MAX + 0.0005:
        return TIP_LARGE, "tip"
    return None


def amount_fits(amount: int, booking: BookingCandidate) -> list[AmountFit]:
    """Every reading of the amount for this booking; the ledger (paid_cents) says what is owed."""
    total, deposit, paid = booking.total_cents, booking.deposit_cents, booking.paid_cents
    owed = total - paid
    if amount <= 0:
        return []
    if owed <= 0:
        return [AmountFit("unknown", ALREADY_PAID, "paid", total, amount)]
    fits: list[AmountFit] = []
    deposit_due = deposit - paid
    if deposit_due > 0 and paid * 2 <= deposit:
        if amount == deposit_due:
            fits.append(AmountFit("deposit", EXACT, "deposit", deposit_due, amount))
        elif amount == deposit:
            fits.append(AmountFit("deposit", DEPOSIT_AGAIN, "deposit again", deposit, amount))
    base = total if paid == 0 else owed
    kind: PaymentType = "full" if paid == 0 else "balance"
    if amount == base:
        fits.append(AmountFit(kind, EXACT, "full amount" if paid == 0 else "balance", base, amount))
    elif tipped := _tip_score(amount, base):
        tip_kind: PaymentType = "full" if paid == 0 else "balance_with_tip"
        fits.append(AmountFit(tip_kind, tipped[0], tipped[1], base, amount))
    if amount < owed and not fits:
        fits.append(AmountFit("partial", PARTIAL, "partial", owed, amount))
    if not fits and amount > owed:
        fits.append(AmountFit("unknown", TOO_MUCH, "too much", owed, amount))
    return fits


def date_fit(fit: AmountFit, on: date, booking: BookingCandidate, settings: MatchSettings) -> float:
    """0..1: deposits near the booking (before the event), balances around the event."""
    since_booking = (on - booking.booked_on).days
    from_event = (on - booking.event_date).days
    deposit_score = 0.0
    if since_booking >= -1 and from_event <= 0:
        if since_booking <= settings.deposit_window_days:
            deposit_score = 1.0
        elif since_booking <= 2 * settings.deposit_window_days:
            deposit_score = 0.6
        else:
            deposit_score = 0.3
    balance_score = 0.0
    if -settings.balance_window_days_before <= from_event <= settings.balance_window_days_after:
        balance_score = 1.0
    elif -settings.early_balance_days <= from_event <= settings.late_balance_days:
        balance_score = 0.6
    elif since_booking >= -1 and from_event <= settings.late_balance_days:
        balance_score = 0.2
    kind = fit.payment_type
    if kind == "deposit":
        return deposit_score
    if kind in ("balance", "balance_with_tip"):
        return balance_score
    if kind == "full":
        return max(deposit_score, balance_score)
    if kind == "partial":
        return PARTIAL_DATE * max(deposit_score, balance_score)
    return 0.5 * max(deposit_score, balance_score)


class Reading(NamedTuple):
    """The best reading of an amount for a booking, with how well its date fits."""

    payment_type: PaymentType
    score: float  # the amount's fit, 0..1
    label: str
    base_cents: int
    when: float  # the date's fit, 0..1
    value: float  # AMOUNT_WEIGHT * score + DATE_WEIGHT * when

    @property
    def exact(self) -> bool:
        return self.score >= EXACT


# A `Reading` as a plain tuple: `best_reading` runs for every candidate of every payment.
RawReading = tuple[PaymentType, float, str, int, float, float]

AMOUNT_WEIGHT = 0.30
DATE_WEIGHT = 0.15


class Windows(NamedTuple):
    """The settings' date windows, read once per payment."""

    deposit: int
    deposit_far: int  # twice the deposit window: the extended one
    balance_before: int
    balance_after: int
    early: int
    late: int

    @classmethod
    def of(cls, settings: MatchSettings) -> Windows:
        last = _LAST_WINDOWS[0]
        if last is not None and last[0] is settings:  # the same settings, payment after payment
            return last[1]
        windows = cls(
            settings.deposit_window_days,
            2 * settings.deposit_window_days,
            settings.balance_window_days_before,
            settings.balance_window_days_after,
            settings.early_balance_days,
            settings.late_balance_days,
        )
        _LAST_WINDOWS[0] = (settings, windows)
        return windows


_LAST_WINDOWS: list[tuple[MatchSettings, Windows] | None] = [None]


def best_reading(
    amount: int,
    on: int,
    total: int,
    deposit: int,
    paid: int,
    booked_on: int,
    event_date: int,
    windows: Windows,
) -> RawReading:
    """The reading of `amount_fits` with the highest amount-and-date value (the first on a tie).

    The same arithmetic as `amount_fits` and `date_fit`, on the ledger's numbers and day
    ordinals, with no object per possible reading: it runs for every candidate of every payment.
    The amount is positive (`amount_fits` has no reading of anything else).
    """
    owed = total - paid
    since_booking = on - booked_on
    from_event = on - event_date
    if since_booking >= -1 and from_event <= 0:
        if since_booking <= windows.deposit:
            deposit_score = 1.0
        elif since_booking <= windows.deposit_far:
            deposit_score = 0.6
        else:
            deposit_score = 0.3
    else:
        deposit_score = 0.0
    if -windows.balance_before <= from_event <= windows.balance_after:
        balance_score = 1.0
    elif -windows.early <= from_event <= windows.late:
        balance_score = 0.6
    elif since_booking >= -1 and from_event <= windows.late:
        balance_score = 0.2
    else:
        balance_score = 0.0
    if owed <= 0:
        when = 0.5 * max(deposit_score, balance_score)
        return (
            "unknown",
            ALREADY_PAID,
            "paid",
            total,
            when,
            AMOUNT_WEIGHT * ALREADY_PAID + DATE_WEIGHT * when,
        )
    best: RawReading | None = None
    deposit_due = deposit - paid
    if deposit_due > 0 and paid * 2 <= deposit:
        if amount == deposit_due:
            best = (
                "deposit",
                EXACT,
                "deposit",
                deposit_due,
                deposit_score,
                AMOUNT_WEIGHT * EXACT + DATE_WEIGHT * deposit_score,
            )
        elif amount == deposit:
            best = (
                "deposit",
                DEPOSIT_AGAIN,
                "deposit again",
                deposit,
                deposit_score,
                AMOUNT_WEIGHT * DEPOSIT_AGAIN + DATE_WEIGHT * deposit_score,
            )
    base = total if paid == 0 else owed
    kind: PaymentType
    if amount == base:
        kind, score, label = (
            ("full", EXACT, "full amount") if paid == 0 else ("balance", EXACT, "balance")
        )
    elif tipped := _tip_score(amount, base):
        kind = "full" if paid == 0 else "balance_with_tip"
        score, label = tipped
    else:
        kind = "unknown"
    if kind != "unknown":
        when = max(deposit_score, balance_score) if kind == "full" else balance_score
        value = AMOUNT_WEIGHT * score + DATE_WEIGHT * when
        if best is None or value > best[5]:
            best = (kind, score, label, base, when, value)
    if best is not None:
        return best
    if amount < owed:
        when = PARTIAL_DATE * max(deposit_score, balance_score)
        return (
            "partial",
            PARTIAL,
            "partial",
            owed,
            when,
            AMOUNT_WEIGHT * PARTIAL + DATE_WEIGHT * when,
        )
    when = 0.5 * max(deposit_score, balance_score)
    return (
        "unknown",
        TOO_MUCH,
        "too much",
        owed,
        when,
        AMOUNT_WEIGHT * TOO_MUCH + DATE_WEIGHT * when,
    )
