"""`teppan triage`: the triage contract on the built-in classifier (no OpenAI key)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.settings import get_settings

KEYS = {"intent", "escalate", "confidence", "reason"}


@pytest.fixture(autouse=True)
def _builtin_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    # An empty data folder (demo staff names) and no OpenAI key: the built-in classifier.
    monkeypatch.setenv("TEPPAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TEPPAN_OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("TEPPAN_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _answers(*args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, ["triage", *args])
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    for answer in answers:
        assert set(answer) == KEYS
    return answers


def test_text_prints_one_json_object() -> None:
    [answer] = _answers("--text", "can I talk to a real person")
    assert answer["intent"] == "human" and answer["escalate"] is True
    assert 0 <= answer["confidence"] <= 1 and answer["reason"]


def test_a_negated_request_is_not_escalated() -> None:
    [answer] = _answers("--text", "I don't want to talk to anyone, just the price")
    assert answer == answer | {"intent": "quote_request", "escalate": False}


def test_a_demo_staff_name_is_a_request_for_a_person() -> None:
    [answer] = _answers("--text", "is Jessica there?")
    assert answer["intent"] == "human" and "Jessica" in answer["reason"]


def test_file_answers_every_line_in_order(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    rows = [
        {"text": "quiero cancelar mi reservacion", "intent": "cancel_booking"},
        {"text": "el chef no ha llegado"},
        {"text": ""},
        {"text": "do you bring the grill"},
    ]
    cases.write_text(
        "\n".join(json.dumps(row) for row in rows[:2])
        + "\n\n"
        + "\n".join(json.dumps(row) for row in rows[2:])
        + "\n",
        encoding="utf-8",
    )
    answers = _answers("--file", str(cases))
    assert [a["intent"] for a in answers] == ["cancel_booking", "complaint", "other", "faq"]
    assert [a["escalate"] for a in answers] == [False, True, False, False]


def test_a_missing_file_exits_2_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a short path: the error box does not wrap it
    result = CliRunner().invoke(app, ["triage", "--file", "nope.jsonl"])
    assert result.exit_code == 2
    assert "no such file" in result.output and "nope.jsonl" in result.output


def test_a_line_without_text_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("bad.jsonl").write_text('{"text": "hi"}\n{"words": "no text"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["triage", "--file", "bad.jsonl"])
    assert result.exit_code == 2
    assert "bad.jsonl:2" in result.output


def test_text_or_file_but_not_both_nor_neither(tmp_path: Path) -> None:
    assert CliRunner().invoke(app, ["triage"]).exit_code == 2
    both = CliRunner().invoke(app, ["triage", "--text", "hi", "--file", str(tmp_path / "x")])
    assert both.exit_code == 2
