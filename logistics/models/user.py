"""Users of the product, each with one role scoped to a post office, agency, counter
or province."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from logistics.models.enums import Role
from logistics.models.types import datetime_field, enum_field, utcnow


class UserBase(SQLModel):
    username: str = Field(max_length=60, unique=True, index=True)
    full_name: str = Field(max_length=120)
    role: Role = enum_field(Role)
    province_code: str | None = Field(default=None, max_length=10)
    active: bool = True


class User(UserBase, table=True):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    post_office_id: int | None = Field(default=None, foreign_key="post_office.id", index=True)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    counter_id: int | None = Field(default=None, foreign_key="counter.id", index=True)
    secret_hash: str = Field(max_length=255, description="argon2 hash of the PIN or password")
    created_at: datetime = datetime_field(default_factory=utcnow)
