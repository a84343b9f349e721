"""Position pings: best effort, answered 202 at once."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from api_core.deps import SessionDep
from api_core.errors import error_responses
from logistics.tracking.pings import PingInput, record_pings
from mobile_api.deps import PhoneDep
from mobile_api.schemas import PingBatchIn, PingBatchOut

router = APIRouter(tags=["mobile: pings"], responses=error_responses(401, 403, 422))


@router.post("/pings", response_model=PingBatchOut, status_code=status.HTTP_202_ACCEPTED,
             summary="Report the phone's recent positions (up to 200)",
             description="Implausible pings (outside Vietnam, far in the past or future) are dropped, not refused.")
def post_pings(session: SessionDep, phone: PhoneDep, body: PingBatchIn) -> Any:
    kept = record_pings(
        session, user_id=phone.user.id, device_id=phone.device_id,
        pings=[PingInput(p.device_time, p.lat, p.lon, p.accuracy_m, p.speed_mps) for p in body.pings],
    )
    return PingBatchOut(kept=kept, dropped=len(body.pings) - kept)
