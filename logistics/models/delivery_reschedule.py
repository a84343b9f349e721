"""A citizen's choice, from the tracking page, of another delivery window or of
collecting at the post office. The latest row of an item is the one the next plan uses;
earlier rows stay as history (and number the confirmation SMS)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from logistics.models.types import datetime_field, utcnow


class DeliveryReschedule(SQLModel, table=True):
    __tablename__ = "delivery_reschedule"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    # "window" (window_start/window_end set) or "hold_at_post_office".
    choice: str = Field(max_length=24)
    window_start: datetime | None = datetime_field(default=None, nullable=True)
    window_end: datetime | None = datetime_field(default=None, nullable=True)
    source: str = Field(default="tracking_page", max_length=20)
    created_at: datetime = datetime_field(default_factory=utcnow)
