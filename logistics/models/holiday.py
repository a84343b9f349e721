"""Working-calendar exceptions: public holidays and make-up working days."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class Holiday(SQLModel, table=True):
    __tablename__ = "holiday"
    __table_args__ = (sa.UniqueConstraint("calendar", "day", name="uq_holiday_day"),)

    id: int | None = Field(default=None, primary_key=True)
    calendar: str = Field(default="vn_civil_service", max_length=30)
    day: date
    kind: str = Field(max_length=20, description="holiday | working_day")
    name_vi: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    source: str = Field(default="announced", max_length=20, description="announced | estimate")
