"""Answering customers with OpenAI through the real `openai` SDK against the wire-format
emulator."""

from __future__ import annotations

import json

import pytest

from domain.calls.rules import Faq
from domain.messaging.replies import ReplyAction, ReplyContext, ReplyModel, ThreadLine
from integrations.errors import ProviderRejectedError, ProviderTransientError
from integrations.llm.openai_messaging import RESPONSE_FORMAT, SCHEMA_NAME, OpenAIMessaging
from sandbox.openai import COMPLETIONS_PATH, SANDBOX_OPENAI_API_KEY
from tests.sandbox_fixtures import OpenAISandbox

CONTEXT = ReplyContext(
    business_name="Fremont Hibachi Co.",
    business_phone="+15105550100",
    customer_first_name="Jennifer",
    is_lead=True,
    faqs=(Faq("Do you bring your own grill?", "Yes, we bring the grill.", ("grill",)),),
    staff_names=("Olivia Owner",),
    quote_link="https://teppan.example.com/q/abc",
    thread=(ThreadLine("customer", "hi"), ThreadLine("business", "Hi! How can we help?")),
)


def _model(sandbox: OpenAISandbox, api_key: str = SANDBOX_OPENAI_API_KEY) -> OpenAIMessaging:
    return OpenAIMessaging(api_key, sandbox.base_url, "gpt-4o-mini", timeout=2.0)


def test_the_emulator_answers_a_faq_from_the_faq_it_was_sent(
    openai_sandbox: OpenAISandbox,
) -> None:
    model: ReplyModel = _model(openai_sandbox)
    decision = model.reply(["Do you bring your own grill?"], CONTEXT)
    assert decision.action is ReplyAction.REPLY and decision.text == "Yes, we bring the grill."
    assert openai_sandbox.state.requests == 1


def test_the_request_asks_for_structured_output_with_the_context(
    openai_sandbox: OpenAISandbox,
) -> None:
    _model(openai_sandbox).reply(["how much for 20?"], CONTEXT)
    sent = openai_sandbox.state.last_request
    assert sent is not None
    assert sent["response_format"] == RESPONSE_FORMAT
    assert sent["response_format"]["json_schema"]["name"] == SCHEMA_NAME
    assert sent["response_format"]["json_schema"]["strict"] is True
    asked = json.loads(sent["messages"][1]["content"])
    assert asked["customer_messages"] == ["how much for 20?"]
    assert asked["faq"] == [
        {"question": "Do you bring your own grill?", "answer": "Yes, we bring the grill."}
    ]
    assert asked["quote_link"] == CONTEXT.quote_link and asked["next_booking"] is None
    assert asked["recent_thread"][1] == {"speaker": "business", "text": "Hi! How can we help?"}


def test_a_price_request_gets_the_quote_link_and_marks_interest(
    openai_sandbox: OpenAISandbox,
) -> None:
    decision = _model(openai_sandbox).reply(["how much for 20 people?"], CONTEXT)
    assert decision.action is ReplyAction.REPLY and decision.wants_quote
    assert CONTEXT.quote_link is not None and CONTEXT.quote_link in decision.text


def test_a_person_request_is_handed_off_even_if_the_model_would_reply(
    openai_sandbox: OpenAISandbox,
) -> None:
    openai_sandbox.script(
        {"action": "reply", "intent": "human", "text": "Sure!", "reason": "Wants a person."}
    )
    decision = _model(openai_sandbox).reply(["let me talk to someone"], CONTEXT)
    assert decision.action is ReplyAction.HAND_OFF and decision.text == ""


def test_a_complaint_is_handed_off_as_one(openai_sandbox: OpenAISandbox) -> None:
    decision = _model(openai_sandbox).reply(["the food was terrible"], CONTEXT)
    assert decision.action is ReplyAction.HAND_OFF and decision.complaint


@pytest.mark.parametrize(
    "answer",
    [
        "not json",
        {"action": "shout", "intent": "faq", "text": "x", "reason": "x"},
        {"action": "reply", "intent": "faq", "text": "", "reason": "x"},
        {"action": "reply", "intent": "faq", "text": "Yes", "reason": " "},
    ],
)
def test_an_unusable_answer_is_transient(openai_sandbox: OpenAISandbox, answer: object) -> None:
    openai_sandbox.script(answer)
    with pytest.raises(ProviderTransientError):
        _model(openai_sandbox).reply(["do you bring the grill"], CONTEXT)


def test_a_bad_key_and_a_refusal_are_rejected(openai_sandbox: OpenAISandbox) -> None:
    with pytest.raises(ProviderRejectedError):
        _model(openai_sandbox, api_key="sk-wrong-key-000").reply(["hi"], CONTEXT)
    openai_sandbox.script({"refusal": "I can't help with that."})
    with pytest.raises(ProviderRejectedError, match="refused"):
        _model(openai_sandbox).reply(["hi"], CONTEXT)


def test_a_server_error_is_transient_and_not_retried(openai_sandbox: OpenAISandbox) -> None:
    openai_sandbox.fault(path_prefix=COMPLETIONS_PATH, kind="server_error")
    with pytest.raises(ProviderTransientError):
        _model(openai_sandbox).reply(["hi"], CONTEXT)
    assert openai_sandbox.state.requests == 0
