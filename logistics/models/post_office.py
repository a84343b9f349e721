"""Post offices: the depots postmen start from."""

from __future__ import annotations

from typing import Any

from sqlmodel import Field, SQLModel

from logistics.models.types import json_field


class PostOfficeBase(SQLModel):
    code: str = Field(max_length=20, unique=True, index=True)
    name: str = Field(max_length=160)
    province_code: str = Field(max_length=10, index=True)
    commune_code: str = Field(max_length=10)
    address: str = Field(max_length=255)
    lat: float
    lon: float
    phone: str | None = Field(default=None, max_length=20, description="public contact line")


class PostOffice(PostOfficeBase, table=True):
    __tablename__ = "post_office"

    id: int | None = Field(default=None, primary_key=True)
    # GeoJSON (lon, lat) polygon: the area whose items this office carries.
    service_area: dict[str, Any] | None = json_field(default_factory=lambda: None, nullable=True)
    # {"mon": [["07:00", "19:00"]], ..., "sun": []}
    opening_hours: dict[str, Any] = json_field()
