"""Bank CSV import: 100,000 rows read and stored on SQLite and PostgreSQL.

A seeded file of `--rows` bank lines (one in a hundred bad the way a person would get it wrong:
US dates, dollars in the cents column, money out) is read by `csv_import.parse_file` with a
progress callback and stored by `csv_import.import_rows` in one transaction, as
`teppan payments import` does. Checked, not just printed: an import stopped after storing its
rows but before its commit (on the file's first `--stop-check-rows` rows) leaves no payment,
event or audit entry behind; the rejected lines are exactly the bad ones, each with its reason
(printed grouped by kind); progress was reported every 1,000 rows; the same file again stores
nothing. Printed per database: parse time, store time (through the commit), end to end, rows
per second and the process's peak RSS. Each new payment queues one `payment.recorded` event in
the inbox: the forwarder starts a `payment-csv-…` matching workflow per event after the commit;
those workflows are not run here (bench/payment_matching.py measures the matching itself).

    .venv/bin/python -m bench.csv_import                      # SQLite in a temporary folder
    .venv/bin/python -m bench.csv_import --postgres           # and a temporary PostgreSQL database
    .venv/bin/python -m bench.csv_import --postgres-only --rows 20000
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from core.db import make_engine, session_scope
from core.migrate import upgrade_database
from domain.audit.models import AuditEntry
from domain.audit.service import Actor
from domain.business.models import BusinessSettings
from domain.inbox.models import WebhookEvent
from domain.payments import csv_import
from domain.payments.models import Payment

HEADER = "transaction_id,date,amount_cents,description,counterparty_name,channel\n"
FIRST = ("JENNIFER", "MARK", "DANA", "LUIS", "PRIYA", "KEVIN", "ANA", "TOMOKO", "OMAR", "GRACE")
LAST = ("NGUYEN", "LEE", "SMITH", "GARCIA", "PATEL", "KIM", "LOPEZ", "TANAKA", "ALI", "CHEN")


@dataclass(frozen=True)
class BankFile:
    data: bytes
    bad_lines: frozenset[int]  # file line numbers (the header is line 1) that must be rejected


def bank_file(rows: int, seed: int = 11) -> BankFile:
    """`rows` bank lines; one in a hundred is wrong in a way a person would type it."""
    rng = random.Random(seed)
    start = date(2026, 1, 1)
    lines = [HEADER]
    bad: set[int] = set()
    for number in range(rows):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        day = start + timedelta(days=rng.randrange(330))
        amount = str(rng.randrange(20_000, 300_000))
        channel, description = rng.choice(
            (
                ("zelle", f"Zelle payment from {name} Conf# {rng.randrange(10**9)}"),
                ("venmo", f"VENMO CASHOUT PPD ID: {rng.randrange(10**10)} {name}"),
                ("check", f"CHECK DEPOSIT #{rng.randrange(10_000)}"),
                ("", f"ONLINE TRANSFER FROM {name}"),
            )
        )
        when = day.isoformat()
        flaw = rng.randrange(300)
        if flaw == 0:
            when = day.strftime("%m/%d/%Y")
        elif flaw == 1:
            amount = f"{int(amount) / 100:.2f}"
        elif flaw == 2:
            amount = f"-{amount}"
        if flaw <= 2:
            bad.add(number + 2)
        lines.append(f"bench-{number:07d},{when},{amount},{description},{name},{channel}\n")
    return BankFile("".join(lines).encode(), frozenset(bad))


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="teppan-csv-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    name = f"teppan_csv_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _prepare(url: str) -> Engine:
    upgrade_database(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        session.add(
            BusinessSettings(
                name="Bench Hibachi",
                base_address="43555 Mission Blvd, Fremont, CA 94539",
                phone_number="+15105550100",
            )
        )
    return engine


class _Stopped(Exception):
    """Raised inside the import's transaction, after every row is stored, before the commit."""


def _run(
    engine: Engine, data: bytes, stop_before_commit: bool = False
) -> tuple[float, float, csv_import.ImportReport, list[int]]:
    progress: list[int] = []
    started = time.perf_counter()
    parsed = csv_import.parse_file(data, progress=progress.append)
    parsed_at = time.perf_counter()
    with session_scope(engine) as session:
        report = csv_import.import_rows(session, parsed, Actor("cli", "bench"), "bench.csv")
        if stop_before_commit:
            raise _Stopped
    return parsed_at - started, time.perf_counter() - parsed_at, report, progress


def _count(engine: Engine, model: type[Payment] | type[WebhookEvent] | type[AuditEntry]) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def _reason_kind(reason: str) -> str:
    """A reason without the row's own values, to group them: `date '03/07/2026' is not …`."""
    return re.sub(r"'[^']*'|-?\d[\d.,]*", "…", reason)


def bench(label: str, url: str, bank: BankFile, rows: int, stop_check_rows: int) -> None:
    engine = _prepare(url)
    print(f"{label}: {rows:,} rows, {len(bank.data) / 1e6:.1f} MB")

    before = {model: _count(engine, model) for model in (Payment, WebhookEvent, AuditEntry)}
    # Every row stored, then stopped before the commit: on a leading part of the file, as a
    # full-size stopped run would double the bench's time and show nothing more.
    head = b"".join(bank.data.splitlines(keepends=True)[: stop_check_rows + 1])
    with suppress(_Stopped):
        _run(engine, head, stop_before_commit=True)
    left = {model: _count(engine, model) for model in before}
    print(
        f"  {min(stop_check_rows, rows):,} rows stored, stopped before the commit: "
        f"{left[Payment]} payments, {left[WebhookEvent] - before[WebhookEvent]} events, "
        f"{left[AuditEntry] - before[AuditEntry]} audit entries left behind"
    )
    assert left == before, "a stopped import left rows behind"

    parse_s, store_s, report, progress = _run(engine, bank.data)
    total = parse_s + store_s
    print(f"  parse            {parse_s:7.2f} s   {rows / parse_s:9,.0f} rows/s")
    print(f"  store + commit   {store_s:7.2f} s   {report.imported / store_s:9,.0f} rows/s")
    print(f"  end to end       {total:7.2f} s   {rows / total:9,.0f} rows/s")
    payments, events = _count(engine, Payment), _count(engine, WebhookEvent)
    print(
        f"  imported {report.imported:,}, rejected {len(report.rejected):,}; "
        f"stored payments {payments:,}, queued matching events {events:,}; "
        f"progress reported {len(progress)} times (last at {progress[-1]:,} rows)"
    )
    kinds = Counter(_reason_kind(rejected.reason) for rejected in report.rejected)
    for kind, count in kinds.most_common():
        example = next(r for r in report.rejected if _reason_kind(r.reason) == kind)
        print(f"    {count:5,} x {kind}   (e.g. line {example.line}: {example.reason})")
    assert {rejected.line for rejected in report.rejected} == bank.bad_lines
    assert report.imported == payments == rows - len(bank.bad_lines)
    assert events == payments, "each new payment queues one matching event"
    assert progress == list(range(1000, rows + 1, 1000))
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS of the process so far {peak_rss_mb:.0f} MB")

    again_parse, again_store, again, _ = _run(engine, bank.data)
    print(
        f"  the same file again: {again.imported} imported, {again.already_known:,} already "
        f"known, in {again_parse + again_store:.2f} s"
    )
    assert again.imported == 0 and _count(engine, Payment) == payments
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--stop-check-rows", type=int, default=10_000, help="rows in the stopped-import check"
    )
    args = parser.parse_args()
    bank = bank_file(args.rows)
    if not args.postgres_only:
        with sqlite_database() as url:
            bench("SQLite", url, bank, args.rows, args.stop_check_rows)
    if args.postgres or args.postgres_only:
        with postgres_database(args.postgres_url) as url:
            bench("PostgreSQL", url, bank, args.rows, args.stop_check_rows)


if __name__ == "__main__":
    main()
