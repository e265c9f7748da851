"""The product as separate processes on free loopback ports, for tests that kill parts of it.

`teppan up` stops everything when one child exits; these tests kill the worker or stop the
Temporal dev server on purpose, so each process is started (and restarted) on its own here:
the dev server with a file database, the sandbox emulators, the worker and the API, each
writing to its own log file in the data folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cli.dev_stack import (
    STACK_PORTS,
    loopback_stack_env,
    temporal_dev_server_command,
    wait_for_http,
    wait_for_port,
)
from cli.setup import seed
from core.settings import PROJECT_ROOT, Settings
from sandbox.framework import free_port


@dataclass
class ProcessStack:
    data: Path
    env: dict[str, str]
    ports: dict[str, int]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    generation: dict[str, int] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.ports['api']}"

    @property
    def ringcentral(self) -> str:
        return f"http://127.0.0.1:{self.ports['ringcentral']}"

    @property
    def meta(self) -> str:
        return f"http://127.0.0.1:{self.ports['meta']}"

    @property
    def temporal_address(self) -> str:
        return f"127.0.0.1:{self.ports['temporal']}"

    @property
    def logs(self) -> Path:
        return self.data / "logs"

    def settings(self) -> Settings:
        values = {
            key.removeprefix("TEPPAN_").lower(): value
            for key, value in self.env.items()
            if key.startswith("TEPPAN_")
        }
        return Settings(**values)  # type: ignore[arg-type]

    def _start(self, name: str, command: list[str]) -> None:
        number = self.generation.get(name, 0) + 1
        self.generation[name] = number
        log = (self.logs / f"{name}-{number}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_temporal(self, attempts: int = 3) -> None:
        """The dev server picks free ports for its internal services itself and sometimes
        collides with another process (it then panics on start): try again on the same ports."""
        for _ in range(attempts):
            self._start_temporal_once()
            time.sleep(1.5)
            if self.alive("temporal"):
                return
        raise AssertionError(f"the Temporal dev server did not start; see {self.logs}")

    def _start_temporal_once(self) -> None:
        self._start(
            "temporal",
            temporal_dev_server_command(
                self.data / "temporal.db", "127.0.0.1", self.ports["temporal"], self.ports["ui"]
            ),
        )
        wait_for_port("127.0.0.1", self.ports["temporal"], "Temporal dev server")

    def start_worker(self) -> None:
        self._start("worker", [sys.executable, "-m", "cli.main", "worker"])

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        seed(self.settings())
        self.start_temporal()
        self._start("sandbox", [sys.executable, "-m", "cli.main", "sandbox"])
        for name in ("ringcentral", "google", "stripe", "plaid", "gbp", "meta"):
            wait_for_port("127.0.0.1", self.ports[name], "sandbox")
        self.start_worker()
        self._start("api", [sys.executable, "-m", "cli.main", "api"])
        wait_for_http(f"{self.api}/health", "API")

    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown code runs, as when the machine loses power."""
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def terminate(self, name: str, timeout: float = 20) -> None:
        process = self.processes[name]
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def alive(self, name: str) -> bool:
        return self.processes[name].poll() is None

    def stop(self) -> None:
        for name in ("api", "worker", "sandbox", "temporal"):
            if name in self.processes:
                self.terminate(name)

    def log_files(self) -> list[Path]:
        return sorted(self.logs.glob("*.log"))


def make_stack(data: Path, extra_env: dict[str, str]) -> ProcessStack:
    ports = {name: free_port() for name in STACK_PORTS}
    env = {key: value for key, value in os.environ.items() if not key.startswith("TEPPAN_")} | {
        **loopback_stack_env(ports, data),
        "TEPPAN_INBOX_FORWARD_INTERVAL_SECONDS": "1",
        **extra_env,
    }
    return ProcessStack(data=data, env=env, ports=ports)


def wait_until(
    condition: Callable[[], object],
    timeout: float,
    what: str,
    every: float = 0.3,
    *,
    missing: Callable[[], object] | None = None,
) -> None:
    """Polls `condition`; on timeout fails saying what was awaited and, with `missing`, what
    was still missing then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    still = f"; still missing: {missing()}" if missing is not None else ""
    raise AssertionError(f"{what}: not within {timeout:.0f} s{still}")
