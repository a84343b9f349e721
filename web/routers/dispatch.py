"""The dispatcher API: a post office's day — unplanned items, planning with progress, the
planned routes as GeoJSON, and the live picture (positions, stop progress, exceptions).

Dispatchers work on their own post office only (``other_post_office``, 403); admins on
any. Adjusting the plan is in ``dispatch_adjust``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, status
from sqlmodel import Session, select

from api_core.deps import SessionDep, require_roles
from api_core.errors import error_responses
from logistics import worker
from logistics.access import require_post_office
from logistics.exceptions import NotFound, ServiceUnavailable
from logistics.models import PostOffice, User
from logistics.models.enums import Role
from logistics.routing import day_view, requests
from logistics.routing.geojson import day_geojson
from logistics.tracking.live import day_live
from web.routers.dispatch_schemas import (
    DayRoutesOut, JobOut, JobStatusOut, OfficeOut, PlanIn, UnplannedOut, postman_out, unplanned_out,
)

router = APIRouter(prefix="/api/v1/dispatch", tags=["dispatch"], responses=error_responses(401, 403, 404, 422))

Dispatcher = Annotated[User, Depends(require_roles(Role.DISPATCHER, Role.ADMIN))]
DAY_PATH = "/offices/{post_office_id}/days/{day}"


def office_of(session: Session, user: User, post_office_id: int) -> PostOffice:
    """The office if ``user`` runs it; 403 for another office, 404 for none."""
    require_post_office(user, post_office_id)
    office = session.get(PostOffice, post_office_id)
    if office is None:
        raise NotFound(f"No post office with id {post_office_id}.", code="post_office_not_found")
    return office


@router.get("/offices", response_model=list[OfficeOut], summary="The post offices whose day you run")
def offices(session: SessionDep, user: Dispatcher) -> Any:
    query = select(PostOffice).order_by(PostOffice.code)
    if user.role != Role.ADMIN:
        query = query.where(PostOffice.id == user.post_office_id)
    return [OfficeOut(id=o.id, code=o.code, name=o.name, lat=o.lat, lon=o.lon) for o in session.exec(query)]


@router.get(DAY_PATH + "/unplanned", response_model=list[UnplannedOut],
            summary="Items of the day that no route serves yet (mandatory first)")
def unplanned(session: SessionDep, user: Dispatcher, post_office_id: int, day: date) -> Any:
    office_of(session, user, post_office_id)
    return [unplanned_out(i, day) for i in day_view.unplanned_items(session, post_office_id=post_office_id, day=day)]


@router.post(DAY_PATH + "/plan", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED,
             responses=error_responses(409), summary="Plan the day (a routing job; follow it at /jobs/{task_id})")
def plan(session: SessionDep, user: Dispatcher, post_office_id: int, day: date, body: PlanIn | None = None) -> Any:
    office_of(session, user, post_office_id)
    body = body or PlanIn()
    task_id = requests.request_plan(session, actor=user, post_office_id=post_office_id, day=day,
                                    time_limit_s=body.time_limit_s)
    return JobOut(task_id=task_id, kind="plan", post_office_id=post_office_id, day=day)


@router.get("/offices/{post_office_id}/jobs/{task_id}", response_model=JobStatusOut,
            responses=error_responses(503), summary="Progress of a planning or re-optimising job")
def job(session: SessionDep, user: Dispatcher, post_office_id: int, task_id: str) -> Any:
    office_of(session, user, post_office_id)
    if requests.requested_job(session, post_office_id=post_office_id, task_id=task_id) is None:
        raise NotFound("No planning job with this id for this post office.", code="job_not_found")
    try:
        result = worker.celery_app.AsyncResult(task_id)
        state, info = result.state, result.info
    except Exception as exc:  # the result backend is a server of its own
        raise ServiceUnavailable("The job's progress cannot be read now; try again.", code="jobs_unavailable") from exc
    out = JobStatusOut(task_id=task_id, state=state, progress=0.0)
    if state == "PROGRESS" and isinstance(info, dict):
        out.seconds, out.objective = info.get("seconds"), info.get("objective")
        limit = info.get("time_limit_s") or 0
        out.progress = min(0.99, (out.seconds or 0) / limit) if limit else 0.0
    elif state == "SUCCESS":
        out.progress, out.result = 1.0, info if isinstance(info, dict) else {"value": info}
    elif state == "FAILURE":
        out.progress, out.error = 1.0, str(info)
    return out


@router.get(DAY_PATH + "/routes", response_model=DayRoutesOut,
            summary="The day's routes as GeoJSON, with stops, arrival windows, load and distance per postman")
def routes(session: SessionDep, user: Dispatcher, post_office_id: int, day: date) -> Any:
    office_of(session, user, post_office_id)
    return DayRoutesOut(
        post_office_id=post_office_id, day=day,
        postmen=[postman_out(p) for p in day_view.postmen_of_day(session, post_office_id=post_office_id, day=day)],
        geojson=day_geojson(session, post_office_id=post_office_id, day=day),
    )


@router.get(DAY_PATH + "/live", summary="Postmen's last positions, stop progress and exceptions (poll it)")
def live(session: SessionDep, user: Dispatcher, post_office_id: int, day: date) -> dict[str, Any]:
    office_of(session, user, post_office_id)
    return day_live(session, post_office_id=post_office_id, day=day)
