"""day files (uploaded open-format days and their plans); routes keep departure, return and break

Revision ID: 0011
Revises: 0008
Create Date: 2026-11-21 13:30:39.401078
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import logistics.models.types


revision: str = '0011'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('day_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('status', sa.Enum('queued', 'planning', 'done', 'failed', name='dayfilestatus', native_enum=False, length=16), nullable=False),
    sa.Column('time_limit_s', sa.Float(), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('vehicles', sa.Integer(), nullable=False),
    sa.Column('day_ref', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('plan_ref', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('uploaded_by_user_id', sa.Integer(), nullable=False),
    sa.Column('post_office_id', sa.Integer(), nullable=True),
    sa.Column('created_at', logistics.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', logistics.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['post_office_id'], ['post_office.id'], ),
    sa.ForeignKeyConstraint(['uploaded_by_user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('day_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_day_file_post_office_id'), ['post_office_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_day_file_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_day_file_uploaded_by_user_id'), ['uploaded_by_user_id'], unique=False)

    with op.batch_alter_table('route', schema=None) as batch_op:
        batch_op.add_column(sa.Column('departs_at', logistics.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('returns_at', logistics.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('break_starts_at', logistics.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('break_ends_at', logistics.models.types.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('route', schema=None) as batch_op:
        batch_op.drop_column('break_ends_at')
        batch_op.drop_column('break_starts_at')
        batch_op.drop_column('returns_at')
        batch_op.drop_column('departs_at')

    with op.batch_alter_table('day_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_day_file_uploaded_by_user_id'))
        batch_op.drop_index(batch_op.f('ix_day_file_status'))
        batch_op.drop_index(batch_op.f('ix_day_file_post_office_id'))

    op.drop_table('day_file')
