"""Codes of units that no longer exist, mapped to their successors, so that old
addresses and old dossier records still resolve."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from logistics.models.enums import AdminLevel
from logistics.models.types import enum_field


class LegacyUnitCode(SQLModel, table=True):
    __tablename__ = "legacy_unit_code"
    __table_args__ = (
        sa.UniqueConstraint("legacy_code", "legacy_level", "successor_code", name="uq_legacy_unit_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    legacy_code: str = Field(max_length=10, index=True)
    legacy_level: AdminLevel = enum_field(AdminLevel)
    legacy_name: str = Field(max_length=120)
    successor_code: str = Field(max_length=10, index=True)
    successor_level: AdminLevel = enum_field(AdminLevel)
    valid_to: date = Field(description="the last day the legacy unit existed")
