"""End to end: scans committed -> outbox -> a real Celery worker process -> the real Twilio
SDK -> the loopback Twilio-compatible server. Once each, on SQLite with the embedded
broker and on PostgreSQL with Redis; a lost broker message is recovered by the sweep."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from logistics import events, worker
from logistics.config import Settings
from logistics.db import make_engine
from logistics.events import ItemStatusChanged
from logistics.models import Notification
from logistics.models.enums import FailureAction, FailureReason, ItemStatus, NotificationStatus, ScanCode
from logistics.models.types import utcnow
from logistics.notify import service
from logistics.tracking import otp
from support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from support.servers import redis_server
from support.workers import running_worker
from tests.logistics.notify.notify_factories import add_scan, lose_broker_messages, make_item, make_place

pytestmark = pytest.mark.slow


def _env(url: str, broker: str, backend: str, var: Path, fake: FakeTwilio) -> dict[str, str]:
    return {
        "DATABASE_URL": url, "JOBS_BROKER_URL": broker, "JOBS_RESULT_BACKEND": backend, "VAR_DIR": str(var),
        "SMS_BACKEND": "twilio", "SMS_SENDER": "BUUDIEN", "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_BASE_URL": fake.url, "PUBLIC_BASE_URL": "https://bcci.example.vn",
        "NOTIFY_QUIET_START": "00:00", "NOTIFY_QUIET_END": "00:00",
    }


def _scan(session: Session, item, code: ScanCode, status: ItemStatus, **kw) -> None:
    previous, at = item.status, utcnow()
    scan = add_scan(session, item, code, at=at, status_after=status, **kw)
    event = ItemStatusChanged(item_id=item.id, scan_event_id=scan.id, scan_code=code.value, status=status.value,
                              previous_status=previous.value, at=at)
    events.publish(session, event)
    events.publish(session, event)  # a replayed event: still one SMS


def _wait_for(predicate, timeout: float = 60.0, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    if log is not None:
        print(log.read_text()[-4000:])
    raise AssertionError("timed out")


def _statuses(engine) -> list[NotificationStatus]:
    with Session(engine) as session:
        return [n.status for n in session.exec(select(Notification).order_by(Notification.id))]


def _run(url: str, settings: Settings, env: dict[str, str], fake: FakeTwilio, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker, "celery_app", worker.create_celery(settings))  # jobs.send_now's broker
    engine = make_engine(url)
    log = tmp_path / "worker.log"
    with Session(engine) as session:
        place = make_place(session)
        out, done, failed, lost = (make_item(session, place, phone=f"+8491234560{k}", status=ItemStatus.IN_TRANSIT)
                                   for k in range(4))
        out.status = done.status = failed.status = ItemStatus.OUT_FOR_DELIVERY
        _scan(session, out, ScanCode.OUT_FOR_DELIVERY, ItemStatus.OUT_FOR_DELIVERY)
        _scan(session, done, ScanCode.DELIVERED, ItemStatus.DELIVERED)
        _scan(session, failed, ScanCode.DELIVERY_FAILED, ItemStatus.DELIVERY_FAILED,
              reason=FailureReason.NOT_HOME, action=FailureAction.RETRY_NEXT_DAY)
        otp.request_otp(session, item=out, requested_by_user_id=None)  # the postman at the door asks for a code
        session.commit()
        row = service.result_ready(session, item_id=lost.id)
        lose_broker_messages(session)
        session.commit()
        out_id = out.id
        session.execute(sa.update(Notification).where(Notification.id == row.id)
                        .values(updated_at=utcnow() - timedelta(minutes=5)))
        session.commit()
    with running_worker(env, log):
        _wait_for(lambda: len(fake.accepted()) == 4, log=log)
        assert _statuses(engine).count(NotificationStatus.PENDING) == 1
        worker.celery_app.send_task("notify.sweep_outbox")
        _wait_for(lambda: len(fake.accepted()) == 5, log=log)
        _wait_for(lambda: _statuses(engine) == [NotificationStatus.SENT] * 5, log=log)
        time.sleep(1.0)
    sent = fake.accepted()
    (code_sms,) = [r for r in sent if "Ma nhan" in r.body]
    code = re.search(r"\b(\d{6})\b", code_sms.body).group(1)
    with Session(engine) as session:
        assert otp.check_code(session, item_id=out_id, code=code, at=utcnow()) is not None
        assert "######" in session.exec(select(Notification.body).where(Notification.trigger == "delivery_otp")).one()
    sent = [r for r in sent if r is not code_sms]
    assert len(sent) == 4 and len({r.to for r in sent}) == 4, "one SMS per scan, none twice"
    assert all(r.sender == "BUUDIEN" and r.status_callback == "https://bcci.example.vn/webhooks/twilio/status" for r in sent)
    assert all("/t/" in r.body and "*" not in r.body for r in sent if "Cam on" not in r.body)
    with Session(engine) as session:
        sids = {n.provider_sid for n in session.exec(select(Notification))}
    assert sids == {r.sid for r in fake.accepted()}
    engine.dispose()


def test_embedded_broker_on_sqlite(tmp_path, monkeypatch):
    from logistics.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'notify.db'}"
    upgrade(url)
    var = tmp_path / "var"
    with FakeTwilio() as fake:
        settings = Settings(var_dir=var, database_url=url, jobs_broker_url="embedded", jobs_result_backend="")
        _run(url, settings, _env(url, "embedded", "", var, fake), fake, tmp_path, monkeypatch)


@pytest.mark.redis
def test_redis_on_postgresql(pg_server_url, tmp_path, monkeypatch):
    import redis

    from logistics.migrate import upgrade
    from support.servers import fresh_database

    with redis_server() as redis_url, fresh_database(pg_server_url) as url, FakeTwilio() as fake:
        redis.Redis.from_url(redis_url).flushdb()
        upgrade(url)
        settings = Settings(var_dir=tmp_path, database_url=url, jobs_broker_url=redis_url, jobs_result_backend=redis_url)
        _run(url, settings, _env(url, redis_url, redis_url, tmp_path, fake), fake, tmp_path, monkeypatch)
