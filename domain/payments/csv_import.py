"""Importing bank lines from a CSV file, for owners without Plaid.

Canonical columns: transaction_id, date (YYYY-MM-DD), amount_cents (positive = money received),
description, counterparty_name, channel (zelle, venmo, cashapp, check, stripe, other or empty).
Reading is pure and rejects row by row with reasons; a file that is wrong as a whole (encoding,
columns) is refused before anything is stored, and the accepted rows go in one transaction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError
from sqlmodel import Session

from core.errors import ValidationFailed
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.payments import outbox, recording
from domain.payments.matching.models import CHANNELS
from domain.payments.models import PaymentSource
from domain.payments.schemas import IncomingPayment

REQUIRED_COLUMNS = ("transaction_id", "date", "amount_cents", "description")
OPTIONAL_COLUMNS = ("counterparty_name", "channel")
#: No hibachi party costs this much; a bigger figure is a typo (dollars in a cents column).
MAX_AMOUNT_CENTS = 5_000_000
MAX_ROWS = 200_000
# Rows stored per query: big enough to amortise the round trips, small enough for progress.
STORE_CHUNK = 1000


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str


@dataclass
class ParsedFile:
    rows: list[IncomingPayment] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)


@dataclass
class ImportReport:
    read: int
    imported: int
    already_known: int
    rejected: list[RejectedRow]
    new_payment_ids: list[int]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationFailed(
            f"the file is not UTF-8 text (byte {error.start}); save it as CSV UTF-8 and retry"
        ) from error


def parse_file(
    data: bytes, progress: Callable[[int], None] | None = None, max_rows: int = MAX_ROWS
) -> ParsedFile:
    reader = csv.DictReader(io.StringIO(_decode(data), newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ValidationFailed(
            f"missing column(s): {', '.join(missing)}; expected "
            f"{', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}"
        )
    reader.fieldnames = header
    parsed = ParsedFile()
    seen: set[str] = set()
    try:
        for number, row in enumerate(reader, start=1):
            if number > max_rows:
                raise ValidationFailed(f"more than {max_rows:,} rows: split the file")
            if progress is not None and number % 1000 == 0:
                progress(number)
            line = reader.line_num
            problem, incoming = _row(row, seen)
            if problem:
                parsed.rejected.append(RejectedRow(line, problem))
            elif incoming is not None:
                seen.add(incoming.external_id)
                parsed.rows.append(incoming)
    except csv.Error as error:
        raise ValidationFailed(f"line {reader.line_num}: not valid CSV ({error})") from error
    return parsed


def _row(row: dict[str, str | None], seen: set[str]) -> tuple[str, IncomingPayment | None]:
    if None in row:
        return "more fields than columns", None
    values = {key: (value or "").strip() for key, value in row.items()}
    if not any(values.values()):
        return "", None
    transaction_id = values.get("transaction_id", "")
    if not transaction_id:
        return "transaction_id is empty", None
    if transaction_id in seen:
        return f"transaction_id {transaction_id} appears twice in the file", None
    try:
        posted_on = date.fromisoformat(values.get("date", ""))
    except ValueError:
        return f"date {values.get('date')!r} is not YYYY-MM-DD", None
    raw_amount = values.get("amount_cents", "")
    try:
        amount = int(raw_amount)
    except ValueError:
        return f"amount_cents {raw_amount!r} is not a whole number of cents", None
    if amount <= 0:
        return f"amount_cents {amount} is not money received (positive = received)", None
    if amount > MAX_AMOUNT_CENTS:
        return f"amount_cents {amount} is over ${MAX_AMOUNT_CENTS // 100:,}: dollars typed?", None
    channel = values.get("channel", "").lower() or None
    if channel is not None and channel not in CHANNELS:
        return f"channel {channel!r} is not one of {', '.join(CHANNELS)} or empty", None
    try:
        return "", IncomingPayment(
            source=PaymentSource.CSV,
            external_id=transaction_id,
            posted_on=posted_on,
            amount_cents=amount,
            description=values.get("description", ""),
            counterparty_name=values.get("counterparty_name") or None,
            channel=channel,
        )
    except ValidationError as error:
        return "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()
        ), None


def import_rows(
    session: Session,
    parsed: ParsedFile,
    actor: Actor,
    file_name: str,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Stores every accepted row (a re-import adds nothing) and queues the new ones' matching,
    a chunk at a time (progress gets the rows stored so far), all in the caller's transaction."""
    imported, known = 0, 0
    new_ids: list[int] = []
    for start in range(0, len(parsed.rows), STORE_CHUNK):
        chunk = parsed.rows[start : start + STORE_CHUNK]
        fresh = [
            payment for payment, is_new in recording.record_many(session, chunk, actor) if is_new
        ]
        known += len(chunk) - len(fresh)
        imported += len(fresh)
        new_ids.extend(payment.id or 0 for payment in fresh)
        outbox.recorded_many(session, fresh)
        if progress is not None:
            progress(start + len(chunk))
    audit.record(
        session,
        actor,
        "payments.imported",
        "payment",
        None,
        summary=(
            f"{file_name}: {imported} imported, {known} already known, "
            f"{len(parsed.rejected)} rejected"
        ),
    )
    return ImportReport(
        read=len(parsed.rows) + len(parsed.rejected),
        imported=imported,
        already_known=known,
        rejected=parsed.rejected,
        new_payment_ids=new_ids,
    )
