"""Every schema change has an Alembic revision: the migrated database matches the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from domain.all_models import metadata


def test_the_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == [], (
        "models and migrations differ: run `alembic revision --autogenerate -m …`\n"
        + "\n".join(map(str, differences))
    )
