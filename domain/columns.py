"""Column helpers shared by every table."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field

from core.timeutil import UTCDateTime, utcnow


def utc_field(
    *,
    nullable: bool = False,
    index: bool = False,
    default_now: bool = False,
    description: str | None = None,
) -> Any:
    """An aware-UTC datetime column (see `UTCDateTime`)."""
    if default_now:
        return Field(
            default_factory=utcnow,
            sa_type=UTCDateTime,
            nullable=nullable,
            index=index,
            description=description,
        )
    if nullable:
        return Field(
            default=None, sa_type=UTCDateTime, nullable=True, index=index, description=description
        )
    return Field(sa_type=UTCDateTime, nullable=False, index=index, description=description)


def json_field(default_factory: Callable[[], Any] = dict) -> Any:
    # Pydantic reads the factory's signature on every construction, and a builtin's (dict,
    # list) is parsed from text: half a millisecond a row, most of a bulk import's time.
    def fresh() -> Any:
        return default_factory()

    return Field(default_factory=fresh, sa_type=JSON)


def enum_field(enum: type[StrEnum], default: Any = ..., *, index: bool = False) -> Any:
    """Stores a StrEnum's *value* as VARCHAR: readable in SQL, no database enum type to migrate."""
    return Field(
        default=default,
        sa_type=SAEnum(
            enum,
            native_enum=False,
            create_constraint=False,
            length=max(len(member.value) for member in enum) + 8,
            values_callable=lambda members: [member.value for member in members],
        ),
        index=index,
    )


def trigram_indexes(table: str, *columns: str) -> list[Index]:
    """GIN trigram indexes: PostgreSQL answers `ILIKE '%…%'` on these columns from them instead
    of reading every row (`pg_trgm`).

    SQLite has no such index and scans (see `core.textsearch`); there the index is declared
    empty (`WHERE 0`, never written to) so both databases keep one schema, which the
    migrations test compares with the models.
    """
    return [
        Index(
            f"ix_{table}_{column}_trgm",
            column,
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
            sqlite_where=text("0"),
        )
        for column in columns
    ]
