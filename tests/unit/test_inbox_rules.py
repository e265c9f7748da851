from datetime import UTC, datetime, timedelta

import pytest

from domain.customers.models import Channel
from domain.messaging.models import ConversationState, MessageStatus
from domain.messaging.rules_inbox import (
    MAX_REPLY_LENGTH,
    default_reply_channel,
    parse_local_time,
    preview,
    reply_channels,
    reply_problem,
    reply_status,
    staff_message_key,
    state_label,
)

NOW = datetime(2026, 1, 14, 18, 0, tzinfo=UTC)


def test_sms_needs_a_number_and_meta_channels_need_a_first_message() -> None:
    assert reply_channels(has_phone=True, written_on=[]) == [Channel.SMS]
    assert reply_channels(has_phone=False, written_on=[Channel.INSTAGRAM]) == [Channel.INSTAGRAM]
    assert reply_channels(
        has_phone=True, written_on={Channel.INSTAGRAM, Channel.MESSENGER, Channel.SMS}
    ) == [Channel.SMS, Channel.MESSENGER, Channel.INSTAGRAM]
    # Email and web forms are not answered from the inbox.
    assert reply_channels(has_phone=False, written_on=[Channel.EMAIL, Channel.WEB]) == []


def test_the_reply_goes_where_they_last_wrote_if_it_can() -> None:
    options = [Channel.SMS, Channel.MESSENGER]
    assert default_reply_channel(options, Channel.MESSENGER) == Channel.MESSENGER
    assert default_reply_channel(options, None) == Channel.SMS
    assert default_reply_channel(options, Channel.EMAIL) == Channel.SMS
    with pytest.raises(ValueError):
        default_reply_channel([], Channel.SMS)


def test_a_reply_for_the_future_is_scheduled_and_one_for_the_past_goes_now() -> None:
    assert reply_status(None, NOW) == MessageStatus.PENDING
    assert reply_status(NOW + timedelta(minutes=1), NOW) == MessageStatus.SCHEDULED
    assert reply_status(NOW - timedelta(minutes=1), NOW) == MessageStatus.PENDING
    assert reply_status(NOW, NOW) == MessageStatus.PENDING


def test_reply_problems_in_words() -> None:
    assert reply_problem("Hi!", None, NOW) is None
    assert reply_problem("  \n ", None, NOW) == "Write a message first."
    assert "too long" in (reply_problem("x" * (MAX_REPLY_LENGTH + 1), None, NOW) or "")
    assert reply_problem("x" * MAX_REPLY_LENGTH, None, NOW) is None
    assert reply_problem("Hi", NOW + timedelta(days=30), NOW) is None
    assert "30 days" in (reply_problem("Hi", NOW + timedelta(days=31), NOW) or "")


def test_a_browser_local_time_is_read_in_the_business_zone() -> None:
    assert parse_local_time("", "America/Los_Angeles") is None
    winter = parse_local_time("2026-01-14T09:30", "America/Los_Angeles")
    assert winter is not None and winter.astimezone(UTC) == datetime(
        2026, 1, 14, 17, 30, tzinfo=UTC
    )
    summer = parse_local_time("2026-07-14T09:30", "America/New_York")
    assert summer is not None and summer.astimezone(UTC) == datetime(
        2026, 7, 14, 13, 30, tzinfo=UTC
    )
    with pytest.raises(ValueError):
        parse_local_time("tomorrow morning", "America/Los_Angeles")
    with pytest.raises(ValueError):
        parse_local_time("2026-01-14T09:30+00:00", "America/Los_Angeles")


def test_previews_are_one_line_cut_at_a_word() -> None:
    assert preview("Hi\n\nthere  you") == "Hi there you"
    long = "Can the chef make a vegetarian menu for twelve guests and also bring extra sauce please"
    cut = preview(long, limit=40)
    assert (
        len(cut) <= 40 and cut.endswith("…") and cut == "Can the chef make a vegetarian menu for…"
    )
    assert preview(long, limit=25) == "Can the chef make a…"  # not "vege…"
    assert preview("x" * 50, limit=10) == "x" * 9 + "…"  # no space to cut at


def test_who_answers() -> None:
    assert state_label(ConversationState.AUTOMATED, "Ana") == "AI"
    assert state_label(ConversationState.HANDED_OFF, "Ana Lopez") == "with Ana Lopez"
    assert state_label(ConversationState.HANDED_OFF, None) == "waiting for a person"
    assert state_label(ConversationState.CLOSED, "Ana Lopez") == "closed"


def test_staff_keys_name_the_message() -> None:
    assert staff_message_key(42) == "staff:42"
