"""`teppan payments match`: the payment-matching contract, one JSON object per line.

Reads open bookings and bank transactions from CSV files, matches each transaction with the
pure engine (domain/payments/matching) and prints its decision. No database, no Temporal.

BOOKINGS.csv: booking_id, customer_name, phone, email, event_date, booked_on, total_cents,
deposit_cents, paid_cents; optional: reference, known_payers (names separated by "|").
TRANSACTIONS.csv: transaction_id, date, amount_cents (positive = money received), description,
counterparty_name, channel (zelle, venmo, cashapp, check, stripe, other or empty).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from domain.payments.matching import (
    BankTransaction,
    BookingCandidate,
    MatchingIndex,
    MatchResult,
    MatchSettings,
)
from domain.payments.matching.models import CHANNELS

BOOKING_COLUMNS = (
    "booking_id",
    "customer_name",
    "phone",
    "email",
    "event_date",
    "booked_on",
    "total_cents",
    "deposit_cents",
    "paid_cents",
)
TRANSACTION_COLUMNS = (
    "transaction_id",
    "date",
    "amount_cents",
    "description",
    "counterparty_name",
    "channel",
)

T = TypeVar("T")


class ContractFileError(ValueError):
    """A bad input file: which file, which line, what is wrong."""

    def __init__(self, path: Path, line: int, problem: str) -> None:
        super().__init__(f"{path}: line {line}: {problem}")


def read_rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise ContractFileError(path, 0, f"cannot read the file ({error.strerror})") from error
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in required if column not in header]
        if missing:
            raise ContractFileError(path, 1, f"missing column(s): {', '.join(missing)}")
        try:
            for row in reader:
                if None in row:
                    raise ContractFileError(path, reader.line_num, "more fields than columns")
                if not any((value or "").strip() for value in row.values()):
                    continue
                yield reader.line_num, {k: (v or "").strip() for k, v in row.items()}
        except csv.Error as error:
            raise ContractFileError(path, reader.line_num, f"not valid CSV ({error})") from error


def _field(path: Path, line: int, row: dict[str, str], column: str, parse: Callable[[str], T]) -> T:
    raw = row.get(column, "")
    if raw == "":
        raise ContractFileError(path, line, f"{column} is empty")
    try:
        return parse(raw)
    except ValueError as error:
        raise ContractFileError(path, line, f"{column} {raw!r} is not valid") from error


def _optional(row: dict[str, str], column: str) -> str | None:
    return row.get(column) or None


def read_bookings(path: Path) -> list[BookingCandidate]:
    bookings: list[BookingCandidate] = []
    seen: set[int] = set()
    for line, row in read_rows(path, BOOKING_COLUMNS):

        def number(column: str, line: int = line, row: dict[str, str] = row) -> int:
            return _field(path, line, row, column, int)

        def day(column: str, line: int = line, row: dict[str, str] = row) -> date:
            return _field(path, line, row, column, date.fromisoformat)

        booking_id = number("booking_id")
        if booking_id in seen:
            raise ContractFileError(path, line, f"booking_id {booking_id} appears twice")
        seen.add(booking_id)
        name = _field(path, line, row, "customer_name", str)
        total, deposit, paid = number("total_cents"), number("deposit_cents"), number("paid_cents")
        if total < 0 or deposit < 0:
            raise ContractFileError(path, line, "total_cents and deposit_cents cannot be negative")
        known = tuple(p.strip() for p in (row.get("known_payers") or "").split("|") if p.strip())
        bookings.append(
            BookingCandidate(
                booking_id=booking_id,
                customer_name=name,
                phone=_optional(row, "phone"),
                email=_optional(row, "email"),
                event_date=day("event_date"),
                booked_on=day("booked_on"),
                total_cents=total,
                deposit_cents=deposit,
                paid_cents=paid,
                reference=_optional(row, "reference"),
                known_payers=known,
            )
        )
    return bookings


def read_transactions(path: Path) -> list[BankTransaction]:
    transactions: list[BankTransaction] = []
    for line, row in read_rows(path, TRANSACTION_COLUMNS):
        channel = (row.get("channel") or "").lower() or None
        if channel is not None and channel not in CHANNELS:
            raise ContractFileError(
                path, line, f"channel {channel!r} is not one of {', '.join(CHANNELS)} or empty"
            )
        transactions.append(
            BankTransaction(
                transaction_id=_field(path, line, row, "transaction_id", str),
                date=_field(path, line, row, "date", date.fromisoformat),
                amount_cents=_field(path, line, row, "amount_cents", int),
                description=row.get("description", ""),
                counterparty_name=_optional(row, "counterparty_name"),
                channel=channel,
            )
        )
    return transactions


def contract_line(result: MatchResult) -> dict[str, Any]:
    return {
        "transaction_id": result.transaction_id,
        "decision": result.decision,
        "booking_id": result.booking_id,
        "confidence": round(result.confidence, 4),
        "payment_type": result.payment_type,
        "candidates": [candidate.booking_id for candidate in result.candidates],
    }


def match_files(
    bookings_csv: Path, transactions_csv: Path, settings: MatchSettings | None = None
) -> Iterator[dict[str, Any]]:
    """Reads both files first (a bad file fails before any output), then one line per payment."""
    bookings = read_bookings(bookings_csv)
    transactions = read_transactions(transactions_csv)
    index = MatchingIndex(bookings, settings or MatchSettings())
    for tx in transactions:
        yield contract_line(index.match(tx))
