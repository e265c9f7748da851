from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.routing import Mount

from api.app import create_app
from core.settings import Settings
from domain.demo_data import seed_demo_data
from tests.admin_ui.live_server import free_port

OWNER = ("owner@example.com", "teppan-owner")
MANAGER = ("manager@example.com", "teppan-manager")
STAFF = ("staff@example.com", "teppan-staff1")

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def admin_settings(settings: Settings) -> Settings:
    # Nothing listens on either port: Temporal and the RingCentral emulator are "down".
    return settings.model_copy(
        update={
            "temporal_address": f"127.0.0.1:{free_port()}",
            "sandbox_ringcentral_port": free_port(),
        }
    )


def seed(engine: Engine, **overrides: object) -> None:
    with Session(engine) as session:
        seed_demo_data(
            session,
            business_name="Fremont Hibachi Co.",
            business_phone="+15105550100",
            owner_email=OWNER[0],
            owner_password=OWNER[1],
            **overrides,  # type: ignore[arg-type]
        )
        session.commit()


@pytest.fixture
def app(admin_settings: Settings, engine: Engine) -> FastAPI:
    seed(engine)
    return create_app(admin_settings, engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # Not entered as a context manager: the lifespan (inbox forwarder) stays off.
    yield TestClient(app, follow_redirects=False)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def login(client: TestClient, who: tuple[str, str]) -> None:
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={"email": who[0], "password": who[1], "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 303, response.text


def form_token(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


@pytest.fixture
def app_manager(app: FastAPI) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    login(client, MANAGER)
    return client


@dataclass
class FakeForwarder:
    forwarded: list[int] = field(default_factory=list)

    async def forward(self, event_id: int) -> bool:
        self.forwarded.append(event_id)
        return True


@pytest.fixture
def forwarder(app: FastAPI) -> FakeForwarder:
    for route in app.routes:
        if isinstance(route, Mount) and route.path == "/admin":
            assert isinstance(route.app, FastAPI)
            fake = FakeForwarder()
            route.app.state.forwarder = fake
            return fake
    raise AssertionError("no admin panel mounted")


def signed_in(app: FastAPI, who: tuple[str, str]) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    login(client, who)
    return client


@pytest.fixture
def manager(app: FastAPI) -> TestClient:
    return signed_in(app, MANAGER)


@pytest.fixture
def staff(app: FastAPI) -> TestClient:
    return signed_in(app, STAFF)


@pytest.fixture
def owner(app: FastAPI) -> TestClient:
    return signed_in(app, OWNER)
