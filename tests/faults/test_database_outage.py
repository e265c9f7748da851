"""PostgreSQL restarting under load: requests fail cleanly with 503 (never 500, never hang) and
succeed again once it is back.

The database sits behind a TCP proxy (tests/faults/tcp_proxy.py) that the test switches off and
on: every open connection drops and new ones are refused, which is what a PostgreSQL restart looks
like from the app. The app is served by uvicorn and driven by a few concurrent httpx clients.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from api.app import create_app
from core.db import CONNECT_TIMEOUT_SECONDS, DATABASE_RETRY_AFTER_SECONDS, make_engine
from core.settings import Settings
from domain.accounts import service as accounts
from domain.accounts.models import Role
from domain.audit.service import SYSTEM
from sandbox.framework import BackgroundServer, free_port
from tests import factories
from tests.faults.tcp_proxy import SwitchableProxy

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

STAFF = ("desk@example.com", "desk-password")
CLIENTS = 4
# A request may wait for one refused connect and the pool's pre-ping, never much longer.
LONGEST_REQUEST_SECONDS = CONNECT_TIMEOUT_SECONDS + 1.0


@dataclass(frozen=True)
class Outcome:
    started: float
    finished: float
    path: str
    status: int  # 0: no answer at all (timeout, connection error)
    body: str
    retry_after: str | None


def _drive(base_url: str, stop: threading.Event, outcomes: list[Outcome], worker: int) -> None:
    paths = ["/api/v1/customers", "/api/v1/customers?q=guest", "POST /api/v1/customers"]
    with httpx.Client(base_url=base_url, auth=STAFF, timeout=15) as client:
        sent = 0
        while not stop.is_set():
            path = paths[sent % len(paths)]
            sent += 1
            started = time.monotonic()
            try:
                if path.startswith("POST "):
                    body = {"full_name": f"Guest {worker}-{sent}"}
                    response = client.post(path.removeprefix("POST "), json=body)
                else:
                    response = client.get(path)
                status, text = response.status_code, response.text
                retry_after = response.headers.get("retry-after")
            except httpx.HTTPError as error:
                status, text, retry_after = 0, repr(error), None
            outcomes.append(Outcome(started, time.monotonic(), path, status, text, retry_after))
            time.sleep(0.02)


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_database_restart_under_load_answers_503_then_recovers(
    engine: Engine, settings: Settings
) -> None:
    with Session(engine) as session:
        factories.business(session)
        accounts.create_user(
            session,
            email=STAFF[0],
            full_name="Desk Staff",
            password=STAFF[1],
            role=Role.STAFF,
            actor=SYSTEM,
        )
        session.commit()
    host, port = engine.url.host or "127.0.0.1", engine.url.port or 5432
    with SwitchableProxy(host, port) as proxy:
        proxied = make_engine(
            engine.url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        )
        app_settings = settings.model_copy(update={"temporal_address": f"127.0.0.1:{free_port()}"})
        outcomes: list[Outcome] = []
        stop = threading.Event()
        with BackgroundServer(create_app(app_settings, proxied)) as server:
            clients = [
                threading.Thread(target=_drive, args=(server.url, stop, outcomes, n), daemon=True)
                for n in range(CLIENTS)
            ]
            for thread in clients:
                thread.start()
            _wait_for(lambda: sum(o.status in (200, 201) for o in outcomes) >= CLIENTS)
            going_down = time.monotonic()
            proxy.stop()
            went_down = time.monotonic()
            admin_page = _admin_login_attempt(server.url)
            _wait_for(lambda: _started_after(outcomes, went_down + 0.2) >= 2 * CLIENTS)
            proxy.start()
            came_back = time.monotonic()
            _wait_for(lambda: _started_after(outcomes, came_back + 0.5) >= 2 * CLIENTS)
            stop.set()
            for thread in clients:
                thread.join(timeout=LONGEST_REQUEST_SECONDS + 5)
        proxied.dispose()

    assert outcomes, "no request was made"
    problems = [o for o in outcomes if o.status not in (200, 201, 503)]
    assert not problems, f"requests neither served nor refused cleanly: {problems[:3]}"
    slowest = max(o.finished - o.started for o in outcomes)
    assert slowest < LONGEST_REQUEST_SECONDS, f"a request took {slowest:.1f} s"

    before = [o for o in outcomes if o.finished < going_down]
    assert before and all(o.status in (200, 201) for o in before), [o.status for o in before]

    # Allow for requests already holding a connection when it dropped.
    during = [o for o in outcomes if o.started > went_down + 0.2 and o.finished < came_back]
    assert len(during) >= CLIENTS, f"only {len(during)} requests while the database was down"
    assert all(o.status == 503 for o in during), [o for o in during if o.status != 503][:3]
    for outcome in during:
        assert '"code":"unavailable"' in outcome.body.replace(" ", ""), outcome.body
        assert "database is unavailable" in outcome.body
        assert outcome.retry_after == str(DATABASE_RETRY_AFTER_SECONDS)

    # The pool's pre-ping drops the dead connections: once PostgreSQL is back, everything works.
    after = [o for o in outcomes if o.started > came_back + 0.5]
    assert len(after) >= CLIENTS
    assert all(o.status in (200, 201) for o in after), [o for o in after if o.status >= 300][:3]

    status, html, retry_after = admin_page
    assert status == 503
    assert "Database unavailable" in html and "retry shortly" in html
    assert retry_after == str(DATABASE_RETRY_AFTER_SECONDS)


def _wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the load never got there"
        time.sleep(0.05)


def _started_after(outcomes: list[Outcome], moment: float) -> int:
    return sum(o.started > moment for o in outcomes)


def _admin_login_attempt(base_url: str) -> tuple[int, str, str | None]:
    """Signing in to the panel needs the database: the panel answers its own 503 page."""
    with httpx.Client(base_url=base_url, timeout=15, follow_redirects=False) as client:
        page = client.get("/admin/login")
        assert page.status_code == 200, page.text
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found, "no CSRF field on the login page"
        response = client.post(
            "/admin/login",
            data={"email": STAFF[0], "password": STAFF[1], "csrf_token": found.group(1)},
        )
        return response.status_code, response.text, response.headers.get("retry-after")
