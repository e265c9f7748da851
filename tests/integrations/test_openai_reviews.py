"""Reading reviews with OpenAI (the real SDK against the emulator), held to the stars, and the
built-in scorer taking over whenever OpenAI cannot answer."""

from __future__ import annotations

import pytest

from domain.reviews.assessment import bounded_by_stars
from domain.reviews.sentiment import Assessment
from integrations.errors import ProviderRejectedError, ProviderTransientError
from integrations.llm.openai_reviews import OpenAIReviewReader, parse_reading
from sandbox.openai import SANDBOX_OPENAI_API_KEY
from tests.sandbox_fixtures import OpenAISandbox


def _reader(sandbox: OpenAISandbox, api_key: str = SANDBOX_OPENAI_API_KEY) -> OpenAIReviewReader:
    return OpenAIReviewReader(api_key, sandbox.base_url, "gpt-4o-mini", timeout=2.0)


def test_a_scripted_reading_comes_back_as_an_assessment(openai_sandbox: OpenAISandbox) -> None:
    openai_sandbox.script(
        {
            "sentiment": "negative",
            "score": -0.8,
            "topics": ["punctuality", "chef"],
            "reason": "The chef was late.",
        }
    )
    reading = _reader(openai_sandbox).read(2, "The chef came an hour late.")
    assert reading.sentiment == "negative"
    assert reading.topics == ["chef", "punctuality"]
    assert reading.reasons == ["OpenAI: The chef was late."]


def test_an_answer_that_is_not_a_reading_is_transient(openai_sandbox: OpenAISandbox) -> None:
    openai_sandbox.script({"intent": "faq"})  # the emulator's triage shape
    with pytest.raises(ProviderTransientError):
        _reader(openai_sandbox).read(5, "Great!")


def test_outages_and_bad_keys_are_told_apart(openai_sandbox: OpenAISandbox) -> None:
    openai_sandbox.fault(path_prefix="/v1/chat/completions", kind="server_error")
    with pytest.raises(ProviderTransientError):
        _reader(openai_sandbox).read(5, "Great!")
    with pytest.raises(ProviderRejectedError):
        _reader(openai_sandbox, api_key="sk-wrong").read(5, "Great!")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"sentiment": "happy", "score": 1, "topics": [], "reason": "x"}', "sentiment"),
        ('{"sentiment": "positive", "score": "high", "topics": [], "reason": "x"}', "score"),
        ('{"sentiment": "positive", "score": 1, "topics": ["decor"], "reason": "x"}', "topics"),
        ("not json", "JSON"),
    ],
)
def test_unusable_readings_are_refused(content: str, problem: str) -> None:
    with pytest.raises(ProviderTransientError, match=problem):
        parse_reading(content)


@pytest.mark.parametrize(
    ("stars", "said", "kept"),
    [
        (1, "positive", "neutral"),
        (2, "positive", "neutral"),
        (3, "positive", "positive"),
        (4, "negative", "neutral"),
        (5, "negative", "neutral"),
        (5, "positive", "positive"),
    ],
)
def test_the_stars_always_count(stars: int, said: str, kept: str) -> None:
    reading = Assessment(sentiment=said, score=0.9 if said == "positive" else -0.9)  # type: ignore[arg-type]
    bounded = bounded_by_stars(reading, stars)
    assert bounded.sentiment == kept
    assert (bounded.score <= 0) if stars <= 2 else True
    assert (bounded.score >= 0) if stars >= 4 else True
