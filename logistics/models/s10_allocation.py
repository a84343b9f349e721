"""Every S10 identifier ever issued, with when: never reused within 24 months."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from logistics.models.types import datetime_field


class S10Allocation(SQLModel, table=True):
    __tablename__ = "s10_allocation"

    code: str = Field(primary_key=True, max_length=13)
    allocated_at: datetime = datetime_field()
