"""Pure call rules: who is urgent, which FAQ answers a question, what the assistant says."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

# Below this the assistant would rather hand over than guess an answer.
FAQ_MIN_SCORE = 70


def is_urgent(event_day: date | None, today: date) -> bool:
    """A caller whose event is today or tomorrow (in the business's zone) is urgent."""
    return event_day is not None and 0 <= (event_day - today).days <= 1


@dataclass(frozen=True)
class Faq:
    question: str
    answer: str
    keywords: tuple[str, ...]


def best_faq(text: str, entries: Sequence[Faq]) -> Faq | None:
    """The entry whose question or keywords best match what the caller said, if good enough."""
    spoken = text.lower()
    best: tuple[float, Faq | None] = (0.0, None)
    for entry in entries:
        by_question = fuzz.token_set_ratio(spoken, entry.question.lower())
        by_keyword = max(
            (fuzz.partial_ratio(keyword.lower(), spoken) for keyword in entry.keywords if keyword),
            default=0.0,
        )
        score = max(by_question, by_keyword)
        if score > best[0]:
            best = (score, entry)
    return best[1] if best[0] >= FAQ_MIN_SCORE else None


def greeting(business_name: str, caller_first_name: str | None) -> str:
    hello = f"Hi {caller_first_name}, thanks" if caller_first_name else "Thanks"
    return f"{hello} for calling {business_name}! How can I help you today?"


def announcement(staff_first_name: str | None) -> str:
    who = staff_first_name or "a member of our team"
    return f"Thanks for your patience. I'm connecting you with {who} now."


VOICEMAIL_MESSAGE = (
    "Everyone on our team is busy right now. Please leave a message after the tone and we'll "
    "call you back as soon as we can."
)
GOODBYE_SILENT = "I can't hear anything, so I'll end this call. Please call us back anytime!"
FOLLOW_UP = "Is there anything else I can help with? You can also ask for a team member."
