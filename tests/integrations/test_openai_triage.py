"""OpenAI call triage through the real `openai` SDK against the wire-format emulator."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from domain.calls.triage import Intent
from integrations.errors import ProviderRejectedError, ProviderTransientError
from integrations.llm.base import TriageModel
from integrations.llm.openai_triage import RESPONSE_FORMAT, SCHEMA_NAME, parse_answer
from sandbox.openai import COMPLETIONS_PATH
from tests.sandbox_fixtures import OpenAISandbox

STAFF = ["Jessica Wu", "Marco Rossi"]


def test_a_good_answer_becomes_a_triage_result(openai_sandbox: OpenAISandbox) -> None:
    model: TriageModel = openai_sandbox.triage_model()
    result = model.triage("can I talk to a real person please", staff_names=STAFF)
    assert result.intent is Intent.HUMAN and result.escalate
    assert 0 <= result.confidence <= 1 and result.reason
    assert openai_sandbox.state.requests == 1


def test_the_request_asks_for_structured_output(openai_sandbox: OpenAISandbox) -> None:
    openai_sandbox.triage_model().triage("how much for 20 people", staff_names=STAFF)
    sent = openai_sandbox.state.last_request
    assert sent is not None
    assert sent["model"] == "gpt-4o-mini"
    assert sent["response_format"] == RESPONSE_FORMAT
    assert sent["response_format"]["json_schema"]["name"] == SCHEMA_NAME
    assert sent["response_format"]["json_schema"]["strict"] is True
    roles = [message["role"] for message in sent["messages"]]
    assert roles == ["system", "user"]
    user = json.loads(sent["messages"][1]["content"])
    assert user == {"caller_said": "how much for 20 people", "staff_names": STAFF}


def test_a_scripted_answer_is_used_as_given(openai_sandbox: OpenAISandbox) -> None:
    openai_sandbox.script(
        {
            "intent": "complaint",
            "escalate": True,
            "confidence": 0.82,
            "reason": "The chef has not arrived.",
            "emergency": True,
        }
    )
    result = openai_sandbox.triage_model().triage("el chef no ha llegado", staff_names=[])
    assert result.intent is Intent.COMPLAINT
    assert result.escalate and result.emergency
    assert result.confidence == pytest.approx(0.82)
    assert result.reason == "The chef has not arrived."


def test_a_person_request_is_escalated_even_if_the_model_forgets(
    openai_sandbox: OpenAISandbox,
) -> None:
    openai_sandbox.script(
        {"intent": "human", "escalate": False, "confidence": 2, "reason": "x", "emergency": False}
    )
    result = openai_sandbox.triage_model().triage("agent", staff_names=[])
    assert result.escalate and result.confidence == 1.0


@pytest.mark.parametrize(
    "answer",
    [
        "this is not json {",
        json.dumps(["a", "list"]),
        {
            "intent": "pizza",
            "escalate": False,
            "confidence": 0.5,
            "reason": "x",
            "emergency": False,
        },
        {"intent": "faq", "escalate": "yes", "confidence": 0.5, "reason": "x", "emergency": False},
        {
            "intent": "faq",
            "escalate": False,
            "confidence": "high",
            "reason": "x",
            "emergency": False,
        },
        {"intent": "faq", "escalate": False, "confidence": 0.5, "reason": "", "emergency": False},
    ],
)
def test_a_malformed_answer_is_transient(openai_sandbox: OpenAISandbox, answer: object) -> None:
    openai_sandbox.script(answer)
    with pytest.raises(ProviderTransientError):
        openai_sandbox.triage_model().triage("do you bring the grill", staff_names=[])


def test_a_refusal_is_rejected(openai_sandbox: OpenAISandbox) -> None:
    openai_sandbox.script({"refusal": "I can't help with that."})
    with pytest.raises(ProviderRejectedError, match="refused"):
        openai_sandbox.triage_model().triage("something", staff_names=[])


def test_a_rate_limit_is_transient_with_retry_after(openai_sandbox: OpenAISandbox) -> None:
    # One fault only: had the SDK retried, the second attempt would have succeeded.
    openai_sandbox.fault(path_prefix=COMPLETIONS_PATH, kind="rate_limit", retry_after_seconds=7)
    with pytest.raises(ProviderTransientError) as caught:
        openai_sandbox.triage_model().triage("how much", staff_names=[])
    assert caught.value.status == 429
    assert caught.value.retry_after == 7
    assert "Rate limit" in caught.value.message
    assert openai_sandbox.state.requests == 0


def test_a_server_error_is_transient(openai_sandbox: OpenAISandbox) -> None:
    openai_sandbox.fault(path_prefix=COMPLETIONS_PATH, kind="server_error")
    with pytest.raises(ProviderTransientError) as caught:
        openai_sandbox.triage_model().triage("how much", staff_names=[])
    assert caught.value.status == 500


def test_a_slow_answer_times_out_as_transient(openai_sandbox: OpenAISandbox) -> None:
    openai_sandbox.fault(path_prefix=COMPLETIONS_PATH, kind="delay", delay_seconds=3)
    model = openai_sandbox.triage_model(timeout=0.5)
    started = time.monotonic()
    with pytest.raises(ProviderTransientError, match="in time"):
        model.triage("how much", staff_names=[])
    assert time.monotonic() - started < 1.5


def test_a_wrong_key_is_rejected(openai_sandbox: OpenAISandbox) -> None:
    model = openai_sandbox.triage_model(api_key="sk-wrong-key-0000")
    with pytest.raises(ProviderRejectedError) as caught:
        model.triage("how much", staff_names=[])
    assert caught.value.status == 401
    assert "Incorrect API key" in caught.value.message


def test_the_emulator_speaks_openai_error_shape(openai_sandbox: OpenAISandbox) -> None:
    response = httpx.post(
        f"{openai_sandbox.base_url}/chat/completions",
        json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
        headers={"Authorization": "Bearer nope"},
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert response.json()["error"]["param"] is None


def test_the_emulator_answers_in_wire_format(openai_sandbox: OpenAISandbox) -> None:
    response = httpx.post(
        f"{openai_sandbox.base_url}/chat/completions",
        json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "cancel it"}]},
        headers={"Authorization": "Bearer sk-sandbox-teppan"},
    )
    body = response.json()
    assert body["object"] == "chat.completion" and body["model"] == "gpt-4o-mini"
    choice = body["choices"][0]
    assert choice["finish_reason"] == "stop" and choice["message"]["refusal"] is None
    assert json.loads(choice["message"]["content"])["intent"] == "cancel_booking"
    assert set(body["usage"]) >= {"prompt_tokens", "completion_tokens", "total_tokens"}


def test_parse_answer_clamps_and_tidies() -> None:
    result = parse_answer(
        json.dumps(
            {
                "intent": "quote_request",
                "escalate": False,
                "confidence": -0.2,
                "reason": "  asks\n the price ",
                "emergency": False,
            }
        )
    )
    assert result.confidence == 0.0 and result.reason == "asks the price"
