"""The AI's answer to a customer's turn (one message or a burst), built in: no model needed.

Every message of the turn is classified by the call triage (`domain.calls.triage.classify`);
the turn is answered only when every message is understood:
1. anyone asking for a person, complaining or in an emergency hands the conversation off (the
   classifier's other escalations, for calls it finds ambiguous, are judged by the rules below);
2. spam is ignored, and a turn of only "thanks" / "ok" needs no answer;
3. a question about the customer's own booking is answered from it (reference, date and time
   in the business's zone, balance); a change or cancellation goes to a person, and so does a
   question about a booking the customer does not have;
4. a price or booking request gets the customer's open quote link, or what we need to price it;
5. questions answered by the business's FAQ get its answers (the calls' FAQ matcher);
6. a bare greeting gets a greeting back;
7. anything else (the classifier is unsure) goes to a person.
A language model, when configured, answers through `ReplyModel` with the same context.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from core.money import dollars
from domain.calls.rules import Faq, best_faq
from domain.calls.triage import Intent, TriageResult, classify

# Below this the classifier's intent is a guess: a person answers instead.
UNSURE_BELOW = 0.5
MAX_REPLY_CHARS = 1000


class ReplyAction(StrEnum):
    REPLY = "reply"
    HAND_OFF = "hand_off"
    SILENT = "silent"


@dataclass(frozen=True)
class BookingSummary:
    reference: str
    starts_at_local: datetime  # in the business's time zone
    guests: int
    balance_cents: int


@dataclass(frozen=True)
class ThreadLine:
    speaker: str  # "customer" or "business"
    text: str


@dataclass(frozen=True)
class ReplyContext:
    business_name: str
    business_phone: str
    customer_first_name: str | None
    is_lead: bool  # no booking yet
    faqs: tuple[Faq, ...] = ()
    staff_names: tuple[str, ...] = ()
    next_booking: BookingSummary | None = None
    quote_link: str | None = None  # the customer's open quote page
    thread: tuple[ThreadLine, ...] = field(default=())  # recent messages, oldest first


@dataclass(frozen=True)
class ReplyDecision:
    action: ReplyAction
    reason: str
    intent: str  # an `Intent` value
    text: str = ""  # the answer, for REPLY
    complaint: bool = False  # a hand-off because the customer is unhappy
    wants_quote: bool = False  # asked for a price or to book: a lead's interest is recorded


class ReplyModel(Protocol):
    def reply(self, messages: Sequence[str], context: ReplyContext) -> ReplyDecision:
        """The answer to the customer's new messages. Raises ProviderTransientError or
        ProviderRejectedError; the caller then answers with `builtin_reply`."""
        ...


_OWN_BOOKING = re.compile(
    r"\b(my|our) (booking|event|party|reservation|order|chef|balance|deposit|invoice)\b"
    r"|\b(i|we) owe\b|\bbalance\b|\bbooking (number|reference)\b|\btp-\d+\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-záéíóúñ']+")
_GREETINGS = frozenset({"hi", "hello", "hey", "hola", "yo", "morning", "afternoon", "evening"})
_ACKNOWLEDGEMENTS = frozenset(
    {
        "thanks", "thank", "you", "thx", "ty", "ok", "okay", "k", "great", "cool", "perfect",
        "awesome", "sounds", "good", "got", "it", "will", "do", "gracias", "sure", "nice",
        "yes", "yep", "alright", "much", "appreciate", "so", "very",
    }
)  # fmt: skip


_CHANGE = re.compile(
    r"\b(change|move|moving|reschedul\w*|cancel\w*|postpone|push (it|back)|switch)\b",
    re.IGNORECASE,
)


def asks_about_own_booking(text: str) -> bool:
    """A question about the customer's own booking that a look-up answers (not a change)."""
    return _OWN_BOOKING.search(text) is not None and _CHANGE.search(text) is None


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def is_greeting(text: str) -> bool:
    words = [word for word in _words(text) if word != "good" and word != "there"]
    return bool(words) and len(words) <= 3 and all(word in _GREETINGS for word in words)


def is_acknowledgement(text: str) -> bool:
    """'thanks!', 'ok sounds good', an emoji: nothing that needs an answer."""
    words = _words(text)
    return all(word in _ACKNOWLEDGEMENTS for word in words) and len(words) <= 6


def booking_answer(booking: BookingSummary) -> str:
    start = booking.starts_at_local
    when = f"{start:%A, %B} {start.day} at {start:%I:%M %p}".replace(" 0", " ")
    owed = (
        f"The balance due is {dollars(booking.balance_cents)}."
        if booking.balance_cents > 0
        else "It is paid in full."
    )
    return f"Your next event, {booking.reference}, is on {when} for {booking.guests} guests. {owed}"


def quote_answer(context: ReplyContext) -> str:
    if context.quote_link:
        return f"Here is your quote, with the price and how to accept it: {context.quote_link}"
    return (
        "We'd love to cook for you! To price your event, reply with the date, the address "
        "(street and city or ZIP) and how many adults and children will eat."
    )


def greeting_answer(context: ReplyContext) -> str:
    hello = f"Hi {context.customer_first_name}!" if context.customer_first_name else "Hi!"
    return (
        f"{hello} Thanks for reaching {context.business_name}. Ask us about prices, "
        "availability or your booking, or ask for a person anytime."
    )


def hand_off_notice(
    customer_first_name: str | None, staff_name: str | None, complaint: bool
) -> str:
    """What the customer is told when a person takes over."""
    thanks = f"Thanks, {customer_first_name}." if customer_first_name else "Thanks."
    sorry = "I'm sorry about this. " if complaint else ""
    who = f"{staff_name.split()[0]} from our team" if staff_name else "someone from our team"
    return f"{thanks} {sorry}I've passed your message to {who}, who will reply here shortly."


def builtin_reply(messages: Sequence[str], context: ReplyContext) -> ReplyDecision:
    texts = [text.strip() for text in messages if text.strip()]
    triaged = [(text, classify(text, staff_names=context.staff_names)) for text in texts]
    for _, result in triaged:
        # The call triage also escalates calls it finds ambiguous; a message waits for an
        # answer, so only a request for a person, a complaint or an emergency hands off here.
        if (
            result.intent in (Intent.HUMAN, Intent.COMPLAINT)
            or result.emergency
            or result.person_asked
        ):
            return ReplyDecision(
                ReplyAction.HAND_OFF,
                result.reason,
                result.intent.value,
                complaint=result.intent is Intent.COMPLAINT,
            )
    if triaged and all(result.intent is Intent.SPAM for _, result in triaged):
        return ReplyDecision(ReplyAction.SILENT, "spam", Intent.SPAM.value)
    if all(is_acknowledgement(text) for text in texts):
        return ReplyDecision(ReplyAction.SILENT, "nothing to answer", Intent.OTHER.value)
    answers: list[str] = []
    wants_quote = False
    intent = Intent.OTHER
    for text, result in triaged:
        if is_acknowledgement(text) or is_greeting(text):
            continue
        answer, unsure = _answer_one(text, result, context)
        if answer is None:
            return ReplyDecision(ReplyAction.HAND_OFF, unsure, result.intent.value)
        if answer not in answers:
            answers.append(answer)
        wants_quote = wants_quote or result.intent in (Intent.QUOTE_REQUEST, Intent.NEW_BOOKING)
        intent = result.intent if intent is Intent.OTHER else intent
    if not answers:
        return ReplyDecision(
            ReplyAction.REPLY, "a greeting", Intent.OTHER.value, greeting_answer(context)
        )
    return ReplyDecision(
        ReplyAction.REPLY,
        f"answered {len(answers)} question{'s' if len(answers) > 1 else ''}",
        intent.value,
        " ".join(answers)[:MAX_REPLY_CHARS],
        wants_quote=wants_quote,
    )


def _answer_one(text: str, result: TriageResult, context: ReplyContext) -> tuple[str | None, str]:
    """(the answer, or None and why a person should answer instead)."""
    booking = context.next_booking
    if asks_about_own_booking(text):
        if booking is not None:
            return booking_answer(booking), ""
        return None, "Asked about their booking, but none is upcoming under this customer."
    if result.intent in (Intent.CHANGE_BOOKING, Intent.CANCEL_BOOKING):
        return None, f"{result.reason} Changes and cancellations are made by a person."
    if result.intent is Intent.PAYMENT and booking is not None:
        return booking_answer(booking), ""
    # A booking or price request is answered as one, even when it shares words with an FAQ
    # ("are you free Dec 12 for 20 people" is not a question about travel).
    if result.intent in (Intent.QUOTE_REQUEST, Intent.NEW_BOOKING):
        return quote_answer(context), ""
    faq = best_faq(text, context.faqs)
    if faq is not None:
        return faq.answer, ""
    if result.intent is Intent.SPAM:
        return None, result.reason
    unsure = result.intent is Intent.OTHER or result.confidence < UNSURE_BELOW
    why = "The assistant is unsure what the customer wants" if unsure else result.reason
    return None, f"{why}: {text[:120]!r}."
