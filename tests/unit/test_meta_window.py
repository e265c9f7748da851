"""Meta's messaging window: 24 hours for anyone, 7 days for a person with HUMAN_AGENT."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.messaging.meta_window import HUMAN_AGENT_TAG, reply_allowed

NOW = datetime(2025, 6, 14, 18, 0, tzinfo=UTC)


def _ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


@pytest.mark.parametrize("human_agent", [False, True])
def test_inside_24_hours_anyone_answers_without_a_tag(human_agent: bool) -> None:
    for last in (_ago(minutes=1), _ago(hours=23, minutes=59)):
        decision = reply_allowed(last, NOW, human_agent)
        assert decision.allowed and decision.tag is None, decision


def test_after_24_hours_the_assistant_is_silent_and_says_why() -> None:
    for last in (_ago(hours=24), _ago(hours=30), _ago(days=3)):
        decision = reply_allowed(last, NOW, human_agent=False)
        assert not decision.allowed and decision.tag is None
        assert "24 hours" in decision.why and "person" in decision.why


def test_a_person_answers_with_human_agent_up_to_7_days() -> None:
    for last in (_ago(hours=24), _ago(days=3), _ago(days=6, hours=23, minutes=59)):
        decision = reply_allowed(last, NOW, human_agent=True)
        assert decision.allowed and decision.tag == HUMAN_AGENT_TAG, decision


@pytest.mark.parametrize("human_agent", [False, True])
def test_after_7_days_nobody_answers(human_agent: bool) -> None:
    for last in (_ago(days=7), _ago(days=30)):
        decision = reply_allowed(last, NOW, human_agent)
        assert not decision.allowed and decision.tag is None
        assert "writes again" in decision.why or "24 hours" in decision.why


def test_nobody_writes_first() -> None:
    for human_agent in (False, True):
        decision = reply_allowed(None, NOW, human_agent)
        assert not decision.allowed and "not written" in decision.why


def test_a_message_stamped_slightly_after_now_counts_as_fresh() -> None:
    decision = reply_allowed(NOW + timedelta(seconds=5), NOW, human_agent=False)
    assert decision.allowed and decision.tag is None
