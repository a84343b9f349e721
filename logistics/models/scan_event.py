"""Scan events from postmen's phones: every event is kept, applied once, ordered by
the device's clock; the server's receive time is kept beside it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlmodel import Field, SQLModel

from logistics.models.enums import FailureAction, FailureReason, HolderKind, ItemStatus, ScanCode, ScanOutcome
from logistics.models.types import datetime_field, enum_field, json_field, utcnow


class ScanEventBase(SQLModel):
    client_event_id: uuid.UUID = Field(unique=True, index=True, description="made on the phone")
    code: ScanCode = enum_field(ScanCode)
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = Field(default=None, ge=0)
    failure_reason: FailureReason | None = enum_field(FailureReason, default=None, nullable=True)
    failure_action: FailureAction | None = enum_field(FailureAction, default=None, nullable=True)
    retry_on: date | None = None
    device_id: str | None = Field(default=None, max_length=64)


class ScanEvent(ScanEventBase, table=True):
    __tablename__ = "scan_event"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int | None = Field(default=None, foreign_key="item.id", index=True)
    s10: str = Field(max_length=40, description="as scanned, also for rejected events")
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    handover_id: int | None = Field(default=None, foreign_key="handover.id")
    device_time: datetime = datetime_field(index=True)
    received_at: datetime = datetime_field(default_factory=utcnow)
    outcome: ScanOutcome = enum_field(ScanOutcome)
    status_after: ItemStatus | None = enum_field(ItemStatus, default=None, nullable=True)
    reject_code: str | None = Field(default=None, max_length=40)
    proof: dict[str, Any] = json_field()
    flags: list[str] = json_field(default_factory=list)
    # Who holds the item after this event, when it is on the item's status path: the
    # chain of custody at every moment is the sequence of these.
    holder_kind: HolderKind | None = enum_field(HolderKind, default=None, nullable=True)
    holder_ref_id: int | None = None
