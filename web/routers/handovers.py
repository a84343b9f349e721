"""Handovers for agency and counter clerks (JSON API): the day at the desk, the records
(read, discrepancies, confirm by code, QR for the postman, corrections, PDF), the
appointment date, results ready, and the dispatch note.

Every record outside the caller's scope is a 404; an action on a visible record by
someone who is not its clerk is a 403. A wrong code is answered 422 ``wrong_code``
*without* rolling back, so that the attempt counts (five, then ``too_many_attempts``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import Field
from sqlalchemy import func, select

from api_core.deps import CurrentUser, SessionDep
from api_core.errors import error_response, error_responses
from logistics.handovers import confirmation, desk, documents, dossier_documents, places, records, results, schemas
from logistics.intake.schemas import DocumentList
from logistics.models import Handover, HandoverLine
from logistics.models.enums import HandoverStatus
from logistics.models.types import utcnow
from logistics.workdays import LOCAL_TZ

router = APIRouter(prefix="/api/v1", tags=["handovers"], responses=error_responses(401, 403, 404, 422))
PDF = {200: {"content": {"application/pdf": {}}, "description": "a PDF"}}


def _today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"',
                                                                 "Cache-Control": "no-store"})


@router.get("/desk", response_model=schemas.DeskDay, summary="Today at my agency or counter")
def desk_day(session: SessionDep, user: CurrentUser, day: Annotated[date | None, Query()] = None) -> Any:
    return desk.day_at_desk(session, user=user, day=day or _today())


@router.get("/handovers", response_model=list[schemas.HandoverSummary], summary="Handover records visible to you")
def list_handovers(
    session: SessionDep, user: CurrentUser, status: HandoverStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    count = select(func.count()).select_from(HandoverLine).where(HandoverLine.handover_id == Handover.id).scalar_subquery()
    query = select(Handover, count).where(places.visible_handovers(session, user))
    if status is not None:
        query = query.where(Handover.status == status)
    rows = session.execute(query.order_by(Handover.opened_at.desc()).limit(limit)).all()
    return [schemas.HandoverSummary(code=h.code, kind=h.kind, status=h.status, place_name=places.place_of(session, h).name,
                                    opened_at=h.opened_at, confirmed_at=h.confirmed_at, item_count=int(n))
            for h, n in rows]


@router.get("/handovers/{code}", response_model=schemas.HandoverOut, summary="One handover record")
def get_handover(session: SessionDep, user: CurrentUser, code: str) -> Any:
    return schemas.handover_out(session, places.get_visible(session, user, code))


@router.post("/handovers/{code}/discrepancies", response_model=schemas.HandoverOut, responses=error_responses(409),
             summary="Record a discrepancy on one item (missing, seal broken, count differs, unexpected)")
def record_discrepancy(session: SessionDep, user: CurrentUser, code: str, body: schemas.DiscrepancyIn) -> Any:
    handover = places.get_visible(session, user, code, lock=True)
    records.record_discrepancy(session, actor=user, handover=handover, change=body.as_change())
    return schemas.handover_out(session, handover)


@router.post("/handovers/{code}/confirm", response_model=schemas.HandoverOut, responses=error_responses(409),
             summary="Confirm with the code shown on the postman's phone")
def confirm_with_code(session: SessionDep, user: CurrentUser, code: str, body: schemas.ConfirmCodeIn) -> Any:
    handover = places.get_visible(session, user, code, lock=True)
    try:
        confirmation.confirm_with_code(session, actor=user, handover=handover, code=body.code,
                                       fees_handed_vnd=body.fees_handed_vnd, fees_note=body.fees_note,
                                       appointments=body.appointments)
    except confirmation.WrongCode as exc:  # answered, not raised: the attempt is kept
        return error_response(exc.status_code, exc.code, exc.detail, attempts_left=exc.context.get("attempts_left"))
    return schemas.handover_out(session, handover)


@router.post("/handovers/{code}/qr", response_model=schemas.QrOut, responses=error_responses(409),
             summary="A QR code for the postman to scan, confirming in your name")
def issue_qr(session: SessionDep, user: CurrentUser, code: str, body: schemas.QrIn) -> Any:
    handover = places.get_visible(session, user, code)
    token, expires = confirmation.issue_qr_token(session, actor=user, handover=handover,
                                                 fees_handed_vnd=body.fees_handed_vnd, fees_note=body.fees_note)
    return schemas.QrOut(token=token, expires_at=expires, svg=documents.qr_svg(token))


@router.post("/handovers/{code}/amend", response_model=schemas.HandoverOut, status_code=201,
             responses=error_responses(409), summary="Correct a confirmed record (a new record supersedes it)")
def amend(session: SessionDep, user: CurrentUser, code: str, body: schemas.AmendIn) -> Any:
    original = places.get_visible(session, user, code, lock=True)
    new = records.amend(session, actor=user, original=original, changes=[c.as_change() for c in body.changes],
                        reason=body.reason)
    return schemas.handover_out(session, new)


@router.get("/handovers/{code}/record.pdf", responses=PDF, summary="The handover record (biên bản giao nhận), PDF")
def record_pdf(session: SessionDep, user: CurrentUser, code: str) -> Response:
    handover = places.get_visible(session, user, code)
    return _pdf(documents.handover_record_pdf(session, handover), f"bien-ban-{handover.code}.pdf")


@router.put("/dossiers/{dossier_code}/appointment", response_model=schemas.DeskDossier, responses=error_responses(409),
            summary="Record the appointment date (ngày hẹn trả kết quả)")
def set_appointment(session: SessionDep, user: CurrentUser, dossier_code: str, body: schemas.AppointmentIn) -> Any:
    dossier = results.dossier_for_agency(session, actor=user, code=dossier_code)
    results.set_appointment(session, actor=user, dossier=dossier, on=body.appointment_date, today=_today())
    return schemas.DeskDossier(
        dossier_code=dossier.code, status=dossier.status.value, received_at=dossier.received_at,
        appointment_date=dossier.appointment_date, sla_working_days=results.sla_working_days(dossier),
        working_days_left=results.working_days_left(dossier, today=_today()), result_delivery=dossier.result_delivery.value,
    )


@router.post("/dossiers/{dossier_code}/result-ready", response_model=schemas.ResultReadyOut, status_code=201,
             responses=error_responses(409), summary="Mark the result ready: its return or delivery item is created")
def result_ready(session: SessionDep, user: CurrentUser, dossier_code: str) -> Any:
    dossier = results.dossier_for_agency(session, actor=user, code=dossier_code)
    done = results.mark_result_ready(session, actor=user, dossier=dossier)
    return schemas.ResultReadyOut(dossier_code=dossier.code, status=dossier.status.value,
                                  items=desk.desk_items_of_dossier(session, dossier),
                                  created_s10=[i.s10 for i in done.created])


@router.put("/dossiers/{dossier_code}/documents", status_code=204, responses=error_responses(409),
            summary="List the dossier's documents (originals and copies) for the dispatch note")
def set_documents(session: SessionDep, user: CurrentUser, dossier_code: str,
                  body: Annotated[DocumentList, Field(min_length=1)]) -> Response:
    dossier = dossier_documents.readable_dossier(session, actor=user, code=dossier_code)
    dossier_documents.set_documents(session, actor=user, dossier=dossier, documents=body)
    return Response(status_code=204)


@router.get("/dossiers/{dossier_code}/dispatch-note.pdf", responses=PDF, summary="The dispatch note (phiếu gửi hồ sơ), PDF")
def dispatch_note(session: SessionDep, user: CurrentUser, dossier_code: str) -> Response:
    dossier = dossier_documents.readable_dossier(session, actor=user, code=dossier_code)
    data = documents.dispatch_note_pdf(session, dossier, show_names=dossier_documents.may_see_names(user, dossier))
    return _pdf(data, f"phieu-gui-{dossier.code}.pdf")
