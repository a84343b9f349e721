"""Failed sign-ins counted per key (a username on a device, a username, a client
address), shared by every process through the database: the embedded default has no
Redis. Keys are stored hashed: no username or address in the table."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from logistics.models.types import datetime_field


class SignInThrottle(SQLModel, table=True):
    __tablename__ = "sign_in_throttle"

    key_sha256: str = Field(max_length=64, primary_key=True, description="SHA-256 of scope and key")
    scope: str = Field(max_length=16, description="device, user or address")
    failures: int = Field(default=0, ge=0, description="failed attempts in the current window")
    first_failure_at: datetime = datetime_field()
    last_failure_at: datetime = datetime_field()
    locked_until: datetime | None = datetime_field(default=None, nullable=True, index=True)
