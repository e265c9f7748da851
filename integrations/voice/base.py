"""Speaking to a caller, whoever voices it."""

from __future__ import annotations

from typing import Protocol


class VoiceAssistant(Protocol):
    def say(self, session_id: str, text: str) -> None:
        """Speaks `text` to the caller on that telephony session; raises ProviderTransientError
        or ProviderRejectedError (the call is over, say)."""
        ...
