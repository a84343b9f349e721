"""Proof-of-delivery files (photos, signatures) uploaded from phones. The bytes live in
the file store (``logistics.filestore``); this row is what a scan's proof reference
must match before a delivery needing that proof is accepted."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from logistics.models.types import datetime_field, enum_field, utcnow


class ProofKind(StrEnum):
    PHOTO = "photo"
    SIGNATURE = "signature"


class ProofFile(SQLModel, table=True):
    __tablename__ = "proof_file"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=255, unique=True, index=True, description="file-store reference")
    kind: ProofKind = enum_field(ProofKind)
    content_type: str = Field(max_length=60)
    size_bytes: int = Field(ge=0)
    sha256: str = Field(max_length=64)
    uploaded_by_user_id: int = Field(foreign_key="app_user.id", index=True)
    device_id: str | None = Field(default=None, max_length=64)
    item_id: int | None = Field(default=None, foreign_key="item.id", index=True)
    created_at: datetime = datetime_field(default_factory=utcnow)
    # When a scan that can take part in the item's history first cited it (None: an
    # upload no event used, removed as an orphan after a while).
    used_at: datetime | None = datetime_field(default=None, nullable=True, index=True)
    # The bytes leave the store (an orphan upload, or the retention period after the
    # item was done); the record stays, with when and why.
    file_deleted_at: datetime | None = datetime_field(default=None, nullable=True, index=True)
    file_deleted_reason: str | None = Field(default=None, max_length=20, description="orphan or retention")
