"""dispatch-note documents count originals and copies; results kept at the post office get their own leg

Revision ID: 0006
Revises: 0002

- ``dossier_document``: ``original`` (bool) and ``quantity`` become ``originals`` and
  ``copies`` (one line per document, as on the paper form); existing rows keep their
  quantity under the kind they had.
- ``item.leg``: the new value ``agency_to_post_office`` is longer than the column
  (enums are stored as CHECK-free VARCHARs sized to the longest value plus 8).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None

_LEGS_OLD = ("home_pickup", "counter_to_agency", "agency_to_counter", "home_delivery", "commune_transfer")
_LEGS_NEW = (*_LEGS_OLD, "agency_to_post_office")


def _leg_type(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="legkind", native_enum=False, length=max(map(len, values)) + 8)


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
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.alter_column("leg", existing_type=_leg_type(_LEGS_OLD), type_=_leg_type(_LEGS_NEW),
                              existing_nullable=False)


def downgrade() -> None:
    op.execute("UPDATE item SET leg = 'agency_to_counter' WHERE leg = 'agency_to_post_office'")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.alter_column("leg", existing_type=_leg_type(_LEGS_NEW), type_=_leg_type(_LEGS_OLD),
                              existing_nullable=False)
    with op.batch_alter_table("dossier_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("quantity", sa.Integer(), nullable=False, server_default="1"))
    # A document with both originals and copies keeps its originals (the old form had one kind per line).
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
