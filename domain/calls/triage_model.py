"""The word model of the built-in call classifier: a multinomial naive Bayes over words, word
pairs and letter groups, trained when `domain.calls.triage` is imported from the examples in
`triage_training.jsonl` (about 1,640 utterances, 90 to 230 per intent, English and Spanish,
some misspelt as speech-to-text would; written for it, none copied from the benchmark sets).
Emergencies are complaints there, marked `"emergency": true`; a staff member's first name is
written STAFFNAME.

Why this and not more phrases: the phrase rules know the sentences they were written for; a
caller who says "I'd like to secure a chef for the 21st" matches none of them. Here every word
and every three-to-five-letter group ("secur", "chef", "for the") is a weak cue, and many weak
cues add up: "secure a chef" shares "a chef", "chef" and "for the" with the booking examples.
Letter groups also carry a misspelt or inflected word ("reservashun", "cancelled") part of the
way. Priors are uniform: how many examples an intent has says nothing about how often callers
ask for it.

Deterministic (no randomness in training), and fast to score: one dictionary look-up per cue.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from domain.calls.triage_text import BOUNDARY, normalise

TRAINING_PATH = Path(__file__).with_name("triage_training.jsonl")
# What a staff member's first name becomes before the model sees it: a request for "Jessica"
# and one for "Marco" are the same request. Training examples write it as STAFFNAME.
STAFF_WORD = "staffname"
NUMBER_WORD = "#"

WORD_WEIGHT = 1.0
PAIR_WEIGHT = 1.0
LETTERS_WEIGHT = 0.5  # letter groups overlap each other: each counts for less
LETTER_SIZES = (3, 4, 5)
SMOOTHING = 0.05  # additive (Lidstone) smoothing of the cue counts
# Words that carry weight for the model but say nothing to a reader of the reason.
FUNCTION_WORDS = frozenset(
    {
        "a", "an", "the", "and", "or", "to", "of", "for", "in", "on", "at", "is", "it", "my",
        "me", "we", "i", "you", "your", "our", "us", "can", "do", "does", "did", "be", "was",
        "were", "this", "that", "with", "so", "just", "please", "hi", "hey", "yes", "el", "la",
        "los", "las", "de", "y", "en", "un", "una", "mi", "que", "por", "con", "se", "no",
        "like", "would", "want", "need", "get", "have", "im", "id", "its", "if", "about",
        STAFF_WORD, NUMBER_WORD,
    }
)  # fmt: skip


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    emergency: bool = False


def load_examples(path: Path = TRAINING_PATH) -> list[Example]:
    examples: list[Example] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not isinstance(row, dict) or "text" not in row or "intent" not in row:
            raise ValueError(f"{path.name}:{number}: needs text and intent")
        examples.append(
            Example(str(row["text"]), str(row["intent"]), bool(row.get("emergency", False)))
        )
    return examples


def frequent_words(examples: Sequence[Example]) -> frozenset[str]:
    """Words the examples use more than once: real words, never corrected into a key word (a
    misspelling written into an example on purpose appears once)."""
    counts: dict[str, int] = {}
    for example in examples:
        for token in set(normalise(example.text)):
            counts[token] = counts.get(token, 0) + 1
    return frozenset(token for token, count in counts.items() if count > 1)


def model_tokens(tokens: Sequence[str], staff_positions: Iterable[int] = ()) -> list[str]:
    """The words as the model sees them: staff names and numbers stand for their kind."""
    staff = set(staff_positions)
    out: list[str] = []
    for position, token in enumerate(tokens):
        if position in staff:
            out.append(STAFF_WORD)
        elif any(char.isdigit() for char in token):
            out.append(NUMBER_WORD)
        else:
            out.append(token)
    return out


_KIND_WEIGHTS = {"w": WORD_WEIGHT, "p": PAIR_WEIGHT, "l": LETTERS_WEIGHT}


@lru_cache(maxsize=16384)
def _word_cues(token: str) -> tuple[str, ...]:
    """A word's own cues: the word and its letter groups (padded: " chef " gives " ch")."""
    padded = f" {token} "
    groups = [
        "l " + padded[start : start + size]
        for size in LETTER_SIZES
        for start in range(len(padded) - size + 1)
    ]
    return ("w " + token, *groups)


def cues(tokens: Sequence[str]) -> Counter[str]:
    """Cues of an utterance, counted: words, pairs of words within a clause, letter groups.
    A cue's kind (its first letter) sets its weight (`cue_weight`)."""
    found: Counter[str] = Counter()
    previous: str | None = None
    for token in tokens:
        if token == BOUNDARY:
            previous = None
            continue
        found.update(_word_cues(token))
        if previous is not None:
            found[f"p {previous} {token}"] += 1
        previous = token
    return found


def cue_weight(cue: str) -> float:
    return _KIND_WEIGHTS[cue[0]]


@dataclass(frozen=True)
class Reading:
    """What the word model makes of an utterance."""

    probabilities: dict[str, float]  # posterior per label
    known: float  # share of the cues' weight the model has seen (0 for gibberish)


class WordModel:
    """Multinomial naive Bayes with uniform priors over the labels it was trained on."""

    def __init__(self, examples: Iterable[tuple[Sequence[str], str]]):
        counts: dict[str, dict[str, float]] = {}
        for tokens, label in examples:
            found = counts.setdefault(label, {})
            for cue, count in cues(tokens).items():
                found[cue] = found.get(cue, 0.0) + count * cue_weight(cue)
        if not counts:
            raise ValueError("no training examples")
        self.labels: tuple[str, ...] = tuple(sorted(counts))
        vocabulary: set[str] = set().union(*counts.values())
        per_label = [counts[label] for label in self.labels]
        denominators = [
            math.log(sum(found.values()) + SMOOTHING * len(vocabulary)) for found in per_label
        ]
        # Each cue's log-probability per label, already multiplied by the cue's weight: an
        # utterance's log-likelihood is then a plain sum of rows.
        self._rows: dict[str, tuple[float, ...]] = {}
        for cue in sorted(vocabulary):
            weight = cue_weight(cue)
            self._rows[cue] = tuple(
                weight * (math.log(found.get(cue, 0.0) + SMOOTHING) - denominator)
                for found, denominator in zip(per_label, denominators, strict=True)
            )

    def log_likelihoods(self, tokens: Sequence[str]) -> tuple[dict[str, float], float]:
        """Each label's log-likelihood of the cues, and the share of the cues' weight the model
        knows."""
        rows: list[tuple[float, ...]] = []
        known = total = 0.0
        for cue, count in cues(tokens).items():
            weight = cue_weight(cue) * count
            total += weight
            row = self._rows.get(cue)
            if row is not None:
                known += weight
                rows.extend([row] * count)
        sums = [sum(column) for column in zip(*rows, strict=True)] if rows else None
        likelihoods = dict(zip(self.labels, sums or [0.0] * len(self.labels), strict=True))
        return likelihoods, (known / total if total else 0.0)

    def read(self, tokens: Sequence[str], temperature: float) -> Reading:
        """The posterior per label, softened by `temperature` (naive Bayes counts overlapping
        cues as independent evidence, so its raw posteriors are far too sure)."""
        logs, known = self.log_likelihoods(tokens)
        return Reading(softmax({k: v / temperature for k, v in logs.items()}), known)

    def telling_words(self, tokens: Sequence[str], label: str, count: int = 3) -> list[str]:
        """The words that weigh most for `label` against every other label, most first."""
        at = self.labels.index(label)
        weighed: dict[str, float] = {}
        for token in tokens:
            row = self._rows.get("w " + token)
            if row is None or token in weighed or token in FUNCTION_WORDS:
                continue
            margin = row[at] - max(v for i, v in enumerate(row) if i != at)
            if margin > 0:
                weighed[token] = margin
        return sorted(weighed, key=weighed.__getitem__, reverse=True)[:count]


def softmax(scores: dict[str, float]) -> dict[str, float]:
    top = max(scores.values())
    exps = {label: math.exp(value - top) for label, value in scores.items()}
    total = sum(exps.values())
    return {label: value / total for label, value in exps.items()}
