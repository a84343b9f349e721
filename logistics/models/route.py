"""A postman's route for one day, as planned for a post office."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from logistics.models.enums import RouteStatus
from logistics.models.types import datetime_field, enum_field, utcnow


class RouteBase(SQLModel):
    day: date = Field(index=True)
    status: RouteStatus = enum_field(RouteStatus, default=RouteStatus.DRAFT)
    distance_m: int = Field(default=0, ge=0)
    duration_s: int = Field(default=0, ge=0)
    pinned: bool = False


class Route(RouteBase, table=True):
    __tablename__ = "route"
    __table_args__ = (sa.UniqueConstraint("post_office_id", "day", "postman_id", name="uq_route_day_postman"),)

    id: int | None = Field(default=None, primary_key=True)
    post_office_id: int = Field(foreign_key="post_office.id", index=True)
    postman_id: int = Field(foreign_key="postman.id", index=True)
    planned_at: datetime = datetime_field(default_factory=utcnow)
    # When the plan has the postman leave the office, come back, and take the break.
    departs_at: datetime | None = datetime_field(default=None, nullable=True)
    returns_at: datetime | None = datetime_field(default=None, nullable=True)
    break_starts_at: datetime | None = datetime_field(default=None, nullable=True)
    break_ends_at: datetime | None = datetime_field(default=None, nullable=True)
