"""The built-in call classifier: intents, escalation, negations, Spanish, misspellings, names."""

from __future__ import annotations

import pytest

from domain.calls.triage import Intent, TriageResult, classify, normalise

STAFF = ["Jessica Wu", "Marco Rossi", "Chef Hiro Sato", "Ana Lopez", "Chef Daniel Cruz"]


def _triage(text: str) -> TriageResult:
    return classify(text, staff_names=STAFF)


@pytest.mark.parametrize(
    "text",
    [
        "can I talk to a real person",
        "I want to speak to a manager",
        "agent",
        "Representative!",
        "operator please",
        "could you put me through to somebody",
        "can I talk to someone",
        "just connect me with a live person",
        "transfer me to customer service",
        "is there anybody I can speak with",
        "can someone call me back",
        "I'd like to talk to a human being",
        "quiero hablar con una persona",
        "un agente por favor",
        "puedo hablar con alguien",
        "me comunica con el gerente",
        "no, I want a person",
        "I don't know, can I just talk to someone",
        "I don't want to wait, let me talk to a manager",
    ],
)
def test_a_request_for_a_person_is_escalated(text: str) -> None:
    result = _triage(text)
    assert result.intent is Intent.HUMAN, result
    assert result.escalate and not result.emergency
    assert "asked for a person" in result.reason


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("no need for a person, how much is it for 25 people", Intent.QUOTE_REQUEST),
        ("I don't want to talk to anyone, just the price", Intent.QUOTE_REQUEST),
        ("I don't need an agent, I just want to cancel", Intent.CANCEL_BOOKING),
        ("no necesito un agente, solo quiero saber el precio", Intent.QUOTE_REQUEST),
        ("no quiero hablar con nadie, solo quiero cancelar", Intent.CANCEL_BOOKING),
        ("I'd rather not speak with a representative, text me a quote", Intent.QUOTE_REQUEST),
        ("I'd like to cancel, no need to connect me to anyone", Intent.CANCEL_BOOKING),
        ("I want to book, I don't need to be transferred to anyone", Intent.NEW_BOOKING),
    ],
)
def test_saying_no_person_is_needed_is_not_escalated(text: str, intent: Intent) -> None:
    result = _triage(text)
    assert result.intent is intent, result
    assert not result.escalate
    assert "do not need a person" in result.reason


@pytest.mark.parametrize(
    "text",
    [
        "is Jessica there",
        "can I speak with Marco please",
        "hablar con Ana",
        "I was told to ask for Hiro",
        "is jesica available",  # speech-to-text misspelling of a staff name
    ],
)
def test_asking_for_a_staff_member_by_name_is_escalated(text: str) -> None:
    result = _triage(text)
    assert result.intent is Intent.HUMAN and result.escalate
    assert "by name" in result.reason


def test_a_name_is_not_a_request_without_the_staff_list() -> None:
    assert classify("is Jessica there").intent is Intent.OTHER


def test_surnames_are_not_names_a_caller_asks_for() -> None:
    # "Cruz" is a chef's surname and a place.
    result = _triage("what do you charge to come out to Santa Cruz")
    assert result.intent is Intent.QUOTE_REQUEST and not result.escalate


def test_mentioning_a_staff_member_is_not_always_a_request() -> None:
    result = _triage("Jessica helped me book last time, I want to change the date")
    assert result.intent is Intent.CHANGE_BOOKING and not result.escalate


@pytest.mark.parametrize(
    "text",
    [
        "the chef hasn't arrived and our guests are here",
        "the chef is late, the party started 30 minutes ago",
        "nobody showed up for our party",
        "our chef still isn't here",
        "where's our chef? he was supposed to be here at 5",
        "el chef no ha llegado",
        "no ha llegado el chef y ya son las seis",
        "there's a gas smell coming from the grill",
        "the chef hasn't arrived, can I talk to a person",
    ],
)
def test_day_of_event_emergencies_are_escalated(text: str) -> None:
    result = _triage(text)
    assert result.emergency and result.escalate, result
    assert result.intent is Intent.COMPLAINT
    assert "emergency" in result.reason


def test_a_hypothetical_lateness_is_a_question_not_an_emergency() -> None:
    result = _triage("what happens if the chef is late")
    assert not result.emergency


@pytest.mark.parametrize(
    "text",
    [
        "the food was cold",
        "I want a refund",
        "that was terrible",
        "the chef was rude and the chicken was undercooked",
        "I want my deposit back",
        "you charged me twice",
        "la comida estaba fria",
        "quiero un reembolso",
        "I have a complaint about last night",
    ],
)
def test_complaints_are_escalated(text: str) -> None:
    result = _triage(text)
    assert result.intent is Intent.COMPLAINT and result.escalate and not result.emergency


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("I'd like to book a hibachi party for June 14th", Intent.NEW_BOOKING),
        ("I want to make a reservation for 20 people", Intent.NEW_BOOKING),
        ("quiero reservar una fiesta para el sabado", Intent.NEW_BOOKING),
        ("do you have availability on July 4th", Intent.NEW_BOOKING),
        ("I need to change the date of my party", Intent.CHANGE_BOOKING),
        ("can I reschedule?", Intent.CHANGE_BOOKING),
        ("necesito cambiar la fecha de mi reservacion", Intent.CHANGE_BOOKING),
        ("we have five more guests coming", Intent.CHANGE_BOOKING),
        ("I don't want to cancel, I just want to move the date", Intent.CHANGE_BOOKING),
        ("I need to cancel my party", Intent.CANCEL_BOOKING),
        ("quiero cancelar mi reservacion", Intent.CANCEL_BOOKING),
        ("we're not going to need the chef anymore", Intent.CANCEL_BOOKING),
        ("how much for 20 people", Intent.QUOTE_REQUEST),
        ("cuanto cuesta por persona", Intent.QUOTE_REQUEST),
        ("what's the price per person", Intent.QUOTE_REQUEST),
        ("I want to pay the deposit", Intent.PAYMENT),
        ("do you take Venmo", Intent.PAYMENT),
        ("how much is the deposit", Intent.PAYMENT),
        ("quiero pagar el saldo", Intent.PAYMENT),
        ("do you bring the grill", Intent.FAQ),
        ("are you licensed and insured", Intent.FAQ),
        ("what's included", Intent.FAQ),
        ("what's your cancellation policy", Intent.FAQ),
        ("how far in advance do I need to book", Intent.FAQ),
        ("how much space do you need", Intent.FAQ),
        ("traen la parrilla", Intent.FAQ),
        ("congratulations, you've won a free cruise", Intent.SPAM),
        ("we're calling about your car's extended warranty", Intent.SPAM),
        ("press one to speak to a representative about your student loans", Intent.SPAM),
        ("wrong number, sorry", Intent.OTHER),
    ],
)
def test_intents(text: str, intent: Intent) -> None:
    result = _triage(text)
    assert result.intent is intent, result
    assert result.escalate is (intent in (Intent.HUMAN, Intent.COMPLAINT))


@pytest.mark.parametrize(
    ("text", "intent", "heard"),
    [
        ("I want to make a reservaton for a habachi party", Intent.NEW_BOOKING, "habachi"),
        ("I need to cancle my hibachy party", Intent.CANCEL_BOOKING, "cancle"),
        ("representitive", Intent.HUMAN, "representitive"),
        ("opperator", Intent.HUMAN, "opperator"),
        ("can I get a qoute for 30", Intent.QUOTE_REQUEST, "qoute"),
        ("I need to resechedule", Intent.CHANGE_BOOKING, "resechedule"),
        ("I paid the depposit", Intent.PAYMENT, "depposit"),
    ],
)
def test_misspellings_of_key_words(text: str, intent: Intent, heard: str) -> None:
    result = _triage(text)
    assert result.intent is intent, result
    assert f'"{heard}"' in result.reason


@pytest.mark.parametrize(
    ("text", "not_intent"),
    [
        ("you have won a prize", Intent.QUOTE_REQUEST),  # "prize" is not "price"
        ("can you manage a party of 50", Intent.HUMAN),  # "manage" is not "manager"
        ("it's for 20 personas", Intent.HUMAN),  # people, not "a person"
        ("how much per person", Intent.HUMAN),
    ],
)
def test_real_words_are_not_corrected_into_key_words(text: str, not_intent: Intent) -> None:
    assert _triage(text).intent is not not_intent


@pytest.mark.parametrize("text", ["", "   ", "?!.", "uh um", "asdf qwerty zxcv", "12345", "🙂🙂"])
def test_empty_or_garbage_is_other_with_low_confidence(text: str) -> None:
    result = _triage(text)
    assert result.intent is Intent.OTHER
    assert not result.escalate and not result.emergency
    assert result.confidence <= 0.3
    assert result.reason


def test_reason_quotes_what_was_heard_and_says_why() -> None:
    result = _triage("I need to cancel my reservation for Saturday")
    assert '"cancel"' in result.reason
    assert "no escalation" in result.reason


def test_confidence_is_between_0_and_1_and_lower_when_mixed() -> None:
    clear = _triage("how much does it cost per person")
    mixed = _triage("I need to cancel and also how much would a new date cost")
    for result in (clear, mixed):
        assert 0 <= result.confidence <= 1
    assert mixed.confidence < clear.confidence


def test_normalise_strips_accents_apostrophes_and_marks_clauses() -> None:
    assert normalise("¿Dónde está el chef? I don't know, but") == [
        "|",
        "donde",
        "esta",
        "el",
        "chef",
        "|",
        "i",
        "dont",
        "know",
        "|",
        "|",
    ]


def test_a_result_is_immutable() -> None:
    result = _triage("agent")
    with pytest.raises(AttributeError):
        result.escalate = False  # type: ignore[misc]


# --- wording no phrase was written for: the word model and the phrase families ---------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("we'd love to get you out for my dad's 60th in the fall", Intent.NEW_BOOKING),
        ("our numbers went up, it's going to be 45 now", Intent.CHANGE_BOOKING),
        ("we're going to have to back out, the event is off", Intent.CANCEL_BOOKING),
        ("what kind of budget should I plan for 30 guests", Intent.QUOTE_REQUEST),
        ("can I settle the rest with Apple Pay", Intent.PAYMENT),
        ("does the chef need a table to set the grill on", Intent.FAQ),
        ("hola, quisiera una cotizacion para una boda", Intent.QUOTE_REQUEST),
    ],
)
def test_intents_in_wording_no_phrase_names(text: str, intent: Intent) -> None:
    result = _triage(text)
    assert result.intent is intent, result
    assert not result.escalate


@pytest.mark.parametrize(
    "text",
    [
        "the chef is stuck in traffic and our guests are here",
        "still no sign of the chef and it's 6:30",
        "the chef can't find our house",
        "the chef isn't picking up and the party started",
        "a guest got burned by the grill",
        "I smell propane",
        "el chef se perdio y no contesta",
    ],
)
def test_more_ways_to_say_a_day_of_event_emergency(text: str) -> None:
    result = _triage(text)
    assert result.emergency and result.escalate and result.intent is Intent.COMPLAINT, result


@pytest.mark.parametrize(
    "text",
    [
        "the chef was super unprofessional",
        "you never refunded my deposit",
        "I feel like we got ripped off",
        "we were double billed for the party",
        "I'm not going to recommend you to anyone",
        "la fiesta fue un desastre",
    ],
)
def test_more_ways_to_complain_are_escalated(text: str) -> None:
    result = _triage(text)
    assert result.escalate, result


@pytest.mark.parametrize(
    "text",
    [
        "is someone there who can help me",
        "please have Jessica give me a call",
        "your robot isn't helping, I need a person",
        "can a human being call me back",
        "comuniqueme con alguien por favor",
        "who's in charge there",
    ],
)
def test_indirect_requests_for_a_person_are_escalated(text: str) -> None:
    result = _triage(text)
    assert result.intent is Intent.HUMAN and result.escalate, result


def test_a_complaint_cue_escalates_whatever_the_intent() -> None:
    result = _triage("the chef was rude, and I want to pay the rest of my balance")
    assert result.escalate, result
    assert "complaint" in result.reason


@pytest.mark.parametrize(
    "text",
    [
        "the chef was amazing, thank you so much",
        "I was talking to someone else, sorry",
        "no complaints, everything was perfect",
        "Ana said I should book early, can I get the 20th",
        "what do you do if a guest has an allergic reaction",
    ],
)
def test_no_escalation_for_praise_stories_and_questions(text: str) -> None:
    assert not _triage(text).escalate, _triage(text)


@pytest.mark.parametrize("text", ["hang on a sec", "okie dokie", "zorp blim"])
def test_too_little_to_act_on_is_other(text: str) -> None:
    result = _triage(text)
    assert result.intent is Intent.OTHER and not result.escalate, result


def test_a_reason_names_the_words_that_decided_when_no_phrase_did() -> None:
    result = _triage("we're thinking about having you guys for my mom's 70th in September")
    assert result.intent is Intent.NEW_BOOKING
    assert "words like" in result.reason


def test_the_same_words_get_the_same_answer() -> None:
    text = "can we move it to Sunday, and is the deposit refundable"
    assert _triage(text) == _triage(text)


# --- the labelling rules of the blind sets ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("I'd like to book a party but I want to talk to a person first", Intent.NEW_BOOKING),
        ("we need to cancel on Friday, can I speak with a manager", Intent.CANCEL_BOOKING),
        ("could somebody call me back with a quote for 30 people", Intent.QUOTE_REQUEST),
        ("I want to move the party to Sunday, is anyone around to help", Intent.CHANGE_BOOKING),
        ("do you have gluten free options? I'd like to ask someone", Intent.FAQ),
        ("quiero cancelar la fiesta y hablar con el gerente", Intent.CANCEL_BOOKING),
        ("I'm applying for a cook job, who do I talk to", Intent.OTHER),
    ],
)
def test_a_person_asked_for_about_a_clear_matter_gives_the_matter(
    text: str, intent: Intent
) -> None:
    result = _triage(text)
    assert result.intent is intent and result.escalate and result.person_asked, result
    assert "asked for a person" in result.reason


def test_a_staff_member_asked_for_about_a_clear_matter_gives_the_matter() -> None:
    result = _triage("I want to pay my balance, can you put me through to Jessica")
    assert result.intent is Intent.PAYMENT and result.escalate, result
    assert "Jessica Wu by name" in result.reason


@pytest.mark.parametrize(
    "text",
    [
        "can I talk to someone about my booking",
        "I have a question about my reservation, is there someone I can talk to",
        "is there a manager available",
        "is Marco available",
        "I want to talk to Ana about the quote she sent",
    ],
)
def test_a_person_asked_for_with_no_other_matter_is_human(text: str) -> None:
    result = _triage(text)
    assert result.intent is Intent.HUMAN and result.escalate, result


@pytest.mark.parametrize(
    "text",
    [
        "would anyone be around to go over a few things with me",
        "is there somebody who could explain how it works",
        "does anybody actually answer this line",
        "who can I speak to over there",
        "Marco called earlier and said to ask for him",
    ],
)
def test_indirect_requests_and_a_name_then_ask_for_him_are_escalated(text: str) -> None:
    result = _triage(text)
    assert result.intent is Intent.HUMAN and result.escalate, result


@pytest.mark.parametrize(
    "text",
    [
        "are you guys hiring cooks right now",
        "I have six years of teppanyaki experience and I'm looking for work",
        "busco trabajo de cocinero",
        "we're a produce wholesaler and would like to supply your vegetables",
        "I'm a wedding planner and want to partner with you",
        "this is the events manager at a hotel, we'd like to list you as a preferred vendor",
        "I'm a student doing a survey of local caterers",
    ],
)
def test_job_seekers_suppliers_and_partners_are_other_and_not_escalated(text: str) -> None:
    result = _triage(text)
    assert result.intent is Intent.OTHER and not result.escalate, result


@pytest.mark.parametrize(
    "text",
    [
        "my partner and I want to book a party",
        "we're hiring a chef for our anniversary",
        "do you have any openings on June 5th",
        "is anyone available on the 14th",
    ],
)
def test_words_of_job_seekers_and_partners_do_not_turn_a_booking_into_other(text: str) -> None:
    result = _triage(text)
    assert result.intent is Intent.NEW_BOOKING and not result.escalate, result


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        (
            "it's pouring right now and the party starts in an hour, can we move it inside",
            Intent.CHANGE_BOOKING,
        ),
        ("the chef is stuck in traffic, can we push dinner back to 7", Intent.CHANGE_BOOKING),
        ("a thunderstorm just started and everyone is already here", Intent.CHANGE_BOOKING),
        ("the guests are waiting and the grill won't light", Intent.COMPLAINT),
        ("the chef has a flat tire and the party started", Intent.COMPLAINT),
    ],
)
def test_a_same_day_crisis_is_an_escalated_emergency(text: str, intent: Intent) -> None:
    result = _triage(text)
    assert result.intent is intent and result.escalate and result.emergency, result


@pytest.mark.parametrize(
    "text",
    [
        "what if it rains on the day of the party",
        "it's supposed to rain tomorrow, can we move the party to Sunday",
        "the party got moved to next weekend, can the chef still come",
    ],
)
def test_a_forecast_or_a_question_is_no_crisis(text: str) -> None:
    assert not _triage(text).emergency, _triage(text)


@pytest.mark.parametrize(
    "text",
    [
        "not looking to book yet, I just want a rough number for 20 people",
        "we're still deciding, what would it run us for a party of 15",
        "I'm trying to work out a budget for my mom's birthday",
    ],
)
def test_a_caller_not_ready_to_book_who_wants_a_price_is_a_quote(text: str) -> None:
    result = _triage(text)
    assert result.intent is Intent.QUOTE_REQUEST and not result.escalate, result


@pytest.mark.parametrize(
    "text",
    [
        "we cancelled last week, when will the deposit refund come through",
        "just checking on the status of my refund",
        "has my refund gone through yet",
    ],
)
def test_the_state_of_a_refund_is_a_payment_question(text: str) -> None:
    result = _triage(text)
    assert result.intent is Intent.PAYMENT and not result.escalate, result
