"""Which items are picked up or delivered at each stop."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from logistics.models.enums import StopAction
from logistics.models.types import enum_field


class RouteStopItem(SQLModel, table=True):
    __tablename__ = "route_stop_item"
    __table_args__ = (sa.UniqueConstraint("stop_id", "item_id", "action", name="uq_route_stop_item"),)

    id: int | None = Field(default=None, primary_key=True)
    stop_id: int = Field(foreign_key="route_stop.id", index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    action: StopAction = enum_field(StopAction)
