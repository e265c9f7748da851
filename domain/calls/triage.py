"""The built-in call classifier: what a caller wants and whether a person should take the call.

Pure and fast (well under a millisecond a call): no I/O, phrase tables in
`domain.calls.triage_phrases`. It stands in when OpenAI is not configured or fails, so it must
be safe on its own: it escalates a caller who asks for a person however they say it (or asks
for a staff member by name), a complaint and a day-of-event emergency, and never escalates a
caller who says they do not need a person.

How it decides:
1. Normalise: lower case, accents and apostrophes stripped, punctuation and "but"/"pero" end a
   clause. Key words misspelt by speech-to-text ("habachi", "cancle", "representitive") are
   corrected with rapidfuzz (one edit, two for long words), never real words ("prize", "house").
2. Match every phrase of every table; where matches overlap, the heavier and then the longer
   one keeps the words ("cancellation policy" is a question, "per person" is about price).
3. Drop matches in a negation's scope ("I don't WANT TO talk to anyone", "no NEED FOR a
   person", "no necesito un agente"); a negation reaches across words like "want", "need",
   "to", "a", but not across "I", a verb of its own or the end of a clause.
4. Priorities: emergency > a request for a person > complaint > cancel > change > payment >
   new booking / quote (the stronger evidence; a booking on a tie) > faq > spam > other. A
   decisive phrase (weight 3: "reschedule", "how far in advance") beats cues of an intent above
   it; clear spam ("extended warranty", "press one") beats everything but an emergency.

Emergencies are reported as complaints with `emergency=True` (a service failure in progress:
the chef has not arrived, is late, a gas smell), always escalated.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from domain.calls import triage_phrases as phrases


class Intent(StrEnum):
    NEW_BOOKING = "new_booking"
    CHANGE_BOOKING = "change_booking"
    CANCEL_BOOKING = "cancel_booking"
    QUOTE_REQUEST = "quote_request"
    PAYMENT = "payment"
    FAQ = "faq"
    COMPLAINT = "complaint"
    HUMAN = "human"
    SPAM = "spam"
    OTHER = "other"


@dataclass(frozen=True)
class TriageResult:
    intent: Intent
    escalate: bool
    confidence: float  # 0..1
    reason: str  # a sentence staff can read: why this intent, why (not) escalate
    emergency: bool = False  # day-of-event emergency


# Intents chosen by their phrases, most important first (emergencies, a request for a person
# and clear spam are decided before these).
PRIORITY: tuple[Intent, ...] = (
    Intent.COMPLAINT,
    Intent.CANCEL_BOOKING,
    Intent.CHANGE_BOOKING,
    Intent.PAYMENT,
    Intent.NEW_BOOKING,
    Intent.QUOTE_REQUEST,
    Intent.FAQ,
)
ESCALATED_INTENTS = frozenset({Intent.HUMAN, Intent.COMPLAINT})
# Evidence an intent needs (sum of its phrase weights) before it is chosen at all.
MIN_SCORE = 2
SPAM_MIN_SCORE = 3
DECISIVE = 3
GAP = 3  # words a `...` may skip
BOUNDARY = "|"

DESCRIPTIONS: dict[Intent, str] = {
    Intent.NEW_BOOKING: "wants to book an event",
    Intent.CHANGE_BOOKING: "wants to change a booking",
    Intent.CANCEL_BOOKING: "wants to cancel a booking",
    Intent.QUOTE_REQUEST: "asks for a price",
    Intent.PAYMENT: "has a payment question",
    Intent.FAQ: "has a general question",
    Intent.COMPLAINT: "has a complaint",
    Intent.SPAM: "sounds like spam or a robocall",
}


# --- phrase tables, compiled once --------------------------------------------------------------


@dataclass(frozen=True)
class _Element:
    words: frozenset[str]
    prefixes: tuple[str, ...]
    gap: bool = False

    def accepts(self, token: str) -> bool:
        return token in self.words or any(token.startswith(p) for p in self.prefixes)


@dataclass(frozen=True)
class _Phrase:
    category: str
    weight: int
    elements: tuple[_Element, ...]
    pattern: str


@dataclass(frozen=True)
class _Match:
    phrase: _Phrase
    positions: tuple[int, ...]  # the words the phrase matched (not those a `...` skipped)

    @property
    def start(self) -> int:
        return self.positions[0]

    @property
    def length(self) -> int:
        return len(self.positions)


def _compile(category: str, pattern: str, weight: int) -> _Phrase:
    elements: list[_Element] = []
    for part in pattern.split():
        if part == "...":
            elements.append(_Element(frozenset(), (), gap=True))
            continue
        options = part.split("|")
        prefixes = tuple(option[:-1] for option in options if option.endswith("*"))
        if any(len(prefix) < 3 for prefix in prefixes):
            raise ValueError(f"prefix too short in {pattern!r}")
        words = frozenset(option for option in options if not option.endswith("*"))
        elements.append(_Element(words, prefixes))
    if not elements or elements[0].gap or elements[-1].gap:
        raise ValueError(f"a phrase starts and ends with words: {pattern!r}")
    return _Phrase(category, weight, tuple(elements), pattern)


@dataclass(frozen=True)
class _Index:
    by_word: dict[str, tuple[_Phrase, ...]]
    by_prefix: dict[str, tuple[tuple[str, _Phrase], ...]]  # keyed by the prefix's first 3 letters
    words: frozenset[str]  # every exact word in the tables
    prefixes: tuple[str, ...]


def _build_index() -> _Index:
    by_word: dict[str, list[_Phrase]] = {}
    by_prefix: dict[str, list[tuple[str, _Phrase]]] = {}
    words: set[str] = set()
    prefixes: set[str] = set()
    for category, table in phrases.TABLES.items():
        for pattern, weight in table:
            phrase = _compile(category, pattern, weight)
            for element in phrase.elements:
                words |= element.words
                prefixes.update(element.prefixes)
            first = phrase.elements[0]
            for word in first.words:
                by_word.setdefault(word, []).append(phrase)
            for prefix in first.prefixes:
                by_prefix.setdefault(prefix[:3], []).append((prefix, phrase))
    return _Index(
        by_word={word: tuple(found) for word, found in by_word.items()},
        by_prefix={key: tuple(found) for key, found in by_prefix.items()},
        words=frozenset(words),
        prefixes=tuple(sorted(prefixes)),
    )


_INDEX = _build_index()
_KNOWN_WORDS = (
    _INDEX.words | frozenset(phrases.FUZZY_WORDS) | phrases.NOT_MISSPELLINGS | phrases.NEGATIONS
)


# --- normalising ------------------------------------------------------------------------------

_APOSTROPHES = re.compile(r"[\u2019\u2018\u00b4'`]")
_CLAUSE_END = re.compile(r"[.,;:!?¿¡()\[\]\"\u201c\u201d]+")
_NON_WORD = re.compile(r"[^a-z0-9|]+")


def normalise(text: str) -> list[str]:
    """Lower-case words without accents or apostrophes; `|` marks the end of a clause."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = _APOSTROPHES.sub("", plain)
    plain = _CLAUSE_END.sub(f" {BOUNDARY} ", plain)
    tokens = _NON_WORD.sub(" ", plain).split()
    return [BOUNDARY if token in phrases.CLAUSE_WORDS else token for token in tokens]


def _is_known(token: str) -> bool:
    return token in _KNOWN_WORDS or any(token.startswith(p) for p in _INDEX.prefixes)


@lru_cache(maxsize=4096)
def _correct(token: str) -> str | None:
    """The key word a misspelt token stands for ("habachi" → "hibachi"), or None."""
    if len(token) < 5 or not token.isalpha() or _is_known(token):
        return None
    limit = 1 if len(token) < 8 else 2
    best = process.extractOne(token, phrases.FUZZY_WORDS, scorer=OSA.distance, score_cutoff=limit)
    if best is None or best[0][0] != token[0]:
        return None
    return str(best[0])


# --- matching ---------------------------------------------------------------------------------


def _match_from(
    tokens: Sequence[str], index: int, elements: tuple[_Element, ...]
) -> tuple[int, ...] | None:
    """Positions of the words matching `elements` from `index` on (shortest gaps), or None."""
    if not elements:
        return ()
    element = elements[0]
    if element.gap:
        for skip in range(GAP + 1):
            if index + skip >= len(tokens) or (skip and tokens[index + skip - 1] == BOUNDARY):
                break
            rest = _match_from(tokens, index + skip, elements[1:])
            if rest is not None:
                return rest
        return None
    if index < len(tokens) and element.accepts(tokens[index]):
        rest = _match_from(tokens, index + 1, elements[1:])
        return None if rest is None else (index, *rest)
    return None


def _all_matches(tokens: Sequence[str]) -> list[_Match]:
    found: list[_Match] = []
    for start, token in enumerate(tokens):
        if token == BOUNDARY:
            continue
        candidates = list(_INDEX.by_word.get(token, ()))
        candidates += [
            phrase
            for prefix, phrase in _INDEX.by_prefix.get(token[:3], ())
            if token.startswith(prefix)
        ]
        for phrase in candidates:
            rest = _match_from(tokens, start + 1, phrase.elements[1:])
            if rest is not None:
                found.append(_Match(phrase, (start, *rest)))
    return found


def _non_overlapping(matches: list[_Match]) -> list[_Match]:
    """The heavier, then the longer, then the earlier match keeps its words."""
    taken: set[int] = set()
    kept: list[_Match] = []
    for match in sorted(matches, key=lambda m: (-m.phrase.weight, -m.length, m.start)):
        if any(position in taken for position in match.positions):
            continue
        taken.update(match.positions)
        kept.append(match)
    return sorted(kept, key=lambda m: m.start)


def _scope_start(tokens: Sequence[str], start: int) -> int:
    """Index of the word before `start` that words like "want to", "need a" lead back to."""
    position = start - 1
    while position >= 0 and tokens[position] in phrases.NEGATION_TRANSPARENT:
        position -= 1
    return position


def _negated(tokens: Sequence[str], start: int) -> bool:
    position = _scope_start(tokens, start)
    return position >= 0 and tokens[position] in phrases.NEGATIONS


def _hypothetical(tokens: Sequence[str], start: int) -> bool:
    for position in range(start - 1, max(-1, start - 5), -1):
        if tokens[position] == BOUNDARY:
            return False
        if tokens[position] in phrases.HYPOTHETICAL:
            return True
    return False


def _staff_first_names(staff_names: Sequence[str]) -> dict[str, str]:
    """Normalised first name → how to write it in a reason ("jessica" → "Jessica Wu").

    First names only: callers ask for "Jessica", and surnames are too often places or words
    ("Santa Cruz", "Lin").
    """
    names: dict[str, str] = {}
    for full_name in staff_names:
        words = [w for w in normalise(full_name) if w not in phrases.NAME_TITLES and w != BOUNDARY]
        if words and len(words[0]) >= 2:
            shown = " ".join(p for p in full_name.split() if p.lower() not in phrases.NAME_TITLES)
            names.setdefault(words[0], shown or full_name)
    return names


def _staff_request(tokens: Sequence[str], staff_names: Sequence[str]) -> tuple[str, str] | None:
    """(who, what was said) when the caller asks for a staff member by name."""
    if not staff_names:
        return None
    names = _staff_first_names(staff_names)
    for position, token in enumerate(tokens):
        who = names.get(token)
        if who is None and len(token) >= 5 and token.isalpha():
            near = process.extractOne(token, list(names), scorer=OSA.distance, score_cutoff=1)
            who = names[near[0]] if near is not None and near[0][0] == token[0] else None
        if who is None:
            continue
        before = [t for t in tokens[max(0, position - 3) : position] if t != BOUNDARY]
        after = tokens[position + 1 : position + 3]
        if any(t in phrases.NAME_BEFORE for t in before) or any(
            t in phrases.NAME_AFTER for t in after
        ):
            if _negated(tokens, position):
                continue
            said = " ".join(t for t in tokens[max(0, position - 3) : position + 2] if t != "|")
            return who, said
    return None


# --- deciding ---------------------------------------------------------------------------------


@dataclass
class _Evidence:
    matches: list[_Match]
    negated: list[_Match]
    corrections: dict[str, str]

    def of(self, category: str) -> list[_Match]:
        return [m for m in self.matches if m.phrase.category == category]

    def score(self, category: str) -> int:
        return sum(m.phrase.weight for m in self.of(category))


def _said(tokens: Sequence[str], match: _Match) -> str:
    return " ".join(t for t in tokens[match.start : match.positions[-1] + 1] if t != BOUNDARY)


def _quote(tokens: Sequence[str], matches: list[_Match]) -> str:
    best = max(matches, key=lambda m: (m.phrase.weight, m.length))
    return f'"{_said(tokens, best)}"'


def classify(text: str, *, staff_names: Sequence[str] = ()) -> TriageResult:
    """What the caller wants and whether to hand them to a person (see the module's notes)."""
    raw_tokens = normalise(text)
    if not [t for t in raw_tokens if t != BOUNDARY]:
        return TriageResult(Intent.OTHER, False, 0.05, "Nothing was said; no escalation.")
    corrections: dict[str, str] = {}
    tokens: list[str] = []
    for token in raw_tokens:
        fixed = _correct(token)
        if fixed is not None:
            corrections[token] = fixed
        tokens.append(fixed or token)

    kept = _non_overlapping(_all_matches(tokens))
    evidence = _Evidence([], [], corrections)
    for match in kept:
        if match.phrase.category == "emergency" and _hypothetical(tokens, match.start):
            continue
        if _negated(tokens, match.start):
            evidence.negated.append(match)
        else:
            evidence.matches.append(match)
    return _decide(tokens, evidence, staff_names)


def _decide(tokens: list[str], evidence: _Evidence, staff_names: Sequence[str]) -> TriageResult:
    heard = _heard_note(evidence.corrections)
    declined = [m for m in evidence.negated if m.phrase.category == "person"]
    declined_note = (
        f" The caller said they do not need a person ({_quote(tokens, declined)})."
        if declined
        else ""
    )

    emergency = evidence.of("emergency")
    if emergency:
        return TriageResult(
            Intent.COMPLAINT,
            True,
            0.9,
            f"Day-of-event emergency ({_quote(tokens, emergency)}): escalating to staff right "
            f"away.{heard}",
            emergency=True,
        )

    spam = evidence.score("spam")
    if spam >= SPAM_MIN_SCORE:
        confidence = min(0.95, 0.6 + 0.1 * spam)
        return TriageResult(
            Intent.SPAM,
            False,
            round(confidence, 2),
            f"Sounds like spam or a robocall ({_quote(tokens, evidence.of('spam'))}); "
            f"no escalation.{heard}",
        )

    chosen = _choose_intent(evidence)
    also = f" (also {DESCRIPTIONS[chosen]})" if chosen is not None else ""

    person = evidence.of("person")
    staff = _staff_request(tokens, staff_names)
    if staff is not None:
        who, said = staff
        return TriageResult(
            Intent.HUMAN,
            True,
            0.9,
            f'The caller asked for {who} by name ("{said}"){also}: escalating.{heard}',
        )
    if person:
        return TriageResult(
            Intent.HUMAN,
            True,
            0.9 if not evidence.corrections else 0.8,
            f"The caller asked for a person ({_quote(tokens, person)}){also}: escalating.{heard}",
        )

    if chosen is None:
        hints = [m for m in evidence.matches if m.phrase.category != "person"]
        hint = f" (only a faint hint: {_quote(tokens, hints)})" if hints else ""
        return TriageResult(
            Intent.OTHER,
            False,
            0.3 if hints else 0.2,
            f"No recognisable request in what the caller said{hint}; no escalation.{declined_note}",
        )

    score = evidence.score(chosen.value)
    rivals = [
        intent
        for intent in PRIORITY
        if intent is not chosen and evidence.score(intent.value) >= MIN_SCORE
    ]
    confidence = (
        min(0.95, 0.55 + 0.1 * score) - 0.1 * len(rivals) - 0.05 * len(evidence.corrections)
    )
    confidence = max(0.35, confidence)
    escalate = chosen in ESCALATED_INTENTS
    action = "escalating so staff can make it right" if escalate else "no escalation needed"
    rival_note = f" Also heard: {', '.join(DESCRIPTIONS[r] for r in rivals)}." if rivals else ""
    return TriageResult(
        chosen,
        escalate,
        round(confidence, 2),
        f"The caller {DESCRIPTIONS[chosen]} ({_quote(tokens, evidence.of(chosen.value))}); "
        f"{action}.{rival_note}{declined_note}{heard}",
    )


def _choose_intent(evidence: _Evidence) -> Intent | None:
    candidates = [intent for intent in PRIORITY if evidence.score(intent.value) >= MIN_SCORE]
    if not candidates:
        return None
    decisive = [
        intent
        for intent in candidates
        if any(m.phrase.weight >= DECISIVE for m in evidence.of(intent.value))
    ]
    pool = decisive or candidates
    chosen = pool[0]
    # A booking and a price question sit at the same level: the stronger evidence wins.
    if (
        chosen is Intent.NEW_BOOKING
        and Intent.QUOTE_REQUEST in pool
        and evidence.score(Intent.QUOTE_REQUEST.value) > evidence.score(Intent.NEW_BOOKING.value)
    ):
        chosen = Intent.QUOTE_REQUEST
    return chosen


def _heard_note(corrections: dict[str, str]) -> str:
    if not corrections:
        return ""
    pairs = ", ".join(f'"{said}" as "{meant}"' for said, meant in corrections.items())
    return f" (Read {pairs}.)"
