"""The Google Business Profile connection: encrypted refresh token, chosen location, last sync."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from domain.audit import service as audit
from domain.audit.service import Actor
from domain.reviews.models import GoogleConnection


def active(session: Session) -> GoogleConnection | None:
    return session.exec(
        select(GoogleConnection)
        .where(col(GoogleConnection.active))
        .order_by(col(GoogleConnection.id).desc())
    ).first()


def connect(session: Session, *, refresh_token_encrypted: str, actor: Actor) -> GoogleConnection:
    """A new authorisation replaces the previous one; the location is chosen next."""
    for previous in session.exec(select(GoogleConnection).where(col(GoogleConnection.active))):
        previous.active = False
        session.add(previous)
    connection = GoogleConnection(
        refresh_token_encrypted=refresh_token_encrypted, connected_by=actor.key
    )
    session.add(connection)
    session.flush()
    audit.record(session, actor, "google.connected", "google_connection", connection.id)
    return connection


def choose_location(
    session: Session,
    connection: GoogleConnection,
    account: str,
    location: str,
    title: str,
    actor: Actor,
) -> None:
    connection.account, connection.location, connection.location_title = account, location, title
    session.add(connection)
    audit.record(
        session,
        actor,
        "google.location_chosen",
        "google_connection",
        connection.id,
        summary=f"{title} ({account}/{location})",
    )


def record_sync(session: Session, connection_id: int, at: datetime, new: int) -> None:
    connection = session.get(GoogleConnection, connection_id)
    if connection is None:
        return
    connection.last_synced_at, connection.last_sync_new, connection.last_error = at, new, None
    session.add(connection)


def record_error(session: Session, connection_id: int, error: str) -> None:
    connection = session.get(GoogleConnection, connection_id)
    if connection is None:
        return
    connection.last_error = error[:1000]
    session.add(connection)
