"""One-time codes a recipient reads out to the postman as proof of delivery. Only a
keyed hash is stored; the code itself exists only in the SMS."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from logistics.models.types import datetime_field, utcnow


class DeliveryOtp(SQLModel, table=True):
    __tablename__ = "delivery_otp"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    code_hash: str = Field(max_length=64)
    requested_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = datetime_field(default_factory=utcnow)
    expires_at: datetime = datetime_field()
    attempts: int = Field(default=0, ge=0)
    verified_at: datetime | None = datetime_field(default=None, nullable=True)
    used_by_scan_event_id: int | None = Field(default=None, foreign_key="scan_event.id")
