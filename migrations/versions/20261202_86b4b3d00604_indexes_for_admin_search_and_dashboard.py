"""indexes for admin search and dashboard

Revision ID: 86b4b3d00604
Revises: aec3ad2786c0
Create Date: 2026-12-02 10:52:45.621482
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '86b4b3d00604'
down_revision: str | None = 'aec3ad2786c0'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The admin panel's searches (`ILIKE '%…%'`): GIN trigram indexes on PostgreSQL; on SQLite,
# which scans, the same names as empty partial indexes so both keep one schema
# (domain/columns.py, trigram_indexes).
SEARCHED = (
    ('booking', 'reference'),
    ('booking', 'address'),
    ('customer', 'full_name'),
    ('customer', 'phone'),
    ('customer', 'email'),
)


def upgrade() -> None:
    # The dashboard's open bookings of a day and a week.
    op.create_index('ix_booking_status_start', 'booking', ['status', 'scheduled_start'], unique=False)
    # Start order with the id as tie-break, so a deep page skips index entries alone; it
    # serves every use of the start-time index it replaces.
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_scheduled_start'))
        batch_op.create_index('ix_booking_start_id', ['scheduled_start', 'id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        # A trusted extension since PostgreSQL 13: the database owner may create it.
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for table, column in SEARCHED:
        op.create_index(
            f'ix_{table}_{column}_trgm',
            table,
            [column],
            unique=False,
            postgresql_using='gin',
            postgresql_ops={column: 'gin_trgm_ops'},
            sqlite_where=sa.text('0'),
        )


def downgrade() -> None:
    for table, column in reversed(SEARCHED):
        op.drop_index(f'ix_{table}_{column}_trgm', table_name=table)
    # pg_trgm stays: other objects may have come to use it.
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_start_id')
        batch_op.create_index(batch_op.f('ix_booking_scheduled_start'), ['scheduled_start'], unique=False)
    op.drop_index('ix_booking_status_start', table_name='booking')
