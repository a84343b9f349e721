"""Days uploaded in the open postal-day format, planned as a background task.

``submit_day_file`` validates the upload (JSON, then the format, naming the field
and the item), keeps the file in the file store and queues ``routing.plan_day_file``;
a refused upload writes nothing. ``plan_day_file`` is the task's body: the same
``day_to_problem`` → ``solve`` → ``plan_to_day`` as ``logistics plan-file``, the
plan kept in the file store and summarised on the row. Running it again for a
planned file does nothing, so a redelivered task is harmless; ``requeue_stale``
(a beat job) re-sends files whose broker message was lost.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, true
from sqlmodel import Session, select

from logistics import audit, jobs
from logistics.exceptions import Conflict, InvalidInput, NotFound
from logistics.filestore import get_file_store, new_key
from logistics.models import DayFile, DayFileStatus, User
from logistics.models.enums import Role
from logistics.models.types import utcnow
from logistics.routing.plan import Plan
from logistics.routing.postal_day import DayFormatError, day_to_problem, plan_to_day
from logistics.routing.problem import Problem
from logistics.routing.solver import solve

MAX_DAY_FILE_BYTES = 20 * 1024 * 1024
TIME_LIMIT_RANGE_S = (1.0, 600.0)
TASK_NAME = "routing.plan_day_file"
# A queued file whose task has not started after this long lost its broker message.
STALE_QUEUED = timedelta(minutes=2)


def _parse(content: bytes) -> tuple[dict, Problem]:
    if len(content) > MAX_DAY_FILE_BYTES:
        raise InvalidInput(f"A day file may hold at most {MAX_DAY_FILE_BYTES // (1024 * 1024)} MB.",
                           code="day_file_too_large")
    try:
        day = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"The day file is not UTF-8 JSON: {error}.", code="invalid_day_file") from None
    if not isinstance(day, dict):
        raise InvalidInput("The day file must hold one JSON object.", code="invalid_day_file")
    try:
        return day, day_to_problem(day)
    except DayFormatError as error:
        raise InvalidInput(f"The day is not in the open format: {error}.", code="invalid_day",
                           field=error.field) from None


def submit_day_file(session: Session, *, actor: User, filename: str, content: bytes,
                    time_limit_s: float) -> DayFile:
    """Validate and keep an uploaded day, and queue its planning."""
    low, high = TIME_LIMIT_RANGE_S
    if not low <= time_limit_s <= high:
        raise InvalidInput(f"time_limit_s must be between {low:g} and {high:g} seconds.",
                           code="invalid_time_limit")
    day, problem = _parse(content)
    name = str(day.get("name") or filename or "day")[:200]
    ref = get_file_store().put(new_key("day-files", "json"), content, "application/json")
    row = DayFile(name=name, time_limit_s=time_limit_s, items=len(problem.jobs), vehicles=len(problem.vehicles),
                  day_ref=ref, uploaded_by_user_id=actor.id, post_office_id=actor.post_office_id)
    session.add(row)
    session.flush()
    audit.record(session, actor_user_id=actor.id, action="submit_day_file", entity="day_file", entity_id=row.id,
                 items=row.items, vehicles=row.vehicles, time_limit_s=time_limit_s)
    jobs.enqueue(session, TASK_NAME, day_file_id=row.id)
    return row


def _read_json(ref: str) -> dict:
    with get_file_store().open(ref) as handle:
        return json.loads(handle.read().decode("utf-8"))


@dataclass(frozen=True)
class PlanSummary:
    items: int
    served: int
    mandatory: int
    mandatory_served: int
    routes: int
    route_hours: float
    km: float
    seconds: float
    status: str

    @classmethod
    def of(cls, plan: Plan, problem: Problem) -> PlanSummary:
        unserved = {u.job_id for u in plan.unserved}
        mandatory = [j.id for j in problem.jobs if j.mandatory]
        return cls(items=len(problem.jobs), served=len(problem.jobs) - len(unserved), mandatory=len(mandatory),
                   mandatory_served=sum(1 for j in mandatory if j not in unserved), routes=len(plan.used_routes),
                   route_hours=round(plan.duration_s / 3600, 2), km=round(plan.distance_m / 1000, 1),
                   seconds=round(plan.seconds, 2), status=plan.status)


def plan_day_file(session: Session, day_file_id: int, *,
                  progress: Callable[[dict], None] | None = None) -> DayFile:
    """Plan an uploaded day and keep the plan; a file already planned is left as it is."""
    row = session.exec(select(DayFile).where(DayFile.id == day_file_id).with_for_update()).first()
    if row is None:
        raise NotFound(f"No day file with id {day_file_id}.", code="day_file_not_found")
    if row.status in (DayFileStatus.DONE, DayFileStatus.FAILED):
        return row
    row.status = DayFileStatus.PLANNING
    session.add(row)
    session.commit()
    try:
        problem = day_to_problem(_read_json(row.day_ref))
        plan = solve(problem, time_limit_s=row.time_limit_s, progress=progress)
    except (DayFormatError, ValueError, OSError) as error:
        row.status, row.error = DayFileStatus.FAILED, str(error)[:500]
    else:
        text = json.dumps(plan_to_day(plan, problem), ensure_ascii=False).encode("utf-8")
        row.plan_ref = get_file_store().put(new_key("day-plans", "json"), text, "application/json")
        row.summary = PlanSummary.of(plan, problem).__dict__
        row.status = DayFileStatus.DONE
    row.finished_at = utcnow()
    session.add(row)
    session.flush()
    return row


def requeue_stale(session: Session) -> int:
    """Queue again the files whose task never started (a lost message, a dead worker)."""
    cutoff = utcnow() - STALE_QUEUED
    stale = session.exec(select(DayFile).where(DayFile.status == DayFileStatus.QUEUED,
                                               DayFile.created_at < cutoff)).all()
    planning = session.exec(select(DayFile).where(DayFile.status == DayFileStatus.PLANNING)).all()
    # A planning run that outlived its time limit by far died with its worker.
    stale += [r for r in planning if r.created_at < utcnow() - timedelta(seconds=r.time_limit_s * 3) - STALE_QUEUED]
    for row in stale:
        row.status = DayFileStatus.QUEUED
        session.add(row)
        jobs.enqueue(session, TASK_NAME, day_file_id=row.id)
    return len(stale)


def _visible(user: User) -> ColumnElement[bool]:
    if user.role is Role.ADMIN:
        return true()
    if user.post_office_id is not None:
        return DayFile.post_office_id == user.post_office_id
    return DayFile.uploaded_by_user_id == user.id


def list_day_files(session: Session, user: User, *, limit: int = 50) -> list[DayFile]:
    query = select(DayFile).where(_visible(user)).order_by(DayFile.id.desc()).limit(limit)
    return list(session.exec(query))


def get_day_file(session: Session, user: User, day_file_id: int) -> DayFile:
    row = session.exec(select(DayFile).where(DayFile.id == day_file_id, _visible(user))).first()
    if row is None:
        raise NotFound(f"No day file with id {day_file_id} for you.", code="day_file_not_found")
    return row


def read_day(session: Session, user: User, day_file_id: int) -> dict:
    return _read_json(get_day_file(session, user, day_file_id).day_ref)


def read_plan(session: Session, user: User, day_file_id: int) -> dict:
    row = get_day_file(session, user, day_file_id)
    if row.status is DayFileStatus.FAILED:
        raise Conflict(f"Planning this day failed: {row.error}", code="day_file_failed")
    if row.status is not DayFileStatus.DONE or row.plan_ref is None:
        raise Conflict("The plan is not ready yet; its status says how far it is.", code="plan_not_ready",
                       status=row.status.value)
    return _read_json(row.plan_ref)
