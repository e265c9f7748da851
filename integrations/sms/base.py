"""Sending texts, whoever carries them: the neutral types every SMS adapter speaks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class OutboundSms:
    from_number: str
    to_number: str
    text: str


@dataclass(frozen=True)
class SentSms:
    provider_message_id: str
    sent_at: datetime


class SmsSender(Protocol):
    def send(self, sms: OutboundSms) -> SentSms:
        """Hands one text to the carrier; raises ProviderTransientError or ProviderRejectedError."""
        ...

    def find_sent(self, to_number: str, text: str, since: datetime) -> SentSms | None:
        """The text already sent to this number since then, if any: how a retry after an
        unknown outcome learns whether the first attempt went out."""
        ...
