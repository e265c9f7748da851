"""The built-in call classifier: what a caller wants and whether a person should take the call.

Pure and fast (a fraction of a millisecond a call): no I/O after import. It stands in when
OpenAI is not configured or fails, so it must be safe on its own: it escalates a caller who
asks for a person however they say it (or asks for a staff member by name), a complaint and a
day-of-event emergency, and never escalates a caller who says they do not need a person.

How it decides:
1. Normalise (`triage_text`): lower case, no accents, apostrophes or fillers, clause ends
   marked, key words misspelt by speech-to-text corrected ("habachi", "cancle").
2. Phrase rules (`triage_rules`, tables in `triage_phrases`) find the high-precision cues:
   requests for a person, emergencies, complaints, spam scripts, and each intent's key phrases,
   minus those the caller negated ("I don't need a manager").
3. Escalation comes first and is recall-biased: an emergency ("the chef hasn't arrived"), a
   same-day crisis ("it's pouring rain right now and the party starts in an hour"), a request
   for a person or a staff member by name, or clear spam decide on their own.
4. Otherwise the intent is the best of the word model's posterior (`triage_model`: naive Bayes
   over words, word pairs and letter groups, trained on `triage_training.jsonl`) plus the
   phrase evidence: many weak cues add up, and a clear phrase tips the balance.
5. A complaint is escalated; so is any other answer with a clear complaint cue or a word model
   that finds dissatisfaction likely (a missed complaint costs more than a needless transfer).

A caller who asks for a person and clearly says what about ("I want to cancel and I'd like to
speak with a manager", "I need a quote, can a real person call me back") gets that matter as
the intent, escalated; `human` is for a caller who wants a person and names no other matter
("can I talk to someone about my booking"). The matter is read from the words other than the
request for a person.

Emergencies are always escalated with `emergency=True`: a service failure in progress (the
chef has not arrived, is lost, a fire, a gas smell, an injury) is a complaint; a same-day
crisis the caller wants the event adjusted for ("he's stuck in traffic, can we push dinner to
7") is a change of booking.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.calls import triage_phrases as phrases
from domain.calls import triage_rules as rules
from domain.calls import triage_staff as staffing
from domain.calls import triage_words as vocab
from domain.calls.triage_model import (
    Example,
    WordModel,
    frequent_words,
    load_examples,
    model_tokens,
)
from domain.calls.triage_text import BOUNDARY, Speller, normalise, words

__all__ = ["Intent", "TriageClassifier", "TriageResult", "classify", "normalise"]


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
    # The caller asked for a person (or a staff member by name), whatever the intent: "I want
    # to cancel, can I talk to a manager" is a cancellation that a person should take.
    person_asked: bool = False


SPAM_MIN_SCORE = 3  # phrase evidence that decides spam on its own
# Combining the word model with the phrases: score = log P(intent | words) at TEMPERATURE
# + PHRASE_WEIGHT * (phrase evidence, capped): a clear phrase (weight 2) outweighs a lean of
# the model, not its certainty.
TEMPERATURE = 10.0
PHRASE_WEIGHT = 1.5
PHRASE_CAP = 6
# Phrases that count double, by intent: (from this weight, factor). Clear complaint phrases
# (weight 2 or more) are precise, and a complaint that mentions a deposit or a party is still a
# complaint; hints ("late") count once. The decisive families of OTHER (a job seeker, a
# supplier) and PAYMENT (the state of a refund) name their matter whatever else is said: an
# applicant talks about chefs and parties too.
PHRASE_BOOST: dict[Intent, tuple[int, float]] = {
    Intent.COMPLAINT: (2, 2.0),
    Intent.OTHER: (3, 2.0),
    Intent.PAYMENT: (3, 2.0),
}
# Without a phrase for it, an intent needs this much of the word model's belief, and the word
# model needs to know this share of the cues ("hang on a sec", "asdf qwerty" are OTHER).
MIN_MODEL = 0.35
MIN_KNOWN = 0.5
# Complaint probability (by the word model) above which a caller is escalated whatever the
# chosen intent, and the phrase evidence of a complaint that does the same.
COMPLAINT_ESCALATION = 0.25
COMPLAINT_CUE = 2
# The phrase evidence that makes another matter the intent of a caller who asks for a person:
# a clear cue; for OTHER, only the decisive ones (a job seeker, a supplier), not "hold on".
MATTER_CUE: dict[Intent, int] = {Intent.OTHER: 3}

DESCRIPTIONS: dict[Intent, str] = {
    Intent.NEW_BOOKING: "wants to book an event",
    Intent.CHANGE_BOOKING: "wants to change a booking",
    Intent.CANCEL_BOOKING: "wants to cancel a booking",
    Intent.QUOTE_REQUEST: "asks for a price",
    Intent.PAYMENT: "has a payment question",
    Intent.FAQ: "has a general question",
    Intent.COMPLAINT: "has a complaint",
    Intent.HUMAN: "wants a person",
    Intent.SPAM: "sounds like spam or a robocall",
    Intent.OTHER: "is not calling as a customer",
}


@dataclass(frozen=True)
class _Heard:
    """Everything read from one utterance, before deciding."""

    tokens: list[str]
    corrections: dict[str, str]
    evidence: rules.Evidence
    crisis: rules.Evidence  # the halves of a same-day crisis, and requests to adjust
    staff: staffing.StaffRequest | None  # when a staff member is asked for by name
    # The word model's posterior per intent, of the words other than a request for a person.
    model: dict[str, float]
    known: float  # share of the words' cues the word model knows
    telling: Callable[[str], list[str]]  # the words that weigh most for an intent

    @property
    def heard_note(self) -> str:
        if not self.corrections:
            return ""
        pairs = ", ".join(f'"{said}" as "{meant}"' for said, meant in self.corrections.items())
        return f" (Read {pairs}.)"

    def quote(self, matches: list[rules.Match]) -> str:
        best = max(matches, key=lambda m: (m.weight, m.length))
        return f'"{rules.said(self.tokens, best)}"'


class TriageClassifier:
    """Phrase rules plus a word model trained on `examples` (see the module's notes)."""

    def __init__(self, examples: Sequence[Example]):
        self._index = rules.PhraseIndex(phrases.TABLES)
        self._crisis = rules.PhraseIndex(phrases.CRISIS_TABLES, compete=False)
        self._known = (
            self._index.words
            | self._crisis.words
            | vocab.NOT_MISSPELLINGS
            | vocab.NEGATIONS
            | frequent_words(examples)
        )
        self._speller = Speller(
            vocab.FUZZY_WORDS, self._known, self._index.prefixes + self._crisis.prefixes
        )
        self._model = WordModel(
            (model_tokens(self._read(example.text)[0]), example.intent) for example in examples
        )

    def _read(self, text: str) -> tuple[list[str], dict[str, str]]:
        return self._speller.fix(normalise(text))

    def classify(self, text: str, staff_names: Sequence[str] = ()) -> TriageResult:
        tokens, corrections = self._read(text)
        if not words(tokens):
            return TriageResult(Intent.OTHER, False, 0.05, "Nothing was said; no escalation.")
        names = staffing.staff_first_names(tuple(staff_names))
        mentions = staffing.staff_mentions(tokens, names, self._known) if names else []
        evidence = rules.evidence(self._index, tokens)
        kept = rules.without_negated(tokens, evidence)
        # What they want a person for is the matter; an aside ("not a complaint") is no cue.
        for match in [*evidence.of("person"), *evidence.of("aside")]:
            for position in range(match.start, match.positions[-1] + 1):
                kept[position] = BOUNDARY
        seen = model_tokens(kept, [m.position for m in mentions])
        reading = self._model.read(seen, TEMPERATURE)
        heard = _Heard(
            tokens=tokens,
            corrections=corrections,
            evidence=evidence,
            crisis=rules.evidence(self._crisis, tokens),
            staff=staffing.staff_request(tokens, mentions),
            model=reading.probabilities,
            known=reading.known,
            telling=lambda intent: self._model.telling_words(seen, intent),
        )
        return _decide(heard)


def _decide(heard: _Heard) -> TriageResult:
    evidence = heard.evidence
    note = heard.heard_note

    emergency = _emergency(heard)
    if emergency is not None:
        return emergency
    spam = evidence.score("spam")
    if spam >= SPAM_MIN_SCORE:
        return TriageResult(
            Intent.SPAM,
            False,
            round(min(0.95, 0.6 + 0.1 * spam), 2),
            f"Sounds like spam or a robocall ({heard.quote(evidence.of('spam'))}); "
            f"no escalation.{note}",
        )
    person = evidence.of("person")
    if heard.staff is not None or person:
        if heard.staff is not None:
            asked = f'asked for {heard.staff.who} by name ("{heard.staff.said}")'
        else:
            asked = f"asked for a person ({heard.quote(person)})"
        matter = _stated_matter(heard)
        if matter is not None:
            return TriageResult(
                matter,
                True,
                0.85 if not heard.corrections else 0.75,
                f"The caller {DESCRIPTIONS[matter]} ({_cues(heard, matter)}) and {asked}: "
                f"escalating.{note}",
                person_asked=True,
            )
        return TriageResult(
            Intent.HUMAN,
            True,
            0.9 if not heard.corrections else 0.8,
            f"The caller {asked}: escalating.{note}",
            person_asked=True,
        )

    declined = evidence.declined("person")
    declined_note = (
        f" The caller said they do not need a person ({heard.quote(declined)})." if declined else ""
    )
    scores = _combined_scores(heard)
    chosen = max(scores, key=scores.__getitem__)
    if chosen is not Intent.OTHER and _too_faint(heard, chosen):
        chosen = Intent.OTHER
    if chosen is Intent.OTHER:
        other = [m for m in evidence.of(Intent.OTHER.value) if m.weight >= 2]
        said = f"Not a customer's request ({heard.quote(other)})" if other else ""
        return TriageResult(
            Intent.OTHER,
            False,
            0.6 if other else 0.3 if evidence.matches else 0.2,
            f"{said or 'No recognisable request in what the caller said'}; no escalation."
            f"{declined_note}",
        )

    rivals = [
        intent
        for intent in Intent
        if intent not in (chosen, Intent.OTHER) and evidence.score(intent.value) >= 2
    ]
    confidence = min(0.95, _share(scores, chosen))
    confidence -= 0.1 * len(rivals) + 0.05 * len(heard.corrections)
    escalate, why = _escalation(heard, chosen)
    rival_note = f" Also heard: {', '.join(DESCRIPTIONS[r] for r in rivals)}." if rivals else ""
    return TriageResult(
        chosen,
        escalate,
        round(max(0.35, confidence), 2),
        f"The caller {DESCRIPTIONS[chosen]} ({_cues(heard, chosen)}); {why}."
        f"{rival_note}{declined_note}{note}",
        person_asked=chosen is Intent.HUMAN,
    )


def _combined_scores(heard: _Heard) -> dict[Intent, float]:
    """log P(intent | words) + the phrase evidence for it (see the module's notes)."""
    evidence = heard.evidence
    declined = bool(evidence.declined("person")) or any(
        m.category == "person" for m in evidence.stories
    )
    scores: dict[Intent, float] = {}
    for intent in Intent:
        if intent is Intent.HUMAN and declined:
            continue
        if intent is Intent.HUMAN:
            phrase = float(min(PHRASE_CAP, evidence.score("person")))
        else:
            phrase = min(PHRASE_CAP, _phrase_score(heard, intent))
        model = max(heard.model.get(intent.value, 0.0), 1e-9)
        scores[intent] = math.log(model) + PHRASE_WEIGHT * phrase
    return scores


def _too_faint(heard: _Heard, chosen: Intent) -> bool:
    """No phrase for the intent, and a word model that barely prefers it (or hardly knows the
    words): too little to act on ("hang on a sec", "asdf qwerty")."""
    if heard.evidence.score(chosen.value):
        return False
    return heard.known < MIN_KNOWN or heard.model.get(chosen.value, 0.0) < MIN_MODEL


def _emergency(heard: _Heard) -> TriageResult | None:
    """A day-of-event emergency, or a same-day crisis (a trouble such as rain or traffic while
    the party is on or about to start, or guests waiting), as a complaint or a change of
    booking; None when there is neither.

    A service failure ("the chef isn't here", "the grill won't light", guests waiting with no
    other trouble named) is a complaint unless the caller asks to adjust the event and does not
    complain; a crisis of weather, traffic or set-up is a change unless the caller complains.
    """
    emergency = heard.evidence.of("emergency")
    crisis = heard.crisis
    waiting = crisis.of("waiting")
    trouble = crisis.of("trouble") if crisis.of("now") or waiting else []
    if not emergency and not trouble and not waiting:
        return None
    complains = _phrase_score(heard, Intent.COMPLAINT) >= COMPLAINT_CUE
    adjusts = bool(crisis.of("adjust")) or heard.evidence.score(Intent.CHANGE_BOOKING.value) >= 2
    failure = bool(emergency) or not trouble
    change = not complains and (adjusts or not failure)
    intent = Intent.CHANGE_BOOKING if change else Intent.COMPLAINT
    what = heard.quote(emergency or trouble or waiting)
    wants = (
        " (the caller asks to adjust the event)"
        if change and adjusts
        else " (a same-day crisis: the event needs adjusting)"
        if change
        else ""
    )
    return TriageResult(
        intent,
        True,
        0.9 if emergency else 0.8,
        f"Day-of-event emergency ({what}){wants}: escalating to staff right away."
        f"{heard.heard_note}",
        emergency=True,
        person_asked=bool(heard.evidence.of("person")) or heard.staff is not None,
    )


def _stated_matter(heard: _Heard) -> Intent | None:
    """What a caller who asks for a person wants, when a phrase says it clearly ("cancel", "a
    quote", "pay the deposit", "apply to be a chef"): the best-scoring such intent, or None."""
    scores = _combined_scores(heard)
    request = heard.staff.positions if heard.staff is not None else frozenset()

    def states(match: rules.Match) -> bool:
        # "questions about MY reservation" is about a booking they have, not a new one.
        booking = match.category == Intent.NEW_BOOKING.value and match.start > 0
        if booking and heard.tokens[match.start - 1] in vocab.POSSESSIVES:
            return False
        return request.isdisjoint(match.positions)

    def said_clearly(intent: Intent) -> bool:  # one clear phrase, not hints that add up
        weights = [m.weight for m in heard.evidence.of(intent.value) if states(m)]
        return max(weights, default=0) >= MATTER_CUE.get(intent, 2)

    clear = [i for i in Intent if i not in (Intent.HUMAN, Intent.SPAM) and said_clearly(i)]
    return max(clear, key=scores.__getitem__) if clear else None


def _phrase_score(heard: _Heard, intent: Intent) -> float:
    """The phrase evidence for an intent, with `PHRASE_BOOST` (uncapped)."""
    least, boost = PHRASE_BOOST.get(intent, (0, 1.0))
    return sum(
        m.weight * (boost if m.weight >= least else 1.0) for m in heard.evidence.of(intent.value)
    )


def _share(scores: dict[Intent, float], chosen: Intent) -> float:
    """The chosen intent's share of the combined scores, as a probability."""
    return 1.0 / sum(math.exp(value - scores[chosen]) for value in scores.values())


def _cues(heard: _Heard, chosen: Intent) -> str:
    matches = heard.evidence.of(chosen.value)
    if matches:
        return heard.quote(matches)
    telling = heard.telling(chosen.value)
    if telling:
        return "words like " + ", ".join(f'"{word}"' for word in telling)
    return "the wording as a whole"


def _escalation(heard: _Heard, chosen: Intent) -> tuple[bool, str]:
    if chosen is Intent.COMPLAINT:
        return True, "escalating so staff can make it right"
    if chosen is Intent.HUMAN:
        return True, "escalating"
    if chosen is Intent.SPAM:
        return False, "no escalation"
    complaint = heard.evidence.of("complaint")
    if sum(m.weight for m in complaint) >= COMPLAINT_CUE:
        return True, f"escalating: it also sounds like a complaint ({heard.quote(complaint)})"
    if heard.model.get(Intent.COMPLAINT.value, 0.0) >= COMPLAINT_ESCALATION:
        return True, "escalating: it may also be a complaint"
    return False, "no escalation needed"


_DEFAULT = TriageClassifier(load_examples())


def classify(text: str, *, staff_names: Sequence[str] = ()) -> TriageResult:
    """What the caller wants and whether to hand them to a person (see the module's notes)."""
    return _DEFAULT.classify(text, staff_names)
