"""Page through any SQLModel select, for the API and the admin panel alike."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any, Generic, TypeVar

from sqlalchemy import func
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
    items = list(session.exec(query.offset((page - 1) * per_page).limit(per_page)).all())
    return Page(items=items, total=total, page=page, per_page=per_page)
