"""The product as `teppan up` runs it, on free loopback ports and a throw-away data folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

from cli.dev_stack import STACK_PORTS, loopback_stack_env
from core.settings import PROJECT_ROOT
from sandbox.framework import free_port


@dataclass(frozen=True)
class Stack:
    api: str
    ringcentral: str
    google: str
    database: str


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def fresh_postgres(url: str) -> None:
    server, name = url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


@contextmanager
def serving(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """One server process (uvicorn) on a loopback port, until `/health` answers; its base URL."""
    # A file, not a pipe: a server that logs a lot would stall on a full pipe.
    output = log.open("wb")
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"server did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()


@contextmanager
def running_stack(database_url: str = "") -> Iterator[Stack]:
    """`database_url` empty: SQLite in the data folder; a PostgreSQL URL is created afresh."""
    if database_url.startswith("postgresql"):
        fresh_postgres(database_url)
    ports = {name: free_port() for name in STACK_PORTS}
    api = f"http://127.0.0.1:{ports['api']}"
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        env = os.environ | {
            **loopback_stack_env(ports, data, database_url),
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
        try:
            _wait_for_banner(process, data)
            yield Stack(
                api=api,
                ringcentral=f"http://127.0.0.1:{ports['ringcentral']}",
                google=f"http://127.0.0.1:{ports['google']}",
                database="PostgreSQL" if database_url.startswith("postgresql") else "SQLite",
            )
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)


def _wait_for_banner(process: subprocess.Popen[str], data: Path) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + 120
    for line in process.stdout:
        if "Press Ctrl-C" in line:
            return
        if time.monotonic() > deadline:
            break
    process.kill()
    raise SystemExit(f"the stack did not start; see the logs in {data / 'logs'}")
