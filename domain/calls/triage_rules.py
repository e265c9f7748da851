"""Phrase rules of the built-in call classifier: matching the tables of
`domain.calls.triage_phrases` against normalised words, with negation (staff names are in
`domain.calls.triage_staff`).

1. Every phrase of every table is matched; where matches overlap, the heavier and then the
   longer one keeps the words ("cancellation policy" is a question, "per person" is about
   price).
2. Matches in a negation's scope are set apart ("I don't WANT TO talk to anyone", "no NEED FOR
   a person", "no necesito un agente"): a negation reaches back across words like "want",
   "need", "to", "a", but not across "I", a verb of its own or the end of a clause.
3. A phrase in a question about a case is dropped: an emergency after "if", "what happens",
   "usually", or with "ever" inside ("do your chefs ever show up late"); a complaint after
   "what happens", "in case", "what if".
4. A person mentioned in a story is set apart too ("I WAS talking to someone else", "I
   ALREADY spoke to a manager", "THIS IS the catering manager"): it is not a request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.calls import triage_phrases as phrases
from domain.calls import triage_words as vocab
from domain.calls.triage_text import BOUNDARY

GAP = 3  # words a `...` may skip
# Categories that report what is happening today: a question or a habit takes them back.
SAME_DAY = ("emergency", "trouble", "waiting")


@dataclass(frozen=True)
class _Element:
    words: frozenset[str]
    prefixes: tuple[str, ...]
    gap: bool = False

    def accepts(self, token: str) -> bool:
        return token in self.words or token.startswith(self.prefixes)


@dataclass(frozen=True)
class Phrase:
    category: str
    weight: int
    elements: tuple[_Element, ...]
    pattern: str


@dataclass(frozen=True)
class Match:
    phrase: Phrase
    positions: tuple[int, ...]  # the words the phrase matched (not those a `...` skipped)

    @property
    def category(self) -> str:
        return self.phrase.category

    @property
    def weight(self) -> int:
        return self.phrase.weight

    @property
    def start(self) -> int:
        return self.positions[0]

    @property
    def length(self) -> int:
        return len(self.positions)


def compile_phrase(category: str, pattern: str, weight: int) -> Phrase:
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
    return Phrase(category, weight, tuple(elements), pattern)


class PhraseIndex:
    """Every table's phrases, indexed by their first word (or its first three letters).

    With `compete=False` the tables take no words from each other (overlaps are resolved
    within each table): signals that add up rather than exclude ("it STARTED TO RAIN" is a
    time and a trouble)."""

    def __init__(self, tables: dict[str, phrases.PhraseTable], *, compete: bool = True):
        self._compete = compete
        by_word: dict[str, list[Phrase]] = {}
        by_prefix: dict[str, list[tuple[str, Phrase]]] = {}
        words: set[str] = set()
        prefixes: set[str] = set()
        for category, table in tables.items():
            for pattern, weight in table:
                phrase = compile_phrase(category, pattern, weight)
                for element in phrase.elements:
                    words |= element.words
                    prefixes.update(element.prefixes)
                first = phrase.elements[0]
                for word in first.words:
                    by_word.setdefault(word, []).append(phrase)
                for prefix in first.prefixes:
                    by_prefix.setdefault(prefix[:3], []).append((prefix, phrase))
        self._by_word = {word: tuple(found) for word, found in by_word.items()}
        self._by_prefix = {key: tuple(found) for key, found in by_prefix.items()}
        self.words = frozenset(words)
        self.prefixes = tuple(sorted(prefixes))

    def matches(self, tokens: Sequence[str]) -> list[Match]:
        """Every match of every phrase, overlaps resolved (see the module's notes)."""
        found: list[Match] = []
        for start, token in enumerate(tokens):
            if token == BOUNDARY:
                continue
            candidates = list(self._by_word.get(token, ()))
            candidates += [
                phrase
                for prefix, phrase in self._by_prefix.get(token[:3], ())
                if token.startswith(prefix)
            ]
            for phrase in candidates:
                rest = _match_from(tokens, start + 1, phrase.elements[1:])
                if rest is not None:
                    found.append(Match(phrase, (start, *rest)))
        if self._compete:
            return _non_overlapping(found)
        apart: list[Match] = []
        for category in dict.fromkeys(m.category for m in found):
            apart += _non_overlapping([m for m in found if m.category == category])
        return sorted(apart, key=lambda m: m.start)


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


def _non_overlapping(matches: list[Match]) -> list[Match]:
    """The heavier, then the longer, then the earlier match keeps its words."""
    taken: set[int] = set()
    kept: list[Match] = []
    for match in sorted(matches, key=lambda m: (-m.weight, -m.length, m.start)):
        if any(position in taken for position in match.positions):
            continue
        taken.update(match.positions)
        kept.append(match)
    return sorted(kept, key=lambda m: m.start)


def negation_before(tokens: Sequence[str], start: int, category: str = "") -> int | None:
    """Position of the negation whose scope the words from `start` on are in ("DON'T want to
    talk"), or None.

    What went wrong is told with negations: "you NEVER refunded me", "he DIDN'T clean up",
    "the chef did NOT show". For complaints and emergencies only a negation of a wish ("I
    don't want a refund", "no complaints") takes the cue back.
    """
    position = start - 1
    while position >= 0 and tokens[position] in vocab.NEGATION_TRANSPARENT:
        position -= 1
    if position < 0 or tokens[position] not in vocab.NEGATIONS:
        return None
    if category in vocab.TOLD_WITH_NEGATIONS:
        word = tokens[position]
        if word in vocab.NEGATIONS_OF_FACT:
            return None
        if word == "not" and position > 0 and tokens[position - 1] in vocab.AUXILIARIES:
            return None
    return position


def negated(tokens: Sequence[str], start: int, category: str = "") -> bool:
    return negation_before(tokens, start, category) is not None


def without_negated(tokens: Sequence[str], found: Evidence) -> list[str]:
    """The tokens with each negated phrase, from its negation on, cut out (and each person
    mentioned in a story): what a caller says they do not want is no evidence that they want
    it."""
    kept = list(tokens)
    for match in [*found.negated, *found.stories]:
        begin = negation_before(tokens, match.start, match.category)
        for position in range(begin if begin is not None else match.start, match.positions[-1] + 1):
            kept[position] = BOUNDARY
    return kept


def hypothetical(tokens: Sequence[str], start: int, category: str = "emergency") -> bool:
    """Whether a clause's words before `start` make it a question ("what IF the chef...").

    A complaint needs a clearer question ("what happens if", "in case", "what do you do if"):
    "I'd like to know if I can get a refund" is still a complaint. A same-day trouble is also
    taken back by a forecast ("it's SUPPOSED to rain") and an emergency by a modal just before
    it ("CAN the chef still come").
    """
    broad = category in SAME_DAY
    for position in range(start - 1, max(-1, start - 6), -1):
        word = tokens[position]
        if word == BOUNDARY:
            return False
        if broad and word in vocab.HYPOTHETICAL:
            return True
        if category != "emergency" and broad and word in vocab.FORECAST:
            return True
        if category == "emergency" and position >= start - 2 and word in vocab.MODALS:
            return True  # "CAN the chef still come": a question, not a report
        if word in vocab.QUESTION_OF_CASE:
            return True
        if word in ("if", "si") and position > 0 and tokens[position - 1] in vocab.IF_QUESTION:
            return True
    return False


@dataclass
class Evidence:
    """The phrases heard, and those the caller negated."""

    matches: list[Match] = field(default_factory=list)
    negated: list[Match] = field(default_factory=list)
    stories: list[Match] = field(default_factory=list)  # a person mentioned, not asked for

    def of(self, category: str) -> list[Match]:
        return [m for m in self.matches if m.category == category]

    def score(self, category: str) -> int:
        return sum(m.weight for m in self.of(category))

    def declined(self, category: str) -> list[Match]:
        return [m for m in self.negated if m.category == category]


def evidence(index: PhraseIndex, tokens: Sequence[str]) -> Evidence:
    found = Evidence()
    for match in index.matches(tokens):
        # A same-day trouble is asked about as an emergency is ("what if it rains"), and
        # forecast ("it's supposed to rain").
        category = match.category
        if category in (*SAME_DAY, "complaint") and hypothetical(tokens, match.start, category):
            continue
        if category in SAME_DAY and any(
            token in vocab.HABITUAL for token in tokens[match.start : match.positions[-1]]
        ):
            continue
        if negated(tokens, match.start, match.category):
            found.negated.append(match)
        elif match.category == "person" and (
            _told_not_asked(tokens, match.start) or _introduces_self(tokens, match.start)
        ):
            found.stories.append(match)
        else:
            found.matches.append(match)
    return found


def _told_not_asked(tokens: Sequence[str], start: int) -> bool:
    """Whether a person is mentioned in a story ("I WAS talking to someone else", "I ALREADY
    spoke to a manager")."""
    for position in range(start - 1, max(-1, start - 5), -1):
        if tokens[position] == BOUNDARY:
            return False
        if tokens[position] in vocab.NOT_A_REQUEST or (
            position >= start - 2 and tokens[position] in vocab.NOT_A_REQUEST_RIGHT_BEFORE
        ):
            return True
    return False


def _introduces_self(tokens: Sequence[str], start: int) -> bool:
    """Whether the caller says who they are ("THIS IS the catering manager at...", "I'M the
    venue coordinator"): not a request for one, unless a verb of asking comes between ("I'm
    LOOKING FOR a manager")."""
    for position in range(start - 1, max(-1, start - 4), -1):
        word = tokens[position]
        if word == BOUNDARY or word in vocab.ASKING_VERBS:
            return False
        if word in vocab.SELF_INTRODUCTION or (
            word == "is" and position > 0 and tokens[position - 1] == "this"
        ):
            return True
    return False


def said(tokens: Sequence[str], match: Match) -> str:
    """The words a match covered, as heard."""
    return " ".join(t for t in tokens[match.start : match.positions[-1] + 1] if t != BOUNDARY)
