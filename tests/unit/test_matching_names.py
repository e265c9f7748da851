"""Payer names against customer names."""

from __future__ import annotations

import pytest

from domain.payments.matching import name_similarity
from domain.payments.matching.names import _word_similarity, normalise, words_related


def test_normalise_strips_accents_and_turns_last_comma_first() -> None:
    assert normalise("NGUYỄN, Đức") == "duc nguyen"
    assert normalise("José Peña-Ruiz") == "jose penaruiz"


@pytest.mark.parametrize(
    ("payer", "customer"),
    [
        ("JOHN SMITH", "John Smith"),
        ("SMITH JOHN", "John Smith"),
        ("SMITH, JOHN", "John Smith"),
        ("JOHN A SMITH", "John Smith"),
        ("JOSE PENA", "José Peña"),
        ("NGUYEN VAN AN", "An Nguyễn"),
        ("ZHANG WEI", "Wei Zhang"),
        ("JIHOON KIM", "Ji-hoon Kim"),
    ],
)
def test_same_person(payer: str, customer: str) -> None:
    assert name_similarity(payer, customer).score >= 0.98


@pytest.mark.parametrize(
    ("payer", "customer"),
    [
        ("BOB SMITH", "Robert Smith"),  # nickname
        ("ROBERT SMITH", "Bob Smith"),  # and back
        ("LIZ TAYLOR", "Elizabeth Taylor"),
        ("CHRISTOPHER MONTGOMER", "Christopher Montgomery"),  # cut by the bank
        ("JONATHAN SMTIH", "Jonathan Smith"),  # typo
        ("MARIA GARCIA", "María García López"),  # one of two surnames
    ],
)
def test_likely_the_same_person(payer: str, customer: str) -> None:
    assert 0.85 <= name_similarity(payer, customer).score < 1.0


def test_short_names_are_not_taken_as_cut() -> None:
    assert name_similarity("TOM WILLIAMS", "Tom Williamson").score < 0.9


def test_same_surname_is_a_weaker_signal() -> None:
    match = name_similarity("DAVID NGUYEN", "Linh Nguyen")
    assert 0.4 <= match.score <= 0.6 and "surname" in match.reason


def test_initial_only_stays_below_auto_level() -> None:
    assert name_similarity("J GARCIA", "Jose Garcia").score <= 0.8


def test_known_payer_approved_before() -> None:
    assert name_similarity("DAVID NGUYEN", "Linh Nguyen", ("David Nguyen",)).score >= 0.95


def test_company_paying_for_a_corporate_event() -> None:
    assert name_similarity("ACME ROBOTICS INC", "Acme Robotics (Sarah Lee)").score >= 0.9
    assert name_similarity("SARAH LEE", "Acme Robotics (Sarah Lee)").score >= 0.98
    assert name_similarity("ACME DENTAL LLC", "Acme Robotics (Sarah Lee)").score < 0.5


def test_different_people() -> None:
    assert name_similarity("MICHAEL BROWN", "Jennifer Davis").score == 0.0


@pytest.mark.parametrize(
    ("payer", "customer"),
    [
        ("TOM VANDERBERG", "Tim Vanderberg"),  # a long shared surname is most of the letters
        ("ANA KRISHNAMURTHY", "Anu Krishnamurthy"),
    ],
)
def test_a_relative_is_not_close_as_a_whole(payer: str, customer: str) -> None:
    match = name_similarity(payer, customer)
    assert match.score <= 0.55 and "surname" in match.reason


@pytest.mark.parametrize(
    ("payer", "customer"),
    [
        ("JIHOON KIM", "Ji Hoon Kim"),  # run together, as given
        ("MARYANN SMITH", "Mary Ann Smith"),
        ("SRINIVAS DES", "Srinivas Desai"),  # cut short of the bank's width
    ],
)
def test_words_run_together_or_cut_are_close_as_a_whole(payer: str, customer: str) -> None:
    match = name_similarity(payer, customer)
    assert 0.85 <= match.score < 0.98 and match.reason == "payer name close"


WORDS = [
    "smith", "smyth", "smithe", "smtih", "johnson", "jonson", "johns", "john", "jon", "williams",
    "williamson", "william", "montgomery", "montgom", "mon", "lee", "li", "lei", "kim", "kimberly",
    "nguyen", "ngyuen", "nguy", "garcia", "gracia", "park", "parker", "patel", "patil",
    "vanderberg",
]  # fmt: skip


@pytest.mark.parametrize("may_be_cut", [False, True])
def test_every_pair_of_words_that_scores_is_related(may_be_cut: bool) -> None:
    """The index finds candidates by related words only: none that scores may be missed."""
    for payer in WORDS:
        for customer in WORDS:
            if _word_similarity(payer, customer, may_be_cut) >= 0.8:
                assert words_related(payer, customer), (payer, customer)
    assert not words_related("john", "jane") and not words_related("smith", "jones")
