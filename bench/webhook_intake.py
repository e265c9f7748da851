"""Webhook intake under sustained load: signed Stripe events against the real API, measured in
the same run as a bare FastAPI endpoint that only answers 200.

Both servers run as their own uvicorn process (the API as `teppan api` runs it, the bare app with
the same uvicorn settings), one after the other, each driven for `--seconds` by the same
asyncio + httpx load of `--concurrency` requests in flight. About `--duplicates` of the
deliveries repeat an event already sent (Stripe redelivers). Temporal is down (its address
points at a closed port): the inbox accepts regardless and the forwarder's attempts fail in the
background, so the figure is intake alone. After the run the inbox is counted: every distinct
event stored exactly once, every duplicate answered as one.

On a 2-core machine the load generator shares the cores with the server: the bare endpoint's
figure is the generator's ceiling as much as the endpoint's, so the ratio understates the gap.

    .venv/bin/python -m bench.webhook_intake                   # SQLite in a temporary folder
    .venv/bin/python -m bench.webhook_intake --postgres        # a fresh PostgreSQL database
    .venv/bin/python -m bench.webhook_intake --seconds 30 --concurrency 32
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session, select

from bench.stack import fresh_postgres, percentile, serving
from core.db import make_engine
from core.migrate import upgrade_database
from domain.inbox.models import WebhookEvent
from sandbox.framework import free_port
from sandbox.stripe import SANDBOX_WEBHOOK_SECRET, sign_payload

bare_app = FastAPI()


@bare_app.post("/webhooks/stripe")
async def bare_endpoint(request: Request) -> JSONResponse:
    # Reads the body as any webhook must; checks and stores nothing.
    body = await request.body()
    return JSONResponse({"received": True, "bytes": len(body)})


@bare_app.get("/health")
async def bare_health() -> dict[str, str]:
    return {"status": "ok"}


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    sent_ids: set[str] = field(default_factory=set)
    duplicates_sent: int = 0
    duplicates_answered: int = 0
    failures: int = 0
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed

    def ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


def _event(event_id: str) -> str:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "type": "payment_intent.succeeded",
            "livemode": False,
            "pending_webhooks": 1,
            "data": {
                "object": {
                    "id": f"pi_{event_id[4:]}",
                    "object": "payment_intent",
                    "amount": 5000,
                    "amount_received": 5000,
                    "currency": "usd",
                    "status": "succeeded",
                    "metadata": {"booking_id": "1"},
                }
            },
        },
        separators=(",", ":"),
    )


async def _drive(url: str, seconds: float, concurrency: int, duplicates: float) -> Run:
    run = Run()
    rng = random.Random(8)
    sent: list[tuple[str, str]] = []  # (event id, body) already delivered once
    counter = iter(range(10**9))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            while time.perf_counter() < deadline:
                duplicate = bool(sent) and rng.random() < duplicates
                if duplicate:
                    event_id, body = rng.choice(sent)
                else:
                    event_id = f"evt_bench_{next(counter):09d}"
                    body = _event(event_id)
                signature = sign_payload(body, SANDBOX_WEBHOOK_SECRET)
                started = time.perf_counter()
                response = await client.post(
                    url,
                    content=body.encode(),
                    headers={"Content-Type": "application/json", "Stripe-Signature": signature},
                )
                run.latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    run.failures += 1
                    continue
                if duplicate:
                    run.duplicates_sent += 1
                    run.duplicates_answered += bool(response.json().get("duplicate"))
                else:
                    run.sent_ids.add(event_id)
                    sent.append((event_id, body))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        run.elapsed = time.perf_counter() - started
    return run


def _report(name: str, run: Run) -> None:
    print(
        f"  {name:<16} {run.rate:8.0f} events/s   p50 {run.ms(0.50):6.1f} ms   "
        f"p99 {run.ms(0.99):6.1f} ms   ({len(run.latencies)} requests, {run.failures} failed)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duplicates", type=float, default=0.10, help="share of redeliveries")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL, not SQLite")
    parser.add_argument(
        "--postgres-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/teppan_bench_intake",
        help="created afresh (dropped first if it exists)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="teppan-intake-bench-") as folder:
        database_url = (
            args.postgres_url if args.postgres else f"sqlite:///{Path(folder) / 'teppan.db'}"
        )
        if args.postgres:
            fresh_postgres(database_url)
        upgrade_database(database_url)
        api_port, bare_port = free_port(), free_port()
        env = os.environ | {
            "TEPPAN_DATA_DIR": folder,
            "TEPPAN_DATABASE_URL": database_url,
            "TEPPAN_API_PORT": str(api_port),
            "TEPPAN_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",  # nothing listens: down
            "TEPPAN_LOG_LEVEL": "WARNING",
        }
        uvicorn_flags = ["--host", "127.0.0.1", "--log-level", "warning", "--no-access-log"]
        bare_command = [sys.executable, "-m", "uvicorn", "bench.webhook_intake:bare_app"]
        with serving(
            [*bare_command, *uvicorn_flags, "--port", str(bare_port)],
            env,
            bare_port,
            Path(folder) / "bare.log",
        ) as b:
            bare = asyncio.run(
                _drive(f"{b}/webhooks/stripe", args.seconds, args.concurrency, args.duplicates)
            )
        api_command = [sys.executable, "-m", "cli.main", "api"]
        with serving(api_command, env, api_port, Path(folder) / "api.log") as api:
            forged_body = _event("evt_forged")
            forged = httpx.post(
                f"{api}/webhooks/stripe",
                content=forged_body.encode(),
                headers={"Stripe-Signature": sign_payload(forged_body, "whsec_wrong")},
            )
            assert forged.status_code == 401, f"a forged signature got {forged.status_code}"
            intake = asyncio.run(
                _drive(f"{api}/webhooks/stripe", args.seconds, args.concurrency, args.duplicates)
            )
        engine = make_engine(database_url)
        with Session(engine) as session:
            rows = session.exec(
                select(
                    WebhookEvent.provider, WebhookEvent.event_key, WebhookEvent.duplicate_deliveries
                )
            ).all()
        engine.dispose()
    stored = len(rows)
    stored_keys = {key for provider, key, _ in rows if provider == "stripe"}
    redeliveries = sum(count for _, _, count in rows)

    database = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    print(
        f"webhook intake: signed Stripe events, {args.concurrency} in flight, {args.seconds:.0f} s "
        f"each, {args.duplicates:.0%} redeliveries, {database}, Temporal down, "
        f"{os.cpu_count()} cores shared by server and load generator"
    )
    _report("bare FastAPI", bare)
    _report("/webhooks/stripe", intake)
    print(
        f"  ratio            {intake.rate / bare.rate:.2f} of the bare endpoint's rate, "
        f"p50 x{statistics.median(intake.latencies) / statistics.median(bare.latencies):.1f}"
    )
    print(
        f"  inbox            {stored} rows for {len(intake.sent_ids)} distinct events sent; "
        f"{intake.duplicates_answered}/{intake.duplicates_sent} redeliveries answered as "
        f"duplicates ({redeliveries} counted in the inbox)"
    )
    assert intake.failures == 0, f"{intake.failures} deliveries were not accepted"
    assert stored == len(intake.sent_ids), "the inbox lost or doubled events"
    assert stored_keys == intake.sent_ids, "the inbox holds other events than those sent"
    assert intake.duplicates_answered == intake.duplicates_sent == redeliveries


if __name__ == "__main__":
    main()
