"""Does a reviewer's display name belong to this customer?

Google gives a display name and nothing else: "Sarah Johnson", "SARAH JOHNSON", "Sarah J.",
"S. Johnson", "Sarah", "Bob Smith" for Robert Smith, "Jose Pena" for José Peña, "The Johnson
Family", "Johnson Sarah", "sj_foodie88", "A Google User". What such a name can say about a
customer is a level, from "this is their full name" down to "same first name": only the levels
at `VERIFIABLE` or above may ever verify a customer (verification.py adds the other rules).

Accents, case, apostrophes, "LAST, FIRST" and nicknames come from the payment matcher's
`normalise` and `nickname_relatives`; the rest differs from a bank's payer name (no names cut
at a fixed width, but initials, first names alone and families), hence this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Levenshtein

from domain.payments.matching.names import nickname_relatives, normalise, split_customer

Shape = Literal["none", "first", "first_initial", "initial_surname", "full", "family"]

# Name levels (0..1). A level is what the name alone says; the event's date and contacts in the
# review come on top (verification.py).
FULL = 1.0  # first name and surname(s), all of them
SWAPPED = 0.97  # "Johnson Sarah"
FEWER_SURNAMES = 0.96  # "María García" for María García López
MORE_SURNAMES = 0.95  # "Sarah Lee Johnson" for Sarah Johnson
NICKNAME = 0.93  # "Bob Smith" for Robert Smith (times the above)
INITIAL = 0.75  # "Sarah J." or "S. Johnson" for Sarah Johnson
VERIFIABLE = 0.75  # the levels that carry a surname (or a surname's initial) for certain
OTHER_SURNAMES = 0.74  # "Ana García López" for Ana García Torres: one surname each their own
FIRST_CLOSE = 0.72  # "Micheal Johnson" for Michael Johnson: a typo, or Maria for Marie
SURNAME_CLOSE = 0.7  # "Sarah Jonson" for Sarah Johnson: a typo, or another family
INITIAL_LOOSE = 0.7  # "Bob S." for Robert Smith, "S. Jonson" for Sarah Johnson
STRONG = 0.7  # the levels for which an event months before the review still counts
FIRST_ONLY = 0.45  # "Sarah": many customers may be her
SURNAME_ONLY = 0.4  # "The Johnson Family"
RELATIVE = 0.35  # "Mark Johnson" for Sarah Johnson: a spouse, a child, or a stranger

_SURNAME_CLOSE_RATIO = 85  # rapidfuzz 0..100: two slips in a long name (Krishnamoorthy)
_ANONYMOUS = {"a google user", "google user", "anonymous", "anonimo", "usuario de google"}
_HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "prof", "sra", "srta", "don", "dona"}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_FAMILY = {"family", "fam", "familia", "famille", "household"}
_ARTICLES = {"the", "los", "las", "la", "el"}
_HANDLE = re.compile(r"[\d_@#]")  # "sj_foodie88": a handle, not a name


class NameEvidence(NamedTuple):
    score: float  # the level, 0 when the name says nothing or says it is someone else
    reason: str


NOTHING = NameEvidence(0.0, "")


@dataclass(frozen=True, slots=True)
class ReviewerName:
    """A display name read once: its shape and the words each shape compares."""

    raw: str
    shape: Shape
    words: tuple[str, ...]  # words of two letters or more, in order, hyphens joined
    initial: str | None  # "Sarah J.": the surname's; "S. Johnson": the first name's
    surnames: frozenset[str]  # the words after the first, their hyphen parts, run together
    surname_words: frozenset[str]  # the words after the first, as written
    swapped_surnames: frozenset[str]  # the same, with the last word taken as the first name
    joined: str  # every letter run together: "Ji Hoon Kim" and "Ji-hoon Kim" meet


@dataclass(frozen=True, slots=True)
class CustomerName:
    """A customer's name as booked, read once (the person of "Acme Robotics (Sarah Lee)")."""

    raw: str
    first: str | None
    surnames: frozenset[str]  # each word after the first, its hyphen parts, all run together
    surname_words: frozenset[str]  # the words after the first, as written
    last: str | None
    initials: frozenset[str]  # of the surname words
    joined: str


def _forms(words: list[tuple[str, tuple[str, ...]]]) -> frozenset[str]:
    """Each word, its hyphen parts, and all of them run together ("Van Der Berg")."""
    forms = {word for word, _ in words}
    for _, parts in words:
        forms.update(part for part in parts if len(part) >= 2)
    if len(words) > 1:
        forms.add("".join(word for word, _ in words))
    return frozenset(forms)


def _tokens(raw: str) -> list[tuple[str, tuple[str, ...]]]:
    """(word with hyphens joined, its hyphen parts) for each word of a name, in order."""
    text = raw.strip()
    if text.count(",") == 1:  # "Johnson, Sarah"
        last, first = (part.strip() for part in text.split(","))
        if last and first:
            text = f"{first} {last}"
    tokens: list[tuple[str, tuple[str, ...]]] = []
    for chunk in text.split():
        if _HANDLE.search(chunk):
            continue
        words = normalise(chunk).split()  # "J.R." gives two initials
        if len(words) == 1:
            tokens.append((words[0], tuple(normalise(chunk.replace("-", " ")).split())))
        else:
            tokens.extend((word, (word,)) for word in words)
    return [(w, p) for w, p in tokens if w not in _HONORIFICS and w not in _SUFFIXES]


def _plural_forms(words: list[tuple[str, tuple[str, ...]]]) -> frozenset[str]:
    """ "The Johnsons": the surname without its plural."""
    forms = set(_forms(words))
    for word, _ in words:
        if word.endswith("es") and len(word) > 5:
            forms.add(word[:-2])
        if word.endswith("s") and len(word) > 4:
            forms.add(word[:-1])
    return frozenset(forms)


@lru_cache(maxsize=100_000)
def parse_reviewer(raw: str) -> ReviewerName:
    nothing: frozenset[str] = frozenset()
    none = ReviewerName(raw, "none", (), None, nothing, nothing, nothing, "")
    if normalise(raw) in _ANONYMOUS:
        return none
    tokens = _tokens(raw)
    family = any(word in _FAMILY for word, _ in tokens) or (
        len(tokens) > 1 and tokens[0][0] in ("the", "los", "las")
    )
    if family:
        tokens = [t for t in tokens if t[0] not in _FAMILY and t[0] not in _ARTICLES]
    full = [t for t in tokens if len(t[0]) >= 2]
    if not full:
        return none
    words = tuple(word for word, _ in full)
    joined = "".join(part for _, parts in full for part in parts)
    if family:
        forms = _plural_forms(full)
        return ReviewerName(raw, "family", words, None, forms, frozenset(words), nothing, joined)
    if len(tokens[-1][0]) == 1:  # "Sarah J.", "Mary Ann J."
        initial = tokens[-1][0]
        return ReviewerName(raw, "first_initial", words, initial, nothing, nothing, nothing, joined)
    if len(full) == 1:
        before = [word for word, _ in tokens[: tokens.index(full[0])] if len(word) == 1]
        if before:  # "S. Johnson"
            initial, forms = before[-1], _forms(full)
            return ReviewerName(
                raw, "initial_surname", words, initial, forms, frozenset(words), nothing, joined
            )
        return ReviewerName(raw, "first", words, None, nothing, nothing, nothing, joined)
    forms, swapped = _forms(full[1:]), _forms(full[:-1])
    return ReviewerName(raw, "full", words, None, forms, frozenset(words[1:]), swapped, joined)


@lru_cache(maxsize=200_000)
def parse_customer(raw: str) -> CustomerName:
    _, person = split_customer(raw)
    tokens = [t for t in _tokens(person) if len(t[0]) >= 2]  # middle initials say nothing
    if not tokens:
        return CustomerName(raw, None, frozenset(), frozenset(), None, frozenset(), "")
    rest = tokens[1:]
    surnames = _forms(rest) if rest else frozenset()
    initials = frozenset(part[0] for _, parts in rest for part in parts if part)
    joined = "".join(part for _, parts in tokens for part in parts)
    last = rest[-1][0] if rest else None
    words = frozenset(word for word, _ in rest)
    return CustomerName(raw, tokens[0][0], surnames, words, last, initials, joined)


def _are_nicknames(a: str, b: str) -> bool:
    if len(a) < 2 or len(b) < 2:
        return False
    return b in nickname_relatives(a) or a in nickname_relatives(b)


def _prefix_related(a: str, b: str) -> bool:
    """Williams / Williamson, Dan / Daniel: a different name (or a nickname), never a typo."""
    return a.startswith(b) or b.startswith(a)


def one_slip(a: str, b: str, shortest: int) -> bool:
    """One letter dropped, added, swapped with the next, or (in words of 6 letters or more)
    changed: "Simth", "Jenifer", "Bradcottt". A letter changed in a short name is usually
    another name (Mark / Mary, Maria / Marie)."""
    if min(len(a), len(b)) < shortest or OSA.distance(a, b, score_cutoff=1) > 1:
        return False
    substituted = len(a) == len(b) and Levenshtein.distance(a, b) == 1
    return not substituted or min(len(a), len(b)) >= 6


@lru_cache(maxsize=200_000)
def first_name_score(word: str, first: str) -> tuple[float, str]:
    """1.0 the same first name, NICKNAME a nickname either way, FIRST_CLOSE a slip; else 0."""
    if word == first:
        return 1.0, "first name"
    if _are_nicknames(word, first):
        return NICKNAME, f"nickname {word.title()} = {first.title()}"
    if one_slip(word, first, 4):
        return FIRST_CLOSE, f"first name close ({word.title()} / {first.title()})"
    return 0.0, ""


def _surname_close(a: str, b: str) -> bool:
    return one_slip(a, b, 5) or (
        min(len(a), len(b)) >= 5
        and not _prefix_related(a, b)
        and fuzz.ratio(a, b, score_cutoff=_SURNAME_CLOSE_RATIO) > 0
    )


def surname_score(forms: frozenset[str], surnames: frozenset[str]) -> float:
    """1.0 a surname in common (accents and case aside), SURNAME_CLOSE a typo, else 0."""
    if not forms.isdisjoint(surnames):
        return 1.0
    for form in forms:
        for surname in surnames:
            if _surname_close(form, surname):
                return SURNAME_CLOSE
    return 0.0


def _surnames_level(reviewer: ReviewerName, customer: CustomerName) -> tuple[float, str]:
    """A surname in common: are they all the same, or does either name hold more?"""
    reviewer_more = any(word not in customer.surnames for word in reviewer.surname_words)
    customer_more = any(word not in reviewer.surnames for word in customer.surname_words)
    if reviewer_more and customer_more:
        return OTHER_SURNAMES, "one surname in common, the others differ"
    if customer_more:
        return FEWER_SURNAMES, "full name (fewer surnames or middle names)"
    if reviewer_more:
        return MORE_SURNAMES, "full name (more surnames or middle names)"
    return FULL, "full name"


def _full(reviewer: ReviewerName, customer: CustomerName) -> NameEvidence:
    if reviewer.joined == customer.joined:
        return NameEvidence(FULL, "full name")
    assert customer.first is not None
    first = first_name_score(reviewer.words[0], customer.first)
    if not customer.surnames:
        if first[0]:
            return NameEvidence(FIRST_ONLY * first[0], "first name (the booking has no surname)")
        return NOTHING
    if first[0]:
        surname = surname_score(reviewer.surnames, customer.surnames)
        if surname == 1.0:
            level, reason = _surnames_level(reviewer, customer)
            if first[0] == FIRST_CLOSE:
                return NameEvidence(min(level, FIRST_CLOSE), f"surname, {first[1]}")
            if first[0] == NICKNAME:
                return NameEvidence(round(level * NICKNAME, 4), f"{reason}, {first[1]}")
            return NameEvidence(level, reason)
        if surname:
            return NameEvidence(SURNAME_CLOSE, f"{first[1]}, surname close (a typo, or another)")
    if first_name_score(reviewer.words[-1], customer.first)[0] == 1.0 and (
        surname_score(reviewer.swapped_surnames, customer.surnames) == 1.0
    ):
        return NameEvidence(SWAPPED, "full name (last name first)")
    if not first[0] and reviewer.words[-1] == customer.last:
        return NameEvidence(RELATIVE, "same surname, another first name (a relative?)")
    return NOTHING


def _first_initial(reviewer: ReviewerName, customer: CustomerName) -> NameEvidence:
    assert customer.first is not None and reviewer.initial is not None
    first = first_name_score(reviewer.words[0], customer.first)
    if not first[0]:
        return NOTHING
    if not customer.surnames:
        return NameEvidence(FIRST_ONLY * first[0], "first name (the booking has no surname)")
    if reviewer.initial not in customer.initials:
        return NOTHING  # "Sarah M." is not Sarah Johnson
    level = INITIAL if first[0] == 1.0 else INITIAL_LOOSE
    return NameEvidence(level, f"{first[1]} and the surname's initial")


def _initial_surname(reviewer: ReviewerName, customer: CustomerName) -> NameEvidence:
    assert customer.first is not None and reviewer.initial is not None
    surname = surname_score(reviewer.surnames, customer.surnames)
    if not surname:
        return NOTHING
    if customer.first.startswith(reviewer.initial):
        level = INITIAL if surname == 1.0 else INITIAL_LOOSE
        return NameEvidence(level, "surname and the first name's initial")
    if surname == 1.0:
        return NameEvidence(RELATIVE, "same surname, another initial (a relative?)")
    return NOTHING


def _first(reviewer: ReviewerName, customer: CustomerName) -> NameEvidence:
    assert customer.first is not None
    first = first_name_score(reviewer.words[0], customer.first)
    if not first[0]:
        return NOTHING
    return NameEvidence(FIRST_ONLY * first[0], f"{first[1]} only")


def _family(reviewer: ReviewerName, customer: CustomerName) -> NameEvidence:
    if surname_score(reviewer.surnames, customer.surnames) == 1.0:
        return NameEvidence(SURNAME_ONLY, "surname only (a family name)")
    return NOTHING


_BY_SHAPE = {
    "full": _full,
    "first_initial": _first_initial,
    "initial_surname": _initial_surname,
    "first": _first,
    "family": _family,
}


@lru_cache(maxsize=500_000)
def name_evidence(reviewer_name: str, customer_name: str) -> NameEvidence:
    """What the reviewer's display name says about this customer (0: nothing, or someone else)."""
    reviewer, customer = parse_reviewer(reviewer_name), parse_customer(customer_name)
    if reviewer.shape == "none" or customer.first is None:
        return NOTHING
    return _BY_SHAPE[reviewer.shape](reviewer, customer)


@lru_cache(maxsize=10_000)
def first_name_for_reply(display_name: str) -> str | None:
    """The name to greet a reviewer by in public: their display name's first word, if it is one.

    Never the booking's name: a reviewer who shows only "S. Johnson" chose not to show more.
    """
    reviewer = parse_reviewer(display_name)
    if reviewer.shape in ("none", "family", "initial_surname"):
        return None
    for chunk in display_name.split():
        word = chunk.strip(".,;:!?()\"'")
        if not _HANDLE.search(word) and normalise(word) == reviewer.words[0]:
            return word.title() if word.isupper() or word.islower() else word  # keeps "McKenzie"
    return reviewer.words[0].title()
