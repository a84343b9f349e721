"""The dispatcher API, adjusting a planned day: move a stop to another postman, pin a stop
or a route, re-optimise the rest, add an urgent item mid-day.

Refusals are 4xx with a code and change nothing (the request's transaction rolls back).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, status

from api_core.deps import SessionDep
from api_core.errors import error_responses
from logistics.exceptions import InvalidInput
from logistics.intake import queries
from logistics.intake.schemas import DossierIntake
from logistics.intake.service import receive_dossier
from logistics.routing import adjust, requests
from web.routers.dispatch import DAY_PATH, Dispatcher, office_of
from web.routers.dispatch_schemas import JobOut, MoveIn, MoveOut, PinIn, PinOut, PlanIn, UrgentOut

router = APIRouter(prefix="/api/v1/dispatch", tags=["dispatch"], responses=error_responses(401, 403, 404, 409, 422))


@router.post("/stops/{stop_id}/move", response_model=MoveOut,
             summary="Give a stop (with its items' other visits on the route) to another postman")
def move_stop(session: SessionDep, user: Dispatcher, stop_id: int, body: MoveIn) -> Any:
    result = adjust.move_stop(session, actor=user, stop_id=stop_id, to_postman_id=body.to_postman_id, pin=body.pin)
    return MoveOut(from_route_id=result.from_route_id, to_route_id=result.to_route_id,
                   moved_stop_ids=list(result.moved_stop_ids), item_ids=list(result.item_ids))


@router.post("/stops/{stop_id}/pin", response_model=PinOut, summary="Pin (or unpin) a stop to its postman")
def pin_stop(session: SessionDep, user: Dispatcher, stop_id: int, body: PinIn) -> Any:
    stop = adjust.pin_stop(session, actor=user, stop_id=stop_id, pinned=body.pinned)
    return PinOut(id=stop.id, pinned=stop.pinned)


@router.post("/routes/{route_id}/pin", response_model=PinOut, summary="Pin (or unpin) a whole route")
def pin_route(session: SessionDep, user: Dispatcher, route_id: int, body: PinIn) -> Any:
    route = adjust.pin_route(session, actor=user, route_id=route_id, pinned=body.pinned)
    return PinOut(id=route.id, pinned=route.pinned)


@router.post(DAY_PATH + "/reoptimise", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED,
             summary="Re-optimise the day around what is done and pinned (a routing job)")
def reoptimise(session: SessionDep, user: Dispatcher, post_office_id: int, day: date,
               body: PlanIn | None = None) -> Any:
    office_of(session, user, post_office_id)
    body = body or PlanIn()
    task_id = requests.request_reoptimise(session, actor=user, post_office_id=post_office_id, day=day,
                                          time_limit_s=body.time_limit_s)
    return JobOut(task_id=task_id, kind="reoptimise", post_office_id=post_office_id, day=day)


@router.post(DAY_PATH + "/urgent", response_model=UrgentOut, status_code=status.HTTP_201_CREATED,
             summary="Receive an urgent dossier mid-day (the intake service); re-optimise to serve it")
def urgent(session: SessionDep, user: Dispatcher, post_office_id: int, day: date, body: DossierIntake) -> Any:
    office_of(session, user, post_office_id)
    dossier = receive_dossier(session, actor=user, data=body)
    items = queries.items_of_dossier(session, dossier_id=dossier.id)
    if not any(item.post_office_id == post_office_id for item in items):
        # Raising rolls the whole intake back: nothing of it stays.
        raise InvalidInput("None of this dossier's legs is carried by this post office.", code="not_for_this_office")
    return UrgentOut(dossier_code=dossier.code, items=[
        {"s10": item.s10, "leg": item.leg.value, "post_office_id": item.post_office_id} for item in items
    ])
