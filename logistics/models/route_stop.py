"""Stops of a route, in order, with planned arrival windows."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from logistics.models.enums import PlaceKind, StopStatus
from logistics.models.types import datetime_field, enum_field


class RouteStopBase(SQLModel):
    seq: int = Field(ge=0)
    place_kind: PlaceKind = enum_field(PlaceKind)
    place_ref_id: int | None = None
    lat: float
    lon: float
    service_s: int = Field(default=0, ge=0)
    status: StopStatus = enum_field(StopStatus, default=StopStatus.PENDING)
    pinned: bool = False


class RouteStop(RouteStopBase, table=True):
    __tablename__ = "route_stop"
    __table_args__ = (sa.UniqueConstraint("route_id", "seq", name="uq_route_stop_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    route_id: int = Field(foreign_key="route.id", index=True)
    planned_arrival: datetime | None = datetime_field(default=None, nullable=True)
    arrive_from: datetime | None = datetime_field(default=None, nullable=True)
    arrive_to: datetime | None = datetime_field(default=None, nullable=True)
    # Progress from the scans (device time): the first and the last scan at the stop.
    arrived_at: datetime | None = datetime_field(default=None, nullable=True)
    completed_at: datetime | None = datetime_field(default=None, nullable=True)
