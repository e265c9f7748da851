"""Moving calls, whoever carries them: the neutral types every call-control adapter speaks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ExtensionInfo:
    id: str
    extension_number: str
    name: str


@dataclass(frozen=True)
class ExtensionPresence:
    extension_id: str
    extension_number: str
    available: bool  # reachable at all: not offline, not on Do Not Disturb
    on_call: bool  # ringing, on a call, or holding one
    status: str  # the provider's own word for it ("Available", "Busy", "Offline", …)


class CallControl(Protocol):
    """Each method raises ProviderTransientError or ProviderRejectedError."""

    def forward(self, session_id: str, party_id: str, extension_number: str) -> str:
        """Sends a still-ringing call to an extension; returns the new party's id, or ""."""
        ...

    def transfer(self, session_id: str, party_id: str, extension_number: str) -> str:
        """Moves an answered call to an extension; returns the new party's id, or ""."""
        ...

    def to_voicemail(self, session_id: str, party_id: str, extension_id: str) -> None:
        """Sends the call to that extension's voicemail, ringing or answered."""
        ...

    def drop(self, session_id: str) -> None:
        """Ends the call; a call already over counts as dropped."""
        ...

    def extensions(self) -> list[ExtensionInfo]: ...

    def presence(self) -> list[ExtensionPresence]:
        """Every extension's presence; may be a few seconds old (providers rate-limit it)."""
        ...
