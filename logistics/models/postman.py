"""Postmen: the vehicles of the day's plan."""

from __future__ import annotations

from datetime import time

from sqlmodel import Field, SQLModel

from logistics.models.enums import VehicleKind
from logistics.models.types import enum_field


class PostmanBase(SQLModel):
    vehicle: VehicleKind = enum_field(VehicleKind, default=VehicleKind.MOTORBIKE)
    capacity_items: int = Field(default=60, ge=1)
    capacity_g: int = Field(default=40_000, ge=1)
    shift_start: time = time(7, 30)
    shift_end: time = time(17, 30)
    break_earliest: time = time(11, 0)
    break_latest: time = time(13, 30)
    break_minutes: int = Field(default=60, ge=0)
    can_collect_cash: bool = True
    can_check_id: bool = True
    active: bool = True


class Postman(PostmanBase, table=True):
    __tablename__ = "postman"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", unique=True)
    post_office_id: int = Field(foreign_key="post_office.id", index=True)
