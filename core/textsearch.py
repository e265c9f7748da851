"""Case-insensitive substring search that both databases answer at their best."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session


def contains_text(session: Session, column: Any, text: str) -> ColumnElement[bool]:
    """`column` contains `text`, ignoring case.

    SQLite's LIKE already ignores ASCII case, as its lower() does, so there it is used bare:
    `lower(x) LIKE lower(y)` (what ILIKE becomes on SQLite) costs twice as much on a scan. On
    PostgreSQL, ILIKE is what the trigram indexes on the searched columns answer.
    """
    pattern = f"%{text}%"
    if session.get_bind().dialect.name == "sqlite":
        like: ColumnElement[bool] = column.like(pattern)
        return like
    ilike: ColumnElement[bool] = column.ilike(pattern)
    return ilike
