"""The call classifier's phrase rules: matching, overlaps, negation, questions, staff names."""

from __future__ import annotations

import pytest

from domain.calls import triage_phrases as phrases
from domain.calls import triage_rules as rules
from domain.calls import triage_staff as staffing
from domain.calls.triage_text import BOUNDARY, normalise

INDEX = rules.PhraseIndex(phrases.TABLES)


def _evidence(text: str) -> rules.Evidence:
    return rules.evidence(INDEX, normalise(text))


def _categories(matches: list[rules.Match]) -> set[str]:
    return {m.category for m in matches}


def test_a_pattern_needs_words_at_both_ends_and_prefixes_of_three_letters() -> None:
    with pytest.raises(ValueError, match="starts and ends"):
        rules.compile_phrase("x", "... cancel", 2)
    with pytest.raises(ValueError, match="prefix too short"):
        rules.compile_phrase("x", "ca* it", 2)


def test_a_gap_skips_up_to_three_words_within_a_clause() -> None:
    index = rules.PhraseIndex({"x": (("move ... date", 2),)})
    assert index.matches(normalise("move the party date"))
    assert index.matches(normalise("move the whole big party date")) == []
    assert index.matches(normalise("move it, date")) == []


def test_the_heavier_then_longer_match_keeps_overlapping_words() -> None:
    found = _evidence("what's your cancellation policy")
    assert _categories(found.matches) == {"faq"}
    price = _evidence("how much per person")
    assert "person" not in _categories(price.matches)


@pytest.mark.parametrize(
    "text",
    [
        "I don't need a manager",
        "no need for a person",
        "I don't want to talk to anyone",
        "you don't have to transfer me",
        "no necesito un agente",
        "no quiero hablar con nadie",
    ],
)
def test_a_negated_request_for_a_person_is_set_apart(text: str) -> None:
    found = _evidence(text)
    assert found.declined("person")
    assert not found.of("person")


def test_a_negation_does_not_reach_across_a_verb_of_its_own() -> None:
    found = _evidence("I don't know, can I talk to a manager")
    assert found.of("person") and not found.declined("person")


@pytest.mark.parametrize(
    "text",
    [
        "you never refunded my deposit",
        "the chef didn't clean up anything",
        "he did not apologize",
    ],
)
def test_complaints_told_with_a_negation_still_count(text: str) -> None:
    assert _evidence(text).of("complaint")


@pytest.mark.parametrize("text", ["I don't want a refund", "no complaints at all"])
def test_a_negated_wish_takes_a_complaint_cue_back(text: str) -> None:
    found = _evidence(text)
    assert not found.of("complaint") and found.declined("complaint")


@pytest.mark.parametrize("text", ["I was talking to someone else", "I already spoke to a manager"])
def test_a_person_in_a_story_is_not_a_request(text: str) -> None:
    found = _evidence(text)
    assert not found.of("person") and not found.declined("person")
    assert found.stories


def test_without_negated_cuts_the_negation_and_what_it_negates() -> None:
    tokens = normalise("no need for a manager, just the price")
    kept = rules.without_negated(tokens, rules.evidence(INDEX, tokens))
    assert [t for t in kept if t != BOUNDARY] == ["just", "the", "price"]


@pytest.mark.parametrize(
    "text",
    [
        "what happens if the chef is late",
        "what if there's a fire on the grill",
        "what do you do if a guest has an allergic reaction",
    ],
)
def test_a_question_about_a_case_is_not_an_emergency_or_a_complaint(text: str) -> None:
    found = _evidence(text)
    assert not found.of("emergency") and not found.of("complaint")


def test_a_plain_if_does_not_take_a_complaint_back() -> None:
    assert _evidence("I want to know if I can get a refund").of("complaint")


STAFF = ("Jessica Wu", "Chef Marco Rossi", "Ana Lopez")


def _staff_request(text: str) -> staffing.StaffRequest | None:
    tokens = normalise(text)
    names = staffing.staff_first_names(STAFF)
    mentions = staffing.staff_mentions(tokens, names, frozenset({"march", "anna"}))
    return staffing.staff_request(tokens, mentions)


def test_first_names_without_titles_and_how_to_write_them() -> None:
    names = staffing.staff_first_names(STAFF)
    assert dict(names) == {"jessica": "Jessica Wu", "marco": "Marco Rossi", "ana": "Ana Lopez"}


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("is Jessica there", "Jessica Wu"),
        ("please have Marco call me", "Marco Rossi"),
        ("pasame con Ana", "Ana Lopez"),
        ("Jessica?", "Jessica Wu"),
        ("can I talk to Jesica", "Jessica Wu"),  # one letter off, after a clear request
    ],
)
def test_asking_for_a_staff_member(text: str, who: str) -> None:
    request = _staff_request(text)
    assert request is not None and request[0] == who


@pytest.mark.parametrize(
    "text",
    [
        "Jessica helped me book last time",
        "I sent the deposit to Ana on Zelle",
        "we'd love to have Marco as our chef",
        "what dates do you have in March",  # a month, one letter from "Marco"
        "I don't need to talk to Jessica",
        "Jesica was great",  # one letter off, and no request around it
    ],
)
def test_mentioning_a_staff_member_is_not_asking_for_them(text: str) -> None:
    assert _staff_request(text) is None


def test_a_caller_who_says_who_they_are_is_not_asking_for_one() -> None:
    found = _evidence("this is the catering manager at the winery")
    assert not found.of("person") and found.stories
    assert _evidence("I'm looking for a manager").of("person")


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("Marco called me and told me to ask for him", "Marco Rossi"),
        ("Jessica left a message saying to call her back", "Jessica Wu"),
        ("can I talk to chef Marco", "Marco Rossi"),
    ],
)
def test_a_name_then_a_request_for_him_or_her(text: str, who: str) -> None:
    request = _staff_request(text)
    assert request is not None and request.who == who


def test_a_chef_asked_for_by_title_to_cook_is_booked_not_asked_for() -> None:
    assert _staff_request("could we get chef Marco again for our party") is None


def test_the_words_of_a_staff_request_are_its_positions() -> None:
    request = _staff_request("is Ana available")
    assert request is not None
    assert request.positions == frozenset({0, 1, 2})  # "is", "ana", "available"


CRISIS = rules.PhraseIndex(phrases.CRISIS_TABLES, compete=False)


def _crisis(text: str) -> set[str]:
    return _categories(rules.evidence(CRISIS, normalise(text)).matches)


def test_crisis_tables_take_no_words_from_each_other() -> None:
    # "started to rain" is a time, and "rain" a trouble, both at once.
    assert {"now", "trouble"} <= _crisis("it just started to rain")


@pytest.mark.parametrize(
    "text",
    ["what if it rains today", "it's supposed to storm tonight", "it usually rains in March"],
)
def test_a_question_or_a_forecast_is_no_trouble(text: str) -> None:
    assert "trouble" not in _crisis(text)


def test_guests_waiting_are_a_crisis_of_their_own() -> None:
    assert "waiting" in _crisis("all our guests are waiting")
