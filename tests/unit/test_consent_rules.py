"""Consent keywords, allowed hours, per-matter caps and rate limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.messaging.area_codes import place_of
from domain.messaging.consent_rules import (
    ConsentKeyword,
    SendFacts,
    Verdict,
    consent_keyword,
    daytime_opens,
    decide,
    matter_cap_frees,
    rate_limit_frees,
    recipient_for,
)
from domain.messaging.models import MessageKind

PACIFIC = "America/Los_Angeles"


@pytest.mark.parametrize(
    "text",
    ["STOP", "stop", "Stop.", "STOPALL", "unsubscribe", "Cancel", "END", "quit", "REVOKE",
     "OPT OUT", "optout", "please stop texting me", "Stop texting me!!", "don't text me anymore",
     "Do not message me again", "remove me from your list", "take my number off your list",
     "no more texts please", "I want to opt out", "Unsubscribe me", "BAJA",
     "ya no me manden mensajes", "deja de enviarme mensajes", "stop sending me these"],
)  # fmt: skip
def test_opt_out_words_and_plain_requests(text: str) -> None:
    assert consent_keyword(text) is ConsentKeyword.OPT_OUT


@pytest.mark.parametrize(
    "text",
    ["can you stop by earlier?", "I need to cancel my booking", "cancel the lobster add-on",
     "we'll end around 9", "the party starts at 6", "Is the deposit refundable if I cancel?",
     "help me pick a package", "yes please", "Yes", "yes!"],
)  # fmt: skip
def test_other_texts_are_not_opt_outs(text: str) -> None:
    assert consent_keyword(text) is None


@pytest.mark.parametrize("text", ["START", "unstop", "Unstop.", "subscribe"])
def test_opt_in_words(text: str) -> None:
    assert consent_keyword(text) is ConsentKeyword.OPT_IN


@pytest.mark.parametrize("text", ["HELP", "help", "Info", "AYUDA"])
def test_help_words(text: str) -> None:
    assert consent_keyword(text) is ConsentKeyword.HELP


def test_area_codes_give_state_and_zone() -> None:
    assert place_of("+15105550111") is not None
    assert place_of("+13055550111").state == "FL"  # type: ignore[union-attr]
    assert place_of("+18505550111").timezone == "America/Chicago"  # type: ignore[union-attr]
    assert place_of("+442071234567") is None
    assert place_of("+19995550111") is None


def _utc(local: str, zone: str = PACIFIC) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def test_daytime_in_the_recipients_zone() -> None:
    bay_area = recipient_for("+15105550111", PACIFIC)
    assert daytime_opens(_utc("2026-12-02T10:00"), bay_area) is None
    assert daytime_opens(_utc("2026-12-02T20:59"), bay_area) is None
    assert daytime_opens(_utc("2026-12-02T21:00"), bay_area) == _utc("2026-12-03T08:00")
    assert daytime_opens(_utc("2026-12-02T06:30"), bay_area) == _utc("2026-12-02T08:00")


def test_a_number_from_another_zone_must_suit_both() -> None:
    new_yorker = recipient_for("+12125550111", PACIFIC)
    # 6pm in California is 9pm in New York: too late there.
    opens = daytime_opens(_utc("2026-12-02T18:00"), new_yorker)
    assert opens == _utc("2026-12-03T08:00")  # 8am Pacific is 11am Eastern: fine for both
    # 7am in California is 10am in New York: still too early in California.
    assert daytime_opens(_utc("2026-12-02T07:00"), new_yorker) == _utc("2026-12-02T08:00")


def test_florida_closes_at_eight_and_caps_a_matter_at_three_a_day() -> None:
    miami = recipient_for("+13055550111", "America/New_York")
    assert daytime_opens(_utc("2026-12-02T20:30", "America/New_York"), miami) is not None
    california = recipient_for("+15105550111", PACIFIC)
    assert daytime_opens(_utc("2026-12-02T20:30"), california) is None
    now = _utc("2026-12-02T12:00", "America/New_York")
    sent = [now - timedelta(hours=h) for h in (1, 2, 3)]
    assert matter_cap_frees(now, miami, sent) == sent[-1] + timedelta(days=1)
    assert matter_cap_frees(now, miami, sent[:2]) is None
    assert matter_cap_frees(now, california, sent) is None


def test_sliding_window_rate_limit() -> None:
    now = datetime(2026, 12, 2, 18, tzinfo=UTC)
    sent = [now - timedelta(minutes=m) for m in (5, 20, 50, 70)]
    assert rate_limit_frees(now, sent, limit=3, period=timedelta(hours=1)) == sent[2] + timedelta(
        hours=1
    )
    assert rate_limit_frees(now, sent, limit=4, period=timedelta(hours=1)) is None


NOON_PACIFIC = _utc("2026-12-02T12:00")
FACTS = SendFacts(
    kind=MessageKind.REMINDER,
    to_number="+15105550111",
    business_timezone=PACIFIC,
    texting_paused=False,
    opted_out=False,
    written_consent=True,
    sent_to_number_last_hour=[],
    sent_by_business_last_minute=[],
    sent_on_matter_last_day=[],
    per_number_per_hour=6,
    per_business_per_minute=60,
)


def test_a_reminder_at_noon_goes() -> None:
    assert decide(FACTS, NOON_PACIFIC).verdict is Verdict.SEND


def test_the_owners_switch_holds_everything_even_staff_texts() -> None:
    for kind in MessageKind:
        decision = decide(replace(FACTS, kind=kind, texting_paused=True), NOON_PACIFIC)
        assert decision.verdict is Verdict.HOLD and "paused" in decision.reason


def test_opted_out_numbers_get_only_answers_and_the_confirmation() -> None:
    opted_out = replace(FACTS, opted_out=True)
    for kind in (MessageKind.REMINDER, MessageKind.MARKETING, MessageKind.TRANSACTIONAL):
        decision = decide(replace(opted_out, kind=kind), NOON_PACIFIC)
        assert decision.verdict is Verdict.SUPPRESS and "opted out" in decision.reason
    assert (
        decide(replace(opted_out, kind=MessageKind.CONSENT), NOON_PACIFIC).verdict is Verdict.SEND
    )
    # An answer goes only to a customer who wrote in the last day.
    answer = replace(opted_out, kind=MessageKind.CONVERSATION)
    wrote = replace(answer, last_inbound_at=NOON_PACIFIC - timedelta(hours=2))
    assert decide(wrote, NOON_PACIFIC).verdict is Verdict.SEND
    stale = replace(answer, last_inbound_at=NOON_PACIFIC - timedelta(days=3))
    assert decide(stale, NOON_PACIFIC).verdict is Verdict.SUPPRESS
    assert decide(answer, NOON_PACIFIC).verdict is Verdict.SUPPRESS


def test_marketing_needs_written_consent() -> None:
    decision = decide(
        replace(FACTS, kind=MessageKind.MARKETING, written_consent=False), NOON_PACIFIC
    )
    assert decision.verdict is Verdict.SUPPRESS
    assert decide(replace(FACTS, written_consent=False), NOON_PACIFIC).verdict is Verdict.SEND
    # A lead who wrote this week may get a follow-up in that conversation.
    lead = replace(
        FACTS,
        kind=MessageKind.MARKETING,
        written_consent=False,
        last_inbound_at=NOON_PACIFIC - timedelta(days=2),
    )
    assert decide(lead, NOON_PACIFIC).verdict is Verdict.SEND
    stale = replace(lead, last_inbound_at=NOON_PACIFIC - timedelta(days=9))
    assert decide(stale, NOON_PACIFIC).verdict is Verdict.SUPPRESS
    assert decide(replace(lead, opted_out=True), NOON_PACIFIC).verdict is Verdict.SUPPRESS


def test_night_holds_reminders_but_not_answers() -> None:
    night = _utc("2026-12-02T22:30")
    held = decide(FACTS, night)
    assert held.verdict is Verdict.HOLD and held.until == _utc("2026-12-03T08:00")
    for kind in (MessageKind.CONVERSATION, MessageKind.CONSENT, MessageKind.TRANSACTIONAL):
        assert decide(replace(FACTS, kind=kind), night).verdict is Verdict.SEND


def test_rate_limits_hold_until_a_slot_frees() -> None:
    busy = [NOON_PACIFIC - timedelta(minutes=m) for m in range(1, 7)]
    held = decide(replace(FACTS, sent_to_number_last_hour=busy), NOON_PACIFIC)
    assert held.verdict is Verdict.HOLD and held.until == busy[-1] + timedelta(hours=1)
    # The opt-out confirmation is never held back by the per-number limit.
    consent = replace(FACTS, kind=MessageKind.CONSENT, sent_to_number_last_hour=busy)
    assert decide(consent, NOON_PACIFIC).verdict is Verdict.SEND
    flood = [NOON_PACIFIC - timedelta(seconds=s) for s in range(60)]
    assert decide(replace(FACTS, sent_by_business_last_minute=flood), NOON_PACIFIC).until
