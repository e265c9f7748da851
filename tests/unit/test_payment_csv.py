"""Reading a bank CSV: whole-file problems refuse the file, row problems are reported by line."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import ValidationFailed
from domain.payments.csv_import import parse_file

HEADER = "transaction_id,date,amount_cents,description,counterparty_name,channel\n"


def test_good_rows_become_incoming_payments() -> None:
    parsed = parse_file(
        (HEADER + "t1,2026-12-06,45000,Zelle payment from JENNIFER NGUYEN,,zelle\n").encode()
    )
    [row] = parsed.rows
    assert (row.external_id, row.posted_on, row.amount_cents, row.channel) == (
        "t1",
        date(2026, 12, 6),
        45000,
        "zelle",
    )
    assert parsed.rejected == []


def test_each_bad_row_is_rejected_with_its_line_and_reason() -> None:
    body = HEADER + (
        "t1,2026-12-06,45000,ok,,\n"
        ",2026-12-06,100,no id,,\n"
        "t3,06/12/2026,100,us date,,\n"
        "t4,2026-12-06,450.00,dollars,,\n"
        "t5,2026-12-06,-2500,money out,,\n"
        "t6,2026-12-06,900000000,absurd,,\n"
        "t7,2026-12-06,100,bad channel,,paypal\n"
        "t1,2026-12-06,45000,same id again,,\n"
        "\n"
    )
    parsed = parse_file(body.encode())
    assert [row.external_id for row in parsed.rows] == ["t1"]
    reasons = {rejected.line: rejected.reason for rejected in parsed.rejected}
    assert reasons == {
        3: "transaction_id is empty",
        4: "date '06/12/2026' is not YYYY-MM-DD",
        5: "amount_cents '450.00' is not a whole number of cents",
        6: "amount_cents -2500 is not money received (positive = received)",
        7: "amount_cents 900000000 is over $50,000: dollars typed?",
        8: "channel 'paypal' is not one of zelle, venmo, cashapp, check, stripe, other or empty",
        9: "transaction_id t1 appears twice in the file",
    }


def test_missing_columns_refuse_the_whole_file() -> None:
    with pytest.raises(ValidationFailed, match="missing column\\(s\\): amount_cents"):
        parse_file(b"transaction_id,date,description\nt1,2026-12-06,x\n")


def test_a_file_that_is_not_utf8_is_refused_with_the_fix() -> None:
    latin1 = (HEADER + "t1,2026-12-06,100,Jos\xe9 Mu\xf1oz,,\n").encode("latin-1")
    with pytest.raises(ValidationFailed, match=r"not UTF-8 text .* save it as CSV UTF-8"):
        parse_file(latin1)


def test_a_utf8_bom_and_accents_are_fine() -> None:
    parsed = parse_file(("\ufeff" + HEADER + "t1,2026-12-06,100,José Muñoz,,\n").encode())
    assert parsed.rows[0].description == "José Muñoz"


def test_progress_is_reported_on_big_files() -> None:
    rows = "".join(f"t{n},2026-12-06,100,row {n},,\n" for n in range(2500))
    seen: list[int] = []
    parsed = parse_file((HEADER + rows).encode(), progress=seen.append)
    assert len(parsed.rows) == 2500
    assert seen == [1000, 2000]


def test_too_many_rows_refuse_the_file() -> None:
    rows = "".join(f"t{n},2026-12-06,100,row,,\n" for n in range(11))
    with pytest.raises(ValidationFailed, match="more than 10 rows"):
        parse_file((HEADER + rows).encode(), max_rows=10)
