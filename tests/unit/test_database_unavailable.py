"""core.db.is_database_unavailable: a database that is down (503, retry later) is told from a
statement it refused (a bug or a conflict, never a 503)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.pool import QueuePool

from core.db import is_database_unavailable, make_engine
from sandbox.framework import free_port


def _error_from(action: Callable[[], object]) -> Exception:
    with pytest.raises(Exception) as raised:
        action()
    return raised.value


def test_a_refused_connection_is_unavailable() -> None:
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/teppan")
    error = _error_from(lambda: engine.connect().close())

    assert isinstance(error, OperationalError)
    assert is_database_unavailable(error)


def test_an_exhausted_pool_is_unavailable() -> None:
    engine = create_engine(
        "sqlite://", poolclass=QueuePool, pool_size=1, max_overflow=0, pool_timeout=0.05
    )
    with engine.connect():
        error = _error_from(lambda: engine.connect())

    assert isinstance(error, PoolTimeoutError)
    assert is_database_unavailable(error)


def test_a_refused_statement_is_not() -> None:
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE item (name TEXT UNIQUE)"))
        connection.execute(text("INSERT INTO item VALUES ('grill')"))
        duplicate = _error_from(
            lambda: connection.execute(text("INSERT INTO item VALUES ('grill')"))
        )

    assert isinstance(duplicate, IntegrityError)
    assert not is_database_unavailable(duplicate)
    assert not is_database_unavailable(ValueError("not a database error"))


def test_a_statement_on_a_dropped_connection_is_unavailable() -> None:
    dropped = DBAPIError("SELECT 1", {}, Exception("server closed the connection"))
    dropped.connection_invalidated = True

    assert is_database_unavailable(dropped)
