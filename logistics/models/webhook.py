"""Outgoing webhooks to the province's one-stop system: the registered endpoints and
one delivery row per (endpoint, status change), written in the transaction of the
change (the outbox pattern of ``logistics.webhooks.outbox``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from logistics.models.enums import WebhookDeliveryStatus
from logistics.models.types import datetime_field, enum_field, json_field, utcnow


class WebhookEndpoint(SQLModel, table=True):
    """A URL of the one-stop system that wants to hear about status changes.

    ``province_code`` limits it to the items of that province's post offices (None: all
    provinces, an admin's endpoint); ``events`` lists the item statuses it wants (empty:
    every status). ``secret`` signs each body (HMAC-SHA256); it is shown only once.
    """

    __tablename__ = "webhook_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=500)
    secret: str = Field(max_length=128)
    province_code: str | None = Field(default=None, max_length=10, index=True)
    events: list[str] = json_field(default_factory=list)
    active: bool = True
    description: str = Field(default="", max_length=200)
    created_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = datetime_field(default_factory=utcnow)


class WebhookDelivery(SQLModel, table=True):
    """One event to POST to one endpoint, at most once per (endpoint, event key)."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (sa.UniqueConstraint("endpoint_id", "event_key", name="uq_webhook_delivery_once"),)

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoint.id", index=True)
    event_key: str = Field(max_length=80, description="what makes the event unique, e.g. scan:<scan_event_id>")
    event_type: str = Field(max_length=40)
    item_id: int | None = Field(default=None, foreign_key="item.id", index=True)
    payload: dict[str, Any] = json_field()
    status: WebhookDeliveryStatus = enum_field(WebhookDeliveryStatus, default=WebhookDeliveryStatus.PENDING, index=True)
    tries: int = Field(default=0, ge=0)
    not_before: datetime | None = datetime_field(default=None, nullable=True, index=True)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=255)
    delivered_at: datetime | None = datetime_field(default=None, nullable=True)
    created_at: datetime = datetime_field(default_factory=utcnow)
    updated_at: datetime = datetime_field(default_factory=utcnow)
