"""Pure rules of the conversation engine: when the AI may answer at all, which idempotency key
each automatic message carries, and whether a quiet lead is due its one follow-up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.customers.models import Channel
from domain.messaging.meta_window import reply_allowed
from domain.messaging.models import ConversationState

META_CHANNELS = frozenset({Channel.MESSENGER, Channel.INSTAGRAM})


def silence_reason(
    state: ConversationState, channel: Channel, last_inbound_at: datetime | None, now: datetime
) -> str | None:
    """Why the AI must not answer now, or None when it may."""
    if state is ConversationState.HANDED_OFF:
        return "a person has this conversation"
    if state is ConversationState.CLOSED:
        return "the conversation is closed"
    if channel in META_CHANNELS:
        window = reply_allowed(last_inbound_at, now, human_agent=False)
        if not window.allowed:
            return window.why
    return None


def _turn(message_ids: Sequence[int]) -> str:
    if not message_ids:
        raise ValueError("a turn answers at least one message")
    # The ids of one turn are the messages recorded since the last turn: first and last name it.
    return f"{min(message_ids)}-{max(message_ids)}"


def reply_key(conversation_id: int, message_ids: Sequence[int]) -> str:
    """The AI's answer to these messages: a retry, or the same messages again, sends nothing new."""
    return f"conversation:{conversation_id}:reply:{_turn(message_ids)}"


def hand_off_key(conversation_id: int, message_ids: Sequence[int]) -> str:
    """The hand-off these messages caused; its texts add `:staff` and `:customer`."""
    return f"conversation:{conversation_id}:handoff:{_turn(message_ids)}"


def follow_up_key(conversation_id: int) -> str:
    """One follow-up per conversation, ever: a quiet lead is nudged once, not nagged."""
    return f"conversation:{conversation_id}:lead-follow-up"


def follow_up_skip_reason(
    *,
    state: ConversationState,
    is_lead: bool,
    opted_out: bool,
    already_followed_up: bool,
    channel: Channel,
    last_inbound_at: datetime | None,
    now: datetime,
) -> str | None:
    """Why the quiet lead gets no follow-up, or None when it is due."""
    if already_followed_up:
        return "already followed up once"
    if not is_lead:
        return "the customer has a booking"
    if opted_out:
        return "the customer opted out"
    return silence_reason(state, channel, last_inbound_at, now)
