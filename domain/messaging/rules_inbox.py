"""Pure rules of the staff inbox: which channels a person may answer on, when a reply goes, and
how a conversation is described in the list."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.customers.models import Channel
from domain.messaging.models import ConversationState, MessageStatus

#: Channels a person can answer on from the inbox, in the order the reply box offers them.
REPLY_CHANNELS = (Channel.SMS, Channel.MESSENGER, Channel.INSTAGRAM)
CHANNEL_LABELS = {
    Channel.SMS: "SMS",
    Channel.MESSENGER: "Messenger",
    Channel.INSTAGRAM: "Instagram",
}
#: RingCentral refuses longer texts; Messenger and Instagram take less than Message.body holds.
MAX_REPLY_LENGTH = 1000
#: Further ahead than this is a typo more often than a plan (and Meta's 7-day window is shorter).
LATEST_SCHEDULE = timedelta(days=30)
#: Idempotency keys of staff replies: one send per stored message, whatever retries happen.
STAFF_KEY_PREFIX = "staff:"

_SPACES = re.compile(r"\s+")


def staff_message_key(message_id: int) -> str:
    return f"{STAFF_KEY_PREFIX}{message_id}"


def reply_channels(*, has_phone: bool, written_on: Iterable[Channel]) -> list[Channel]:
    """SMS when we have their number; Messenger or Instagram only once they wrote there (Meta
    lets a page answer, never start, a conversation)."""
    used = set(written_on)
    return [
        channel
        for channel in REPLY_CHANNELS
        if channel in used or (channel == Channel.SMS and has_phone)
    ]


def default_reply_channel(options: Sequence[Channel], last_inbound: Channel | None) -> Channel:
    """Answer where they last wrote; otherwise the first channel we can reach them on."""
    if not options:
        raise ValueError("no channel to answer on")
    if last_inbound in options:
        assert last_inbound is not None
        return last_inbound
    return options[0]


def reply_status(scheduled_for: datetime | None, now: datetime) -> MessageStatus:
    """A reply for later waits as `scheduled`; one for now (or a moment already past) is due."""
    if scheduled_for is not None and scheduled_for > now:
        return MessageStatus.SCHEDULED
    return MessageStatus.PENDING


def reply_problem(body: str, scheduled_for: datetime | None, now: datetime) -> str | None:
    """Why a reply cannot be queued, in words for the person who wrote it; None when it can."""
    if not body.strip():
        return "Write a message first."
    if len(body) > MAX_REPLY_LENGTH:
        return f"That is too long for one message (at most {MAX_REPLY_LENGTH} characters)."
    if scheduled_for is not None and scheduled_for > now + LATEST_SCHEDULE:
        return f"Schedule it at most {LATEST_SCHEDULE.days} days ahead."
    return None


def parse_local_time(raw: str, timezone: str) -> datetime | None:
    """A browser's `datetime-local` value ("2026-01-14T09:30") read in the business's zone;
    None when empty. Raises ValueError for anything else."""
    text = raw.strip()
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        raise ValueError("a local time has no zone")
    return moment.replace(tzinfo=ZoneInfo(timezone))


def preview(text: str, limit: int = 90) -> str:
    """One line of a message for the list: whitespace folded, cut at a word with an ellipsis."""
    flat = _SPACES.sub(" ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    ends_mid_word = flat[limit - 1] != " "
    if ends_mid_word and " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"


def state_label(state: ConversationState, staff_name: str | None) -> str:
    """Who answers the customer now: the AI, a named person, or nobody (closed)."""
    if state == ConversationState.CLOSED:
        return "closed"
    if state == ConversationState.HANDED_OFF:
        return f"with {staff_name}" if staff_name else "waiting for a person"
    return "AI"
