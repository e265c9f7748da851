"""Filling and previewing the owner's texts: strict about placeholders, plain about length."""

from __future__ import annotations

import pytest

from domain.messaging.models import TemplateKind
from domain.messaging.templates import (
    DEFAULTS,
    PLACEHOLDERS,
    SAMPLE_VALUES,
    TemplateError,
    check,
    fill,
    preview,
    sms_length,
)

CONTEXT = {"first_name": "Jennifer", "business_name": "Fremont Hibachi Co."}


def test_fill_replaces_each_placeholder() -> None:
    assert fill("Hi {first_name}, it's {business_name}!", CONTEXT) == (
        "Hi Jennifer, it's Fremont Hibachi Co.!"
    )


def test_fill_keeps_doubled_braces_as_braces() -> None:
    assert fill("{{first_name}} is {first_name}", CONTEXT) == "{first_name} is Jennifer"


def test_fill_does_not_fill_placeholders_inside_values() -> None:
    assert fill("{first_name}", {"first_name": "{business_name}"}) == "{business_name}"


def test_an_unknown_placeholder_is_refused_with_the_ones_that_exist() -> None:
    with pytest.raises(TemplateError) as refused:
        fill("Hi {frist_name} and {frist_name}, see {link}", CONTEXT)
    assert refused.value.message == (
        "Unknown placeholders {frist_name}, {link}. Use only {business_name}, {first_name}."
    )


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("Hi {first_name", "not closed"),
        ("Hi first_name}", "not closed"),
        ("Hi {}", "Empty braces"),
        ("Hi {first_name!r}", "plainly, like {first_name}"),
        ("Hi {first_name:>20}", "plainly, like {first_name}"),
    ],
)
def test_malformed_placeholders_are_refused_with_a_hint(body: str, words: str) -> None:
    with pytest.raises(TemplateError) as refused:
        fill(body, CONTEXT)
    assert words in refused.value.message


def test_attribute_access_is_just_an_unknown_placeholder() -> None:
    with pytest.raises(TemplateError, match=r"Unknown placeholder \{first_name\.__class__\}"):
        fill("{first_name.__class__}", CONTEXT)


@pytest.mark.parametrize("kind", list(TemplateKind))
def test_every_default_fills_with_the_sample_values_and_fits_in_two_texts(
    kind: TemplateKind,
) -> None:
    shown = preview(kind, DEFAULTS[kind])
    assert "{" not in shown.text and "}" not in shown.text
    assert not shown.length.unicode  # plain characters: 160 a part, not 70
    assert shown.length.segments <= 2


def test_the_reminder_says_when_the_chef_arrives_and_what_to_prepare() -> None:
    text = preview(TemplateKind.EVENT_REMINDER, DEFAULTS[TemplateKind.EVENT_REMINDER]).text
    assert SAMPLE_VALUES["arrival_time"] in text
    for what in ("flat", "10x10 ft", "outlet", "tables and chairs", "plates and drinks"):
        assert what in text


def test_the_review_request_carries_the_link_and_no_condition() -> None:
    body = DEFAULTS[TemplateKind.REVIEW_REQUEST]
    assert "{review_link}" in body
    assert "if you" not in body.lower()  # asks everyone: no "if you enjoyed it"


def test_a_lead_follow_up_cannot_use_booking_placeholders() -> None:
    with pytest.raises(TemplateError, match=r"Unknown placeholder \{event_date\}"):
        preview(TemplateKind.LEAD_FOLLOW_UP, "Hi {first_name}, still on for {event_date}?")


def test_preview_uses_the_business_own_values_when_given() -> None:
    shown = preview(
        TemplateKind.BOOKING_CONFIRMATION,
        "{business_name} says hi",
        {"business_name": "Sakura Grill"},
    )
    assert shown.text == "Sakura Grill says hi"


def test_check_tidies_and_refuses_empty_or_too_long_wording() -> None:
    assert (
        check(TemplateKind.REVIEW_REQUEST, "  Thanks {first_name}!\r\n ") == "Thanks {first_name}!"
    )
    with pytest.raises(TemplateError, match="cannot be empty"):
        check(TemplateKind.REVIEW_REQUEST, "   ")
    with pytest.raises(TemplateError, match="At most 1000 characters"):
        check(TemplateKind.REVIEW_REQUEST, "x" * 1001)


def test_every_placeholder_has_a_sample_and_an_explanation() -> None:
    assert set(SAMPLE_VALUES) == set(PLACEHOLDERS)


@pytest.mark.parametrize(
    ("text", "segments", "unicode"),
    [
        ("x" * 160, 1, False),
        ("x" * 161, 2, False),
        ("x" * 306, 2, False),
        ("x" * 307, 3, False),
        ("[" * 80, 1, False),  # two septets each
        ("[" * 81, 2, False),
        ("“quoted”" + "x" * 60, 1, True),
        ("“quoted”" + "x" * 63, 2, True),
    ],
)
def test_sms_length_counts_parts_as_carriers_do(text: str, segments: int, unicode: bool) -> None:
    length = sms_length(text)
    assert (length.segments, length.unicode) == (segments, unicode)
