"""The day's work: the route (stops, items, windows, proofs, addresses) and the
offline manifest, both with ETags so a phone on a weak link downloads them once."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from api_core.deps import SessionDep
from api_core.errors import error_responses
from logistics.models import ProofKind
from logistics.models.enums import FailureAction, FailureReason
from logistics.models.types import utcnow
from logistics.tracking import proof_uploads, workday
from logistics.tracking.policy import ScanPolicy
from logistics.tracking.states import RULES
from logistics.workdays import LOCAL_TZ
from mobile_api.deps import PhoneDep
from mobile_api.etag import etag_response
from mobile_api.schemas import (
    MAX_BATCH_EVENTS,
    LimitsOut,
    ManifestItemOut,
    ManifestOut,
    RouteOut,
    ScanRuleOut,
)

router = APIRouter(tags=["mobile: route"], responses=error_responses(401, 403, 404, 422))

DayQuery = Annotated[date | None, Query(alias="date", description="the local day; today when absent")]
_NOT_MODIFIED = {304: {"description": "Not modified: the phone's copy (If-None-Match) is current"}}


def _day(day: date | None) -> date:
    return day or utcnow().astimezone(LOCAL_TZ).date()


@router.get("/route", response_model=RouteOut, responses=_NOT_MODIFIED, summary="My route for a day")
def get_route(session: SessionDep, phone: PhoneDep, request: Request, day: DayQuery = None) -> Any:
    view = workday.route_for_day(session, actor=phone.user, day=_day(day))
    return etag_response(request, RouteOut.model_validate(view, from_attributes=True))


@router.get("/manifest", response_model=ManifestOut, responses=_NOT_MODIFIED, summary="What to keep for offline work")
def get_manifest(session: SessionDep, phone: PhoneDep, request: Request, day: DayQuery = None) -> Response:
    view = workday.route_for_day(session, actor=phone.user, day=_day(day))
    policy = ScanPolicy.from_settings()
    manifest = ManifestOut(
        day=view.day,
        route_id=view.route_id,
        items=[
            ManifestItemOut(s10=i.s10, stop_seq=s.seq, action=i.action, status=i.status, proofs_required=list(i.proofs_required))
            for s in view.stops for i in s.items
        ],
        scan_rules=[
            ScanRuleOut(code=code, emsevt=r.emsevt, status_after=r.status_after, allowed_from=sorted(r.allowed_from),
                        needs_failure=r.needs_failure, needs_handover=r.needs_handover,
                        description_vi=r.description_vi, description_en=r.description_en)
            for code, r in RULES.items()
        ],
        failure_reasons=list(FailureReason),
        failure_actions=list(FailureAction),
        limits=LimitsOut(
            max_batch_events=MAX_BATCH_EVENTS,
            max_photo_bytes=proof_uploads.MAX_BYTES[ProofKind.PHOTO],
            max_signature_bytes=proof_uploads.MAX_BYTES[ProofKind.SIGNATURE],
            photo_content_types=sorted(proof_uploads.CONTENT_TYPES[ProofKind.PHOTO]),
            signature_content_types=sorted(proof_uploads.CONTENT_TYPES[ProofKind.SIGNATURE]),
            future_tolerance_s=policy.future_tolerance_s,
        ),
    )
    return etag_response(request, manifest)
