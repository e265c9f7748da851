"""Time from a caller's words to the transfer request reaching RingCentral, on the embedded
stack (`teppan up`: Temporal dev server, worker, API, SQLite, the RingCentral emulator), with
the built-in classifier.

Each call: the emulator rings the business, the assistant greets, the caller says they want a
person; we time from the moment the caller's words are posted (the transcript webhook leaves
the emulator) to the Call Control transfer the emulator receives. Calls run one after another
and are hung up once transferred.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime

import httpx

from bench.stack import percentile, running_stack

OWNER = ("owner@example.com", "teppan-owner")
PHRASES = [
    "Can I talk to a real person please?",
    "I'd like to speak with someone about my party",
    "Representative",
    "Hablar con una persona, por favor",
    "The chef hasn't arrived yet and the party started!",
]


def _open_all_hours(client: httpx.Client, api: str) -> None:
    """The demo's staff keep office hours; the benchmark must not depend on the clock."""
    for extension in client.get(f"{api}/api/v1/extensions", auth=OWNER).json():
        patch = {"working_hours": {}}
        if extension["status"] == "offline":
            patch["status"] = "available"
        client.patch(f"{api}/api/v1/extensions/{extension['id']}", json=patch, auth=OWNER)


def _wait(check: object, seconds: float = 30) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()  # type: ignore[operator]
        if found:
            return found
        time.sleep(0.01)
    raise SystemExit("timed out: see the stack's logs")


def _one_call(client: httpx.Client, ringcentral: str, index: int) -> float:
    started = client.post(f"{ringcentral}/sandbox/calls", json={"from": f"+1650555{index:04d}"})
    sid = started.json()["telephonySessionId"]

    def session() -> dict[str, object]:
        return dict(client.get(f"{ringcentral}/sandbox/calls/{sid}").json())

    _wait(lambda: session()["speech"])  # greeted
    said_at = time.time()
    client.post(f"{ringcentral}/sandbox/calls/{sid}/say", json={"text": PHRASES[index % 5]})
    transfer = _wait(
        lambda: [a for a in session()["actions"] if a["kind"] in ("transfer", "forward")]  # type: ignore[attr-defined]
    )
    at = datetime.fromisoformat(transfer[0]["at"].replace("Z", "+00:00")).timestamp()  # type: ignore[index]
    client.post(f"{ringcentral}/sandbox/calls/{sid}/hangup")
    return at - said_at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=40)
    args = parser.parse_args()
    with running_stack() as stack, httpx.Client(timeout=30) as client:
        _open_all_hours(client, stack.api)
        seconds = [_one_call(client, stack.ringcentral, index) for index in range(args.count)]
    ms = [value * 1000 for value in seconds]
    print(f"caller's words to transfer request, built-in classifier, {stack.database}")
    print(
        f"  n={len(ms)}  p50 {statistics.median(ms):.0f} ms  p95 {percentile(ms, 0.95):.0f} ms"
        f"  max {max(ms):.0f} ms  (target p95 < 500 ms)"
    )


if __name__ == "__main__":
    main()
