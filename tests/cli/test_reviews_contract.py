"""The review-verification contract: REVIEWS.csv and BOOKINGS.csv in, one JSON object out per
review (`cli.reviews.verify_files`, what `teppan reviews verify` prints)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli.payments import ContractFileError
from cli.reviews import read_reviews, verify_files

BOOKINGS = """booking_id,customer_name,phone,email,event_date,booked_on,\
total_cents,deposit_cents,paid_cents
1,Sarah Johnson,(510) 555-0101,sarah@example.com,2026-06-14,2026-05-01,150000,30000,150000
2,José Peña,,,2026-06-10,2026-05-20,99000,19800,99000
3,Sarah Jones,(510) 555-0103,,2026-06-16,2026-05-02,120000,24000,120000
4,Robert Smith,(510) 555-0104,,2026-07-04,2026-06-01,120000,24000,24000
"""
REVIEWS = """review_id,reviewer_name,star_rating,comment,create_time
g1,SARAH JOHNSON,2,"The chef was late.",2026-06-20T03:15:00Z
g2,Jose Pena,FIVE,¡Delicioso!,2026-06-20T18:00:00.123456789Z
g3,Sarah J.,4,,2026-06-20T18:00:00+00:00
g4,Bob Smith,1,Never booked anything,2026-06-20T18:00:00Z
g5,A Google User,1,"call me 510-555-0103",2026-06-20T18:00:00Z
g6,Sarah,3,,2026-06-20
"""
KEYS = {"review_id", "verdict", "booking_id", "confidence", "candidates"}


def _run(tmp_path: Path, reviews: str, bookings: str = BOOKINGS) -> list[dict[str, Any]]:
    (tmp_path / "reviews.csv").write_text(reviews, encoding="utf-8")
    (tmp_path / "bookings.csv").write_text(bookings, encoding="utf-8")
    lines = verify_files(tmp_path / "reviews.csv", tmp_path / "bookings.csv")
    # What the command prints: each object as one line of JSON.
    return [json.loads(json.dumps(line)) for line in lines]


def test_one_json_object_per_review(tmp_path: Path) -> None:
    lines = _run(tmp_path, REVIEWS)
    assert [line["review_id"] for line in lines] == ["g1", "g2", "g3", "g4", "g5", "g6"]
    assert all(set(line) == KEYS for line in lines)
    by_id = {str(line["review_id"]): line for line in lines}
    g1 = by_id["g1"]
    assert (g1["verdict"], g1["booking_id"], g1["candidates"]) == ("verified", 1, [1])
    assert 0.9 < g1["confidence"] <= 1.0
    assert (by_id["g2"]["verdict"], by_id["g2"]["booking_id"]) == ("verified", 2)
    # Two recent customers fit "Sarah J.": both offered, neither claimed.
    g3 = by_id["g3"]
    assert (g3["verdict"], g3["booking_id"]) == ("uncertain", None)
    assert sorted(g3["candidates"]) == [1, 3]
    # Robert Smith's event is after the review: not the one reviewed.
    g4 = by_id["g4"]
    assert (g4["verdict"], g4["booking_id"], g4["candidates"], g4["confidence"]) == (
        "not_found",
        None,
        [],
        0.0,
    )
    # The booking's phone in the text, no name to contradict it.
    assert (by_id["g5"]["verdict"], by_id["g5"]["booking_id"]) == ("verified", 3)
    assert by_id["g6"]["verdict"] == "uncertain"


def test_reviews_are_read_with_their_times(tmp_path: Path) -> None:
    (tmp_path / "reviews.csv").write_text(REVIEWS, encoding="utf-8")
    reviews = read_reviews(tmp_path / "reviews.csv")
    assert [r.star_rating for r in reviews] == [2, 5, 4, 1, 1, 3]
    assert all(r.created_at.tzinfo is not None for r in reviews)
    assert reviews[1].created_at.microsecond == 123456  # nanoseconds cut to microseconds
    assert reviews[0].comment == "The chef was late."


@pytest.mark.parametrize(
    ("reviews", "problem"),
    [
        ("review_id,reviewer_name,star_rating,comment\n", "line 1: missing column(s): create_time"),
        (
            "review_id,reviewer_name,star_rating,comment,create_time\n"
            "g1,Sarah,6,,2026-06-20T18:00:00Z\n",
            "line 2: star_rating '6' is not 1-5",
        ),
        (
            "review_id,reviewer_name,star_rating,comment,create_time\ng1,Sarah,5,,yesterday\n",
            "line 2: create_time 'yesterday' is not ISO 8601",
        ),
        (
            "review_id,reviewer_name,star_rating,comment,create_time\n"
            "g1,Sarah,5,,2026-06-20T18:00:00Z\n"
            "g1,Sarah,4,,2026-06-20T18:00:00Z\n",
            "line 3: review_id 'g1' appears twice",
        ),
        (
            "review_id,reviewer_name,star_rating,comment,create_time\n"
            ",Sarah,5,,2026-06-20T18:00:00Z\n",
            "line 2: review_id is empty",
        ),
    ],
)
def test_bad_review_files_name_the_file_and_line(
    tmp_path: Path, reviews: str, problem: str
) -> None:
    with pytest.raises(ContractFileError) as raised:
        _run(tmp_path, reviews)
    assert "reviews.csv" in str(raised.value)
    assert problem in str(raised.value)


def test_a_bad_bookings_file_fails_before_any_output(tmp_path: Path) -> None:
    bookings = BOOKINGS + "5,Ann Lee,,,not-a-date,2026-05-01,1,1,1\n"
    with pytest.raises(ContractFileError) as raised:
        _run(tmp_path, REVIEWS, bookings)
    assert "bookings.csv: line 6: event_date 'not-a-date' is not valid" in str(raised.value)


def test_a_missing_file_is_a_contract_error(tmp_path: Path) -> None:
    (tmp_path / "bookings.csv").write_text(BOOKINGS, encoding="utf-8")
    with pytest.raises(ContractFileError, match="cannot read the file"):
        list(verify_files(tmp_path / "missing.csv", tmp_path / "bookings.csv"))


def test_the_command_prints_the_contract(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    reviews = tmp_path / "reviews.csv"
    reviews.write_text(
        "review_id,reviewer_name,star_rating,comment,create_time\n"
        "r1,Marisol Quintanilla,5,Great chef!,2026-11-20T09:00:00Z\n"
    )
    bookings = tmp_path / "bookings.csv"
    bookings.write_text(
        "booking_id,customer_name,phone,email,event_date,booked_on,total_cents,deposit_cents,"
        "paid_cents\n7,Marisol Quintanilla,,,2026-11-14,2026-10-01,120000,30000,120000\n"
    )
    result = CliRunner().invoke(
        app, ["reviews", "verify", "--reviews", str(reviews), "--bookings", str(bookings)]
    )
    assert result.exit_code == 0, result.output
    line = json.loads(result.output)
    assert (line["review_id"], line["verdict"], line["booking_id"]) == ("r1", "verified", 7)
    assert line["candidates"] == [7]
