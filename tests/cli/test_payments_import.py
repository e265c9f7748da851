"""`teppan payments import FILE.csv`: good rows stored once, the rest reported, matching queued."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select
from typer.testing import CliRunner

from cli.main import app
from core.settings import get_settings
from domain.inbox.models import WebhookEvent
from domain.payments.models import Payment, PaymentSource
from tests import factories

HEADER = "transaction_id,date,amount_cents,description,counterparty_name,channel\n"


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    with Session(engine) as session:
        factories.business(session)
        session.commit()
    monkeypatch.setenv("TEPPAN_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()


def test_import_stores_good_rows_once_and_reports_rejected_ones(
    database: Engine, tmp_path: Path
) -> None:
    csv_file = tmp_path / "bank.csv"
    csv_file.write_text(
        HEADER
        + "t1,2026-12-06,45000,Zelle payment from JENNIFER NGUYEN,,zelle\n"
        + "t2,2026-12-07,-100,fee,,\n"
    )
    first = CliRunner().invoke(app, ["payments", "import", str(csv_file)])
    again = CliRunner().invoke(app, ["payments", "import", str(csv_file)])

    assert first.exit_code == 0, first.output
    assert "1 imported, 0 already known, 1 rejected" in first.output
    assert "line 3: amount_cents -100 is not money received" in first.output
    assert "0 imported, 1 already known, 1 rejected" in again.output
    with Session(database) as session:
        payments = session.exec(select(Payment)).all()
        queued = session.exec(select(WebhookEvent)).all()
    assert [(p.source, p.external_id, p.amount_cents) for p in payments] == [
        (PaymentSource.CSV, "t1", 45000)
    ]
    assert [e.event_type for e in queued] == ["payment.recorded"]


def test_a_file_with_wrong_columns_stores_nothing(database: Engine, tmp_path: Path) -> None:
    csv_file = tmp_path / "bank.csv"
    csv_file.write_text("id,when,amount\n1,2026-12-06,100\n")
    result = CliRunner().invoke(app, ["payments", "import", str(csv_file)])
    assert result.exit_code == 2
    assert "missing column(s): transaction_id, date, amount_cents, description" in result.output
    with Session(database) as session:
        assert session.exec(select(Payment)).all() == []


_REFUSE_ONE_ROW = {
    # The database itself refuses one row near the end: a real failure, not a stubbed one.
    "postgresql": [
        """CREATE FUNCTION refuse_t1900() RETURNS trigger AS $$
           BEGIN
             IF NEW.external_id = 't1900' THEN RAISE EXCEPTION 'row t1900 refused'; END IF;
             RETURN NEW;
           END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER refuse_t1900 BEFORE INSERT ON payment
           FOR EACH ROW EXECUTE FUNCTION refuse_t1900()""",
    ],
    "sqlite": [
        """CREATE TRIGGER refuse_t1900 BEFORE INSERT ON payment
           WHEN NEW.external_id = 't1900'
           BEGIN SELECT RAISE(ABORT, 'row t1900 refused'); END""",
    ],
}
_ALLOW_EVERY_ROW = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS refuse_t1900 ON payment",
        "DROP FUNCTION IF EXISTS refuse_t1900()",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS refuse_t1900"],
}


def test_a_row_the_database_refuses_leaves_nothing_half_imported(
    database: Engine, tmp_path: Path
) -> None:
    csv_file = tmp_path / "bank.csv"
    csv_file.write_text(
        HEADER
        + "".join(f"t{n},2026-12-06,{1000 + n},Zelle payment {n},,zelle\n" for n in range(2000))
    )
    dialect = database.dialect.name
    with database.begin() as connection:
        for statement in _REFUSE_ONE_ROW[dialect]:
            connection.execute(text(statement))
    try:
        result = CliRunner().invoke(app, ["payments", "import", str(csv_file)])
    finally:
        with database.begin() as connection:
            for statement in _ALLOW_EVERY_ROW[dialect]:
                connection.execute(text(statement))

    assert result.exit_code == 1, result.output
    assert "row t1900 refused" in result.output and "nothing was stored" in result.output
    with Session(database) as session:
        assert session.exec(select(Payment)).all() == []
        assert session.exec(select(WebhookEvent)).all() == []
