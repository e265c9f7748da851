"""What an amount can be for a booking, given its ledger, and when each kind is expected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
        base, extra = _money(self.base_cents), self.amount_cents - self.base_cents
        if self.label == "tip":
            kind = "full amount" if self.payment_type == "full" else "balance"
            ratio = extra / self.base_cents
            return f"{kind} {base} plus a {ratio:.0%} tip ({_money(extra)})"
        if self.label == "overpaid":
            kind = "full amount" if self.payment_type == "full" else "balance"
            return f"{kind} {base} plus a small overpayment ({_money(extra)})"
        if self.label == "partial":
            return f"partial: {_money(self.amount_cents)} of {base}"
        if self.label == "too much":
            return f"more than owed ({base})"
        if self.label == "paid":
            return "booking already paid in full"
        return f"{self.label} {base}"


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
        round_tip = any(abs(ratio - r) < 0.0051 for r in ROUND_TIPS) or extra % 500 == 0
        return (TIP_ROUND if round_tip else TIP_TYPICAL), "tip"
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


def exact_amounts(booking: BookingCandidate) -> set[int]:
    """The amounts `amount_fits` reads exactly (score 1.0): what the index looks up."""
    owed = booking.owed_cents
    if owed <= 0:
        return set()
    amounts = {booking.total_cents if booking.paid_cents == 0 else owed}
    deposit_due = booking.deposit_cents - booking.paid_cents
    if deposit_due > 0 and booking.paid_cents * 2 <= booking.deposit_cents:
        amounts.add(deposit_due)
    return amounts


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
        return 0.8 if since_booking >= -1 and from_event <= settings.late_balance_days else 0.0
    return 0.5 * max(deposit_score, balance_score)
