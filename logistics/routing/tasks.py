"""Celery tasks of the planner: thin wrappers, ids in, one session, one service call."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from logistics.db import session_scope
from logistics.routing import reoptimise, service
from logistics.worker import celery_app


@celery_app.task(name="routing.plan_day", bind=True, acks_late=True)
def plan_day(self, *, post_office_id: int, day: str, time_limit_s: float = service.DEFAULT_TIME_LIMIT_S,
             actor_user_id: int | None = None) -> dict:
    """Plan a post office's day; reports PROGRESS with the objective found so far.

    Idempotent: planning again replaces the day's routes that have not started.
    """

    with session_scope() as session:
        summary = service.plan_post_office_day(
            session, post_office_id=post_office_id, day=date.fromisoformat(day), time_limit_s=time_limit_s,
            progress=_reporter(self, time_limit_s), actor_user_id=actor_user_id,
        )
    return _result(summary)


@celery_app.task(name="routing.reoptimise_day", bind=True, acks_late=True)
def reoptimise_day(self, *, post_office_id: int, day: str, time_limit_s: float = service.DEFAULT_TIME_LIMIT_S,
                   actor_user_id: int | None = None) -> dict:
    """Re-plan a day in progress from now (``reoptimise.reoptimise_post_office_day``); PROGRESS as plan_day.

    Idempotent: done stops and pins are kept, the rest is planned again from where the postmen are.
    """
    with session_scope() as session:
        summary = reoptimise.reoptimise_post_office_day(
            session, post_office_id=post_office_id, day=date.fromisoformat(day), time_limit_s=time_limit_s,
            progress=_reporter(self, time_limit_s), actor_user_id=actor_user_id,
        )
    return _result(summary)


def _reporter(task, time_limit_s: float):  # noqa: ANN001, ANN202
    def progress(info: dict) -> None:
        task.update_state(state="PROGRESS", meta={"seconds": round(info.get("seconds", 0.0), 1),
                                                  "time_limit_s": time_limit_s,
                                                  "objective": info.get("objective")})

    return progress


def _result(summary: service.DaySummary) -> dict:
    result = asdict(summary)
    result["day"] = summary.day.isoformat()
    return result
