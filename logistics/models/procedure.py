"""Administrative procedures, with what the post may do for each and what a
delivery of its result requires."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from logistics.models.enums import PostagePayer
from logistics.models.types import enum_field


class ProcedureBase(SQLModel):
    code: str = Field(max_length=30, unique=True, index=True)
    name: str = Field(max_length=255)
    intake_by_post: bool = True
    return_by_post: bool = True
    proof_id_check: bool = False
    proof_signature: bool = True
    proof_photo: bool = False
    proof_otp: bool = False
    sla_working_days: int = Field(default=5, ge=0)
    fee_vnd: int = Field(default=0, ge=0)
    postage_vnd: int = Field(default=0, ge=0)
    postage_payer: PostagePayer = enum_field(PostagePayer, default=PostagePayer.CITIZEN)


class Procedure(ProcedureBase, table=True):
    __tablename__ = "procedure"

    id: int | None = Field(default=None, primary_key=True)
