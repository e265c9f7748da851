"""Page through any SQLModel select, for the API and the admin panel alike."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, UnaryExpression, func, inspect
from sqlalchemy.sql import operators
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T")

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def paginate(session: Session, query: SelectOfScalar[T], page: int, per_page: int) -> Page[T]:
    page = max(1, page)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    count_query: Any = select(func.count()).select_from(query.order_by(None).subquery())
    total = int(session.exec(count_query).one())
    offset = (page - 1) * per_page
    backwards = _reversed_order(query) if total // 2 < offset < total else None
    if backwards is None:
        items = _rows(session, query, offset, per_page)
    else:
        # A far page read from the other end: the database skips the rows after it, fewer than
        # before it (OFFSET reads every row it skips: the last of 4,000 pages read 100,000).
        after = max(0, total - offset - per_page)
        tail = query.order_by(None).order_by(*backwards)
        items = list(reversed(_rows(session, tail, after, total - offset - after)))
    return Page(items=items, total=total, page=page, per_page=per_page)


def _rows(session: Session, query: SelectOfScalar[T], offset: int, limit: int) -> list[T]:
    """One page's rows. Past the first page, their keys first: the rows skipped are then index
    entries (an index on the sort columns and the key answers alone), and only the page's own
    rows are read whole."""
    key = _single_key(query) if offset > 0 else None
    if key is None:
        return list(session.exec(query.offset(offset).limit(limit)).all())
    entity, column = key
    keys_query: Any = query.with_only_columns(column).offset(offset).limit(limit)
    keys = list(session.exec(keys_query).all())
    if not keys:
        return []
    found = session.exec(select(entity).where(column.in_(keys))).all()
    by_key = {getattr(row, column.key): row for row in found}
    return [by_key[value] for value in keys]


def _single_key(query: SelectOfScalar[T]) -> tuple[Any, Any] | None:
    """(entity, primary-key column) when the query selects one mapped entity with one key."""
    described = query.column_descriptions
    entity = described[0].get("entity") if len(described) == 1 else None
    if entity is None or described[0].get("expr") is not entity:
        return None
    primary_key = inspect(entity).primary_key
    return (entity, primary_key[0]) if len(primary_key) == 1 else None


def _reversed_order(query: SelectOfScalar[T]) -> list[ColumnElement[Any]] | None:
    """The query's ORDER BY turned around, or None when it has none or names its NULLs' place
    (reversing ASC to DESC already moves the NULLs to the other end, on both databases)."""
    clauses = query._order_by_clauses  # no public accessor in SQLAlchemy 2
    if not clauses:
        return None
    turned: list[ColumnElement[Any]] = []
    for clause in clauses:
        modifier = getattr(clause, "modifier", None)
        if isinstance(clause, UnaryExpression) and modifier is operators.desc_op:
            turned.append(clause.element.asc())
        elif isinstance(clause, UnaryExpression) and modifier is operators.asc_op:
            turned.append(clause.element.desc())
        elif isinstance(clause, UnaryExpression) and modifier is not None:
            return None  # NULLS FIRST / LAST
        else:
            turned.append(clause.desc())
    return turned
