"""Text normalisation for the built-in call classifier: what speech-to-text gives us, made
comparable.

Callers' words arrive as a transcript: mixed case, accents or not ("cumpleaños",
"cumpleanos"), apostrophes or not ("don't", "dont"), fillers ("um", "uh"), chat spellings
("wanna", "pls") and misspellings of the words that matter ("habachi", "cancle"). Everything
downstream (phrase rules and the word model) sees one form: lower-case ASCII words, clause ends
marked with `BOUNDARY`, key words spelt right.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

BOUNDARY = "|"

# Words that end a clause as punctuation does ("I want to book BUT I need a person").
CLAUSE_WORDS = frozenset({"but", "pero", "however", "although", "though", "sino"})
# Hesitations that carry nothing ("um I need uh to cancel").
FILLERS = frozenset(
    {"um", "umm", "uh", "uhh", "uhm", "erm", "er", "ah", "ahh", "hmm", "hm", "mm", "mmm", "eh"}
)
# Chat and spoken spellings, written out ("wanna" → "want to").
SPOKEN_FORMS: dict[str, tuple[str, ...]] = {
    "wanna": ("want", "to"),
    "gonna": ("going", "to"),
    "gotta": ("got", "to"),
    "lemme": ("let", "me"),
    "gimme": ("give", "me"),
    "u": ("you",),
    "ur": ("your",),
    "pls": ("please",),
    "plz": ("please",),
    "thx": ("thanks",),
    "ppl": ("people",),
    "cuz": ("because",),
    "bc": ("because",),
    "tmrw": ("tomorrow",),
    "tonite": ("tonight",),
}

_APOSTROPHES = re.compile(r"[\u2019\u2018\u00b4'`]")
_CLAUSE_END = re.compile(r"[.,;:!?¿¡()\[\]\"\u201c\u201d]+")
_NON_WORD = re.compile(r"[^a-z0-9|]+")


def normalise(text: str) -> list[str]:
    """Lower-case words without accents, apostrophes or fillers; `|` marks a clause's end."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = _APOSTROPHES.sub("", plain)
    plain = _CLAUSE_END.sub(f" {BOUNDARY} ", plain)
    tokens: list[str] = []
    for token in _NON_WORD.sub(" ", plain).split():
        if token in FILLERS:
            continue
        if token in CLAUSE_WORDS:
            tokens.append(BOUNDARY)
            continue
        tokens.extend(SPOKEN_FORMS.get(token, (token,)))
    return tokens


def words(tokens: Iterable[str]) -> list[str]:
    """The tokens without clause marks."""
    return [token for token in tokens if token != BOUNDARY]


class Speller:
    """Corrects speech-to-text misspellings of key words ("habachi" → "hibachi").

    Only a word we do not know is corrected, only into a key word that starts with the same
    letter, and only at one edit (two for words of eight letters or more): real words one letter
    from a key word ("prize", "manage") are in `known` and stay as they are.
    """

    def __init__(self, targets: Sequence[str], known: Iterable[str], prefixes: Iterable[str]):
        self._targets = tuple(dict.fromkeys(targets))
        self._known = frozenset(known) | frozenset(self._targets)
        self._prefixes = tuple(sorted(set(prefixes)))
        self.correct = lru_cache(maxsize=8192)(self._correct)

    def _is_known(self, token: str) -> bool:
        return token in self._known or token.startswith(self._prefixes)

    def _correct(self, token: str) -> str | None:
        """The key word `token` stands for, or None when it is fine (or nothing is close)."""
        if len(token) < 5 or not token.isalpha() or self._is_known(token):
            return None
        limit = 1 if len(token) < 8 else 2
        best = process.extractOne(token, self._targets, scorer=OSA.distance, score_cutoff=limit)
        if best is None or best[0][0] != token[0]:
            return None
        return str(best[0])

    def fix(self, tokens: Sequence[str]) -> tuple[list[str], dict[str, str]]:
        """The tokens with key words spelt right, and what was read as what."""
        fixed: list[str] = []
        corrections: dict[str, str] = {}
        for token in tokens:
            meant = self.correct(token)
            if meant is not None:
                corrections[token] = meant
            fixed.append(meant or token)
        return fixed, corrections
