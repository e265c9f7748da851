"""The built-in review scorer: the stars always count, the words move the score within them."""

from __future__ import annotations

import pytest

from domain.reviews.sentiment import TOPICS, assess


def test_five_stars_with_praise_is_positive() -> None:
    result = assess(5, "Amazing food and the chef was hilarious! Highly recommend.")
    assert result.sentiment == "positive"
    assert result.score > 0.8
    assert result.topics == ["food", "chef"]
    assert any("highly recommend" in reason for reason in result.reasons)


def test_one_star_with_complaints_is_negative() -> None:
    result = assess(1, "The chef was an hour late and the steak was overcooked. Never again.")
    assert result.sentiment == "negative"
    assert result.score < -0.8
    assert result.topics == ["food", "chef", "punctuality"]


@pytest.mark.parametrize("comment", ["Amazing food, the best party ever!", "Perfect!!", ""])
def test_one_or_two_stars_are_never_positive(comment: str) -> None:
    for stars in (1, 2):
        assert assess(stars, comment).sentiment != "positive"
    assert assess(2, "Amazing, perfect, delicious, wonderful, the best!").score < 0.2


@pytest.mark.parametrize("comment", ["Terrible, awful, the worst, rude and late.", ""])
def test_four_or_five_stars_are_never_negative(comment: str) -> None:
    for stars in (4, 5):
        assert assess(stars, comment).sentiment != "negative"
        assert assess(stars, comment).score > -0.2


def test_the_stars_alone_decide_without_words() -> None:
    assert assess(5, "").sentiment == "positive"
    assert assess(3, "").sentiment == "neutral"
    assert assess(1, "").sentiment == "negative"
    assert assess(3, "").topics == []


def test_the_words_move_three_stars() -> None:
    assert assess(3, "Delicious food, great chef, on time.").sentiment == "positive"
    assert assess(3, "Late, cold food, rude and overpriced.").sentiment == "negative"
    assert assess(3, "The food was not great, but the chef was on time.").sentiment == "neutral"


@pytest.mark.parametrize(
    ("comment", "leaning"),
    [
        ("The chef was not late at all.", "positive"),  # negated complaint
        ("No complaints, no issues.", "positive"),
        ("The food was not good.", "negative"),  # negated praise
        ("Not worth the money.", "negative"),
        ("Didn't enjoy it.", "negative"),
        ("I can't recommend them enough!", "positive"),  # an idiom, not a negation
        ("We couldn't be happier.", "positive"),
        ("Never again.", "negative"),
        ("The chef never showed up.", "negative"),
    ],
)
def test_negations_turn_the_words_round(comment: str, leaning: str) -> None:
    assert assess(3, comment).sentiment == leaning


def test_a_negation_reaches_only_its_clause() -> None:
    # "not" belongs to the first clause: "delicious" after the comma stays praise.
    result = assess(3, "Not cheap, but delicious and on time")
    assert result.sentiment == "positive"
    assert any("delicious" in reason and "reads positive" in reason for reason in result.reasons)


@pytest.mark.parametrize(
    ("comment", "leaning", "topic"),
    [
        ("La comida estuvo deliciosa y el chef muy divertido. ¡Lo recomiendo!", "positive", "food"),
        ("Llegaron tarde y la comida estaba fría. Muy caro.", "negative", "punctuality"),
        ("No llegaron a tiempo.", "negative", "punctuality"),
        ("No fue caro, excelente precio.", "positive", "price"),
        ("Nunca contestaron mis mensajes.", "negative", "communication"),
        ("No contestaron.", "negative", "communication"),
    ],
)
def test_spanish(comment: str, leaning: str, topic: str) -> None:
    result = assess(3, comment)
    assert result.sentiment == leaning
    assert topic in result.topics


@pytest.mark.parametrize(
    ("comment", "topic"),
    [
        ("The fried rice and the filet mignon", "food"),
        ("Our chef put on a great show", "chef"),
        ("They arrived right on time", "punctuality"),
        ("Fair price for what you get", "price"),
        ("Very responsive to my texts and emails", "communication"),
    ],
)
def test_topics(comment: str, topic: str) -> None:
    result = assess(4, comment)
    assert topic in result.topics
    assert set(result.topics) <= set(TOPICS)


def test_scores_stay_within_bounds_and_ratings_are_checked() -> None:
    assert -1.0 <= assess(1, "terrible " * 50).score <= 1.0
    assert -1.0 <= assess(5, "amazing " * 50).score <= 1.0
    assert assess(0, "Delicious!").sentiment == "positive"  # Google gave no rating
    with pytest.raises(ValueError):
        assess(6, "")
