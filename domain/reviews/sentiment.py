"""The built-in review scorer: sentiment and topics from the stars and the words, no network.

The star rating always counts, and has the last word on the direction: a review of one or two
stars is never positive, one of four or five never negative, whatever its words say (a glowing
text under one star is usually a slip of the thumb, and the reply still has to fit the stars).
The words (English and Spanish) move the score within that: phrases with a polarity and a
topic, read clause by clause, a negation ("not", "never", "no", "sin", "nunca", "didn't")
turning the next few words round: "not late" is good news, "no complaints" praise,
"not worth it" a complaint.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

Sentiment = Literal["positive", "neutral", "negative"]
TOPICS = ("food", "chef", "punctuality", "price", "communication")

_STAR_SCORE = {1: -1.0, 2: -0.6, 3: 0.0, 4: 0.6, 5: 1.0}
# The rest is the words' (their score is within -1..1). Above half, the stars keep the last word
# on the direction: two stars and the warmest words stay under _LEANING (0.55 * -0.6 + 0.45 < 0.2),
# and four stars and the harshest ones above -_LEANING.
_STAR_WEIGHT = 0.55
_LEANING = 0.2  # a score this far from 0 has a direction
# A negated phrase is turned round: praise becomes a plain complaint ("not good"), a complaint
# a weaker praise ("not late", "no complaints").
_NEGATED_PRAISE = -1.0
_NEGATED_COMPLAINT = 0.75
_NEGATION_REACH = 3  # words after a negation that it turns round

# phrase (accents, case and apostrophes folded) -> (weight, topic or "")
_LEXICON: dict[str, tuple[float, str]] = {}


def _add(weight: float, topic: str, phrases: str) -> None:
    for phrase in phrases.split(","):
        _LEXICON[phrase.strip()] = (weight, topic)


# topics without a polarity
_add(0, "food", "food, meal, dinner, lunch, steak, filet, filet mignon, chicken, shrimp, scallops")
_add(0, "food", "lobster, salmon, rice, fried rice, noodles, vegetables, veggies, sauce, menu")
_add(0, "food", "yum yum sauce, flavor, flavour, taste, tasted, portion, portions, protein")
_add(0, "food", "comida, carne, pollo, camarones, arroz, verduras, salsa, sabor, porciones, cena")
_add(0, "chef", "chef, chefs, cook, cooks, show, performance, tricks, juggling, onion volcano")
_add(0, "chef", "cocinero, cocineros, espectaculo")
_add(0, "punctuality", "arrived, showed up, arrival, llegaron, llego, llegada")
_add(0, "price", "price, prices, pricing, cost, costs, fee, fees, charge, charged, deposit")
_add(0, "price", "money, bill, precio, precios, costo, cobraron, cobro, deposito")
_add(0, "communication", "communication, respond, responded, response, reply, replied")
_add(0, "communication", "called, call, calls, text, texted, texts, email, emails, emailed")
_add(0, "communication", "booking, booked, confirm, confirmation, contact, contacted")
_add(0, "communication", "comunicacion, respondieron, respuesta, llamada, llamaron, mensaje")
_add(0, "communication", "mensajes, reservar, reserva, confirmacion")
# with a polarity
_add(1, "food", "delicious, tasty, flavorful, flavourful, yummy, cooked perfectly")
_add(1, "food", "delicioso, deliciosa, deliciosos, rico, rica, sabroso, sabrosa")
_add(-1, "food", "bland, salty, undercooked, overcooked, raw, burnt, burned, greasy, tasteless")
_add(-1, "food", "food poisoning, got sick, soggy, rubbery, chewy, cold, dry")
_add(-1, "food", "crudo, cruda, quemado, quemada, salado, salada, insipido, insipida, fria")
_add(1, "chef", "entertaining, hilarious, funny, showman, great show, entertainer")
_add(1, "chef", "divertido, divertida, chistoso, gracioso")
_add(-1, "punctuality", "late, delayed, delay, waited, waiting, tardy, hour late, no show")
_add(-1, "punctuality", "llegaron tarde, llego tarde, retraso, demora, esperamos")
_add(1, "punctuality", "on time, punctual, early, right on time, a tiempo, puntual, puntuales")
_add(-1, "price", "expensive, overpriced, pricey, rip off, ripoff, hidden fees, waste of money")
_add(-1, "price", "caro, cara, carisimo, costoso, costosa")
_add(1, "price", "affordable, reasonable, worth, worth it, good value, great value, value")
_add(1, "price", "barato, economico, vale la pena")
_add(1, "communication", "responsive, communicative, easy to book, easy to work with, prompt")
_add(-1, "communication", "unresponsive, ghosted, no response, no reply, no answer")
_add(1, "", "great, amazing, awesome, excellent, fantastic, wonderful, perfect, love, loved")
_add(1, "", "best, fun, friendly, professional, recommend, recommended, enjoyed, impressed")
_add(1, "", "outstanding, incredible, superb, beautiful, thank you, pleased, satisfied")
_add(1, "", "attentive, polite, courteous, happy, memorable, highly recommend, enjoy")
_add(1, "", "enjoyable")
_add(1, "", "excelente, increible, genial, perfecto, perfecta, buenisimo, buenisima")
_add(1, "", "recomiendo, recomendado, encanto, encantaron, amable, amables, profesional")
_add(1, "", "profesionales, feliz, felices, gracias, atento, atentos")
_add(0.5, "", "good, nice, solid, bueno, buena, buenos, buenas, bien")
_add(0.25, "", "fine, ok, okay, decent")
_add(-1, "", "terrible, horrible, awful, worst, rude, disappointed, disappointing, unprofessional")
_add(-1, "", "disappointment, dirty, mess, messy, waste, complaint, complaints, problem")
_add(-1, "", "problems, issue, issues, mediocre, sloppy, avoid, unacceptable, ruined, upset")
_add(-1, "", "angry, frustrated, frustrating, lacking, poor, bad, meh")
_add(-1, "", "pesimo, pesima, malo, mala, decepcionado, decepcionada, decepcion, grosero")
_add(-1, "", "grosera, sucio, sucia, desastre, problema, problemas, queja, quejas, molesto")
_add(-1, "", "enojado, frustrante, arruinaron")
_LONGEST = max(len(phrase.split()) for phrase in _LEXICON)

# Idioms read before the words, never turned round by a negation inside them.
_IDIOMS: list[tuple[re.Pattern[str], float, str]] = [
    (re.compile(p), weight, topic)
    for p, weight, topic in [
        (r"\b(?:cant|cannot|can not) (?:recommend|thank|praise|say)\b(?: \w+){0,4} enough\b", 1,
         ""),
        (r"\b(?:couldnt|could not|cant|cannot) (?:be|have been) (?:happier|better)\b", 1, ""),
        (r"\b(?:cant|cannot|can not) wait\b", 1, ""),
        (r"\bnot only\b", 0, ""),
        (r"\bno (?:doubt|question)\b", 0, ""),
        (r"\b(?:never|nunca) (?:again|mas)\b", -1, ""),
        (r"\b(?:never|didnt|did not|no) (?:showed|show|shows)(?: up)?\b", -1, "punctuality"),
        (r"\bno (?:llego|llegaron|se presento|se presentaron)\b(?! (?:a tiempo|temprano))", -1,
         "punctuality"),
        (r"\bnever (?:heard back|responded|replied|answered|called back|got back)\b", -1,
         "communication"),
        (r"\b(?:no|nunca) (?:contestaron|respondieron|contesto|respondio|devolvieron)\b", -1,
         "communication"),
    ]
]  # fmt: skip
_NEGATIONS = {
    "not", "no", "never", "nothing", "without", "dont", "didnt", "doesnt", "wasnt", "werent",
    "isnt", "arent", "wont", "cant", "cannot", "couldnt", "wouldnt", "shouldnt", "hardly",
    "barely", "nunca", "ni", "sin", "tampoco", "nada", "neither", "nor",
}  # fmt: skip
_CLAUSES = re.compile(r"[.!?;,:\n]+|\b(?:but|however|although|though|pero|aunque|sino)\b")
_WORDS = re.compile(r"[a-z0-9_$%]+")


@dataclass(frozen=True)
class Assessment:
    sentiment: Sentiment
    score: float  # -1..1
    topics: list[str] = field(default_factory=list)  # of TOPICS, in that order
    reasons: list[str] = field(default_factory=list)


def _fold(text: str) -> str:
    """Lower case, accents stripped, apostrophes dropped: "didn't" → "didnt", "llegó" → "llego"."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("'", "").replace("\u2019", "").replace("-", " ")


@dataclass
class _Reading:
    weights: list[float] = field(default_factory=list)
    topics: set[str] = field(default_factory=set)
    positive: list[str] = field(default_factory=list)
    negative: list[str] = field(default_factory=list)

    def add(self, phrase: str, weight: float, topic: str) -> None:
        if topic:
            self.topics.add(topic)
        if weight:
            self.weights.append(weight)
            (self.positive if weight > 0 else self.negative).append(phrase)


def _read_clause(clause: str, reading: _Reading) -> None:
    for pattern, weight, topic in _IDIOMS:
        for found in pattern.finditer(clause):
            reading.add(found.group(0), weight, topic)
        clause = pattern.sub(" _ ", clause)
    words = _WORDS.findall(clause)
    negated_for, negation = 0, ""
    i = 0
    while i < len(words):
        for length in range(min(_LONGEST, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + length])
            entry = _LEXICON.get(phrase)
            if entry is not None:
                weight, topic = entry
                if negated_for and weight:
                    turned = _NEGATED_PRAISE if weight > 0 else _NEGATED_COMPLAINT * -weight
                    reading.add(f"{negation} … {phrase}", turned, topic)
                else:
                    reading.add(phrase, weight, topic)
                i += length
                negated_for = max(negated_for - length, 0)
                break
        else:
            if words[i] in _NEGATIONS:
                negated_for, negation = _NEGATION_REACH, words[i]
            else:
                negated_for = max(negated_for - 1, 0)
            i += 1


def read_words(comment: str) -> tuple[float | None, set[str], list[str], list[str]]:
    """The words' own score (-1..1, None without a word that leans), topics, and the phrases
    read as positive and as negative."""
    reading = _Reading()
    for clause in _CLAUSES.split(_fold(comment)):
        if clause and clause.strip():
            _read_clause(clause, reading)
    if not reading.weights:
        return None, reading.topics, reading.positive, reading.negative
    positive = sum(w for w in reading.weights if w > 0)
    negative = -sum(w for w in reading.weights if w < 0)
    score = (positive - negative) / (positive + negative + 0.5)
    return score, reading.topics, reading.positive, reading.negative


def assess(star_rating: int, comment: str) -> Assessment:
    """Sentiment, score and topics of a review (`star_rating` 1..5, or 0 when Google gave none)."""
    if not 0 <= star_rating <= 5:
        raise ValueError(f"a star rating is 0..5, not {star_rating}")
    words, topics, positive, negative = read_words(comment or "")
    reasons: list[str] = []
    if star_rating:
        reasons.append(f"{star_rating} star{'s' if star_rating > 1 else ''}")
    if positive:
        reasons.append("reads positive: " + ", ".join(positive))
    if negative:
        reasons.append("reads negative: " + ", ".join(negative))
    stars = _STAR_SCORE.get(star_rating)
    if stars is None:
        score = words or 0.0
    elif words is None:
        score = stars
    else:
        score = _STAR_WEIGHT * stars + (1 - _STAR_WEIGHT) * words
    score = round(max(-1.0, min(1.0, score)), 4)
    sentiment: Sentiment = (
        "positive" if score >= _LEANING else "negative" if score <= -_LEANING else "neutral"
    )
    return Assessment(sentiment, score, [t for t in TOPICS if t in topics], reasons)
