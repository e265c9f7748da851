from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.app import create_app
from core.settings import Settings
from tests import factories


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
def client(app: FastAPI) -> Iterator[TestClient]:
    # Not entered as a context manager: the lifespan (periodic forwarder) stays off, so each
    # test decides when forwarding happens.
    yield TestClient(app)
