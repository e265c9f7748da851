"""Admin panel page latency for a large business: 20,000 customers and 100,000 bookings.

Seeds a fresh database through the migrations (the demo business, its owner and staff, then
customers and bookings in bulk through core inserts), starts the API as `teppan api` runs it
(uvicorn on a loopback port, Temporal down), logs in through the login form as the owner and
requests each page `--repeat` times over HTTP, one at a time, printing p50, p95 and max per page:
the dashboard, the bookings list (first, middle and last page, and filtered by status), the
customers list (first and middle page), and the searches the lists offer (bookings by customer
name, phone digits and reference; customers by name and phone digits). Each answer must be the
page asked for (200, not the login form) and a search must find what it looks for.

    .venv/bin/python -m bench.admin_pages                      # SQLite in a temporary folder
    .venv/bin/python -m bench.admin_pages --postgres           # a fresh PostgreSQL database
    .venv/bin/python -m bench.admin_pages --customers 2000 --bookings 10000 --repeat 10
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, insert, text
from sqlmodel import Session, select

from bench.stack import fresh_postgres, percentile, serving
from core.db import make_engine
from core.migrate import upgrade_database
from domain.bookings.models import Booking, BookingStatus
from domain.business.models import Package
from domain.customers.models import Customer
from domain.demo_data import seed_demo_data
from domain.staff.models import StaffMember, StaffRole
from sandbox.framework import free_port

OWNER = ("owner@example.com", "teppan-owner")
FIRST = ("Maria", "James", "Wei", "Priya", "Carlos", "Aiko", "David", "Fatima", "Minh", "Olivia")
LAST = ("Garcia", "Nguyen", "Smith", "Patel", "Kim", "Lopez", "Chen", "Johnson", "Singh", "Tran")
STREETS = ("Mission Blvd", "Fremont Blvd", "Stevenson Blvd", "Paseo Padre Pkwy", "Niles Blvd")
BATCH = 5000
PER_PAGE = 25  # admin_ui.routes.bookings.PER_PAGE and customers'
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    must_show: str  # text the answer contains when it is the page asked for, with results


def _customers(count: int, now: datetime) -> list[dict[str, Any]]:
    rng = random.Random(20000)
    rows = []
    for index in range(count):
        created = now - timedelta(days=rng.uniform(0, 4 * 365))
        rows.append(
            {
                "full_name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {index}",
                "phone": f"+1408{index:07d}",
                "email": f"customer{index}@example.com" if rng.random() < 0.7 else None,
                "sms_consent": rng.random() < 0.6,
                "sms_opted_out": False,
                "notes": "",
                "created_at": created,
                "updated_at": created,
            }
        )
    return rows


def _bookings(
    count: int, customer_ids: list[int], chef_ids: list[int], package_ids: list[int], now: datetime
) -> list[dict[str, Any]]:
    """Three years back to a year ahead; past ones mostly completed, future ones confirmed.

    Past bookings name their chef; future ones are left unassigned so the one-chef-per-slot
    index never refuses the random start times."""
    rng = random.Random(100000)
    rows = []
    for index in range(count):
        start = now + timedelta(days=rng.uniform(-3 * 365, 365))
        start = start.replace(minute=0, second=0, microsecond=0)
        past = start < now
        if past:
            status = rng.choices(
                (BookingStatus.COMPLETED, BookingStatus.CANCELLED, BookingStatus.ARCHIVED),
                (80, 12, 8),
            )[0]
        else:
            status = rng.choices(
                (BookingStatus.CONFIRMED, BookingStatus.INQUIRY, BookingStatus.CANCELLED),
                (75, 15, 10),
            )[0]
        adults, children = rng.randint(8, 40), rng.randint(0, 10)
        total = adults * 6000 + children * 3000
        created = start - timedelta(days=rng.uniform(3, 90))
        rows.append(
            {
                "reference": f"TP-{500000 + index}",
                "customer_id": rng.choice(customer_ids),
                "status": status,
                "requested_start": start,
                "scheduled_start": start,
                "scheduled_end": start + timedelta(hours=2),
                "address": f"{rng.randint(100, 9999)} {rng.choice(STREETS)}, Fremont, CA 94538",
                "adults": adults,
                "children": children,
                "package_id": rng.choice(package_ids),
                "add_ons": [],
                "total_cents": total,
                "deposit_cents": total // 4,
                "chef_id": rng.choice(chef_ids) if past else None,
                "notes": "",
                "created_at": created,
                "updated_at": created,
                "cancelled_at": created if status == BookingStatus.CANCELLED else None,
            }
        )
    return rows


def seed(engine: Engine, customers: int, bookings: int) -> float:
    """Seconds it took; the demo business's own customers and bookings stay alongside."""
    started = time.perf_counter()
    with Session(engine) as session:
        seed_demo_data(
            session,
            business_name="Fremont Hibachi Co.",
            business_phone="+15105550100",
            owner_email=OWNER[0],
            owner_password=OWNER[1],
        )
        session.commit()
        chef_ids = [
            s.id
            for s in session.exec(select(StaffMember).where(StaffMember.role == StaffRole.CHEF))
            if s.id is not None
        ]
        package_ids = [p.id for p in session.exec(select(Package)) if p.id is not None]
    now = datetime.now(UTC)
    customer_table: Any = Customer.__table__  # type: ignore[attr-defined]
    booking_table: Any = Booking.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        rows = _customers(customers, now)
        for offset in range(0, len(rows), BATCH):
            connection.execute(insert(customer_table), rows[offset : offset + BATCH])
        ids: list[int] = list(
            connection.execute(text("SELECT id FROM customer WHERE phone LIKE '+1408%'")).scalars()
        )
        rows = _bookings(bookings, ids, chef_ids, package_ids, now)
        for offset in range(0, len(rows), BATCH):
            connection.execute(insert(booking_table), rows[offset : offset + BATCH])
    if engine.dialect.name == "postgresql":
        # What autovacuum does within minutes of a bulk load (statistics for the planner, the
        # GIN indexes' pending entries merged); done now rather than waited for. SQLite is left
        # as the product leaves it: it never gathers statistics unasked.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


def pages(bookings: int, customers: int) -> list[Page]:
    booking_pages = -(-bookings // PER_PAGE)
    middle_reference = f"TP-{500000 + bookings // 3}"
    # The first eight digits of a mid-list customer's number: a hundred customers share them.
    digits = f"408{customers // 2:07d}"[:8]
    return [
        Page("dashboard", "/admin/", "Open tasks"),
        Page("bookings, page 1", "/admin/bookings", "TP-"),
        Page("bookings, middle page", f"/admin/bookings?page={booking_pages // 2}", "TP-"),
        Page("bookings, last page", f"/admin/bookings?page={booking_pages}", "TP-"),
        Page("bookings, confirmed", "/admin/bookings?status=confirmed", "TP-"),
        Page("bookings ? name", "/admin/bookings?q=Priya+Kim", "Priya Kim"),
        Page("bookings ? phone", f"/admin/bookings?q={digits}", "TP-"),
        Page("bookings ? reference", f"/admin/bookings?q={middle_reference}", middle_reference),
        Page("customers, page 1", "/admin/customers", "408"),
        Page(
            "customers, middle page", f"/admin/customers?page={customers // PER_PAGE // 2}", "408"
        ),
        Page("customers ? name", "/admin/customers?q=Garcia", "Garcia"),
        Page("customers ? phone", f"/admin/customers?q={digits}", "408"),
    ]


def _login(client: httpx.Client) -> None:
    page = client.get("/admin/login")
    found = _CSRF.search(page.text)
    assert found, "no CSRF field on the login page"
    answer = client.post(
        "/admin/login",
        data={"email": OWNER[0], "password": OWNER[1], "csrf_token": found.group(1)},
    )
    assert answer.status_code == 303, f"login refused: {answer.status_code}"


def measure(base: str, urls: list[Page], repeat: int) -> dict[str, list[float]]:
    """Milliseconds per request, per page; each request waits for the whole body."""
    results: dict[str, list[float]] = {}
    with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as client:
        _login(client)
        for page in urls:
            warm = client.get(page.path)  # templates compiled, statements cached, pages in RAM
            assert warm.status_code == 200, f"{page.path}: {warm.status_code}"
            assert page.must_show in warm.text, f"{page.path} does not show {page.must_show!r}"
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(page.path)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, f"{page.path}: {response.status_code}"
            results[page.name] = times
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40, help="requests per page")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL, not SQLite")
    parser.add_argument(
        "--postgres-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/teppan_bench_admin",
        help="created afresh (dropped first if it exists)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="teppan-admin-bench-") as folder:
        url = args.postgres_url if args.postgres else f"sqlite:///{Path(folder) / 'teppan.db'}"
        if args.postgres:
            fresh_postgres(url)
        upgrade_database(url)
        engine = make_engine(url)
        took = seed(engine, args.customers, args.bookings)
        engine.dispose()
        port = free_port()
        env = os.environ | {
            "TEPPAN_DATA_DIR": folder,
            "TEPPAN_DATABASE_URL": url,
            "TEPPAN_API_PORT": str(port),
            "TEPPAN_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",  # nothing listens: down
            "TEPPAN_LOG_LEVEL": "WARNING",
        }
        command = [sys.executable, "-m", "cli.main", "api"]
        with serving(command, env, port, Path(folder) / "api.log") as base:
            results = measure(base, pages(args.bookings, args.customers), args.repeat)
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"admin pages, {database}: {args.customers:,} customers, {args.bookings:,} bookings "
        f"(seeded in {took:.0f} s), `teppan api` on loopback, logged in as the owner, "
        f"{args.repeat} requests a page one at a time, {os.cpu_count()} cores"
    )
    print(f"  {'page':<24} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, times in results.items():
        print(
            f"  {name:<24} {statistics.median(times):8.1f} {percentile(times, 0.95):8.1f} "
            f"{max(times):8.1f}"
        )


if __name__ == "__main__":
    main()
