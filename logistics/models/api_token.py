"""Bearer tokens (hashed), bound to a device; revoking one takes effect at once."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from logistics.models.enums import TokenKind
from logistics.models.types import datetime_field, enum_field, utcnow


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(max_length=64, unique=True, index=True)
    kind: TokenKind = enum_field(TokenKind)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    device_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = datetime_field(default_factory=utcnow)
    expires_at: datetime = datetime_field()
    revoked_at: datetime | None = datetime_field(default=None, nullable=True)
