"""Agencies: the bodies that decide dossiers and issue results."""

from __future__ import annotations

from typing import Any

from sqlmodel import Field, SQLModel

from logistics.models.types import json_field


class AgencyBase(SQLModel):
    code: str = Field(max_length=40, unique=True, index=True, description="one-stop system code, e.g. 000.00.22.H21")
    name: str = Field(max_length=200)
    province_code: str = Field(max_length=10, index=True)
    commune_code: str | None = Field(default=None, max_length=10)
    address: str = Field(max_length=255)
    lat: float
    lon: float
    calendar: str = Field(default="vn_civil_service", max_length=30, description="holiday calendar (workdays.py)")


class Agency(AgencyBase, table=True):
    __tablename__ = "agency"

    id: int | None = Field(default=None, primary_key=True)
    # Weekly office hours with the lunch break as a gap:
    # {"mon": [["07:30", "11:30"], ["13:30", "17:00"]], ..., "sat": [["07:30", "11:30"]]}
    office_hours: dict[str, Any] = json_field()
