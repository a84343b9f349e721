"""sign-in attempt limits; proof files whose bytes were deleted

Revision ID: 0004
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import logistics.models.types

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("key_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", logistics.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_failure_at", logistics.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", logistics.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_sha256"),
    )
    with op.batch_alter_table("sign_in_throttle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_throttle_locked_until"), ["locked_until"], unique=False)
    with op.batch_alter_table("proof_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("used_at", logistics.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("file_deleted_at", logistics.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("file_deleted_reason", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.create_index(batch_op.f("ix_proof_file_file_deleted_at"), ["file_deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_proof_file_used_at"), ["used_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("proof_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proof_file_used_at"))
        batch_op.drop_index(batch_op.f("ix_proof_file_file_deleted_at"))
        batch_op.drop_column("used_at")
        batch_op.drop_column("file_deleted_reason")
        batch_op.drop_column("file_deleted_at")
    with op.batch_alter_table("sign_in_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_throttle_locked_until"))
    op.drop_table("sign_in_throttle")
