"""Direct messages (Messenger, Instagram), whoever carries them: the neutral types every
direct-message adapter speaks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from integrations.errors import ProviderRejectedError

Platform = Literal["messenger", "instagram"]


@dataclass(frozen=True)
class OutboundDirectMessage:
    platform: Platform
    recipient_id: str  # the page-scoped (PSID) or Instagram-scoped (IGSID) id
    text: str
    # A message tag lets a reply go outside the standard window (HUMAN_AGENT: a person, 7 days).
    tag: str | None = None


@dataclass(frozen=True)
class SentDirectMessage:
    provider_message_id: str
    recipient_id: str
    sent_at: datetime


class OutsideMessagingWindow(ProviderRejectedError):
    """The provider refused the message because the customer's window has closed: it will keep
    refusing until the customer writes again."""


class DirectMessageSender(Protocol):
    def send(self, message: OutboundDirectMessage) -> SentDirectMessage:
        """Hands one message to the provider; raises ProviderTransientError,
        OutsideMessagingWindow or ProviderRejectedError."""
        ...

    def find_sent(
        self, platform: Platform, recipient_id: str, text: str, since: datetime
    ) -> SentDirectMessage | None:
        """The same text already sent to this person since then, if any: how a retry after an
        unknown outcome learns whether the first attempt went out."""
        ...
