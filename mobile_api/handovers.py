"""The postman's side of a handover: open a record at the agency or counter, scan items
on and off while it is open, show the one-time code, scan the clerk's QR, collect a
signature, read the record. Mount with ``router.include_router(handovers.router)``
(paths ``/handovers...`` under the mobile prefix)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Response, UploadFile, status
from sqlalchemy import func, select

from api_core.deps import SessionDep
from api_core.errors import error_responses
from logistics.handovers import confirmation, documents, places, records, schemas
from logistics.models import Handover, HandoverLine, ProofKind
from logistics.models.enums import HandoverStatus
from logistics.tracking import proof_uploads
from mobile_api.deps import PhoneDep, body_limited_route

MAX_BODY = proof_uploads.MAX_BYTES[ProofKind.SIGNATURE] + 64 * 1024

router = APIRouter(prefix="/handovers", tags=["mobile: handovers"], responses=error_responses(401, 403, 404, 422),
                   route_class=body_limited_route(MAX_BODY))


def _mine(session, phone, code: str, *, lock: bool = False) -> Handover:  # noqa: ANN001
    handover = places.get_visible(session, phone.user, code, lock=lock)
    places.require_postman_of(session, phone.user, handover)
    return handover


@router.post("", response_model=schemas.HandoverOut, status_code=status.HTTP_201_CREATED,
             summary="Open a handover record at an agency or counter")
def open_handover(session: SessionDep, phone: PhoneDep, body: schemas.OpenHandoverIn) -> Any:
    handover = records.open_handover(session, actor=phone.user, kind=body.kind, place_code=body.place_code)
    return schemas.handover_out(session, handover)


@router.get("", response_model=list[schemas.HandoverSummary], summary="My open records and the latest confirmed ones")
def my_handovers(session: SessionDep, phone: PhoneDep) -> Any:
    postman = places.postman_of(session, phone.user)
    count = select(func.count()).select_from(HandoverLine).where(HandoverLine.handover_id == Handover.id).scalar_subquery()
    rows = session.execute(select(Handover, count).where(Handover.postman_id == postman.id)
                           .order_by((Handover.status == HandoverStatus.OPEN).desc(), Handover.opened_at.desc())
                           .limit(50)).all()
    return [schemas.HandoverSummary(code=h.code, kind=h.kind, status=h.status, place_name=places.place_of(session, h).name,
                                    opened_at=h.opened_at, confirmed_at=h.confirmed_at, item_count=int(n))
            for h, n in rows]


@router.get("/{code}", response_model=schemas.HandoverOut, summary="One of my records")
def get_handover(session: SessionDep, phone: PhoneDep, code: str) -> Any:
    return schemas.handover_out(session, _mine(session, phone, code))


@router.post("/{code}/items", response_model=schemas.HandoverOut, status_code=status.HTTP_201_CREATED,
             responses=error_responses(409), summary="Scan an item onto the open record")
def add_item(session: SessionDep, phone: PhoneDep, code: str, body: schemas.AddItemIn) -> Any:
    handover = _mine(session, phone, code, lock=True)
    records.add_item(session, actor=phone.user, handover=handover, s10=body.s10)
    return schemas.handover_out(session, handover)


@router.delete("/{code}/items/{s10}", response_model=schemas.HandoverOut, responses=error_responses(409),
               summary="Take an item off the open record")
def remove_item(session: SessionDep, phone: PhoneDep, code: str, s10: str) -> Any:
    handover = _mine(session, phone, code, lock=True)
    records.remove_item(session, actor=phone.user, handover=handover, s10=s10)
    return schemas.handover_out(session, handover)


@router.post("/{code}/cancel", response_model=schemas.HandoverOut, responses=error_responses(409),
             summary="Abandon an open record (its items may go on another)")
def cancel(session: SessionDep, phone: PhoneDep, code: str) -> Any:
    handover = _mine(session, phone, code, lock=True)
    records.cancel(session, actor=phone.user, handover=handover)
    return schemas.handover_out(session, handover)


@router.post("/{code}/otp", response_model=schemas.CodeOut, responses=error_responses(409),
             summary="A one-time code to show the clerk (it replaces any earlier one)")
def show_code(session: SessionDep, phone: PhoneDep, code: str) -> Any:
    handover = _mine(session, phone, code, lock=True)
    issued = confirmation.issue_code(session, actor=phone.user, handover=handover)
    return schemas.CodeOut(code=issued.code, expires_at=issued.expires_at)


@router.post("/{code}/qr", response_model=schemas.HandoverOut, responses=error_responses(409),
             summary="Confirm by scanning the QR code on the clerk's screen")
def scan_qr(session: SessionDep, phone: PhoneDep, code: str, body: schemas.QrScanIn) -> Any:
    handover = _mine(session, phone, code, lock=True)
    confirmation.confirm_with_qr(session, actor=phone.user, handover=handover, token=body.token)
    return schemas.handover_out(session, handover)


@router.post("/{code}/signature", response_model=schemas.HandoverOut, responses=error_responses(409, 413, 415),
             summary="Confirm with the receiver's signature drawn on the phone",
             description="multipart/form-data: `file` (PNG, WebP or JPEG, up to 512 KiB), `signer_name`, "
             "optionally `fees_handed_vnd` and `fees_note`.")
def sign(
    session: SessionDep, phone: PhoneDep, code: str,
    file: Annotated[UploadFile, File()],
    signer_name: Annotated[str, Form(min_length=1, max_length=120)],
    fees_handed_vnd: Annotated[int | None, Form(ge=0, le=10_000_000_000)] = None,
    fees_note: Annotated[str | None, Form(max_length=255)] = None,
) -> Any:
    handover = _mine(session, phone, code, lock=True)
    limit = proof_uploads.MAX_BYTES[ProofKind.SIGNATURE]
    confirmation.confirm_with_signature(
        session, actor=phone.user, device_id=phone.device_id, handover=handover, signer_name=signer_name,
        content_type=file.content_type or "application/octet-stream", data=file.file.read(limit + 1),
        fees_handed_vnd=fees_handed_vnd, fees_note=fees_note,
    )
    return schemas.handover_out(session, handover)


@router.get("/{code}/record.pdf", responses={200: {"content": {"application/pdf": {}}}}, summary="The record as PDF")
def record_pdf(session: SessionDep, phone: PhoneDep, code: str) -> Response:
    handover = _mine(session, phone, code)
    return Response(documents.handover_record_pdf(session, handover), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="bien-ban-{handover.code}.pdf"'})
