"""Reply drafts, the check before any reply is posted, and the private make-good text."""

from __future__ import annotations

from datetime import date

import pytest

from domain.reviews.replies import (
    GOOGLE_REPLY_LIMIT_BYTES,
    check_reply,
    draft_reply,
    event_month,
    make_good_sms,
    reply_kind,
)

BUSINESS = "Fremont Hibachi Co."
PHONE = "(510) 555-0100"
IDS = [f"review-{n}" for n in range(40)]


def test_the_kind_follows_the_stars_and_the_verdict() -> None:
    assert reply_kind(5, "not_found") == "warm"
    assert reply_kind(4, "uncertain") == "warm"
    assert reply_kind(3, "verified") == "personal_low"
    assert reply_kind(1, "verified") == "personal_low"
    assert reply_kind(2, "uncertain") == "unknown_low"
    assert reply_kind(1, "not_found") == "unknown_low"


@pytest.mark.parametrize("kind", ["warm", "personal_low", "unknown_low"])
def test_every_draft_passes_the_check(kind: str) -> None:
    topics = ["food", "chef", "punctuality", "price", "communication"]
    for review_id in IDS:
        for phone in (PHONE, None):
            for name in ("Sarah", None):
                text = draft_reply(
                    kind,  # type: ignore[arg-type]
                    BUSINESS,
                    name,
                    topics,
                    "March",
                    review_id=review_id,
                    business_phone=phone,
                )
                assert check_reply(text, business_phones=[PHONE]) == [], text


def test_the_same_review_gets_the_same_draft_and_reviews_get_different_ones() -> None:
    def draft(review_id: str) -> str:
        return draft_reply("warm", BUSINESS, "Sarah", ["food"], None, review_id=review_id)

    assert draft("abc") == draft("abc")
    assert len({draft(review_id) for review_id in IDS}) >= 8


def test_a_warm_reply_thanks_and_mentions_a_topic() -> None:
    text = draft_reply("warm", BUSINESS, "Sarah", ["chef"], None, review_id="r1")
    assert text.startswith(("Hi Sarah,", "Hello Sarah,", "Dear Sarah,"))
    assert "chef" in text
    assert BUSINESS in text


def test_a_personal_draft_names_the_month_apologises_and_invites_a_call() -> None:
    text = draft_reply(
        "personal_low", BUSINESS, "Sarah", ["punctuality"], "March", review_id="r1",
        business_phone=PHONE,
    )  # fmt: skip
    assert "March event" in text
    assert "sorry" in text.lower()
    assert PHONE in text
    assert "Timing matters" in text
    without_phone = draft_reply("personal_low", BUSINESS, None, [], None, review_id="r1")
    assert "the number on our profile" in without_phone
    assert "your event" in without_phone


def test_a_draft_for_an_unknown_reviewer_asks_which_event() -> None:
    for review_id in IDS[:10]:
        text = draft_reply("unknown_low", BUSINESS, "Sam", ["food"], None, review_id=review_id)
        assert "which event" in text.lower()
        assert "reach you" in text.lower()


def test_event_month_names_the_month_only() -> None:
    assert event_month(date(2026, 3, 14)) == "March"


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        draft_reply("angry", BUSINESS, None, [], None, review_id="r")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a" * (GOOGLE_REPLY_LIMIT_BYTES + 1), "too long"),
        ("é" * (GOOGLE_REPLY_LIMIT_BYTES // 2 + 1), "too long"),  # bytes, not characters
        ("Sarah, we called you at (510) 555-0142.", "phone number"),
        ("Call Sarah on 510.555.0142", "phone number"),
        ("Her number is +1 510 555 0142", "phone number"),
        ("Reach her at 555-0142", "phone number"),
        ("We emailed sarah.j@example.com", "email"),
        ("Your $1,250.00 balance", "amount of money"),
        ("You paid 300 dollars", "amount of money"),
        ("We drove to 4521 Mission Blvd", "address"),
        ("at 12 Oak Street", "address"),
        ("Apt 4B was hard to find", "address"),
        ("in Fremont, CA 94538", "address"),
        ("Enjoy 10% off your next event", "offers"),
        ("A discount is on its way", "offers"),
        ("We'll refund the deposit", "offers"),
        ("Here is a coupon", "offers"),
        ("Your next appetizer is free", "offers"),
        ("Le ofrecemos un descuento", "offers"),
    ],
)
def test_the_check_finds_what_must_not_be_posted(text: str, problem: str) -> None:
    problems = check_reply(text)
    assert any(problem in found for found in problems), problems


@pytest.mark.parametrize(
    "text",
    [
        "Thank you, Sarah! Feel free to reach out any time.",
        "We now offer gluten-free sauces.",
        "Our 10 chefs loved the way the 25 guests cheered on the 4th.",
        "Thanks for celebrating 40 years with us!",
    ],
)
def test_the_check_lets_ordinary_replies_through(text: str) -> None:
    assert check_reply(text) == []


def test_the_businesss_own_number_may_be_given() -> None:
    text = f"Please call us at {PHONE}."
    assert check_reply(text, business_phones=["+15105550100"]) == []
    assert check_reply(text) != []


def test_the_make_good_is_private_plain_and_unconditional() -> None:
    text = make_good_sms(BUSINESS, "Sarah", 10)
    assert text.startswith("Hi Sarah, this is Fremont Hibachi Co. ")
    assert "10% off your next event" in text
    assert "doesn't depend on any review" in text
    assert text.isascii()  # one GSM-7 segment encoding, no curly quotes
    for asks in ("remove", "change your review", "update your review", "edit"):
        assert asks not in text.lower()
    assert make_good_sms(BUSINESS, None, 15).startswith("Hi, this is")
    with pytest.raises(ValueError):
        make_good_sms(BUSINESS, "Sarah", 0)
