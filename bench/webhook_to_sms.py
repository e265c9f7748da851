"""Inbound SMS, end to end, on the real stack started by `teppan up` on a fresh data folder.

Fires `--count` RingCentral instant-SMS notifications (one per customer, so each deserves an
acknowledgement) at `/webhooks/ringcentral` with `--concurrency` in flight, then waits until
the RingCentral emulator has sent every acknowledgement. Prints the webhook answer latency
(what RingCentral sees) and the time until customers had their reply.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg

from core.settings import PROJECT_ROOT
from sandbox.framework import free_port

TOKEN = "sandbox-verification-token"


def _notification(index: int) -> tuple[str, dict[str, Any]]:
    phone = f"+1510{5550000 + index:07d}"
    body = {
        "uuid": str(uuid.uuid4()),
        "event": "/restapi/v1.0/account/1/extension/1/message-store/instant?type=SMS",
        "subscriptionId": "bench",
        "body": {
            "id": f"bench-{uuid.uuid4().hex[:12]}",
            "from": {"phoneNumber": phone},
            "to": [{"phoneNumber": "+15105550100"}],
            "subject": "Hi! How much for 20 people on Dec 12 in Stockton?",
            "creationTime": "2026-11-23T17:00:00.000Z",
            "direction": "Inbound",
        },
    }
    return phone, body


def _prepare_postgres(url: str) -> None:
    admin_url = url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)
    name = admin_url[1]
    with psycopg.connect(f"{admin_url[0]}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def _start_stack(data: Path, database_url: str) -> tuple[subprocess.Popen[str], str, str]:
    ports = {name: free_port() for name in ("api", "temporal", "ui", "sandbox")}
    api = f"http://127.0.0.1:{ports['api']}"
    env = os.environ | {
        "TEPPAN_DATA_DIR": str(data),
        "TEPPAN_DATABASE_URL": database_url,
        "TEPPAN_API_PORT": str(ports["api"]),
        "TEPPAN_PUBLIC_BASE_URL": api,
        "TEPPAN_TEMPORAL_ADDRESS": f"127.0.0.1:{ports['temporal']}",
        "TEPPAN_TEMPORAL_UI_URL": f"http://127.0.0.1:{ports['ui']}",
        "TEPPAN_SANDBOX_RINGCENTRAL_PORT": str(ports["sandbox"]),
        "TEPPAN_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "up"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 120
    for line in process.stdout:
        if "Press Ctrl-C" in line:
            return process, api, f"http://127.0.0.1:{ports['sandbox']}"
        if time.monotonic() > deadline:
            break
    process.kill()
    raise SystemExit("the stack did not start; see the logs in " + str(data / "logs"))


async def _fire(api: str, count: int, concurrency: int) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    phones: list[str] = []
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=30) as client:

        async def one(index: int) -> None:
            phone, body = _notification(index)
            async with gate:
                started = time.perf_counter()
                response = await client.post(
                    f"{api}/webhooks/ringcentral", json=body, headers={"Verification-Token": TOKEN}
                )
                latencies.append(time.perf_counter() - started)
            response.raise_for_status()
            phones.append(phone)

        started = time.perf_counter()
        await asyncio.gather(*(one(index) for index in range(count)))
        return latencies, phones, time.perf_counter() - started


def _await_replies(sandbox: str, phones: list[str], timeout: float) -> dict[str, float]:
    answered: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=10) as client:
        while len(answered) < len(phones) and time.monotonic() < deadline:
            for phone in phones:
                if phone in answered:
                    continue
                thread = client.get(f"{sandbox}/sandbox/phone/messages", params={"number": phone})
                if any(m["direction"] == "Outbound" for m in thread.json()["records"]):
                    answered[phone] = time.perf_counter()
            time.sleep(0.2)
    return answered


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    args = parser.parse_args()
    if args.database_url.startswith("postgresql"):
        _prepare_postgres(args.database_url)
    with tempfile.TemporaryDirectory() as folder:
        process, api, sandbox = _start_stack(Path(folder), args.database_url)
        try:
            fired_at = time.perf_counter()
            latencies, phones, firing = asyncio.run(_fire(api, args.count, args.concurrency))
            answered = _await_replies(sandbox, phones, timeout=max(60, args.count))
            drained = (max(answered.values()) - fired_at) if answered else float("nan")
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)
    ms = [value * 1000 for value in latencies]
    database = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite"
    print(f"inbound SMS, {args.count} customers, {args.concurrency} in flight, {database}")
    print(
        f"  webhook answer   p50 {statistics.median(ms):.1f} ms  p95 {_percentile(ms, 0.95):.1f} ms"
        f"  max {max(ms):.1f} ms  ({args.count / firing:.0f} webhooks/s accepted)"
    )
    print(
        f"  acknowledged     {len(answered)}/{len(phones)} customers; last reply "
        f"{drained:.1f} s after the first webhook ({len(answered) / drained:.1f} workflows/s)"
    )


if __name__ == "__main__":
    main()
