"""Input types for what the database can store, shared by the API and the panel.

A value past these would pass validation and fail in the database instead, as a 500: SQLite
refuses integers beyond 64 bits and PostgreSQL's INTEGER columns (ids, cents) beyond 32;
PostgreSQL refuses the NUL character in text; a NOT NULL column refuses a PATCH's `null`.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from pydantic import AfterValidator, Field

#: PostgreSQL's INTEGER, the type of every id and amount column.
DB_INT_MAX = 2**31 - 1

#: A row's id: ids start at 1.
RowId = Annotated[int, Field(ge=1, le=DB_INT_MAX)]
#: An amount of money in cents.
Cents = Annotated[int, Field(ge=0, le=DB_INT_MAX)]
#: A page number: the offset it makes, at 200 a page at most, stays within 64 bits.
PageNumber = Annotated[int, Field(ge=1, le=DB_INT_MAX)]


def _without_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain the NUL character (\\u0000)")
    return value


#: Text a person typed (names, addresses, notes, searches).
Text = Annotated[str, AfterValidator(_without_nul)]

T = TypeVar("T")


def not_null(value: T | None) -> T:
    """For a PATCH's optional fields whose column cannot be empty: leaving the field out keeps
    the value, `null` is refused (it would otherwise reach the database's NOT NULL)."""
    if value is None:
        raise ValueError("cannot be null: leave the field out to keep its value")
    return value
