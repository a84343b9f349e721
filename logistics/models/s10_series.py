"""Serial counters for issuing S10 identifiers, one per two-letter prefix."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class S10Series(SQLModel, table=True):
    __tablename__ = "s10_series"

    prefix: str = Field(primary_key=True, max_length=2)
    next_serial: int = Field(default=1, ge=0, le=99_999_999)
