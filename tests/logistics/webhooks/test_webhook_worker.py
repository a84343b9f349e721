"""End to end on PostgreSQL and Redis: a committed status change -> the delivery row ->
a real Celery worker process -> the loopback receiver, which answers 500 first; the
task retries after the backoff and the row ends delivered. A delivery whose broker
message was lost is recovered by the beat sweep (sent here by hand)."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from logistics import worker
from logistics.config import Settings
from logistics.db import make_engine
from logistics.models import WebhookDelivery
from logistics.models.enums import ItemStatus, WebhookDeliveryStatus
from logistics.models.types import utcnow
from logistics.webhooks import endpoints
from support.servers import redis_server
from support.webhook_receiver import WebhookReceiver
from support.workers import running_worker
from tests.logistics.notify.notify_factories import make_item, make_place
from tests.logistics.webhooks.webhook_factories import status_change
from tests.web.factories import build_world

pytestmark = [pytest.mark.slow, pytest.mark.redis]


def _wait_for(predicate, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    print(log.read_text()[-4000:])
    raise AssertionError("timed out")


def _statuses(engine) -> list[WebhookDeliveryStatus]:
    with Session(engine) as session:
        return [d.status for d in session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id))]


def test_worker_retries_then_delivers_and_sweep_recovers(pg_server_url, tmp_path, monkeypatch):
    import redis

    from logistics.migrate import upgrade
    from support.servers import fresh_database

    with redis_server() as redis_url, fresh_database(pg_server_url) as url, WebhookReceiver(script=[500]) as hook:
        redis.Redis.from_url(redis_url).flushdb()
        upgrade(url)
        settings = Settings(var_dir=tmp_path, database_url=url, jobs_broker_url=redis_url, jobs_result_backend=redis_url)
        monkeypatch.setattr(worker, "celery_app", worker.create_celery(settings))  # jobs.send_now's broker
        engine = make_engine(url)
        log = tmp_path / "worker.log"
        with Session(engine) as session:
            admin = build_world(session).admin
            endpoint = endpoints.register(session, actor=admin, url=hook.url)
            hook.secret = endpoint.secret
            place = make_place(session)
            first, lost = make_item(session, place, status=ItemStatus.IN_TRANSIT), make_item(session, place)
            session.commit()
            status_change(session, first)
            session.commit()  # its delivery task goes to Redis now
            status_change(session, lost)
            session.info.pop("logistics.pending_jobs", None)  # this one's broker message is lost
            session.commit()
            session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.item_id == lost.id)
                            .values(updated_at=utcnow() - timedelta(minutes=5)))
            session.commit()
        env = {"DATABASE_URL": url, "JOBS_BROKER_URL": redis_url, "JOBS_RESULT_BACKEND": redis_url,
               "VAR_DIR": str(tmp_path), "SMS_BACKEND": "console", "WEBHOOKS_BACKOFF_BASE_S": "1",
               "WEBHOOKS_MAX_TRIES": "4"}
        with running_worker(env, log):
            _wait_for(lambda: _statuses(engine)[0] is WebhookDeliveryStatus.DELIVERED, log)
            assert _statuses(engine)[1] is WebhookDeliveryStatus.PENDING
            worker.celery_app.send_task("webhooks.sweep")
            _wait_for(lambda: _statuses(engine) == [WebhookDeliveryStatus.DELIVERED] * 2, log)
        answered = [r.answered for r in hook.received]
        assert answered == [500, 200, 200] and all(r.signature_ok for r in hook.received)
        with Session(engine) as session:
            rows = session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
            assert [(r.tries, r.last_status_code) for r in rows] == [(2, 200), (1, 200)]
            assert rows[0].delivered_at is not None
        engine.dispose()
