"""One-stop counters: the provincial public administrative service centre and the
commune Bộ phận Một cửa, where dossiers are received and results returned."""

from __future__ import annotations

from typing import Any

from sqlmodel import Field, SQLModel

from logistics.models.enums import CounterLevel
from logistics.models.types import enum_field, json_field


class CounterBase(SQLModel):
    code: str = Field(max_length=30, unique=True, index=True)
    name: str = Field(max_length=200)
    level: CounterLevel = enum_field(CounterLevel)
    province_code: str = Field(max_length=10, index=True)
    commune_code: str | None = Field(default=None, max_length=10)
    address: str = Field(max_length=255)
    lat: float
    lon: float


class Counter(CounterBase, table=True):
    __tablename__ = "counter"

    id: int | None = Field(default=None, primary_key=True)
    opening_hours: dict[str, Any] = json_field()
