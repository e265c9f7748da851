"""`teppan triage` with an OpenAI key: the emulator answers, and on a failure the built-in
classifier does, saying so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.settings import get_settings
from sandbox.openai import COMPLETIONS_PATH, SANDBOX_OPENAI_API_KEY
from tests.sandbox_fixtures import OpenAISandbox


@pytest.fixture(autouse=True)
def _openai_configured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, openai_sandbox: OpenAISandbox
) -> Any:
    monkeypatch.setenv("TEPPAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TEPPAN_DATABASE_URL", raising=False)
    monkeypatch.setenv("TEPPAN_OPENAI_API_KEY", SANDBOX_OPENAI_API_KEY)
    monkeypatch.setenv("TEPPAN_OPENAI_BASE_URL", openai_sandbox.base_url)
    monkeypatch.setenv("TEPPAN_TRIAGE_TIMEOUT_SECONDS", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _answer(text: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["triage", "--text", text])
    assert result.exit_code == 0, result.output
    answer: dict[str, Any] = json.loads(result.output)
    return answer


def test_openai_answers_when_configured(openai_sandbox: OpenAISandbox) -> None:
    answer = _answer("I want to cancel")
    assert answer["intent"] == "cancel_booking"
    assert answer["reason"].startswith("The sandbox heard")
    assert openai_sandbox.state.requests == 1


def test_falls_back_to_the_builtin_classifier(openai_sandbox: OpenAISandbox) -> None:
    openai_sandbox.fault(path_prefix=COMPLETIONS_PATH, kind="server_error")
    answer = _answer("can I talk to a real person")
    assert answer["intent"] == "human" and answer["escalate"] is True
    assert "OpenAI failed" in answer["reason"] and "built-in classifier" in answer["reason"]


def test_falls_back_on_a_malformed_answer(openai_sandbox: OpenAISandbox) -> None:
    openai_sandbox.script("not json at all")
    answer = _answer("quiero cancelar mi reservacion")
    assert answer["intent"] == "cancel_booking" and "OpenAI failed" in answer["reason"]
