"""One item on a handover record, with what the receiver found."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from logistics.models.enums import LineOutcome
from logistics.models.types import datetime_field, enum_field


class HandoverLine(SQLModel, table=True):
    __tablename__ = "handover_line"
    __table_args__ = (sa.UniqueConstraint("handover_id", "item_id", name="uq_handover_line_item"),)

    id: int | None = Field(default=None, primary_key=True)
    handover_id: int = Field(foreign_key="handover.id", index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    originals: int = Field(default=0, ge=0)
    copies: int = Field(default=0, ge=0)
    fee_vnd: int = Field(default=0, ge=0)
    outcome: LineOutcome = enum_field(LineOutcome, default=LineOutcome.ACCEPTED)
    note: str | None = Field(default=None, max_length=255)
    # Added for issue 6: what the receiver counted when it differs, and when the line was scanned.
    received_originals: int | None = Field(default=None, ge=0)
    received_copies: int | None = Field(default=None, ge=0)
    added_at: datetime | None = datetime_field(default=None, nullable=True)
