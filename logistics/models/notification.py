"""The SMS outbox: a row is written in the same transaction as the event that causes
it and sent after commit; one row per (item, trigger, attempt), enforced here."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from logistics.models.enums import NotificationStatus, NotificationTrigger
from logistics.models.types import datetime_field, enum_field, utcnow


class NotificationBase(SQLModel):
    trigger: NotificationTrigger = enum_field(NotificationTrigger)
    attempt: int = Field(default=1, ge=1)
    channel: str = Field(default="sms", max_length=10)
    language: str = Field(default="vi", max_length=2)
    # None until sent for an SMS a scan caused: the scan writes only its key and cause
    # (``scan_event_id``) and the sender renders it (``notify.scan_drafts``).
    body: str | None = Field(default=None, max_length=640)
    encoding: str = Field(default="gsm7", max_length=8)
    segments: int = Field(default=1, ge=1)
    status: NotificationStatus = enum_field(NotificationStatus, default=NotificationStatus.PENDING, index=True)


class Notification(NotificationBase, table=True):
    __tablename__ = "notification"
    __table_args__ = (sa.UniqueConstraint("item_id", "trigger", "attempt", name="uq_notification_once"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    to_e164: str | None = Field(default=None, max_length=16, index=True)  # None until rendered, as ``body``
    # The scan that caused the SMS, for its details (a failed delivery's reason) at render time.
    scan_event_id: int | None = Field(default=None, foreign_key="scan_event.id")
    provider: str | None = Field(default=None, max_length=20)
    provider_sid: str | None = Field(default=None, max_length=64, unique=True)
    error_code: str | None = Field(default=None, max_length=20)
    error_message: str | None = Field(default=None, max_length=255)
    tries: int = Field(default=0, ge=0)
    not_before: datetime | None = datetime_field(default=None, nullable=True, index=True)
    sent_at: datetime | None = datetime_field(default=None, nullable=True)
    created_at: datetime = datetime_field(default_factory=utcnow)
    updated_at: datetime = datetime_field(default_factory=utcnow)
    # What the body's placeholders stand for and the outbox may not keep in clear (a
    # one-time delivery code), sealed with a key derived from SECRET_KEY
    # (``notify.sealed``); erased once the message is sent or given up.
    sealed: str | None = Field(default=None, max_length=255)


class ProviderStatusReport(SQLModel, table=True):
    """A delivery report whose sid was not known yet: it overtook the commit that stores
    the sid. Applied (and deleted) once a message with that sid is recorded."""

    __tablename__ = "provider_status_report"

    id: int | None = Field(default=None, primary_key=True)
    provider_sid: str = Field(max_length=64, index=True)
    provider_status: str = Field(max_length=20)
    error_code: str | None = Field(default=None, max_length=20)
    received_at: datetime = datetime_field(default_factory=utcnow)
