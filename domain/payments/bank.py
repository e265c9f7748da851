"""The business's bank connection: its encrypted access token and where the sync stands."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from core.errors import NotFoundError
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.payments.models import BankConnection


def connections(session: Session, active_only: bool = True) -> list[BankConnection]:
    query = select(BankConnection).order_by(col(BankConnection.id))
    if active_only:
        query = query.where(col(BankConnection.active))
    return list(session.exec(query).all())


def get(session: Session, connection_id: int) -> BankConnection:
    connection = session.get(BankConnection, connection_id)
    if connection is None:
        raise NotFoundError(f"bank connection {connection_id} does not exist")
    return connection


def connect(
    session: Session,
    *,
    item_id: str,
    access_token_encrypted: str,
    institution_name: str,
    actor: Actor,
) -> BankConnection:
    """Saves (or re-links) the item; its cursor survives a re-link so nothing is read twice."""
    connection = session.exec(
        select(BankConnection).where(BankConnection.item_id == item_id)
    ).first()
    if connection is None:
        connection = BankConnection(
            item_id=item_id,
            access_token_encrypted=access_token_encrypted,
            institution_name=institution_name,
        )
    connection.access_token_encrypted = access_token_encrypted
    connection.active = True
    connection.last_error = None
    session.add(connection)
    session.flush()
    audit.record(
        session,
        actor,
        "bank.connected",
        "bank_connection",
        connection.id,
        summary=f"{institution_name or 'bank'} linked (item {item_id})",
    )
    return connection


def disconnect(session: Session, connection_id: int, actor: Actor) -> BankConnection:
    connection = get(session, connection_id)
    connection.active = False
    session.add(connection)
    audit.record(session, actor, "bank.disconnected", "bank_connection", connection.id)
    return connection


def record_sync(
    session: Session,
    connection_id: int,
    *,
    cursor: str,
    at: datetime,
    added: int,
    removed: int,
) -> None:
    connection = get(session, connection_id)
    connection.cursor = cursor
    connection.last_synced_at = at
    connection.last_sync_added = added
    connection.last_sync_removed = removed
    connection.last_error = None
    session.add(connection)


def record_sync_error(session: Session, connection_id: int, error: str) -> None:
    connection = get(session, connection_id)
    connection.last_error = error[:1000]
    session.add(connection)
