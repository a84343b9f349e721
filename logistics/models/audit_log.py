"""The append-only audit log. Database triggers (see the migrations) refuse UPDATE
and DELETE on this table, so even a bug cannot rewrite history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from logistics.models.types import datetime_field, json_field, utcnow


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = datetime_field(default_factory=utcnow, index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    action: str = Field(max_length=60)
    entity: str = Field(max_length=40)
    entity_id: str = Field(max_length=60, index=True)
    detail: dict[str, Any] = json_field()
