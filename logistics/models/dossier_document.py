"""The documents of a dossier as listed on the dispatch note (phiếu gửi hồ sơ): each with
the number of originals (bản chính) and copies (bản sao) handed in, checked against the
procedure's list at intake and counted again at every handover."""

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
    originals: int = Field(default=0, ge=0, le=100, description="bản chính")
    copies: int = Field(default=0, ge=0, le=100, description="bản sao")
