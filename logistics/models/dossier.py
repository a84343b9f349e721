"""Dossiers (hồ sơ) as known to the province's one-stop system."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from logistics.models.enums import DossierStatus, ResultDelivery
from logistics.models.types import datetime_field, enum_field, utcnow


class DossierBase(SQLModel):
    code: str = Field(max_length=60, unique=True, index=True, description="<agency>-YYMMDD-XXXX")
    status: DossierStatus = enum_field(DossierStatus, default=DossierStatus.RECEIVED)
    result_delivery: ResultDelivery = enum_field(ResultDelivery, default=ResultDelivery.HOME)
    appointment_date: date | None = Field(default=None, description="ngày hẹn trả kết quả")
    document_count: int = Field(default=1, ge=0)


class Dossier(DossierBase, table=True):
    __tablename__ = "dossier"

    id: int | None = Field(default=None, primary_key=True)
    procedure_id: int = Field(foreign_key="procedure.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    counter_id: int | None = Field(default=None, foreign_key="counter.id", index=True)
    applicant_id: int = Field(foreign_key="person.id", index=True)
    recipient_id: int | None = Field(default=None, foreign_key="person.id")
    received_at: datetime = datetime_field(index=True)
    created_at: datetime = datetime_field(default_factory=utcnow)
