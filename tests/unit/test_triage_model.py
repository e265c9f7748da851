"""The call classifier's word model (naive Bayes over words, pairs and letter groups), its
training examples, and the classifier built on them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from domain.calls.triage import Intent, TriageClassifier
from domain.calls.triage_model import (
    NUMBER_WORD,
    STAFF_WORD,
    TRAINING_PATH,
    Example,
    WordModel,
    cues,
    load_examples,
    model_tokens,
)
from domain.calls.triage_text import normalise

BENCH = Path(__file__).resolve().parents[2] / "bench" / "data"
# The development sets (the first blind set became one after its first measurement). The
# second blind set is read by the benchmark and nothing else.
DEVELOPMENT_SETS = (
    "triage_cases.jsonl",
    "triage_holdout.jsonl",
    "triage_fresh.jsonl",
    "triage_blind.jsonl",
)

TINY = [
    ("book a chef for saturday", "new_booking"),
    ("we want to book a party", "new_booking"),
    ("reserve a chef for our party", "new_booking"),
    ("cancel my party", "cancel_booking"),
    ("please cancel the booking", "cancel_booking"),
    ("we need to cancel", "cancel_booking"),
]


def _model() -> WordModel:
    return WordModel((normalise(text), label) for text, label in TINY)


def test_cues_are_words_pairs_within_a_clause_and_letter_groups() -> None:
    found = cues(normalise("book it, now"))
    assert found["w book"] == 1 and found["p book it"] == 1
    assert "p it now" not in found  # the comma ends the clause
    assert found["l boo"] == 1 and found["l  bo"] == 1 and found["l ok "] == 1


def test_model_tokens_stand_staff_names_and_numbers_for_their_kind() -> None:
    tokens = normalise("have Ana call me at 5pm for 20")
    assert model_tokens(tokens, [1]) == ["have", STAFF_WORD, "call", "me", "at", "#", "for", "#"]
    assert NUMBER_WORD == "#"


def test_it_learns_which_words_go_with_which_label() -> None:
    model = _model()
    booking = model.read(normalise("I want to book a chef"), temperature=1.0)
    cancel = model.read(normalise("can you cancel it"), temperature=1.0)
    assert max(booking.probabilities, key=booking.probabilities.__getitem__) == "new_booking"
    assert max(cancel.probabilities, key=cancel.probabilities.__getitem__) == "cancel_booking"
    assert sum(booking.probabilities.values()) == pytest.approx(1.0)


def test_letter_groups_carry_an_unseen_form_of_a_word() -> None:
    reading = _model().read(normalise("cancellation"), temperature=1.0)
    assert reading.probabilities["cancel_booking"] > reading.probabilities["new_booking"]


def test_unknown_words_leave_the_labels_even_and_are_reported() -> None:
    reading = _model().read(normalise("xzqv wplk"), temperature=1.0)
    assert reading.known == 0
    assert reading.probabilities["new_booking"] == pytest.approx(0.5)


def test_a_higher_temperature_softens_the_posterior() -> None:
    tokens = normalise("book a chef")
    sure = _model().read(tokens, temperature=1.0).probabilities["new_booking"]
    soft = _model().read(tokens, temperature=10.0).probabilities["new_booking"]
    assert 0.5 < soft < sure


def test_telling_words_favour_the_label_and_skip_function_words() -> None:
    assert _model().telling_words(normalise("please book a chef"), "new_booking")[0] in (
        "book",
        "chef",
    )
    assert "a" not in _model().telling_words(normalise("book a chef"), "new_booking")


def test_training_is_deterministic() -> None:
    tokens = normalise("we need to book and cancel")
    first = _model().read(tokens, temperature=3.0)
    assert _model().read(tokens, temperature=3.0) == first


def test_no_examples_is_an_error() -> None:
    with pytest.raises(ValueError):
        WordModel([])


def test_the_training_file_covers_every_intent_and_only_known_intents() -> None:
    examples = load_examples()
    per_intent = Counter(example.intent for example in examples)
    assert set(per_intent) == {intent.value for intent in Intent}
    assert min(per_intent.values()) >= 40
    assert all(e.intent == "complaint" for e in examples if e.emergency)


def test_the_training_file_copies_no_sentence_of_the_development_sets() -> None:
    ours = {e.text.lower().strip() for e in load_examples()}
    for name in DEVELOPMENT_SETS:
        for line in (BENCH / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                assert json.loads(line)["text"].lower().strip() not in ours, name


def test_a_malformed_training_line_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "hi", "intent": "other"}\n{"text": "no intent"}\n')
    with pytest.raises(ValueError, match=r"bad\.jsonl:2"):
        load_examples(path)
    assert TRAINING_PATH.name == "triage_training.jsonl"


def test_a_classifier_trained_on_other_examples_follows_them() -> None:
    examples = [Example(text, label) for text, label in TINY] + [
        Example("hello", "other"),
        Example("thanks bye", "other"),
    ]
    classifier = TriageClassifier(examples)
    assert classifier.classify("we'd like to book a chef").intent is Intent.NEW_BOOKING
    # Escalation does not depend on the examples: the phrase rules decide it.
    assert classifier.classify("let me talk to a manager").escalate
