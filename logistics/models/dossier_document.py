"""The documents of a dossier as listed on the dispatch note (phiếu gửi hồ sơ): each an
original (bản chính) or a copy (bản sao), checked against the procedure's list at intake."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class DossierDocument(SQLModel, table=True):
    __tablename__ = "dossier_document"
    __table_args__ = (sa.UniqueConstraint("dossier_id", "seq", name="uq_dossier_document_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    seq: int = Field(ge=1, description="order on the dispatch note")
    name: str = Field(max_length=255, description="e.g. Tờ khai đăng ký khai sinh")
    original: bool = Field(default=True, description="bản chính (True) or bản sao (False)")
    quantity: int = Field(default=1, ge=1, le=100)
