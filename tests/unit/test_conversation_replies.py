"""The built-in answers to a customer's turn."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from domain.calls.rules import Faq
from domain.messaging.replies import (
    BookingSummary,
    ReplyAction,
    ReplyContext,
    asks_about_own_booking,
    booking_answer,
    builtin_reply,
    hand_off_notice,
    is_acknowledgement,
    is_greeting,
)

GRILL = Faq("Do you bring your own grill?", "Yes, we bring the grill.", ("grill", "propane"))
LICENSED = Faq("Are you licensed and insured?", "Yes, licensed and insured.", ("insured",))
BOOKING = BookingSummary(
    reference="TP-1042",
    starts_at_local=datetime(2026, 12, 5, 18, 0, tzinfo=ZoneInfo("America/Los_Angeles")),
    guests=20,
    balance_cents=96000,
)


def _context(**changes: object) -> ReplyContext:
    base: dict[str, object] = {
        "business_name": "Fremont Hibachi Co.",
        "business_phone": "+15105550100",
        "customer_first_name": "Jennifer",
        "is_lead": True,
        "faqs": (GRILL, LICENSED),
        "staff_names": ("Olivia Owner",),
    }
    return ReplyContext(**(base | changes))  # type: ignore[arg-type]


def test_a_faq_question_gets_its_answer() -> None:
    decision = builtin_reply(["Do you bring your own grill?"], _context())
    assert decision.action is ReplyAction.REPLY
    assert decision.text == GRILL.answer and not decision.wants_quote


def test_a_burst_gets_every_answer_once_and_greetings_add_nothing() -> None:
    decision = builtin_reply(
        ["Hi!", "do you bring the grill?", "and are you insured?", "the grill, I mean"],
        _context(),
    )
    assert decision.action is ReplyAction.REPLY
    assert decision.text == f"{GRILL.answer} {LICENSED.answer}"


@pytest.mark.parametrize(
    "messages",
    [
        ["can I talk to a real person"],
        ["Do you bring the grill?", "actually let me speak to a manager"],
    ],
)
def test_asking_for_a_person_hands_off(messages: list[str]) -> None:
    decision = builtin_reply(messages, _context())
    assert decision.action is ReplyAction.HAND_OFF and decision.intent == "human"
    assert not decision.complaint and decision.text == ""


def test_a_complaint_hands_off_as_a_complaint() -> None:
    decision = builtin_reply(["The food was cold and the chef was rude"], _context())
    assert decision.action is ReplyAction.HAND_OFF and decision.complaint


def test_what_nobody_understands_goes_to_a_person() -> None:
    decision = builtin_reply(["asdf qwer zxcv"], _context())
    assert decision.action is ReplyAction.HAND_OFF
    assert "unsure" in decision.reason


def test_one_unanswerable_message_hands_off_the_whole_turn() -> None:
    decision = builtin_reply(["Do you bring the grill?", "asdf qwer zxcv"], _context())
    assert decision.action is ReplyAction.HAND_OFF


def test_a_change_goes_to_a_person() -> None:
    decision = builtin_reply(["can I reschedule my event"], _context(next_booking=BOOKING))
    assert decision.action is ReplyAction.HAND_OFF
    assert "person" in decision.reason


def test_a_question_about_the_booking_is_looked_up() -> None:
    decision = builtin_reply(["When is my booking?"], _context(next_booking=BOOKING))
    assert decision.action is ReplyAction.REPLY
    assert decision.text == (
        "Your next event, TP-1042, is on Saturday, December 5 at 6:00 PM for 20 guests. "
        "The balance due is $960.00."
    )


def test_a_question_about_a_booking_nobody_has_goes_to_a_person() -> None:
    decision = builtin_reply(["what do I owe on my event?"], _context())
    assert decision.action is ReplyAction.HAND_OFF


def test_a_paid_booking_says_so() -> None:
    paid = BookingSummary("TP-7", BOOKING.starts_at_local, 12, 0)
    assert booking_answer(paid).endswith("It is paid in full.")


def test_a_price_request_asks_for_the_details_and_marks_the_interest() -> None:
    decision = builtin_reply(["How much for 20 people?"], _context())
    assert decision.action is ReplyAction.REPLY and decision.wants_quote
    assert "how many adults and children" in decision.text


def test_a_price_request_gets_the_open_quote_link() -> None:
    link = "https://teppan.example.com/q/abc"
    decision = builtin_reply(["how much is it?"], _context(quote_link=link))
    assert decision.text.endswith(link) and decision.wants_quote


def test_a_greeting_is_greeted() -> None:
    decision = builtin_reply(["Hello!"], _context())
    assert decision.action is ReplyAction.REPLY
    assert decision.text.startswith("Hi Jennifer! Thanks for reaching Fremont Hibachi Co.")


@pytest.mark.parametrize("messages", [["thanks!"], ["ok", "sounds good 👍"], ["  "]])
def test_thanks_needs_no_answer(messages: list[str]) -> None:
    assert builtin_reply(messages, _context()).action is ReplyAction.SILENT


def test_spam_is_ignored() -> None:
    decision = builtin_reply(
        ["You won a free cruise, press one for your extended warranty"], _context()
    )
    assert decision.action is ReplyAction.SILENT and decision.intent == "spam"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("When is my booking?", True),
        ("what do I owe", True),
        ("balance on TP-1042?", True),
        ("I want to cancel my booking", False),
        ("Do you bring the grill?", False),
    ],
)
def test_own_booking_questions(text: str, expected: bool) -> None:
    assert asks_about_own_booking(text) is expected


def test_greetings_and_acknowledgements() -> None:
    assert is_greeting("Hey there!") and is_greeting("good morning")
    assert not is_greeting("hi, how much for 20?")
    assert is_acknowledgement("Thank you so much!") and is_acknowledgement("ok")
    assert not is_acknowledgement("ok but how much?")


def test_the_hand_off_notice_names_who_answers() -> None:
    assert hand_off_notice("Jennifer", "Olivia Owner", complaint=False) == (
        "Thanks, Jennifer. I've passed your message to Olivia from our team, who will reply "
        "here shortly."
    )
    assert "I'm sorry about this." in hand_off_notice(None, None, complaint=True)
    assert "someone from our team" in hand_off_notice(None, None, complaint=False)


def test_a_person_asked_for_with_another_matter_still_hands_off() -> None:
    decision = builtin_reply(
        ["how much for 30 people? can someone call me back about it"], _context()
    )
    assert decision.action is ReplyAction.HAND_OFF
    assert decision.intent == "quote_request" and not decision.complaint
