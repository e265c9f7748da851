"""`teppan config` shows the effective configuration and never a secret."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.settings import get_settings


def test_config_masks_every_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEPPAN_DATABASE_URL", "postgresql+psycopg://teppan:hunter2@db/teppan")
    monkeypatch.setenv("TEPPAN_SECRET_KEY", "super-secret-session-key")
    monkeypatch.setenv("TEPPAN_RINGCENTRAL_JWT", "eyJ-very-secret")
    monkeypatch.setenv("TEPPAN_TEMPORAL_API_KEY", "temporal-cloud-key")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["config"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    for secret in ("hunter2", "super-secret-session-key", "eyJ-very-secret", "temporal-cloud-key"):
        assert secret not in result.output
    shown = json.loads(result.output)
    assert shown["database_url"] == "postgresql+psycopg://teppan:**********@db/teppan"
    assert shown["providers"]["ringcentral"] == "sandbox"
