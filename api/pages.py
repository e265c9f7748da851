"""The JSON shape of a page of results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from core.pagination import Page

Out = TypeVar("Out", bound=BaseModel)


class PageOut(BaseModel, Generic[Out]):
    items: list[Out]
    total: int
    page: int
    per_page: int
    pages: int


def page_out(
    page: Page[Any], schema: type[Out], convert: Callable[[Any], Out] | None = None
) -> PageOut[Out]:
    to_schema = convert or schema.model_validate
    return PageOut[schema](  # type: ignore[valid-type]
        items=[to_schema(item) for item in page.items],
        total=page.total,
        page=page.page,
        per_page=page.per_page,
        pages=page.pages,
    )
