"""Postmen's positions, sent best effort apart from scans (live map, ETA)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from logistics.models.types import datetime_field, utcnow


class PositionPing(SQLModel, table=True):
    __tablename__ = "position_ping"
    __table_args__ = (sa.Index("ix_position_ping_user_time", "user_id", "device_time"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    device_id: str | None = Field(default=None, max_length=64)
    lat: float
    lon: float
    accuracy_m: float | None = Field(default=None, ge=0)
    speed_mps: float | None = Field(default=None, ge=0)
    device_time: datetime = datetime_field()
    received_at: datetime = datetime_field(default_factory=utcnow)
