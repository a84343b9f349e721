"""Items: one physical envelope on one leg, identified by a UPU S10 code."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from logistics.models.enums import HolderKind, ItemStatus, LegKind, PlaceKind
from logistics.models.types import datetime_field, enum_field, utcnow


class ItemBase(SQLModel):
    # Not unique: an identifier may be reused after 24 months (s10_allocation guards it).
    s10: str = Field(max_length=13, index=True)
    leg: LegKind = enum_field(LegKind)
    origin_kind: PlaceKind = enum_field(PlaceKind)
    origin_ref_id: int | None = Field(default=None, description="counter/agency/post office id; null for a home")
    origin_lat: float
    origin_lon: float
    destination_kind: PlaceKind = enum_field(PlaceKind)
    destination_ref_id: int | None = None
    destination_lat: float
    destination_lon: float
    due_date: date | None = Field(default=None, index=True)
    parcel_count: int = Field(default=1, ge=1)
    weight_g: int = Field(default=200, ge=0)
    fee_to_collect_vnd: int = Field(default=0, ge=0)
    status: ItemStatus = enum_field(ItemStatus, default=ItemStatus.CREATED, index=True)


class Item(ItemBase, table=True):
    __tablename__ = "item"
    __table_args__ = (sa.UniqueConstraint("dossier_id", "leg", name="uq_item_dossier_leg"),)

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    post_office_id: int = Field(foreign_key="post_office.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", description="the home end, if any")
    # The booked window at the home end (pickup or delivery), if any.
    window_start: datetime | None = datetime_field(default=None, nullable=True)
    window_end: datetime | None = datetime_field(default=None, nullable=True)
    status_at: datetime | None = datetime_field(default=None, nullable=True)
    holder_kind: HolderKind | None = enum_field(HolderKind, default=None, nullable=True)
    holder_ref_id: int | None = None
    created_at: datetime = datetime_field(default_factory=utcnow)
    updated_at: datetime = datetime_field(default_factory=utcnow)
    # The state before the first scan, kept so that the scans can be re-folded in
    # device-time order when a late event arrives (logistics.tracking.fold).
    scan_base_status: ItemStatus | None = enum_field(ItemStatus, default=None, nullable=True)
    scan_base_at: datetime | None = datetime_field(default=None, nullable=True)
    scan_base_holder_kind: HolderKind | None = enum_field(HolderKind, default=None, nullable=True)
    scan_base_holder_ref_id: int | None = None
    # Device time of the latest event that takes part in the fold: a newer event is
    # applied on top, an older one triggers a re-fold.
    last_scan_at: datetime | None = datetime_field(default=None, nullable=True)
