"""Meta's messaging window: when a business may answer on Messenger or Instagram.

A business may answer within 24 hours of the customer's last message. After that, only a person
may answer, with Meta's HUMAN_AGENT message tag, and only within 7 days of that message. Nothing
may go to a customer who never wrote on the channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
HUMAN_AGENT_TAG = "HUMAN_AGENT"


@dataclass(frozen=True)
class WindowDecision:
    allowed: bool
    why: str
    tag: str | None = None  # the message tag the reply needs (HUMAN_AGENT), if any


def reply_allowed(
    last_inbound_at: datetime | None, now: datetime, human_agent: bool
) -> WindowDecision:
    """Whether a reply may go now, given the customer's last message on the channel.

    `human_agent`: a person (not the assistant) wrote the reply. Inside 24 hours a plain reply
    needs no tag, whoever wrote it; the tag is used only where it is the one thing allowing it.
    """
    if last_inbound_at is None:
        return WindowDecision(
            False, "the customer has not written on this channel: Meta allows no first message"
        )
    # A message stamped a little after our clock (clock skew) is as fresh as one just now.
    elapsed = max(now - last_inbound_at, timedelta(0))
    if elapsed < STANDARD_WINDOW:
        return WindowDecision(True, "within 24 hours of the customer's last message")
    if not human_agent:
        return WindowDecision(
            False,
            "more than 24 hours since the customer's last message: only a person may answer "
            "now (Meta's HUMAN_AGENT tag, up to 7 days)",
        )
    if elapsed < HUMAN_AGENT_WINDOW:
        return WindowDecision(
            True,
            "a person answering within 7 days of the customer's last message (HUMAN_AGENT tag)",
            tag=HUMAN_AGENT_TAG,
        )
    return WindowDecision(
        False,
        "more than 7 days since the customer's last message: Meta allows no reply until the "
        "customer writes again",
    )
