"""Applicants and recipients: only what the job needs (a name to ask for at the door,
a phone for SMS, an address with coordinates, the last digits of an ID to check)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from logistics.models.types import datetime_field, utcnow


class PersonBase(SQLModel):
    full_name: str = Field(max_length=120)
    phone_e164: str = Field(max_length=16, index=True)
    address: str = Field(max_length=255)
    commune_code: str = Field(max_length=10, index=True)
    lat: float
    lon: float
    id_last4: str | None = Field(default=None, max_length=4, description="last 4 digits of the CCCD, never more")
    language: str = Field(default="vi", max_length=2)


class Person(PersonBase, table=True):
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = datetime_field(default_factory=utcnow)
