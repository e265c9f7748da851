"""Review verification: who wrote the review, never claiming a customer who is not one."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.payments.matching.models import BookingCandidate
from domain.reviews.names import first_name_for_reply, name_evidence, parse_reviewer
from domain.reviews.namesakes import PRIOR_PEOPLE, NameFrequencies, stranger_risk
from domain.reviews.verification import (
    ReviewFacts,
    ReviewVerifier,
    Verification,
    VerificationSettings,
    verify,
)

REVIEWED = date(2026, 6, 20)


def _booking(
    booking_id: int,
    name: str,
    days_before: int = 5,
    phone: str | None = None,
    email: str | None = None,
) -> BookingCandidate:
    event = REVIEWED - timedelta(days=days_before)
    return BookingCandidate(
        booking_id=booking_id,
        customer_name=name,
        phone=phone if phone is not None else f"(510) 555-{booking_id:04d}",
        email=email,
        event_date=event,
        booked_on=event - timedelta(days=30),
        total_cents=150_000,
        deposit_cents=30_000,
        paid_cents=150_000,
    )


def _review(name: str, comment: str = "", on: date = REVIEWED) -> ReviewFacts:
    return ReviewFacts("r1", name, 2, comment, datetime.combine(on, time(20), tzinfo=UTC))


def _verify(
    name: str,
    bookings: list[BookingCandidate],
    comment: str = "",
    settings: VerificationSettings | None = None,
) -> Verification:
    return verify(_review(name, comment), bookings, settings)


def _ids(result: Verification) -> list[int]:
    return [candidate.booking_id for candidate in result.candidates]


# display names against customers' names ------------------------------------------------------


@pytest.mark.parametrize(
    ("display", "customer"),
    [
        ("Sarah Johnson", "Sarah Johnson"),
        ("SARAH JOHNSON", "Sarah Johnson"),
        ("sarah johnson", "Sarah Johnson"),
        ("Jose Pena", "José Peña"),
        ("JOSÉ PEÑA", "Jose Pena"),
        ("Johnson, Sarah", "Sarah Johnson"),
        ("Ji Hoon Kim", "Ji-hoon Kim"),
        ("Sarah Lee", "Acme Robotics (Sarah Lee)"),
        ("Mrs. Sarah Johnson", "Sarah Johnson"),
    ],
)
def test_the_same_name_however_written_is_a_full_match(display: str, customer: str) -> None:
    assert name_evidence(display, customer).score == 1.0


@pytest.mark.parametrize(
    ("display", "customer", "low", "high"),
    [
        ("Bob Smith", "Robert Smith", 0.9, 0.95),  # nickname and surname: verifiable
        ("María García", "María García López", 0.95, 0.99),  # one of two surnames
        ("Sarah J.", "Sarah Johnson", 0.75, 0.75),  # "First L."
        ("S. Johnson", "Sarah Johnson", 0.75, 0.75),
        ("Johnson Sarah", "Sarah Johnson", 0.95, 0.99),  # family name first
        ("An Nguyen", "Nguyễn Văn An", 0.95, 0.99),
    ],
)
def test_names_that_carry_a_surname_are_verifiable(
    display: str, customer: str, low: float, high: float
) -> None:
    assert low <= name_evidence(display, customer).score <= high


@pytest.mark.parametrize(
    ("display", "customer"),
    [
        ("Sarah", "Sarah Johnson"),  # first name only
        ("The Johnson Family", "Sarah Johnson"),  # surname only
        ("Mark Johnson", "Sarah Johnson"),  # a relative, or a stranger
        ("M. Johnson", "Sarah Johnson"),  # another initial: a relative, or a stranger
        ("Sarah Jonson", "Sarah Johnson"),  # a typo, or another family
        ("Edward Simth", "Edward Smith"),  # two letters swapped
        ("Micheal Johnson", "Michael Johnson"),  # a typo, or another name
        ("Ana García López", "Ana García Torres"),  # second surnames differ
    ],
)
def test_names_without_a_sure_surname_are_candidates_never_verifiable(
    display: str, customer: str
) -> None:
    assert 0 < name_evidence(display, customer).score < 0.75


@pytest.mark.parametrize(
    ("display", "customer"),
    [
        ("Sarah Miller", "Sarah Johnson"),  # another surname
        ("Sarah M.", "Sarah Johnson"),  # another initial
        ("Tom Williams", "Tom Williamson"),  # another name, not a typo
        ("Mary Jones", "Mark Jones Smith"),  # a letter changed in a short name: another name
        ("sj_foodie88", "Sarah Johnson"),  # a handle
        ("A Google User", "Sarah Johnson"),
    ],
)
def test_names_that_say_someone_else_fit_nobody(display: str, customer: str) -> None:
    assert name_evidence(display, customer).score == 0.0


def test_display_name_shapes() -> None:
    assert parse_reviewer("Sarah J.").shape == "first_initial"
    assert parse_reviewer("S. Johnson").shape == "initial_surname"
    assert parse_reviewer("Familia García").shape == "family"
    assert parse_reviewer("Sarah").shape == "first"
    assert parse_reviewer("A Google User").shape == "none"


def test_the_public_reply_greets_by_the_display_name_only() -> None:
    assert first_name_for_reply("SARAH JOHNSON") == "Sarah"
    assert first_name_for_reply("josé peña") == "José"
    assert first_name_for_reply("S. Johnson") is None
    assert first_name_for_reply("A Google User") is None


# verdicts --------------------------------------------------------------------------------------


def test_full_name_and_a_recent_event_verify_the_booking() -> None:
    result = _verify("SARAH JOHNSON", [_booking(1, "Sarah Johnson", 6), _booking(2, "Ann Lee")])
    assert (result.verdict, result.booking_id, _ids(result)) == ("verified", 1, [1])
    assert result.confidence > 0.9
    assert any("full name" in reason for reason in result.reasons)


def test_nickname_and_accents_verify() -> None:
    bookings = [_booking(1, "Robert Smith"), _booking(2, "José Peña")]
    assert _verify("Bob Smith", bookings).booking_id == 1
    assert _verify("Jose Pena", bookings).booking_id == 2


def test_first_initial_verifies_only_when_a_single_recent_customer_fits() -> None:
    alone = [_booking(1, "Sarah Johnson"), _booking(2, "Sarah Miller")]
    assert _verify("Sarah J.", alone).verdict == "verified"
    two = [*alone, _booking(3, "Sarah Jones", 9)]
    result = _verify("Sarah J.", two)
    assert result.verdict == "uncertain"
    assert sorted(_ids(result)) == [1, 3]


def test_first_name_alone_never_verifies() -> None:
    result = _verify("Sarah", [_booking(1, "Sarah Johnson")])
    assert (result.verdict, _ids(result)) == ("uncertain", [1])
    assert any("no surname" in reason for reason in result.reasons)


def test_surname_alone_and_relatives_never_verify() -> None:
    bookings = [_booking(1, "Sarah Johnson")]
    assert _verify("The Johnson Family", bookings).verdict == "uncertain"
    assert _verify("Mark Johnson", bookings).verdict == "uncertain"


def test_another_surname_is_not_found() -> None:
    result = _verify("Sarah Miller", [_booking(1, "Sarah Johnson")])
    assert (result.verdict, result.candidates, result.confidence) == ("not_found", [], 0.0)


def test_an_event_after_the_review_is_not_the_one_reviewed() -> None:
    result = _verify("Sarah Johnson", [_booking(1, "Sarah Johnson", days_before=-3)])
    assert result.verdict == "not_found"


def test_an_event_before_the_window_is_a_candidate_not_a_verification() -> None:
    bookings = [_booking(1, "Sarah Johnson", days_before=60)]
    result = _verify("Sarah Johnson", bookings)
    assert (result.verdict, _ids(result)) == ("uncertain", [1])
    assert any("outside the 45-day window" in reason for reason in result.reasons)
    wider = VerificationSettings(window_days=90)
    assert _verify("Sarah Johnson", bookings, settings=wider).verdict == "verified"
    assert _verify("Sarah Johnson", [_booking(1, "Sarah Johnson", 400)]).verdict == "not_found"


def test_weak_names_look_only_at_the_window() -> None:
    for weak in ("Sarah", "Mark Johnson", "The Johnson Family"):
        assert _verify(weak, [_booking(1, "Sarah Johnson", days_before=60)]).verdict == "not_found"
        assert _verify(weak, [_booking(1, "Sarah Johnson", days_before=20)]).verdict == "uncertain"


def test_two_recent_customers_with_the_same_name_stay_uncertain() -> None:
    bookings = [_booking(1, "Sarah Johnson", 4), _booking(2, "Sarah Johnson", 9)]
    result = _verify("Sarah Johnson", bookings)
    assert result.verdict == "uncertain"
    assert _ids(result) == [1, 2]  # the more recent event first
    assert result.confidence < 0.6


def test_one_customer_with_two_recent_bookings_is_verified_on_the_latest() -> None:
    same_phone = "(510) 555-7777"
    bookings = [
        _booking(1, "Sarah Johnson", 30, phone=same_phone),
        _booking(2, "Sarah Johnson", 4, phone=same_phone),
    ]
    result = _verify("Sarah Johnson", bookings)
    assert (result.verdict, result.booking_id) == ("verified", 2)


def test_an_old_namesake_does_not_stand_in_the_way() -> None:
    bookings = [_booking(1, "Sarah Johnson", 5), _booking(2, "Sarah Johnson", 200)]
    result = _verify("Sarah Johnson", bookings)
    assert (result.verdict, result.booking_id, _ids(result)) == ("verified", 1, [1, 2])


def test_a_close_rival_keeps_it_uncertain() -> None:
    # Sara and Sarah: the exact name leads, but not by the margin a verification needs.
    bookings = [_booking(1, "Sarah Johnson", 5), _booking(2, "Sara Johnson", 5)]
    result = _verify("Sarah Johnson", bookings, settings=VerificationSettings(min_margin=0.2))
    assert result.verdict == "uncertain"
    assert _ids(result)[0] == 1
    loose = VerificationSettings(min_margin=0.05)
    assert _verify("Sarah Johnson", bookings, settings=loose).verdict == "verified"


def test_the_bookings_phone_in_the_text_verifies_a_first_name() -> None:
    bookings = [_booking(1, "Sarah Johnson", phone="(510) 555-0101"), _booking(2, "Sarah Lee")]
    without = _verify("Sarah", bookings)
    assert without.verdict == "uncertain"
    result = _verify("Sarah", bookings, comment="Call me back at 510.555.0101 please")
    assert (result.verdict, result.booking_id) == ("verified", 1)
    assert any("phone" in reason for reason in result.reasons)


def test_the_bookings_email_in_the_text_verifies_an_anonymous_reviewer() -> None:
    bookings = [_booking(1, "Sarah Johnson", email="Sarah.J@example.com")]
    assert _verify("A Google User", bookings).verdict == "not_found"
    result = _verify("A Google User", bookings, comment="write to sarah.j@example.com")
    assert (result.verdict, result.booking_id) == ("verified", 1)


def test_a_contact_with_someone_elses_name_stays_uncertain() -> None:
    bookings = [_booking(1, "Sarah Johnson", phone="(510) 555-0101")]
    result = _verify("Peter Brown", bookings, comment="my number is 510 555 0101")
    assert (result.verdict, _ids(result)) == ("uncertain", [1])
    assert any("someone else" in reason for reason in result.reasons)


def test_a_contact_of_an_old_event_stays_uncertain() -> None:
    bookings = [_booking(1, "Sarah Johnson", days_before=100, phone="(510) 555-0101")]
    result = _verify("Sarah", bookings, comment="510-555-0101")
    assert (result.verdict, _ids(result)) == ("uncertain", [1])


def test_no_name_to_go_by_is_not_found() -> None:
    bookings = [_booking(1, "Sarah Johnson")]
    for name in ("A Google User", "foodie_482"):
        result = _verify(name, bookings)
        assert result.verdict == "not_found"
        assert "no name to go by" in result.reasons[0]


def test_the_review_date_is_taken_in_the_business_time_zone() -> None:
    # 02:00 UTC on the 21st is the evening of the 20th in California: the event that evening
    # (the 20th) comes before the review there, not in UTC terms of a day later only.
    bookings = [_booking(1, "Sarah Johnson", days_before=-1)]  # the 21st
    review = ReviewFacts("r", "Sarah Johnson", 5, "", datetime(2026, 6, 21, 2, tzinfo=UTC))
    assert verify(review, bookings).verdict == "verified"  # the 21st in UTC
    local = VerificationSettings(time_zone="America/Los_Angeles")
    assert verify(review, bookings, local).verdict == "not_found"  # still the 20th there


# common names in a large business -------------------------------------------------------------

_SYLLABLES = ("ka", "lo", "mer", "vin", "tas", "ber", "dun", "sel", "rov", "pat", "ham", "gre")
_FIRSTS = (
    "Aaron", "Bella", "Carla", "Derek", "Elena", "Felix", "Gavin", "Helen", "Irene", "Jonas",
    "Karen", "Lucas", "Maya", "Nolan", "Olga", "Peter", "Quinn", "Rosa", "Simon", "Tessa",
)  # fmt: skip


def _business(
    unique: int, pairs: int, days: int, seed: int = 5
) -> tuple[list[BookingCandidate], list[str]]:
    """`unique` customers with a name of their own, `pairs` names borne by two customers, their
    events spread over `days` days before the review; and names nobody here bears."""
    rng = random.Random(seed)
    surnames = ("".join(p).title() for p in itertools.product(_SYLLABLES, repeat=4))
    names = [f"{first} {last}" for last, first in zip(surnames, itertools.cycle(_FIRSTS))]
    rng.shuffle(names)
    chosen, spare = names[: unique + pairs], names[unique + pairs :]
    everyone = chosen[:unique] + [name for name in chosen[unique:] for _ in range(2)]
    bookings = [
        _booking(n + 1000, name, days_before=rng.randint(0, days))
        for n, name in enumerate(everyone)
    ]
    return bookings, spare


def test_name_frequencies_follow_good_turing() -> None:
    names = NameFrequencies([{"a"}, {"b"}, {"c"}, {"d"}, {"d"}, {"e"}, {"e"}, {"f"}])
    # 4 names borne once (and the prior's), 2 twice, 8 customers (and the prior's people).
    people, once = 8 + PRIOR_PEOPLE, 4 + PRIOR_PEOPLE
    assert names.probability(1) == pytest.approx(2 * 2 / (once * people))
    assert names.probability(2) == pytest.approx(3 * 1 / (2 * people))  # none borne thrice: 1
    assert names.probability(9) == pytest.approx(9 / people)
    assert stranger_risk(0.0, 1.0) == 0.0
    assert stranger_risk(1.0, 1.0) == pytest.approx(0.5)


def test_a_common_name_here_is_never_verified_by_the_name_alone() -> None:
    bookings, spare = _business(unique=600, pairs=30, days=900)
    rare = spare[0]
    recent = [_booking(1, rare, 3), _booking(2, "Walter Smith", 3)]
    namesakes = [_booking(10 + n, "Walter Smith", 100 + 50 * n) for n in range(12)]
    verifier = ReviewVerifier([*bookings, *recent, *namesakes])
    assert verifier.verify(_review(rare)).verdict == "verified"
    common = verifier.verify(_review("Walter Smith"))
    assert (common.verdict, _ids(common)[0]) == ("uncertain", 2)
    assert any("namesake is too likely" in reason for reason in common.reasons)


def test_a_name_borne_once_but_made_of_common_parts_stays_uncertain() -> None:
    # Walter Smith is the only one, but Smiths and Walters abound: a stranger may bear it.
    bookings, spare = _business(unique=1800, pairs=90, days=1000)
    rng = random.Random(9)
    smiths = [
        _booking(5000 + n, f"{spare[n].split()[0]} Smith", rng.randint(50, 900)) for n in range(150)
    ]
    walters = [
        _booking(6000 + n, f"Walter {spare[200 + n].split()[1]}", rng.randint(50, 900))
        for n in range(150)
    ]
    rare = spare[400]
    verifier = ReviewVerifier(
        [*bookings, *smiths, *walters, _booking(1, "Walter Smith", 3), _booking(2, rare, 3)]
    )
    assert verifier.verify(_review(rare)).verdict == "verified"
    result = verifier.verify(_review("Walter Smith"))
    assert (result.verdict, _ids(result)[0]) == ("uncertain", 1)
    assert any("namesake is too likely" in reason for reason in result.reasons)


def test_first_initial_in_a_large_business_stays_uncertain() -> None:
    bookings, _ = _business(unique=600, pairs=30, days=900)
    small = ReviewVerifier([_booking(1, "Walter Smith", 3)])
    assert small.verify(_review("Walter S.")).verdict == "verified"
    others = [_booking(10 + n, f"Walter S{s}", 100 + 30 * n) for n, s in enumerate(_SYLLABLES)]
    large = ReviewVerifier([*bookings, _booking(1, "Walter Smith", 3), *others])
    result = large.verify(_review("Walter S."))
    assert (result.verdict, _ids(result)[0]) == ("uncertain", 1)


def test_an_event_weeks_back_in_a_busy_business_is_not_enough() -> None:
    # Customers review days after their event; a namesake's event weeks back is likelier.
    bookings, spare = _business(unique=1800, pairs=90, days=1000)
    rare = spare[0]
    soon = ReviewVerifier([*bookings, _booking(1, rare, 3)])
    assert soon.verify(_review(rare)).verdict == "verified"
    late = ReviewVerifier([*bookings, _booking(1, rare, 40)])
    result = late.verify(_review(rare))
    assert (result.verdict, _ids(result)[0]) == ("uncertain", 1)
    assert any("namesake is too likely" in reason for reason in result.reasons)


def test_the_stranger_odds_are_a_setting() -> None:
    bookings, spare = _business(unique=1800, pairs=90, days=1000)
    trusting = VerificationSettings(stranger_odds=0.01)
    late = ReviewVerifier([*bookings, _booking(1, spare[0], 40)], trusting)
    assert late.verify(_review(spare[0])).verdict == "verified"


# the index finds what scoring every booking finds ---------------------------------------------


def test_the_index_agrees_with_scoring_every_booking() -> None:
    rng = random.Random(3)
    firsts = ["Sarah", "Robert", "José", "Linh", "Ji-hoon", "María", "Sara", "Bob", "Michael"]
    lasts = ["Johnson", "Jonson", "Smith", "Peña", "Nguyễn", "Kim", "García López", "Williams"]
    bookings = [
        _booking(
            n,
            f"{rng.choice(firsts)} {rng.choice(lasts)}",
            days_before=rng.randint(-30, 500),
            phone=f"(510) 555-{rng.randint(0, 60):04d}",
        )
        for n in range(1, 400)
    ]
    displays = [
        "Sarah Johnson", "SARA JONSON", "Bob Smith", "Jose Pena", "Linh Nguyen", "Jihoon Kim",
        "Sarah J.", "S. Johnson", "Sarah", "The Smith Family", "Mark Williams", "Micheal Smith",
        "Maria Lopez", "Nguyen Linh", "A Google User", "Williams, Robert", "Maria Garcia Lopez",
    ]  # fmt: skip
    index = ReviewVerifier(bookings)
    every = ReviewVerifier(bookings, exhaustive=True)
    for display in displays:
        for comment in ("", "call 510-555-0007"):
            review = _review(display, comment)
            a, b = index.verify(review), every.verify(review)
            assert (a.verdict, a.booking_id, _ids(a)) == (b.verdict, b.booking_id, _ids(b)), display
