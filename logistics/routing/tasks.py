"""Celery tasks of the planner: thin wrappers, ids in, one session, one service call."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from logistics.db import session_scope
from logistics.routing import service
from logistics.worker import celery_app

# The search budget a caller may ask for, and the hard limit of the whole task (the
# search, building the problem and saving the plan). The broker's visibility timeout
# must exceed the hard limit, or Redis would hand a running plan to a second worker.
MAX_SEARCH_S = 600.0
TASK_TIME_LIMIT_S = 900


@celery_app.task(name="routing.plan_day", bind=True, acks_late=True,
                 time_limit=TASK_TIME_LIMIT_S, soft_time_limit=TASK_TIME_LIMIT_S - 60)
def plan_day(self, *, post_office_id: int, day: str, time_limit_s: float = service.DEFAULT_TIME_LIMIT_S,
             actor_user_id: int | None = None) -> dict:
    """Plan a post office's day; reports PROGRESS with the objective found so far.

    Idempotent: planning again replaces the day's routes that have not started.
    A ``time_limit_s`` over ``MAX_SEARCH_S`` is cut to it.
    """
    time_limit_s = min(float(time_limit_s), MAX_SEARCH_S)

    def progress(info: dict) -> None:
        self.update_state(state="PROGRESS", meta={"seconds": round(info.get("seconds", 0.0), 1),
                                                  "time_limit_s": time_limit_s,
                                                  "objective": info.get("objective")})

    with session_scope() as session:
        summary = service.plan_post_office_day(
            session, post_office_id=post_office_id, day=date.fromisoformat(day), time_limit_s=time_limit_s,
            progress=progress, actor_user_id=actor_user_id,
        )
    result = asdict(summary)
    result["day"] = summary.day.isoformat()
    return result
