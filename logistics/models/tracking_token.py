"""Tracking-link tokens. Only a hash is stored: a leaked table gives no working link."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from logistics.models.types import datetime_field, utcnow


class TrackingToken(SQLModel, table=True):
    __tablename__ = "tracking_token"

    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(max_length=64, unique=True, index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    created_at: datetime = datetime_field(default_factory=utcnow)
    expires_at: datetime | None = datetime_field(default=None, nullable=True)
