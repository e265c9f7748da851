"""When the AI may answer, the keys of its messages, and the quiet lead's one follow-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.customers.models import Channel
from domain.messaging.models import ConversationState
from domain.messaging.reply_rules import (
    follow_up_key,
    follow_up_skip_reason,
    hand_off_key,
    reply_key,
    silence_reason,
)

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.MESSENGER, Channel.INSTAGRAM])
def test_an_automated_conversation_may_be_answered(channel: Channel) -> None:
    assert (
        silence_reason(ConversationState.AUTOMATED, channel, NOW - timedelta(minutes=1), NOW)
        is None
    )


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (ConversationState.HANDED_OFF, "a person has this conversation"),
        (ConversationState.CLOSED, "the conversation is closed"),
    ],
)
def test_a_person_or_a_closed_conversation_silences_the_ai(
    state: ConversationState, reason: str
) -> None:
    assert silence_reason(state, Channel.SMS, NOW, NOW) == reason


def test_meta_allows_answers_for_24_hours_after_the_customer_wrote() -> None:
    inside = NOW - timedelta(hours=23, minutes=59)
    outside = NOW - timedelta(hours=24)
    assert silence_reason(ConversationState.AUTOMATED, Channel.MESSENGER, inside, NOW) is None
    late = silence_reason(ConversationState.AUTOMATED, Channel.INSTAGRAM, outside, NOW)
    assert late is not None and "24 hours" in late
    # SMS has no such window.
    assert silence_reason(ConversationState.AUTOMATED, Channel.SMS, outside, NOW) is None


def test_keys_name_the_turn_by_its_first_and_last_message() -> None:
    assert reply_key(7, [12, 14, 13]) == "conversation:7:reply:12-14"
    assert reply_key(7, [12]) == "conversation:7:reply:12-12"
    assert hand_off_key(7, [3, 5]) == "conversation:7:handoff:3-5"
    assert follow_up_key(7) == "conversation:7:lead-follow-up"
    with pytest.raises(ValueError):
        reply_key(7, [])


def _skip(**changes: object) -> str | None:
    facts: dict[str, object] = {
        "state": ConversationState.AUTOMATED,
        "is_lead": True,
        "opted_out": False,
        "already_followed_up": False,
        "channel": Channel.SMS,
        "last_inbound_at": NOW - timedelta(hours=48),
        "now": NOW,
    }
    return follow_up_skip_reason(**(facts | changes))  # type: ignore[arg-type]


def test_a_quiet_lead_is_followed_up() -> None:
    assert _skip() is None


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"already_followed_up": True}, "already followed up once"),
        ({"is_lead": False}, "the customer has a booking"),
        ({"opted_out": True}, "the customer opted out"),
        ({"state": ConversationState.HANDED_OFF}, "a person has this conversation"),
    ],
)
def test_no_follow_up_when(changes: dict[str, object], reason: str) -> None:
    assert _skip(**changes) == reason


def test_no_follow_up_on_messenger_after_meta_s_window() -> None:
    reason = _skip(channel=Channel.MESSENGER)
    assert reason is not None and "24 hours" in reason
