"""Normalising what speech-to-text gives the call classifier, and correcting key words."""

from __future__ import annotations

import pytest

from domain.calls.triage_text import BOUNDARY, Speller, normalise, words


def test_accents_case_and_apostrophes_go() -> None:
    assert normalise("Cumpleaños de MAMÁ, I'd like it") == [
        "cumpleanos",
        "de",
        "mama",
        BOUNDARY,
        "id",
        "like",
        "it",
    ]


def test_curly_apostrophes_are_apostrophes() -> None:
    assert normalise("don\u2019t") == normalise("don't") == ["dont"]


def test_fillers_are_dropped() -> None:
    assert normalise("um I uh need to cancel hmm") == ["i", "need", "to", "cancel"]
    assert normalise("uh um") == []


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("I wanna book", ["i", "want", "to", "book"]),
        ("gonna cancel", ["going", "to", "cancel"]),
        ("lemme talk to someone", ["let", "me", "talk", "to", "someone"]),
        ("can u call me pls", ["can", "you", "call", "me", "please"]),
        ("20 ppl", ["20", "people"]),
    ],
)
def test_spoken_forms_are_written_out(spoken: str, written: list[str]) -> None:
    assert normalise(spoken) == written


def test_but_and_pero_end_a_clause_like_punctuation() -> None:
    assert normalise("book it but no") == ["book", "it", BOUNDARY, "no"]
    assert normalise("reservar pero no") == ["reservar", BOUNDARY, "no"]
    assert words(normalise("a, b. c")) == ["a", "b", "c"]


def _speller() -> Speller:
    return Speller(
        targets=("hibachi", "cancel", "representative", "price"),
        known={"prize", "price"},
        prefixes=("reserv",),
    )


@pytest.mark.parametrize(
    ("heard", "meant"),
    [
        ("habachi", "hibachi"),  # one edit
        ("hibachy", "hibachi"),
        ("cancle", "cancel"),  # a transposition is one edit
        ("representitive", "representative"),  # two edits in a long word
    ],
)
def test_a_misspelt_key_word_is_corrected(heard: str, meant: str) -> None:
    tokens, corrections = _speller().fix(["a", heard, "party"])
    assert tokens == ["a", meant, "party"]
    assert corrections == {heard: meant}


@pytest.mark.parametrize(
    "token",
    [
        "prize",  # a real word we know, one letter from "price"
        "reservations",  # starts with a known prefix
        "kancel",  # a different first letter
        "hbchi",  # too far
        "cost",  # too short to guess at
        "h1bachi",  # not a word
    ],
)
def test_known_short_or_distant_words_are_left_alone(token: str) -> None:
    assert _speller().fix([token]) == ([token], {})
