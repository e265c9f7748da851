"""Call triage by a language model, whoever answers: the Protocol every triage adapter speaks.

The neutral types are the built-in classifier's (`domain.calls.triage`), so a caller of a model
can fall back to `classify` on any `ProviderError` and get the same kind of answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.calls.triage import Intent, TriageResult

__all__ = ["Intent", "TriageModel", "TriageResult"]


class TriageModel(Protocol):
    def triage(self, text: str, *, staff_names: Sequence[str]) -> TriageResult:
        """What the caller wants and whether a person should take the call.

        Raises ProviderTransientError (timeouts, rate limits, 5xx, an answer we cannot use:
        fall back or retry) or ProviderRejectedError (bad key, a request the provider refuses).
        """
        ...
