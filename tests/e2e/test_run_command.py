"""The README's first command, as a newcomer runs it: `teppan up` brings up the Temporal dev
server, the sandbox, the worker and the API on a fresh data folder; a text from the sandbox
phone gets the workflow's answer; Ctrl-C stops everything."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cli.dev_stack import STACK_PORTS, loopback_stack_env
from core.settings import PROJECT_ROOT
from sandbox.framework import free_port

pytestmark = pytest.mark.slow


def _wait_for_line(process: subprocess.Popen[str], marker: str, timeout: float) -> str:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"no {marker!r} within {timeout}s; output so far:\n{''.join(seen)}")


def _payment_statuses(data_dir: Path, wait_for: set[str]) -> set[str]:
    return _statuses(data_dir, "status", "payment", wait_for)


def _statuses(
    data_dir: Path, column: str, table: str, wait_for: set[str], seconds: float = 45
) -> set[str]:
    deadline = time.monotonic() + seconds
    statuses: set[str] = set()
    while not wait_for <= statuses and time.monotonic() < deadline:
        time.sleep(0.5)
        with sqlite3.connect(data_dir / "teppan.db") as database:
            statuses = {row[0] for row in database.execute(f"SELECT {column} FROM {table}")}
    return statuses


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_up_runs_the_product_and_stops_cleanly(tmp_path: Path) -> None:
    ports = {name: free_port() for name in STACK_PORTS}
    api = f"http://127.0.0.1:{ports['api']}"
    sandbox = f"http://127.0.0.1:{ports['ringcentral']}"
    env = os.environ | loopback_stack_env(ports, tmp_path / "data")
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "up"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        banner = _wait_for_line(process, "Press Ctrl-C", timeout=120)
        assert f"{api}/admin" in banner and f"{api}/docs" in banner
        assert f"http://127.0.0.1:{ports['ui']}" in banner

        assert httpx.get(f"{api}/ready", timeout=10).json()["ready"] is True
        assert httpx.get(f"{api}/admin/login", timeout=10).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{ports['ui']}", timeout=10).status_code == 200

        customer = "+15105550111"  # Jennifer Nguyen of the demo data
        sent = httpx.post(
            f"{sandbox}/sandbox/phone/messages",
            json={"from": customer, "text": "Hi! Are you free Dec 12 for 20 people?"},
        )
        assert sent.status_code == 201
        replies: list[str] = []
        deadline = time.monotonic() + 45
        while not replies and time.monotonic() < deadline:
            thread = httpx.get(f"{sandbox}/sandbox/phone/messages", params={"number": customer})
            replies = [m["text"] for m in thread.json()["records"] if m["direction"] == "Outbound"]
            time.sleep(0.3)
        # The assistant answers the booking request: the quote link, or what it needs to price it.
        assert replies and ("cook for you" in replies[0] or "/q/" in replies[0]), replies

        # A quote from the API (a staff member's panel login) is priced through Google (the
        # emulator) and texted.
        staff = ("staff@example.com", "teppan-staff1")
        assert httpx.get(f"{api}/api/v1/quotes").status_code == 401
        created = httpx.post(
            f"{api}/api/v1/quotes",
            auth=staff,
            json={
                "customer": {"full_name": "Maria Gonzalez", "phone": "209-555-0117"},
                "address": "2200 Pacific Ave, Stockton, CA 95204",
                "adults": 25,
            },
        )
        assert created.status_code == 201, created.text
        quote = created.json()
        deadline = time.monotonic() + 45
        while quote["status"] == "pricing" and time.monotonic() < deadline:
            time.sleep(0.3)
            quote = httpx.get(f"{api}/api/v1/quotes/{quote['id']}", auth=staff).json()
        assert quote["status"] == "sent" and quote["travel_source"] == "google"
        page = httpx.get(quote["public_url"])
        assert page.status_code == 200 and "Accept this quote" in page.text

        # The demo bank was linked and synced: its payments were matched by their workflows.
        assert "Linked the sandbox bank" in banner
        expected = {"applied", "in_review"}
        assert _payment_statuses(tmp_path / "data", wait_for=expected) >= expected
        # The demo Google profile was connected and synced: drafts wait, a happy one is queued.
        assert "Connected the sandbox Google profile" in banner
        wanted = {"awaiting_approval", "scheduled"}
        assert _statuses(tmp_path / "data", "reply_status", "review", wanted) >= wanted
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert code == 0
    assert all(_port_is_free(port) for port in ports.values())
