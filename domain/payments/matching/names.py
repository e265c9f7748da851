"""Does the payer's name belong to this customer?

Bank names are upper case, unaccented, sometimes "LAST FIRST" or "LAST, FIRST", cut at a fixed
width, with middle initials, typos and nicknames. Customers may be businesses booking a
corporate event ("Acme Robotics (Sarah Lee)"), and a spouse often pays.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from nicknames import NickNamer
from rapidfuzz import fuzz, process

_NICKNAMER = NickNamer()

_HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "prof"}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_COMPANY_WORDS = {
    "inc", "llc", "llp", "ltd", "corp", "corporation", "co", "company", "the", "and", "of",
    "incorporated", "limited", "group", "pllc", "pc", "lp",
}  # fmt: skip
_COMPANY_HINTS = _COMPANY_WORDS - {"the", "and", "of", "group"}

_NOT_DECOMPOSED = str.maketrans(
    {"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "AE"}
)
_NOT_NAME_CHARACTERS = re.compile(r"[^a-z0-9 ]+")
# A bank cuts names at a fixed width; a payer name this long may have lost its end.
CUT_WIDTH = 15

# Identity scores a name gives (0..1).
FULL_NAME = 1.0
NICKNAME = 0.93
INITIAL = 0.8
SAME_SURNAME = 0.55  # a spouse or relative: a weaker signal
KNOWN_PAYER = 0.96
COMPANY = 0.95
RELATED_RATIO = 80  # rapidfuzz 0..100: a typo in a word of 4 letters or more


class NameMatch(NamedTuple):
    score: float
    reason: str


NO_MATCH = NameMatch(0.0, "")
FULL_MATCH = NameMatch(FULL_NAME, "payer name matches")
FULL_MATCH_SWAPPED = NameMatch(FULL_NAME, "payer name matches (last name first)")
SAME_SURNAME_REASON = "same surname (spouse or relative?)"


@lru_cache(maxsize=200_000)
def normalise(raw: str) -> str:
    """Lower case, accents stripped, punctuation to spaces, "LAST, FIRST" turned round."""
    if raw.isascii():  # nothing to decompose or strip: most names
        text = raw.lower()
    else:
        text = unicodedata.normalize("NFKD", raw.translate(_NOT_DECOMPOSED))
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("'", "").replace("-", "")
    if text.count(",") == 1:
        last, first = text.split(",")
        if last.strip() and first.strip() and not (set(first.split()) & _COMPANY_WORDS):
            text = f"{first} {last}"
    return " ".join(_NOT_NAME_CHARACTERS.sub(" ", text).split())


@lru_cache(maxsize=200_000)
def person_tokens(raw: str) -> tuple[str, ...]:
    """Name words without honorifics, suffixes, and middle initials (kept when only two words)."""
    words = [w for w in normalise(raw).split() if w not in _HONORIFICS and w not in _SUFFIXES]
    if len(words) > 2:
        inner = [w for w in words[1:-1] if len(w) > 1]
        words = [words[0], *inner, words[-1]]
        if len(words[-1]) == 1 and len(words) > 2:  # "SMITH JOHN A": trailing initial
            words = words[:-1]
    return tuple(words)


@lru_cache(maxsize=200_000)
def split_customer(customer_name: str) -> tuple[str | None, str]:
    """("Acme Robotics", "Sarah Lee") for "Acme Robotics (Sarah Lee)"; (None, name) for people."""
    found = re.match(r"^\s*(?P<company>[^()]+?)\s*\((?P<person>[^()]+)\)\s*$", customer_name)
    if found:
        return found.group("company"), found.group("person")
    words = set(normalise(customer_name).split())
    if words & _COMPANY_HINTS:
        return customer_name, ""
    return None, customer_name


@lru_cache(maxsize=100_000)
def company_core(raw: str) -> str:
    words = [w for w in normalise(raw).split() if w not in _COMPANY_WORDS]
    return " ".join(words)


def looks_like_company(raw: str) -> bool:
    return bool(set(normalise(raw).split()) & _COMPANY_HINTS)


@lru_cache(maxsize=100_000)
def nickname_relatives(word: str) -> frozenset[str]:
    """The formal names a word may stand for (Bob → Robert) and its nicknames."""
    return frozenset(_NICKNAMER.canonicals_of(word) | _NICKNAMER.nicknames_of(word))


@lru_cache(maxsize=200_000)
def _are_nicknames(a: str, b: str) -> bool:
    if len(a) < 2 or len(b) < 2:
        return False
    return b in nickname_relatives(a) or a in nickname_relatives(b)


@lru_cache(maxsize=500_000)
def _word_similarity(payer: str, customer: str, may_be_cut: bool = False) -> float:
    """One word against another: equal, cut short by the bank, or a typo."""
    if payer == customer:
        return 1.0
    shorter = min(payer, customer, key=len)
    if may_be_cut and len(payer) >= 3 and customer.startswith(payer):
        return 0.95  # the bank cut the name
    if (payer.startswith(customer) or customer.startswith(payer)) and len(shorter) >= 3:
        return 0.5  # Williams / Williamson: a different name, not a typo
    ratio = fuzz.ratio(payer, customer) / 100.0
    if ratio >= 0.8 and len(shorter) >= 4:
        return ratio
    return ratio * 0.5


@lru_cache(maxsize=500_000)
def first_similarity(payer: str, customer: str, may_be_cut: bool) -> tuple[float, str]:
    if payer == customer:
        return 1.0, "first name"
    if len(payer) == 1 or len(customer) == 1:
        return (INITIAL, "initial") if payer[0] == customer[0] else (0.0, "")
    if _are_nicknames(payer, customer):
        return NICKNAME, f"nickname {payer.title()} = {customer.title()}"
    similarity = _word_similarity(payer, customer, may_be_cut)
    return similarity, "first name close"


@lru_cache(maxsize=200_000)
def _last_scores(
    payer: tuple[str, ...], payer_cut: bool, surnames: tuple[str, ...]
) -> tuple[float, ...]:
    """For each payer word taken as the first name: the best of the others against a surname."""
    last_word = payer[-1]
    scores = []
    for i in range(len(payer)):
        best = 0.0
        for j, word in enumerate(payer):
            if j != i:
                may_be_cut = payer_cut and word == last_word
                for surname in surnames:
                    similarity = _word_similarity(word, surname, may_be_cut)
                    if similarity > best:
                        best = similarity
        scores.append(best)
    return tuple(scores)


@lru_cache(maxsize=1_000)
def _same_surname(last_score: float) -> NameMatch:
    return NameMatch(SAME_SURNAME * last_score, SAME_SURNAME_REASON)


def _person_branch(
    payer: tuple[str, ...], payer_cut: bool, first: str, surnames: tuple[str, ...]
) -> NameMatch:
    """One payer word as the first name, the others against the surnames, in either order."""
    best = NO_MATCH
    last_index = len(payer) - 1
    for i, last_score in enumerate(_last_scores(payer, payer_cut, surnames)):
        if last_score < 0.8:
            continue
        first_score, first_reason = first_similarity(payer[i], first, payer_cut and i == last_index)
        if first_score >= 0.75:
            if first_score == 1.0 and last_score == 1.0:
                score = 0.98  # every word there, plus more or fewer middle names
            elif first_reason == "initial":
                score = INITIAL * last_score  # "J GARCIA": Jose, Juan or Jorge?
            else:
                low, high = sorted((first_score, last_score))
                score = min(low * 0.6 + high * 0.4, 0.99)
            reason = "payer name matches" + (f" ({first_reason})" if first_score < 1 else "")
            if last_score < 1:
                reason += ", surname close"
            candidate = NameMatch(score, reason)
        elif last_score >= 0.9:
            candidate = _same_surname(last_score)
        else:
            continue
        if candidate.score > best.score:
            best = candidate
    return best


def _person_words(
    payer: tuple[str, ...], payer_sorted: tuple[str, ...], payer_cut: bool,
    customer: tuple[str, ...], customer_sorted: tuple[str, ...],
) -> NameMatch:  # fmt: skip
    """`person_similarity` without the comparison of whole names ("payer name close")."""
    if not payer or not customer:
        return NO_MATCH
    if payer_sorted == customer_sorted:
        return FULL_MATCH if payer == customer else FULL_MATCH_SWAPPED
    if len(payer) > 1 and len(customer) > 1:
        return _person_branch(payer, payer_cut, customer[0], customer[1:])
    return NO_MATCH


# A name as a whole, three ways: the sorted words run together, the words run together as
# given, and the words with spaces (compared sorted, rapidfuzz's token_sort_ratio).
Whole = tuple[str, str, str]
_WHOLE_SCORERS: tuple[Callable[..., float], ...] = (fuzz.ratio, fuzz.ratio, fuzz.token_sort_ratio)
WHOLE_CLOSE = 90  # rapidfuzz 0..100
_FEW = 6  # below it, a call per name costs less than rapidfuzz's extract per way


def whole_of(words: tuple[str, ...]) -> Whole:
    return "".join(sorted(words)), "".join(words), " ".join(words)


def _compare_whole(word_match: NameMatch, payer_words: int, customer_words: int) -> bool:
    """Whole names are compared when the words do not line up: a different number of them (run
    together or split: "JIHOON KIM" / "Ji Hoon Kim"), or no first name and surname paired at all
    (a surname cut short of the bank's width: "SRINIVAS DES" / "Srinivas Desai"). Not for a
    relative: "TOM VANDERBERG" and "Tim Vanderberg" share most letters, not a first name."""
    return word_match.score < 0.8 and (payer_words != customer_words or word_match.score == 0.0)


def _whole_ratio(payer: Whole, customer: Whole) -> float:
    """The best of the three whole-name ratios, or 0 when none reaches WHOLE_CLOSE."""
    best = 0.0
    for scorer, mine, theirs in zip(_WHOLE_SCORERS, payer, customer, strict=True):
        best = max(best, scorer(mine, theirs, score_cutoff=max(best, WHOLE_CLOSE)))
    return best


def _whole_ratios(payer: Whole, customers: list[Whole]) -> dict[int, float]:
    """`_whole_ratio` for many customers (by place), one rapidfuzz call per way: only those
    reaching WHOLE_CLOSE."""
    found: dict[int, float] = {}
    if len(customers) < _FEW:
        for place, customer in enumerate(customers):
            if ratio := _whole_ratio(payer, customer):
                found[place] = ratio
        return found
    for part, scorer in enumerate(_WHOLE_SCORERS):
        choices = [customer[part] for customer in customers]
        for _, score, place in process.extract(
            payer[part], choices, scorer=scorer, score_cutoff=WHOLE_CLOSE, limit=None
        ):
            if score > found.get(place, 0.0):
                found[place] = score
    return found


def _whole_name(word_match: NameMatch, ratio: float) -> NameMatch:
    overall = ratio / 100.0
    if overall >= 0.9 and overall * 0.95 > word_match.score:
        return NameMatch(overall * 0.95, "payer name close")
    return word_match


@lru_cache(maxsize=100_000)
def person_similarity(payer: tuple[str, ...], customer: tuple[str, ...]) -> NameMatch:
    """A payer's words against a person's words, in either order."""
    payer_sorted, customer_sorted = tuple(sorted(payer)), tuple(sorted(customer))
    cut = len(" ".join(payer)) >= CUT_WIDTH
    best = _person_words(payer, payer_sorted, cut, customer, customer_sorted)
    if not payer or not customer or not _compare_whole(best, len(payer), len(customer)):
        return best
    return _whole_name(best, _whole_ratio(whole_of(payer), whole_of(customer)))


@lru_cache(maxsize=200_000)
def company_similarity(payer: str, company: str) -> NameMatch:
    payer_core, company_name = company_core(payer), company_core(company)
    if not payer_core or not company_name:
        return NO_MATCH
    if payer_core == company_name:
        return NameMatch(COMPANY, "company name")
    ratio = fuzz.token_set_ratio(payer_core, company_name) / 100.0
    shorter, longer = sorted((payer_core, company_name), key=len)
    if len(shorter) >= 6 and longer.startswith(shorter):
        ratio = max(ratio, 0.95)
    if ratio >= 0.9:
        return NameMatch(COMPANY * ratio, "company name (close)")
    return NO_MATCH


class NameProfile(NamedTuple):
    """A customer's (or an approved payer's) name, read once: what matching compares."""

    raw: str
    company: str | None  # the business booking or paying, compared as a company
    tokens: tuple[str, ...]  # the person, first name first
    sorted_tokens: tuple[str, ...]
    whole: Whole
    keys: tuple[str, ...]  # words a payer's word must be related to (`words_related`)


def _profile(raw: str, company: str | None, person: str) -> NameProfile:
    tokens = person_tokens(person) if person else ()
    ordered = tuple(sorted(tokens))
    keys = list(tokens[1:] if len(tokens) > 1 else tokens)
    if company is not None:
        keys.extend(company_core(company).split())
    return NameProfile(raw, company, tokens, ordered, whole_of(tokens), tuple(dict.fromkeys(keys)))


@lru_cache(maxsize=200_000)
def customer_profile(customer_name: str) -> NameProfile:
    company, person = split_customer(customer_name)
    return _profile(customer_name, company, person)


@lru_cache(maxsize=100_000)
def known_payer_profile(payer_name: str) -> NameProfile:
    """An approved payer is compared as a person, and as a company when it looks like one."""
    return _profile(payer_name, payer_name if looks_like_company(payer_name) else None, payer_name)


class PayerName:
    """The payer of one transaction, read once and compared with many customers.

    `against` compares with one customer, `against_many` with a list of them and is the same
    comparison: the whole-name ratios of all of them are taken in one rapidfuzz call each.
    """

    __slots__ = (
        "_first_names",
        "_related",
        "cut",
        "raw",
        "sorted_tokens",
        "tokens",
        "whole",
    )

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.tokens = person_tokens(raw)
        self.sorted_tokens = tuple(sorted(self.tokens))
        self.whole = whole_of(self.tokens)
        self.cut = len(self.whole[2]) >= CUT_WIDTH
        self._related: dict[str, bool] | None = None  # made when first needed
        self._first_names: dict[str, bool] | None = None

    def relates_to(self, key: str) -> bool:
        """Whether one of the payer's words is related to this customer key (`words_related`)."""
        if self._related is None:
            self._related = {}
        related = self._related.get(key)
        if related is None:
            related = any(words_related(word, key) for word in self.tokens)
            self._related[key] = related
        return related

    def may_be_by_words(self, customer: NameProfile) -> bool:
        """Whether the words may make this person (`_person_words` 0.8 or more) at all.

        0.8 or more needs every word, or a payer word the customer's first name may be
        (`first_similarity` 0.75 or more) with another against a surname.
        """
        if not self.tokens or not customer.tokens:
            return False
        if self.sorted_tokens == customer.sorted_tokens:
            return True
        if len(customer.tokens) < 2:
            return False
        return self.first_name_may_be(customer.tokens[0])

    def first_name_may_be(self, first: str) -> bool:
        """Whether a payer's word may be this first name of a customer of two words or more."""
        if self._first_names is None:
            self._first_names = {}
        maybe = self._first_names.get(first)
        if maybe is None:
            maybe = False
            last = len(self.tokens) - 1
            if last > 0:
                for i, word in enumerate(self.tokens):
                    if first_similarity(word, first, self.cut and i == last)[0] >= 0.75:
                        maybe = True
                        break
            self._first_names[first] = maybe
        return maybe

    def close_among(self, customers: list[Whole]) -> set[int]:
        """The places of the customers whose whole name is close to the payer's."""
        if not self.tokens or not customers:
            return set()
        return set(_whole_ratios(self.whole, customers))

    def compares_whole(self, customer: NameProfile) -> bool:
        """Whether the whole names count for this customer (`_compare_whole`)."""
        if not self.tokens or not customer.tokens:
            return False
        return _compare_whole(self._words(customer), len(self.tokens), len(customer.tokens))

    def _words(self, other: NameProfile) -> NameMatch:
        return _person_words(
            self.tokens, self.sorted_tokens, self.cut, other.tokens, other.sorted_tokens
        )

    def _known(self, best: NameMatch, known_payers: tuple[NameProfile, ...]) -> NameMatch:
        if best.score < KNOWN_PAYER:
            for known in known_payers:
                if self.person(known).score >= 0.9 or (
                    known.company is not None
                    and company_similarity(self.raw, known.company).score >= 0.9
                ):
                    return NameMatch(KNOWN_PAYER, f"approved payer {known.raw}")
        return best

    def _company(self, best: NameMatch, customer: NameProfile) -> NameMatch:
        if customer.company is not None:
            by_company = company_similarity(self.raw, customer.company)
            if by_company.score > best.score:
                return by_company
        return best

    def person(self, other: NameProfile) -> NameMatch:
        best = self._words(other)
        if not self.tokens or not other.tokens:
            return best
        if not _compare_whole(best, len(self.tokens), len(other.tokens)):
            return best
        return _whole_name(best, _whole_ratio(self.whole, other.whole))

    def against(
        self, customer: NameProfile, known_payers: tuple[NameProfile, ...] = ()
    ) -> NameMatch:
        """How sure the payer is this customer (or someone they pay for), with the reason."""
        best = self.person(customer) if customer.tokens else NO_MATCH
        return self._known(self._company(best, customer), known_payers)

    def against_many(
        self, customers: list[NameProfile], by_word: list[bool] | None = None
    ) -> list[NameMatch]:
        """`against` (no approved payers) for each customer. `by_word[i]` False: none of the
        payer's words is related to the customer's keys, so the words cannot match."""
        matches = [
            self._words(customer)
            if customer.tokens and (by_word is None or by_word[i])
            else NO_MATCH
            for i, customer in enumerate(customers)
        ]
        if self.tokens:
            count = len(self.tokens)
            whole = [
                i
                for i, (customer, match) in enumerate(zip(customers, matches, strict=True))
                if customer.tokens and _compare_whole(match, count, len(customer.tokens))
            ]
            if whole:
                ratios = _whole_ratios(self.whole, [customers[i].whole for i in whole])
                for n, ratio in ratios.items():
                    matches[whole[n]] = _whole_name(matches[whole[n]], ratio)
        return [
            self._company(match, customer) if customer.company is not None else match
            for customer, match in zip(customers, matches, strict=True)
        ]


def name_similarity(
    payer_name: str, customer_name: str, known_payers: tuple[str, ...] = ()
) -> NameMatch:
    """How sure the payer is this customer (or someone they pay for), with the reason."""
    known = tuple(known_payer_profile(name) for name in known_payers)
    return PayerName(payer_name).against(customer_profile(customer_name), known)


@lru_cache(maxsize=500_000)
def words_related(payer_word: str, key: str) -> bool:
    """A payer's word that may be this customer word: a booking is a candidate by name only then.

    Wider than what scores: equal, one a prefix of the other (3 letters or more: banks cut names,
    at widths that vary), or a typo (ratio 0.8, 4 letters or more). Every pair of words
    `_word_similarity` scores 0.8 or more is related, so no name that scores is missed, and
    names cut short still meet the whole name ("payer name close").
    """
    if payer_word == key:
        return True
    shorter = min(len(payer_word), len(key))
    if shorter >= 3 and (payer_word.startswith(key) or key.startswith(payer_word)):
        return True
    return shorter >= 4 and fuzz.ratio(payer_word, key, score_cutoff=RELATED_RATIO) > 0
