"""The planner's Celery tasks in a real worker process (embedded broker, SQLite file): called by name,
as the dispatcher's console does."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from logistics import worker
from logistics.config import Settings
from logistics.db import make_engine
from logistics.models import AuditLog, Route, RouteStop, RouteStopItem
from logistics.models.enums import LegKind
from logistics.routing.service import plan_post_office_day
from support.workers import running_worker
from logistics.workdays import LOCAL_TZ, WorkCalendar
from tests.logistics.routing.test_routing_service import _item, _world

pytestmark = pytest.mark.slow


def _day_ahead():
    """A weekday still to come: the worker re-plans "from now" by the real clock, and on a
    day already over every window is past (a fixed date made this test fail once it passed)."""
    calendar = WorkCalendar.default()
    day = calendar.next_working_day(datetime.now(LOCAL_TZ).date())
    while day.weekday() >= 5:  # the test world's offices open Monday to Friday
        day = calendar.next_working_day(day)
    return day


def test_reoptimise_day_task_replans_by_name_and_keeps_a_pinned_stop(tmp_path: Path):
    from logistics.migrate import upgrade

    day = _day_ahead()

    url = f"sqlite:///{tmp_path / 'worker.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        w = _world(session)
        office_id = w["office"].id
        for n in range(4):
            _item(session, w, n, LegKind.HOME_DELIVERY, due=day)
        plan_post_office_day(session, post_office_id=office_id, day=day, time_limit_s=1)
        stop = session.exec(select(RouteStop).order_by(RouteStop.id)).first()
        stop.pinned = True
        pinned_postman = session.get(Route, stop.route_id).postman_id
        urgent = _item(session, w, 9, LegKind.HOME_PICKUP, due=day)
        session.commit()
        urgent_id = urgent.id
    var = tmp_path / "var"
    env = {"VAR_DIR": str(var), "DATABASE_URL": url, "JOBS_BROKER_URL": "embedded", "JOBS_RESULT_BACKEND": ""}
    client = worker.create_celery(Settings(var_dir=var, database_url=url, jobs_broker_url="embedded",
                                           jobs_result_backend=""))
    with running_worker(env, tmp_path / "worker.log"):
        result = client.send_task("routing.reoptimise_day", kwargs={
            "post_office_id": office_id, "day": day.isoformat(), "time_limit_s": 2.0, "actor_user_id": None})
        try:
            summary = result.get(timeout=120)
        except Exception:
            print((tmp_path / "worker.log").read_text()[-4000:])
            raise
    assert summary["day"] == day.isoformat() and summary["unserved"] == []
    with Session(engine) as session:
        pinned = session.exec(select(RouteStop).where(RouteStop.pinned)).all()
        assert pinned and {session.get(Route, s.route_id).postman_id for s in pinned} == {pinned_postman}
        assert session.exec(select(AuditLog).where(AuditLog.action == "reoptimise_day")).first() is not None
        assert session.exec(select(RouteStopItem).where(RouteStopItem.item_id == urgent_id)).all()
    engine.dispose()
