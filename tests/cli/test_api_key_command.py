"""`teppan api-key create|revoke`: the key is printed once, only its hash is stored."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from cli.main import app
from core.settings import get_settings
from domain.api_keys.models import ApiKey
from domain.api_keys.rules import hash_key


@pytest.fixture
def database(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv(
        "TEPPAN_DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False)
    )
    get_settings.cache_clear()
    yield sqlite_engine
    get_settings.cache_clear()


def test_create_prints_the_key_and_revoke_ends_it(database: Engine) -> None:
    runner = CliRunner()
    made = runner.invoke(
        app,
        [
            "api-key",
            "create",
            "--name",
            "Zapier",
            "--scope",
            "read:bookings",
            "--scope",
            "write:quotes",
            "--expires-in-days",
            "30",
        ],
    )
    assert made.exit_code == 0, made.output
    key = made.stdout.strip().splitlines()[-1]
    with Session(database) as session:
        row = session.exec(select(ApiKey)).one()
    assert row.secret_hash == hash_key(key) and row.created_by == "teppan CLI"
    assert row.scopes == ["read:bookings", "write:quotes"] and row.expires_at is not None

    wrong = runner.invoke(app, ["api-key", "create", "--name", "X", "--scope", "read:all"])
    assert wrong.exit_code == 2 and "unknown scope read:all" in wrong.output

    revoked = runner.invoke(app, ["api-key", "revoke", str(row.id)])
    assert revoked.exit_code == 0 and f"revoked API key Zapier ({row.prefix})" in revoked.output
    again = runner.invoke(app, ["api-key", "revoke", str(row.id)])
    assert again.exit_code == 2 and "revoked already" in again.output


def test_the_installed_command_works_in_a_fresh_process(tmp_path: Path) -> None:
    """In a process of its own, as an owner runs it: only what the command imports is loaded
    (the test process has every model loaded, which hid a foreign key it could not resolve)."""
    teppan = Path(sys.executable).parent / "teppan"
    env = {key: value for key, value in os.environ.items() if not key.startswith("TEPPAN_")}
    env |= {"TEPPAN_DATA_DIR": str(tmp_path), "TEPPAN_DATABASE_URL": ""}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(teppan), *args], env=env, capture_output=True, text=True, timeout=60
        )

    assert run("db", "upgrade").returncode == 0
    made = run("api-key", "create", "--name", "Zapier", "--scope", "read:bookings")
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("tpk_live_")
    revoked = run("api-key", "revoke", "1")
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked API key Zapier" in revoked.stdout
