"""Scan uploads: a batch of up to 500 events, each answered with its own outcome."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from api_core.deps import SessionDep, run_and_commit
from api_core.errors import error_responses
from api_core.raw_body import documented_body, parse_json_body
from logistics.models.enums import ScanOutcome
from logistics.models.types import utcnow
from logistics.tracking.inputs import ProofInput, ScanInput
from logistics.tracking.scans import ingest_scans
from mobile_api.deps import PhoneTokenDep, body_limited_route, phone_for
from mobile_api.schemas import ScanBatchIn, ScanBatchOut, ScanResultOut

# 500 events of ~600 bytes of JSON each, with room for proofs and whitespace.
MAX_SCAN_BODY = 1024 * 1024

router = APIRouter(tags=["mobile: scans"], responses=error_responses(401, 403, 413, 422),
                   route_class=body_limited_route(MAX_SCAN_BODY))


@router.post(
    "/scans", response_model=ScanBatchOut, summary="Upload a batch of scans",
    description="Every event is answered: applied, history (late; kept without moving the state back) or "
    "rejected with a code (unknown_item, not_assigned, transition_not_allowed, proof_missing, "
    "timestamp_in_future, timestamp_before_item, coordinates_outside_vietnam, handover_missing...). "
    "An event id seen before is answered with its recorded outcome and duplicate=true. One bad event "
    "never fails the batch; resend a batch freely.",
    openapi_extra=documented_body(ScanBatchIn),
)
async def post_scans(session: SessionDep, token: PhoneTokenDep, request: Request) -> Any:
    # The token's check, the body's validation, the ingestion, its answer and the commit
    # in one worker thread: a sync route and the session's exit took two hops, the
    # token's check (a sync dependency) one more.
    raw = await request.body()
    answer = await run_and_commit(session, _ingest, token, raw, request.headers.get("content-type"))
    return Response(content=answer, media_type="application/json")


def _ingest(session: Session, token: str, raw: bytes, content_type: str | None) -> str:
    """The batch's answer, as JSON."""
    phone = phone_for(session, token)
    body = parse_json_body(ScanBatchIn, raw, content_type)
    received_at = utcnow()
    events = [
        ScanInput(
            client_event_id=e.client_event_id, s10=e.s10, code=e.code, device_time=e.device_time, lat=e.lat, lon=e.lon,
            accuracy_m=e.accuracy_m, failure_reason=e.failure_reason, failure_action=e.failure_action,
            retry_on=e.retry_on, handover_id=e.handover_id,
            proof=ProofInput(**e.proof.model_dump()) if e.proof else ProofInput(),
        )
        for e in body.events
    ]
    results = ingest_scans(session, actor=phone.actor, device_id=phone.device_id, events=events,
                           sent_at=body.sent_at, now=received_at)
    out = [
        ScanResultOut(client_event_id=r.client_event_id, outcome=r.outcome, duplicate=r.duplicate,
                      reject_code=r.reject_code, status_after=r.status_after, item_status=r.item_status,
                      flags=list(r.flags))
        for r in results
    ]
    fresh = [r for r in results if not r.duplicate]
    answer = ScanBatchOut(
        received_at=received_at,
        applied=sum(r.outcome is ScanOutcome.APPLIED for r in fresh),
        history=sum(r.outcome is ScanOutcome.HISTORY for r in fresh),
        rejected=sum(r.outcome is ScanOutcome.REJECTED for r in fresh),
        duplicates=len(results) - len(fresh),
        results=out,
    )
    # Serialised once here, before the commit: returning the model would make FastAPI
    # validate 500 results again.
    return answer.model_dump_json()
