"""Administrative units (provinces and communes), versioned: units and their codes
change (the 2025 reform removed districts; 2026 added centrally-run cities)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from logistics.models.enums import AdminLevel
from logistics.models.types import enum_field


class AdminUnitBase(SQLModel):
    code: str = Field(max_length=10, index=True, description="GSO code, zero-padded")
    level: AdminLevel = enum_field(AdminLevel)
    name: str = Field(max_length=120)
    short_name: str = Field(max_length=80)
    unit_type: str = Field(max_length=40, description="Tỉnh, Thành phố, Phường, Xã, Đặc khu")
    parent_code: str | None = Field(default=None, max_length=10, index=True)
    lat: float
    lon: float
    area_km2: float | None = None
    valid_from: date
    valid_to: date | None = None


class AdminUnit(AdminUnitBase, table=True):
    __tablename__ = "admin_unit"
    __table_args__ = (sa.UniqueConstraint("code", "level", "valid_from", name="uq_admin_unit_version"),)

    id: int | None = Field(default=None, primary_key=True)
