"""notify: sealed secrets on outbox rows (one-time codes) and early provider reports

Revision ID: 0005
Revises: 0004

``notification.sealed`` holds what a body's placeholder stands for and may not be kept
in clear (a delivery code), erased once sent. ``provider_status_report`` keeps a
delivery report that arrived before the sid it names was committed.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import logistics.models.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
    op.create_table(
        "provider_status_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_sid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("provider_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("error_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("received_at", logistics.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("provider_status_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provider_status_report_provider_sid"), ["provider_sid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("provider_status_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_status_report_provider_sid"))
    op.drop_table("provider_status_report")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("sealed")
