"""Inbound SMS, end to end, on the real stack started by `teppan up` on a fresh data folder.

Fires `--count` RingCentral instant-SMS notifications (one per customer, each a price question
their conversation workflow answers) at `/webhooks/ringcentral` with `--concurrency` in flight,
then waits until the RingCentral emulator has sent every customer the first reply. Prints the
webhook answer latency (what RingCentral sees) and the time until customers had their reply.
The conversation waits `--burst-seconds` for more messages before it answers (the product's
default is 20), and the send gate's per-business rate limit paces the replies.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from typing import Any

import httpx

from bench.stack import percentile, running_stack

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    parser.add_argument("--burst-seconds", type=int, default=0, help="wait for more messages")
    args = parser.parse_args()
    # The stack inherits the environment: the conversation's burst wait is part of the figure.
    os.environ["TEPPAN_CONVERSATION_BURST_SECONDS"] = str(args.burst_seconds)
    with running_stack(args.database_url) as stack:
        fired_at = time.perf_counter()
        latencies, phones, firing = asyncio.run(_fire(stack.api, args.count, args.concurrency))
        answered = _await_replies(stack.ringcentral, phones, timeout=max(90, 2 * args.count))
        drained = (max(answered.values()) - fired_at) if answered else float("nan")
    ms = [value * 1000 for value in latencies]
    database = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite"
    print(
        f"inbound SMS, {args.count} customers, {args.concurrency} in flight, {database}, "
        f"burst wait {args.burst_seconds} s"
    )
    print(
        f"  webhook answer   p50 {statistics.median(ms):.1f} ms  p95 {percentile(ms, 0.95):.1f} ms"
        f"  max {max(ms):.1f} ms  ({args.count / firing:.0f} webhooks/s accepted)"
    )
    print(
        f"  answered         {len(answered)}/{len(phones)} customers; last reply "
        f"{drained:.1f} s after the first webhook ({len(answered) / drained:.1f} workflows/s)"
    )


if __name__ == "__main__":
    main()
