"""A dispatcher asks for the day to be planned or re-optimised: the request is checked,
audited and handed to the routing worker (``routing.plan_day``,
``routing.reoptimise_day``) after the transaction commits.

The audit row keeps the task id, so that only the office's dispatchers (and admins)
can follow a job's progress: ``requested_job`` finds it again.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from logistics import audit, jobs
from logistics.exceptions import Conflict, NotFound
from logistics.models import AuditLog, PostOffice, Route, User
from logistics.models.enums import RouteStatus
from logistics.models.types import utcnow

PLAN_TASK = "routing.plan_day"
REOPTIMISE_TASK = "routing.reoptimise_day"
ACTIONS = {PLAN_TASK: "routing.plan_requested", REOPTIMISE_TASK: "routing.reoptimise_requested"}
KINDS = {PLAN_TASK: "plan", REOPTIMISE_TASK: "reoptimise"}
JOB_LOOKBACK = timedelta(days=2)  # Celery keeps results a day (worker.result_expires)


def _office(session: Session, post_office_id: int) -> PostOffice:
    office = session.get(PostOffice, post_office_id)
    if office is None:
        raise NotFound(f"No post office with id {post_office_id}.", code="post_office_not_found")
    return office


def _enqueue(session: Session, task: str, *, actor: User, office: PostOffice, day: date, time_limit_s: float) -> str:
    task_id = jobs.enqueue(session, task, post_office_id=office.id, day=day.isoformat(), time_limit_s=time_limit_s,
                           actor_user_id=actor.id)
    audit.record(session, actor_user_id=actor.id, action=ACTIONS[task], entity="post_office", entity_id=office.id,
                 day=day.isoformat(), task_id=task_id, time_limit_s=time_limit_s)
    return task_id


def request_plan(session: Session, *, actor: User, post_office_id: int, day: date, time_limit_s: float) -> str:
    """Queue the planning of the office's day; refused once a route of the day has started."""
    office = _office(session, post_office_id)
    started = session.exec(
        select(Route.id).where(Route.post_office_id == office.id, Route.day == day,
                               Route.status.in_([RouteStatus.IN_PROGRESS, RouteStatus.DONE]))
    ).first()
    if started is not None:
        raise Conflict("Routes of this day have started; re-optimise them instead of planning anew.",
                       code="day_already_started")
    return _enqueue(session, PLAN_TASK, actor=actor, office=office, day=day, time_limit_s=time_limit_s)


def request_reoptimise(session: Session, *, actor: User, post_office_id: int, day: date, time_limit_s: float) -> str:
    """Queue the re-optimisation of a planned day (pinned stops and routes are kept)."""
    office = _office(session, post_office_id)
    if session.exec(select(Route.id).where(Route.post_office_id == office.id, Route.day == day)).first() is None:
        raise Conflict("This day has no plan yet: plan it first.", code="no_plan")
    return _enqueue(session, REOPTIMISE_TASK, actor=actor, office=office, day=day, time_limit_s=time_limit_s)


def requested_job(session: Session, *, post_office_id: int, task_id: str) -> tuple[str, date] | None:
    """(kind, day) of a job requested for this office lately, or None."""
    rows = session.exec(
        select(AuditLog).where(AuditLog.entity == "post_office", AuditLog.entity_id == str(post_office_id),
                               AuditLog.action.in_(list(ACTIONS.values())), AuditLog.at >= utcnow() - JOB_LOOKBACK)
    ).all()
    kinds = {action: KINDS[task] for task, action in ACTIONS.items()}
    for row in rows:
        if row.detail.get("task_id") == task_id:
            return kinds[row.action], date.fromisoformat(row.detail["day"])
    return None
