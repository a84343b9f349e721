"""dispatch-note documents count originals and copies

Revision ID: 0006
Revises: 0005

``dossier_document``: ``original`` (bool) and ``quantity`` become ``originals`` and
``copies`` (one line per document, as on the paper form); existing rows keep their
quantity under the kind they had.

The new leg kind ``agency_to_office`` needs no change: enums are CHECK-free VARCHARs
sized to the longest value plus 8, and it is no longer than ``counter_to_agency``
(a longer one would make SQLite rebuild ``item``, which rows of other tables reference).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossier_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("originals", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("copies", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE dossier_document SET "
        "originals = CASE WHEN original THEN quantity ELSE 0 END, "
        "copies = CASE WHEN original THEN 0 ELSE quantity END"
    )
    with op.batch_alter_table("dossier_document", schema=None) as batch_op:
        batch_op.alter_column("originals", server_default=None)
        batch_op.alter_column("copies", server_default=None)
        batch_op.drop_column("original")
        batch_op.drop_column("quantity")


def downgrade() -> None:
    with op.batch_alter_table("dossier_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("quantity", sa.Integer(), nullable=False, server_default="1"))
    # The old form had one kind per line: a line with both keeps its originals.
    op.execute(
        "UPDATE dossier_document SET "
        "original = CASE WHEN originals > 0 THEN TRUE ELSE FALSE END, "
        "quantity = CASE WHEN originals > 0 THEN originals ELSE copies END"
    )
    with op.batch_alter_table("dossier_document", schema=None) as batch_op:
        batch_op.alter_column("original", server_default=None)
        batch_op.alter_column("quantity", server_default=None)
        batch_op.drop_column("originals")
        batch_op.drop_column("copies")
