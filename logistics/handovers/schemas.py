"""Request and response bodies of the handover endpoints (web and mobile share them).

Clerks and postmen work from S10 and dossier codes: no citizen's name, phone or
address appears in any of these (Decision 45/2016: staff do not disclose more than the
job needs).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from logistics.handovers import fees, integrity, places, records
from logistics.models import Handover, Postman, User
from logistics.models.enums import (
    ConfirmationMethod, HandoverKind, HandoverStatus, ItemStatus, LegKind, LineOutcome, PlaceKind,
)

_IN = ConfigDict(extra="forbid", str_strip_whitespace=True)
S10Text = Field(min_length=9, max_length=20, description="the S10 identifier on the envelope")


class OpenHandoverIn(BaseModel):
    model_config = _IN
    kind: HandoverKind
    place_code: str = Field(min_length=1, max_length=40, description="the agency's or counter's code")


class AddItemIn(BaseModel):
    model_config = _IN
    s10: str = S10Text


class DiscrepancyIn(BaseModel):
    model_config = _IN
    s10: str = S10Text
    outcome: LineOutcome
    note: str | None = Field(default=None, max_length=255)
    received_originals: int | None = Field(default=None, ge=0, le=1000)
    received_copies: int | None = Field(default=None, ge=0, le=1000)

    def as_change(self) -> records.Discrepancy:
        return records.Discrepancy(self.s10, self.outcome, self.note, self.received_originals, self.received_copies)


class ConfirmCodeIn(BaseModel):
    model_config = _IN
    code: str = Field(min_length=6, max_length=12, description="the code shown on the postman's phone")
    fees_handed_vnd: int | None = Field(default=None, ge=0, le=10_000_000_000)
    fees_note: str | None = Field(default=None, max_length=255)
    appointments: dict[str, date] = Field(default_factory=dict, max_length=500,
                                          description="dossier code -> ngày hẹn trả (to_agency only)")


class QrIn(BaseModel):
    model_config = _IN
    fees_handed_vnd: int | None = Field(default=None, ge=0, le=10_000_000_000)
    fees_note: str | None = Field(default=None, max_length=255)


class QrOut(BaseModel):
    token: str
    expires_at: datetime
    svg: str = Field(description="the token as a QR code (SVG) for the clerk's screen")


class QrScanIn(BaseModel):
    model_config = _IN
    token: str = Field(min_length=10, max_length=1000)


class CodeOut(BaseModel):
    code: str
    expires_at: datetime


class AmendIn(BaseModel):
    model_config = _IN
    reason: str = Field(min_length=1, max_length=500)
    changes: list[DiscrepancyIn] = Field(default_factory=list, max_length=500)


class AppointmentIn(BaseModel):
    model_config = _IN
    appointment_date: date


class LineOut(BaseModel):
    s10: str
    dossier_code: str
    leg: LegKind
    item_status: ItemStatus
    originals: int
    copies: int
    received_originals: int | None
    received_copies: int | None
    fee_vnd: int
    outcome: LineOutcome
    note: str | None


class HandoverOut(BaseModel):
    code: str
    kind: HandoverKind
    status: HandoverStatus
    place_kind: PlaceKind
    place_code: str
    place_name: str
    postman_name: str
    post_office_name: str
    opened_at: datetime
    confirmed_at: datetime | None
    method: ConfirmationMethod | None
    received_by_name: str | None
    fees_expected_vnd: int
    fees_handed_vnd: int | None
    fees_difference_vnd: int | None
    fees_note: str | None
    supersedes: str | None
    superseded_by: str | None
    note: str | None
    record_sha256: str | None
    verify_url: str | None
    code_live_until: datetime | None
    lines: list[LineOut]


def handover_out(session: Session, handover: Handover) -> HandoverOut:
    place = places.place_of(session, handover)
    postman = session.get(Postman, handover.postman_id)
    postman_user = session.get(User, postman.user_id) if postman else None
    rows = integrity.line_rows(session, handover.id)
    lines = [line for line, _, _ in rows]
    supersedes = session.get(Handover, handover.supersedes_id) if handover.supersedes_id else None
    later = records.superseded_by(session, handover)
    confirmed = handover.status is HandoverStatus.CONFIRMED
    expected = handover.fees_expected_vnd if confirmed else fees.expected(lines)
    return HandoverOut(
        code=handover.code, kind=handover.kind, status=handover.status, place_kind=place.kind, place_code=place.code,
        place_name=place.name, postman_name=postman_user.full_name if postman_user else "",
        post_office_name=places.post_office_name(session, postman) if postman else "",
        opened_at=handover.opened_at, confirmed_at=handover.confirmed_at, method=handover.method,
        received_by_name=handover.received_by_name, fees_expected_vnd=expected, fees_handed_vnd=handover.fees_handed_vnd,
        fees_difference_vnd=(handover.fees_handed_vnd - handover.fees_expected_vnd)
        if confirmed and handover.fees_handed_vnd is not None else None,
        fees_note=handover.fees_note, supersedes=supersedes.code if supersedes else None,
        superseded_by=later.code if later else None, note=handover.note, record_sha256=handover.record_sha256,
        verify_url=integrity.verify_url(handover) if confirmed else None,
        code_live_until=handover.otp_expires_at if not confirmed else None,
        lines=[
            LineOut(s10=item.s10, dossier_code=dossier.code, leg=item.leg, item_status=item.status,
                    originals=line.originals, copies=line.copies, received_originals=line.received_originals,
                    received_copies=line.received_copies, fee_vnd=line.fee_vnd, outcome=line.outcome, note=line.note)
            for line, item, dossier in rows
        ],
    )


class HandoverSummary(BaseModel):
    code: str
    kind: HandoverKind
    status: HandoverStatus
    place_name: str
    opened_at: datetime
    confirmed_at: datetime | None
    item_count: int


class DeskItem(BaseModel):
    s10: str
    dossier_code: str
    leg: LegKind
    status: ItemStatus
    due_date: date | None
    fee_vnd: int


class DeskDossier(BaseModel):
    dossier_code: str
    status: str
    received_at: datetime
    appointment_date: date | None
    sla_working_days: int | None
    working_days_left: int | None
    result_delivery: str


class DeskDay(BaseModel):
    day: date
    place_kind: PlaceKind
    place_code: str
    place_name: str
    inbound: list[DeskItem]
    outbound: list[DeskItem]
    awaiting_result: list[DeskDossier]
    handovers: list[HandoverSummary]


class ResultReadyOut(BaseModel):
    dossier_code: str
    status: str
    items: list[DeskItem]
    created_s10: list[str]
