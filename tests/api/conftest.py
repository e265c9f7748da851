from __future__ import annotations

import base64
import socket
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.app import create_app
from core.settings import Settings
from domain.accounts import service as accounts
from domain.accounts.models import Role
from domain.audit.service import SYSTEM
from tests import factories

#: A staff member's panel login: what scripts and integrations use on /api/v1.
API_STAFF = ("desk@example.com", "desk-password")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def api_settings(settings: Settings) -> Settings:
    # Nothing listens on this port: Temporal is "down" unless a test starts it there.
    return settings.model_copy(update={"temporal_address": f"127.0.0.1:{free_port()}"})


@pytest.fixture
def app(api_settings: Settings, engine: Engine) -> FastAPI:
    with Session(engine) as session:
        factories.business(session)
        session.commit()
    return create_app(api_settings, engine)


@pytest.fixture
def client(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    """The API as a signed-in staff member (HTTP Basic with their panel login); webhooks and
    public pages ignore it. Not entered as a context manager: the lifespan (periodic
    forwarder) stays off, so each test decides when forwarding happens."""
    with Session(engine) as session:
        accounts.create_user(
            session,
            email=API_STAFF[0],
            full_name="Desk Staff",
            password=API_STAFF[1],
            role=Role.STAFF,
            actor=SYSTEM,
        )
        session.commit()
    yield TestClient(app, headers={"Authorization": _basic(*API_STAFF)})


def _basic(email: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()
