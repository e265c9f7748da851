"""Staff names in what a caller says: which words name a staff member ("jesica" is one edit
from "Jessica"), and whether the caller asks for them ("is Jessica there", "hablar con Ana",
"Marco told me to ask for him") or only mentions them ("Jessica helped me book last time").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import OSA

from domain.calls import triage_words as vocab
from domain.calls.triage_rules import negated
from domain.calls.triage_text import BOUNDARY, normalise


@lru_cache(maxsize=64)
def staff_first_names(staff_names: tuple[str, ...]) -> Mapping[str, str]:
    """Normalised first name → how to write it in a reason ("jessica" → "Jessica Wu").

    First names only: callers ask for "Jessica", and surnames are too often places or words
    ("Santa Cruz", "Lin").
    """
    names: dict[str, str] = {}
    for full_name in staff_names:
        words = [w for w in normalise(full_name) if w not in vocab.NAME_TITLES and w != BOUNDARY]
        if words and len(words[0]) >= 2:
            shown = " ".join(p for p in full_name.split() if p.lower() not in vocab.NAME_TITLES)
            names.setdefault(words[0], shown or full_name)
    return MappingProxyType(names)


@dataclass(frozen=True)
class StaffMention:
    position: int
    who: str  # as written in a reason ("Jessica Wu")
    exact: bool  # False when the name was one edit off ("jesica")


def staff_mentions(
    tokens: Sequence[str], names: Mapping[str, str], known: frozenset[str] = frozenset()
) -> list[StaffMention]:
    """Each word that is a staff member's first name, or one edit off one and not a word we
    know ("March" is a month, not "Marco")."""
    found: list[StaffMention] = []
    for position, token in enumerate(tokens):
        who = names.get(token)
        if who is not None:
            found.append(StaffMention(position, who, exact=True))
        elif len(token) >= 4 and token.isalpha() and token not in known:
            near = process.extractOne(token, list(names), scorer=OSA.distance, score_cutoff=1)
            if near is not None and near[0][0] == token[0]:
                found.append(StaffMention(position, names[near[0]], exact=False))
    return found


class StaffRequest(NamedTuple):
    who: str  # as written in a reason ("Jessica Wu")
    said: str  # the words around the name
    positions: frozenset[int]  # the name and the words of the request next to it


def staff_request(tokens: Sequence[str], mentions: Sequence[StaffMention]) -> StaffRequest | None:
    """(who, what was said) when the caller asks for a staff member by name: "is JESSICA
    there", "hablar con ANA", "have MARCO call me", "MARCO told me to ask for him"; not
    "Jessica helped me book last time".
    A name one edit off needs a clear request around it ("talk to JESICA")."""
    for mention in mentions:
        position = mention.position
        before = [t for t in tokens[max(0, position - 3) : position] if t != BOUNDARY]
        after = [t for t in tokens[position + 1 : position + 4] if t != BOUNDARY]
        alone = not before and not after
        if position > 0 and tokens[position - 1] in vocab.COOK_TITLES:
            # "could we get CHEF Hiro again for our party" books the chef; "can I talk to chef
            # Hiro" asks for him.
            asked = any(t in vocab.TALK_WORDS for t in before) or any(
                t in vocab.CONTACT_AFTER for t in after[:2]
            )
        elif mention.exact:
            asked = any(t in vocab.NAME_BEFORE for t in before) or any(
                t in vocab.NAME_AFTER for t in after[:2]
            )
        else:
            asked = any(t in vocab.NAME_REQUEST for t in before[-2:]) or (
                bool(after) and after[0] in vocab.NAME_AFTER
            )
        if not (alone or asked) or negated(tokens, position):
            continue
        words = [t for t in tokens[max(0, position - 3) : position + 3] if t != BOUNDARY]
        # "is Kenji AVAILABLE": the words of the request are not another matter.
        near = range(max(0, position - 3), min(len(tokens), position + 3))
        request = {p for p in near if tokens[p] in vocab.NAME_BEFORE | vocab.NAME_AFTER}
        return StaffRequest(mention.who, " ".join(words), frozenset({position, *request}))
    exact = [mention for mention in mentions if mention.exact]
    pointed = _asked_for_by_pronoun(tokens)
    if exact and pointed is not None:
        # "Marco called me and told me to ask for HIM": the name, then the request.
        named = exact[0].position
        return StaffRequest(exact[0].who, f"{tokens[named]} ... {pointed}", frozenset({named}))
    return None


def _asked_for_by_pronoun(tokens: Sequence[str]) -> str | None:
    """The words of a request for someone named earlier ("ask for him", "preguntar por ella",
    "call her back")."""
    for position in range(len(tokens) - 1):
        verb, whom = tokens[position : position + 2]
        if verb in vocab.CALL_WORDS and whom in vocab.THIRD_PERSONS:
            return f"{verb} {whom}"
        link = whom
        whom = tokens[position + 2] if position + 2 < len(tokens) else ""
        if verb in vocab.ASK_WORDS and link in ("for", "por") and whom in vocab.THIRD_PERSONS:
            return f"{verb} {link} {whom}"
    return None
