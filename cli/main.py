"""`teppan`: one entry point for running, operating and checking Teppan."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import typer

from core.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Teppan: the back office for hibachi caterers.")
db_app = typer.Typer(no_args_is_help=True, help="Database migrations and demo data.")
app.add_typer(db_app, name="db")
payments_app = typer.Typer(no_args_is_help=True, help="Incoming payments.")
app.add_typer(payments_app, name="payments")
reviews_app = typer.Typer(no_args_is_help=True, help="Google reviews.")
app.add_typer(reviews_app, name="reviews")
api_key_app = typer.Typer(no_args_is_help=True, help="API keys for machine clients of /api/v1.")
app.add_typer(api_key_app, name="api-key")


def _configure_logging() -> None:
    logging.basicConfig(
        level=get_settings().log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@app.command()
def up(
    fresh: bool = typer.Option(False, help="delete the local data folder first"),
) -> None:
    """Run the whole product on embedded defaults (Ctrl-C stops everything)."""
    from cli.dev_stack import run_dev_stack

    _configure_logging()
    raise typer.Exit(run_dev_stack(get_settings(), fresh=fresh))


@app.command()
def api() -> None:
    """Serve the API, the webhooks and the admin panel."""
    import uvicorn

    from api.app import create_app

    _configure_logging()
    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        log_level=settings.log_level.lower(),
        access_log=False,
    )


@app.command()
def worker() -> None:
    """Run the Temporal worker (every workflow and activity)."""
    from core.db import get_engine
    from workflows.worker import run_worker

    _configure_logging()
    asyncio.run(run_worker(get_settings(), get_engine()))


@app.command()
def sandbox() -> None:
    """Serve the provider emulators on their loopback ports."""
    from cli.sandbox_server import serve_sandbox

    _configure_logging()
    serve_sandbox(get_settings())


@app.command()
def quote(
    address: str = typer.Option(..., help="the event's address, with its ZIP code"),
    adults: int = typer.Option(..., min=0, max=500),
    children: int = typer.Option(0, min=0, max=500),
    date: str | None = typer.Option(None, help="YYYY-MM-DD, the event's date"),
    offline: bool = typer.Option(False, help="use the offline ZIP estimate, not Google"),
) -> None:
    """Price an event: one JSON object (the quote contract)."""
    from datetime import date as calendar_date

    from cli.quote import quote_contract

    if date is not None:
        try:
            calendar_date.fromisoformat(date)
        except ValueError as error:
            raise typer.BadParameter("use YYYY-MM-DD", param_hint="--date") from error
    if adults + children == 0:
        raise typer.BadParameter("a quote needs at least one guest", param_hint="--adults")
    answer = quote_contract(
        get_settings(), address=address, adults=adults, children=children, offline=offline
    )
    typer.echo(json.dumps(answer))


@app.command()
def triage(
    text: str | None = typer.Option(None, "--text", help="what the caller said"),
    file: Path | None = typer.Option(
        None, "--file", help='JSON lines with a "text" field; one answer per line, in order'
    ),
) -> None:
    """Triage what a caller said: one JSON object per utterance (the triage contract)."""
    from cli.triage import CasesFileError, read_cases, triage_contract

    if (text is None) == (file is None):
        raise typer.BadParameter("give exactly one of --text or --file", param_hint="--text")
    if file is not None:
        try:
            texts = read_cases(file)
        except CasesFileError as error:
            raise typer.BadParameter(str(error), param_hint="--file") from error
    else:
        texts = [text or ""]
    for answer in triage_contract(get_settings(), texts):
        typer.echo(json.dumps(answer, ensure_ascii=False))


@app.command()
def config() -> None:
    """Print the effective configuration, secrets masked."""
    settings = get_settings()
    values = json.loads(settings.model_dump_json())
    values["effective_database_url"] = _mask_url(settings.effective_database_url)
    values["database_url"] = _mask_url(settings.database_url)
    values["providers"] = {
        "ringcentral": "sandbox" if settings.uses_ringcentral_sandbox else "live",
        "google_maps": "sandbox" if settings.uses_google_sandbox else settings.maps_provider,
        "meta": "sandbox" if settings.meta_page_access_token is None else "live",
    }
    typer.echo(json.dumps(values, indent=2, sort_keys=True))


def _mask_url(url: str) -> str:
    """Hides a password in a database URL (`postgresql://user:****@host/db`)."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:**********@{host}"


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every Alembic migration."""
    from core.migrate import upgrade_database

    upgrade_database(get_settings().effective_database_url)
    typer.echo("database is at the latest migration")


@db_app.command("seed")
def db_seed() -> None:
    """Create the demo business (Fremont, CA) unless a business exists."""
    from cli.setup import seed

    created = seed(get_settings())
    typer.echo("demo data created" if created else "a business already exists: nothing to do")


@payments_app.command("match")
def payments_match(
    bookings: Path = typer.Option(..., help="BOOKINGS.csv: the open bookings and their ledger"),
    transactions: Path = typer.Option(..., help="TRANSACTIONS.csv: incoming bank transactions"),
) -> None:
    """Match bank transactions to bookings: one JSON object per line (the matching contract)."""
    from cli.payments import ContractFileError, match_files

    try:
        for line in match_files(bookings, transactions):
            typer.echo(json.dumps(line))
    except ContractFileError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error


@payments_app.command("import")
def payments_import(
    file: Path = typer.Argument(..., help="CSV with transaction_id, date, amount_cents, …"),
) -> None:
    """Import bank lines from a CSV file; each new one is matched by its workflow."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from core.db import make_engine, session_scope
    from core.errors import TeppanError
    from domain.audit.service import Actor
    from domain.payments import csv_import

    try:
        data = file.read_bytes()
    except OSError as error:
        typer.echo(f"error: cannot read {file} ({error.strerror})", err=True)
        raise typer.Exit(2) from error
    try:
        parsed = csv_import.parse_file(
            data, progress=lambda rows: typer.echo(f"  read {rows:,} rows …", err=True)
        )
    except TeppanError as error:
        typer.echo(f"error: {file}: {error.message}", err=True)
        raise typer.Exit(2) from error
    engine = make_engine(get_settings().effective_database_url)
    try:
        with session_scope(engine) as session:
            report = csv_import.import_rows(
                session,
                parsed,
                Actor("cli", "teppan CLI"),
                file.name,
                progress=lambda rows: typer.echo(f"  stored {rows:,} rows …", err=True),
            )
    except SQLAlchemyError as error:
        # One transaction: whatever the database refused, the rows before it went too.
        reason = str(error.orig if isinstance(error, DBAPIError) else error).strip()
        typer.echo(
            f"error: the database refused the import ({reason}): nothing was stored", err=True
        )
        raise typer.Exit(1) from error
    typer.echo(
        f"{report.imported} imported, {report.already_known} already known, "
        f"{len(report.rejected)} rejected; matching starts within seconds while the API runs"
    )
    for rejected in report.rejected[:50]:
        typer.echo(f"  line {rejected.line}: {rejected.reason}")
    if len(report.rejected) > 50:
        typer.echo(f"  … and {len(report.rejected) - 50} more")


@reviews_app.command("verify")
def reviews_verify(
    reviews: Path = typer.Option(..., help="REVIEWS.csv: review_id, reviewer_name, star_rating, …"),
    bookings: Path = typer.Option(..., help="BOOKINGS.csv: the payments contract's columns"),
) -> None:
    """Verify reviewers against customers: one JSON object per line (the verification contract)."""
    from cli.payments import ContractFileError
    from cli.reviews import verify_files

    try:
        for line in verify_files(reviews, bookings):
            typer.echo(json.dumps(line))
    except ContractFileError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error


@api_key_app.command("create")
def api_key_create(
    name: str = typer.Option(..., help="who uses the key, e.g. 'Website booking form'"),
    scope: list[str] = typer.Option(..., help="read:bookings, write:bookings, … (repeat)"),
    expires_in_days: int | None = typer.Option(None, min=1, help="default: never expires"),
) -> None:
    """Make an API key and print it: the only time it is shown (only its hash is stored)."""
    from datetime import timedelta

    import domain.all_models  # noqa: F401 - the key's foreign key names the user table
    from core.db import make_engine, session_scope
    from core.errors import TeppanError
    from core.timeutil import utcnow
    from domain.api_keys import service as api_keys
    from domain.audit.service import Actor

    expires_at = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    engine = make_engine(get_settings().effective_database_url)
    try:
        with session_scope(engine) as session:
            made = api_keys.create(
                session,
                name=name,
                scopes=scope,
                actor=Actor("cli", "teppan CLI"),
                expires_at=expires_at,
            )
    except TeppanError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from error
    typer.echo(f"API key {made.api_key.name} ({', '.join(made.api_key.scopes)}):", err=True)
    typer.echo(made.key)


@api_key_app.command("revoke")
def api_key_revoke(key_id: int = typer.Argument(..., help="the key's id")) -> None:
    """Revoke an API key: calls with it get 401 from now on."""
    import domain.all_models  # noqa: F401 - the key's foreign key names the user table
    from core.db import make_engine, session_scope
    from core.errors import TeppanError
    from domain.api_keys import service as api_keys
    from domain.audit.service import Actor

    engine = make_engine(get_settings().effective_database_url)
    try:
        with session_scope(engine) as session:
            revoked = api_keys.revoke(session, key_id, Actor("cli", "teppan CLI"))
            typer.echo(f"revoked API key {revoked.name} ({revoked.prefix})")
    except TeppanError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from error


if __name__ == "__main__":
    app()
