import pytest

from domain.messaging.rules import acknowledgement_text, is_opt_out


@pytest.mark.parametrize("text", ["STOP", "stop", " Stop. ", "UNSUBSCRIBE", "opt out", "Quit"])
def test_opt_out_keywords(text: str) -> None:
    assert is_opt_out(text)


@pytest.mark.parametrize("text", ["don't stop the music", "Can we stop by at 5?", "hello"])
def test_sentences_that_mention_stop_are_not_keywords(text: str) -> None:
    assert not is_opt_out(text)


def test_acknowledgement_names_the_business_and_how_to_opt_out() -> None:
    text = acknowledgement_text("Fremont Hibachi Co.")
    assert "Fremont Hibachi Co." in text
    assert "STOP" in text
