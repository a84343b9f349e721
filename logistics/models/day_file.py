"""A day in the open postal-day format uploaded by a dispatcher, and its plan.

The file and the plan live in the file store (``logistics.filestore``); this row
holds who sent it, for which post office, where the planning task stands and
the plan's summary.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from logistics.models.types import datetime_field, enum_field, json_field, utcnow


class DayFileStatus(StrEnum):
    QUEUED = "queued"
    PLANNING = "planning"
    DONE = "done"
    FAILED = "failed"


class DayFile(SQLModel, table=True):
    __tablename__ = "day_file"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    status: DayFileStatus = enum_field(DayFileStatus, default=DayFileStatus.QUEUED, index=True)
    time_limit_s: float = Field(gt=0)
    items: int = Field(ge=0)
    vehicles: int = Field(ge=0)
    day_ref: str = Field(max_length=255, description="file-store reference of the uploaded day")
    plan_ref: str | None = Field(default=None, max_length=255, description="file-store reference of the plan")
    summary: dict = json_field()
    error: str | None = Field(default=None, max_length=500)
    uploaded_by_user_id: int = Field(foreign_key="app_user.id", index=True)
    post_office_id: int | None = Field(default=None, foreign_key="post_office.id", index=True)
    created_at: datetime = datetime_field(default_factory=utcnow)
    finished_at: datetime | None = datetime_field(default=None, nullable=True)
