"""Does the payer's name belong to this customer?

Bank names are upper case, unaccented, sometimes "LAST FIRST" or "LAST, FIRST", cut at a fixed
width, with middle initials, typos and nicknames. Customers may be businesses booking a
corporate event ("Acme Robotics (Sarah Lee)"), and a spouse often pays.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from nicknames import NickNamer
from rapidfuzz import fuzz

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
# A bank cuts names at a fixed width; a payer name this long may have lost its end.
CUT_WIDTH = 15

# Identity scores a name gives (0..1).
FULL_NAME = 1.0
NICKNAME = 0.93
INITIAL = 0.8
SAME_SURNAME = 0.55  # a spouse or relative: a weaker signal
KNOWN_PAYER = 0.96
COMPANY = 0.95


@dataclass(frozen=True)
class NameMatch:
    score: float
    reason: str


NO_MATCH = NameMatch(0.0, "")


@lru_cache(maxsize=200_000)
def normalise(raw: str) -> str:
    """Lower case, accents stripped, punctuation to spaces, "LAST, FIRST" turned round."""
    text = unicodedata.normalize("NFKD", raw.translate(_NOT_DECOMPOSED))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("'", "").replace("-", "")
    if text.count(",") == 1:
        last, first = text.split(",")
        if last.strip() and first.strip() and not (set(first.split()) & _COMPANY_WORDS):
            text = f"{first} {last}"
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return " ".join(text.split())


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
def nickname_keys(word: str) -> frozenset[str]:
    """The word and the formal names it may stand for (Bob → Robert) and back."""
    if len(word) < 2:
        return frozenset({word})
    return frozenset({word} | _NICKNAMER.canonicals_of(word))


@lru_cache(maxsize=200_000)
def _are_nicknames(a: str, b: str) -> bool:
    if len(a) < 2 or len(b) < 2:
        return False
    return (
        b in _NICKNAMER.canonicals_of(a)
        or a in _NICKNAMER.canonicals_of(b)
        or b in _NICKNAMER.nicknames_of(a)
        or a in _NICKNAMER.nicknames_of(b)
    )


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
def _first_similarity(payer: str, customer: str, may_be_cut: bool) -> tuple[float, str]:
    if payer == customer:
        return 1.0, "first name"
    if len(payer) == 1 or len(customer) == 1:
        return (INITIAL, "initial") if payer[0] == customer[0] else (0.0, "")
    if _are_nicknames(payer, customer):
        return NICKNAME, f"nickname {payer.title()} = {customer.title()}"
    similarity = _word_similarity(payer, customer, may_be_cut)
    return similarity, "first name close"


@lru_cache(maxsize=500_000)
def person_similarity(payer: tuple[str, ...], customer: tuple[str, ...]) -> NameMatch:
    """A payer's words against a person's words, in either order."""
    if not payer or not customer:
        return NO_MATCH
    if sorted(payer) == sorted(customer):
        order = "" if payer == customer else " (last name first)"
        return NameMatch(FULL_NAME, f"payer name matches{order}")
    best = NO_MATCH
    cut = len(" ".join(payer)) >= CUT_WIDTH
    first = customer[0]
    surnames = customer[1:] if len(customer) > 1 else ()
    for i, payer_first in enumerate(payer):
        first_score, first_reason = _first_similarity(
            payer_first, first, cut and i == len(payer) - 1
        )
        rest = payer[:i] + payer[i + 1 :]
        last_score = 0.0
        for word in rest:
            may_be_cut = cut and word == payer[-1]
            for surname in surnames:
                last_score = max(last_score, _word_similarity(word, surname, may_be_cut))
        if not surnames or not rest:
            continue
        if last_score >= 0.8 and first_score >= 0.75:
            score = min(first_score, last_score) * 0.6 + max(first_score, last_score) * 0.4
            score = min(score, 0.99)
            if first_score == 1.0 and last_score == 1.0:
                score = 0.98  # every word there, plus more or fewer middle names
            if first_reason == "initial":
                score = INITIAL * last_score  # "J GARCIA": Jose, Juan or Jorge?
            reason = "payer name matches" + (f" ({first_reason})" if first_score < 1 else "")
            if last_score < 1:
                reason += ", surname close"
            candidate = NameMatch(score, reason)
        elif last_score >= 0.9:
            candidate = NameMatch(SAME_SURNAME * last_score, "same surname (spouse or relative?)")
        else:
            continue
        if candidate.score > best.score:
            best = candidate
    if best.score < 0.8:
        # Words run together or split ("JIHOON KIM" / "Ji Hoon Kim"): compare without spaces.
        joined = fuzz.ratio("".join(sorted(payer)), "".join(sorted(customer))) / 100.0
        spaced = fuzz.token_sort_ratio(" ".join(payer), " ".join(customer)) / 100.0
        overall = max(joined, spaced)
        if overall >= 0.9 and overall * 0.95 > best.score:
            best = NameMatch(overall * 0.95, "payer name close")
    return best


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


@lru_cache(maxsize=500_000)
def name_similarity(
    payer_name: str, customer_name: str, known_payers: tuple[str, ...] = ()
) -> NameMatch:
    """How sure the payer is this customer (or someone they pay for), with the reason."""
    company, person = split_customer(customer_name)
    payer = person_tokens(payer_name)
    best = person_similarity(payer, person_tokens(person)) if person else NO_MATCH
    if company is not None:
        by_company = company_similarity(payer_name, company)
        if by_company.score > best.score:
            best = by_company
    if best.score < KNOWN_PAYER:
        for known in known_payers:
            approved = person_similarity(payer, person_tokens(known))
            if approved.score >= 0.9:
                return NameMatch(KNOWN_PAYER, f"approved payer {known}")
            if looks_like_company(known):
                approved = company_similarity(payer_name, known)
                if approved.score >= 0.9:
                    return NameMatch(KNOWN_PAYER, f"approved payer {known}")
    return best


def booking_name_keys(name: str) -> frozenset[str]:
    """Index keys of a customer: each word, its nicknames and formal names, its 5-letter prefix."""
    keys: set[str] = set()
    for word in normalise(name).split():
        if len(word) < 2 or word in _COMPANY_WORDS or word in _HONORIFICS:
            continue
        keys.update(nickname_keys(word))
        keys.update(_NICKNAMER.nicknames_of(word))
        if len(word) > 5:
            keys.add(word[:5])
    return frozenset(keys)


def payer_name_keys(name: str) -> frozenset[str]:
    """Look-up keys of a payer: each word, and the 5-letter prefix of a word the bank may have cut.

    A payer key meets a customer key when the words are equal, nicknames of each other
    (the customer side holds both directions), or the payer's last word was cut short.
    """
    words = [
        w
        for w in normalise(name).split()
        if len(w) >= 2 and w not in _COMPANY_WORDS and w not in _HONORIFICS
    ]
    keys = set(words)
    if words and len(" ".join(words)) >= CUT_WIDTH and len(words[-1]) >= 5:
        keys.add(words[-1][:5])
    return frozenset(keys)
