"""Handover records (biên bản giao nhận) between a postman and an agency or counter.
Once confirmed a record is immutable; a correction is a new record that supersedes it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from logistics.models.enums import ConfirmationMethod, HandoverKind, HandoverStatus
from logistics.models.types import datetime_field, enum_field, utcnow


class HandoverBase(SQLModel):
    code: str = Field(max_length=40, unique=True, index=True)
    kind: HandoverKind = enum_field(HandoverKind)
    status: HandoverStatus = enum_field(HandoverStatus, default=HandoverStatus.OPEN)
    method: ConfirmationMethod | None = enum_field(ConfirmationMethod, default=None, nullable=True)
    fees_expected_vnd: int = Field(default=0, ge=0)
    fees_handed_vnd: int | None = Field(default=None, ge=0)


class Handover(HandoverBase, table=True):
    __tablename__ = "handover"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    counter_id: int | None = Field(default=None, foreign_key="counter.id", index=True)
    postman_id: int = Field(foreign_key="postman.id", index=True)
    supersedes_id: int | None = Field(default=None, foreign_key="handover.id")
    confirmed_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    opened_at: datetime = datetime_field(default_factory=utcnow)
    confirmed_at: datetime | None = datetime_field(default=None, nullable=True)
    otp_hash: str | None = Field(default=None, max_length=128)
    otp_expires_at: datetime | None = datetime_field(default=None, nullable=True)
    signature_ref: str | None = Field(default=None, max_length=255)
    record_sha256: str | None = Field(default=None, max_length=64, description="hash of the confirmed record")
    # Added for issue 6 (all defaulted or nullable).
    otp_attempts: int = Field(default=0, ge=0, description="wrong codes typed against the current OTP")
    otp_issued: int = Field(default=0, ge=0, description="codes issued for this record (rate limit)")
    received_by_name: str | None = Field(default=None, max_length=120, description="the receiver who signed or confirmed")
    note: str | None = Field(default=None, max_length=500, description="reason of a correction, remarks")
    fees_note: str | None = Field(default=None, max_length=255, description="why the fees handed over differ")
