"""`teppan payments match`: the file contract."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

BOOKINGS = """booking_id,customer_name,phone,email,event_date,booked_on,\
total_cents,deposit_cents,paid_cents
1,Dana Smith,(510) 555-0101,dana@example.com,2026-09-12,2026-08-01,150000,30000,30000
2,Acme Robotics (Sarah Lee),,,2026-09-20,2026-09-01,240000,48000,0
3,Jordan Park,,,2026-09-13,2026-08-20,99000,19800,19800
"""
TRANSACTIONS = """transaction_id,date,amount_cents,description,counterparty_name,channel
t1,2026-09-12,120000,Zelle payment from DANA SMITH BACs44a9oiu1,,zelle
t2,2026-09-02,48000,"Zelle payment from ACME ROBOTICS INC for ""TP-1002""; Conf# abc123",,zelle
t3,2026-09-14,300000,STRIPE TRANSFER ST-BPQBDJJ8SM,Stripe,stripe
t4,2026-09-14,79200,VENMO CASHOUT PPD ID: 5264681992,,
"""
KEYS = {"transaction_id", "decision", "booking_id", "confidence", "payment_type", "candidates"}


def _run(tmp_path: Path, bookings: str, transactions: str) -> tuple[int, str, str]:
    (tmp_path / "b.csv").write_text(bookings, encoding="utf-8")
    (tmp_path / "t.csv").write_text(transactions, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "payments",
            "match",
            "--bookings",
            str(tmp_path / "b.csv"),
            "--transactions",
            str(tmp_path / "t.csv"),
        ],
    )
    return result.exit_code, result.stdout, result.stderr


def test_one_json_object_per_transaction(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, BOOKINGS, TRANSACTIONS)
    assert code == 0, out
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["transaction_id"] for line in lines] == ["t1", "t2", "t3", "t4"]
    assert all(set(line) == KEYS for line in lines)
    by_id = {line["transaction_id"]: line for line in lines}
    assert by_id["t1"] | {"confidence": 0} == {
        "transaction_id": "t1",
        "decision": "auto",
        "booking_id": 1,
        "confidence": 0,
        "payment_type": "balance",
        "candidates": [1],
    }
    assert (by_id["t2"]["decision"], by_id["t2"]["booking_id"]) == ("auto", 2)
    assert by_id["t2"]["payment_type"] == "deposit"
    assert (by_id["t3"]["decision"], by_id["t3"]["payment_type"]) == ("unmatched", "unknown")
    assert by_id["t4"]["decision"] == "review" and by_id["t4"]["candidates"] == [3]


def test_bad_date_exits_2_with_the_line(tmp_path: Path) -> None:
    bad = BOOKINGS.replace("2026-09-13", "13/09/2026")
    code, out, err = _run(tmp_path, bad, TRANSACTIONS)
    assert code == 2 and out == ""
    assert "line 4" in err and "event_date" in err


def test_missing_column_exits_2(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, BOOKINGS, TRANSACTIONS.replace("amount_cents", "amount"))
    assert code == 2 and "missing column" in err and "amount_cents" in err


def test_bad_amount_and_channel_exit_2(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, BOOKINGS, TRANSACTIONS.replace("120000", "1,200.00"))
    assert code == 2 and "line 2" in err
    code, _, err = _run(tmp_path, BOOKINGS, TRANSACTIONS.replace(",,zelle\nt2", ",,paypal\nt2"))
    assert code == 2 and "channel" in err and "line 2" in err
