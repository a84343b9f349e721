"""the SMS a scan causes is rendered when sent: body and phone nullable, the causing scan kept

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scan_event_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_notification_scan_event_id_scan_event', 'scan_event', ['scan_event_id'], ['id'])
        batch_op.alter_column('body', existing_type=sqlmodel.sql.sqltypes.AutoString(length=640), nullable=True)
        batch_op.alter_column('to_e164', existing_type=sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)


def downgrade() -> None:
    # The old sender cannot render a draft: such rows are kept, failed for good, and say why.
    op.execute("UPDATE notification SET status = 'failed', error_code = 'not_rendered', "
               "error_message = 'unsent when the schema was downgraded past 0012', body = '', to_e164 = '' "
               "WHERE body IS NULL OR to_e164 IS NULL")
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.alter_column('to_e164', existing_type=sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False)
        batch_op.alter_column('body', existing_type=sqlmodel.sql.sqltypes.AutoString(length=640), nullable=False)
        batch_op.drop_constraint('fk_notification_scan_event_id_scan_event', type_='foreignkey')
        batch_op.drop_column('scan_event_id')
