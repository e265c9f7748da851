"""Quote latency on the embedded stack (`teppan up`: Temporal dev server, worker, API, SQLite,
the Google Maps and RingCentral emulators).

For each request: `POST /api/v1/quotes`, then poll until the quote is `sent`, i.e. geocoded,
measured, priced and texted to the customer. The first quote to each address asks Google (the
emulator); later ones to the same address come from the travel cache. Also times the quote
contract (`teppan quote --offline`, in process) for the pure pricing path.
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx

from bench.stack import percentile, running_stack
from cli.quote import quote_contract
from core.settings import Settings

ADDRESSES = [
    "2200 Pacific Ave, Stockton, CA 95204",
    "1500 Old Oakland Rd, San Jose, CA 95112",
    "4501 Pleasanton Ave, Pleasanton, CA 94566",
    "77 Civic Center Dr, Tracy, CA 95376",
    "980 Sylvan Ave, Modesto, CA 95350",
]


# The demo staff login (`teppan up`): the API needs a panel account.
STAFF_LOGIN = ("staff@example.com", "teppan-staff1")


def _quote_once(client: httpx.Client, api: str, index: int) -> tuple[float, str]:
    started = time.perf_counter()
    created = client.post(
        f"{api}/api/v1/quotes",
        json={
            "customer": {
                "full_name": f"Bench Customer {index}",
                "phone": f"+1408{5550000 + index}",
            },
            "address": ADDRESSES[index % len(ADDRESSES)],
            "adults": 20 + index % 15,
        },
    )
    created.raise_for_status()
    quote = created.json()
    while quote["status"] == "pricing":
        time.sleep(0.02)
        quote = client.get(f"{api}/api/v1/quotes/{quote['id']}").json()
    return time.perf_counter() - started, quote["status"]


def _report(label: str, seconds: list[float]) -> None:
    ms = [value * 1000 for value in seconds]
    print(
        f"  {label:<28} n={len(ms):<4} p50 {statistics.median(ms):7.1f} ms"
        f"  p95 {percentile(ms, 0.95):7.1f} ms  max {max(ms):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=60)
    args = parser.parse_args()
    with running_stack() as stack, httpx.Client(timeout=30, auth=STAFF_LOGIN) as client:
        timings = [_quote_once(client, stack.api, index) for index in range(args.count)]
        google_calls = client.get(f"{stack.google}/sandbox/google/requests").json()
    first = timings[: len(ADDRESSES)]
    later = timings[len(ADDRESSES) :]
    statuses = {status for _, status in timings}
    print(f"quote latency, request to texted quote, one at a time, {stack.database}")
    _report("first quote to an address", [seconds for seconds, _ in first])
    if later:
        _report("address already cached", [seconds for seconds, _ in later])
    print(f"  statuses: {sorted(statuses)}; Google calls for {args.count} quotes: {google_calls}")

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    contract: list[float] = []
    for index in range(200):
        started = time.perf_counter()
        quote_contract(settings, address=ADDRESSES[index % 5], adults=25, children=0, offline=True)
        contract.append(time.perf_counter() - started)
    print("quote contract (teppan quote --offline, in process)")
    _report("offline estimate and price", contract)


if __name__ == "__main__":
    main()
