"""The planner's Celery tasks in a real worker process (embedded broker, SQLite file): called by name,
as the dispatcher's console does."""

from __future__ import annotations

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
from tests.logistics.routing.test_routing_service import DAY, _item, _world

pytestmark = pytest.mark.slow


def test_reoptimise_day_task_replans_by_name_and_keeps_a_pinned_stop(tmp_path: Path):
    from logistics.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'worker.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        w = _world(session)
        office_id = w["office"].id
        for n in range(4):
            _item(session, w, n, LegKind.HOME_DELIVERY)
        plan_post_office_day(session, post_office_id=office_id, day=DAY, time_limit_s=1)
        stop = session.exec(select(RouteStop).order_by(RouteStop.id)).first()
        stop.pinned = True
        pinned_postman = session.get(Route, stop.route_id).postman_id
        urgent = _item(session, w, 9, LegKind.HOME_PICKUP)
        session.commit()
        urgent_id = urgent.id
    var = tmp_path / "var"
    env = {"VAR_DIR": str(var), "DATABASE_URL": url, "JOBS_BROKER_URL": "embedded", "JOBS_RESULT_BACKEND": ""}
    client = worker.create_celery(Settings(var_dir=var, database_url=url, jobs_broker_url="embedded",
                                           jobs_result_backend=""))
    with running_worker(env, tmp_path / "worker.log"):
        result = client.send_task("routing.reoptimise_day", kwargs={
            "post_office_id": office_id, "day": DAY.isoformat(), "time_limit_s": 2.0, "actor_user_id": None})
        try:
            summary = result.get(timeout=120)
        except Exception:
            print((tmp_path / "worker.log").read_text()[-4000:])
            raise
    assert summary["day"] == DAY.isoformat() and summary["unserved"] == []
    with Session(engine) as session:
        pinned = session.exec(select(RouteStop).where(RouteStop.pinned)).all()
        assert pinned and {session.get(Route, s.route_id).postman_id for s in pinned} == {pinned_postman}
        assert session.exec(select(AuditLog).where(AuditLog.action == "reoptimise_day")).first() is not None
        assert session.exec(select(RouteStopItem).where(RouteStopItem.item_id == urgent_id)).all()
    engine.dispose()
