"""Fixtures for every layer: real databases (SQLite and PostgreSQL), real Temporal servers."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import argon2
import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from core.db import make_engine
from core.migrate import upgrade_database
from core.settings import Settings
from domain.accounts import service as accounts
from domain.all_models import metadata

pytest_plugins = [
    "tests.sandbox_fixtures",
    "tests.stripe_fixtures",
    "tests.plaid_fixtures",
    "tests.google_business_fixtures",
    "tests.meta_fixtures",
]

# Argon2 at production cost is a tenth of a second a hash: the panel's tests seed and log in
# hundreds of times. Hashing is the same code at its cheapest parameters.
accounts.use_hash_parameters(argon2.profiles.CHEAPEST)

POSTGRES_ADMIN_URL = os.environ.get(
    "TEPPAN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _postgres_problem() -> str | None:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.OperationalError as error:
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {error}".strip()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'teppan-test.db'}"
    upgrade_database(url)
    return url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    problem = _postgres_problem()
    if problem:
        pytest.skip(f"{problem} (start it, or set TEPPAN_TEST_POSTGRES_URL)")
    name = f"teppan_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    url = f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    upgrade_database(url)
    yield url
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_engines: dict[str, Engine] = {}


def _clean(engine: Engine) -> None:
    tables = [table.name for table in reversed(metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            joined = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {joined} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                connection.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """A migrated, empty database; each test runs on SQLite and on PostgreSQL."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    if url not in _engines:
        _engines[url] = make_engine(url)
    engine = _engines[url]
    _clean(engine)
    return engine


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Engine:
    """For tests whose subject does not depend on the database (one backend is enough)."""
    if sqlite_url not in _engines:
        _engines[sqlite_url] = make_engine(sqlite_url)
    _clean(_engines[sqlite_url])
    return _engines[sqlite_url]


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(environment="test", data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]


def binary(name: str) -> str:
    import sys

    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: run the README's test command, which installs it")
    return found


async def _start_time_skipping() -> WorkflowEnvironment:
    return await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=binary("temporal-test-server"),
    )


@pytest.fixture(scope="session")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await _start_time_skipping()
    yield env
    await env.shutdown()


@pytest.fixture
async def own_time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A test server of the test's own, for tests that skip days with `env.sleep`: on the
    shared one, anything another test left running holds the clock back."""
    env = await _start_time_skipping()
    yield env
    await env.shutdown()
