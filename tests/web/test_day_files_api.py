"""Days in the open format through the API: upload (refused files keep nothing), plan as a
task, download; export a planned day; each dispatcher within their own post office."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from logistics import worker
from logistics.config import Settings
from logistics.db import make_engine
from logistics.filestore import get_file_store
from logistics.models import DayFile, User
from logistics.models.enums import Role
from logistics.routing import day_files
from support.servers import fresh_database, redis_server
from support.workers import running_worker
from tests.logistics.routing.postal_day_checker import score_day_plan
from tests.logistics.routing.day_samples import tiny_day


def _upload(client: TestClient, headers: dict, day: dict | bytes, time_limit: float = 1.0):
    content = day if isinstance(day, bytes) else json.dumps(day).encode()
    return client.post("/api/v1/day-files", headers=headers, data={"time_limit_s": str(time_limit)},
                       files={"file": ("day.json", content, "application/json")})


def _day_files(session: Session) -> int:
    return session.exec(select(func.count()).select_from(DayFile)).one()


def test_upload_plan_and_download(client, world, session):
    dispatcher = world.a.users[Role.DISPATCHER]
    response = _upload(client, world.headers(dispatcher), tiny_day())
    assert response.status_code == 202, response.text
    body = response.json()
    assert (body["status"], body["items"], body["vehicles"]) == ("queued", 8, 2)
    not_ready = client.get(body["plan_url"], headers=world.headers(dispatcher))
    assert (not_ready.status_code, not_ready.json()["error"]) == (409, "plan_not_ready")

    day_files.plan_day_file(session, body["id"])  # what the worker runs

    status = client.get(f"/api/v1/day-files/{body['id']}", headers=world.headers(dispatcher)).json()
    assert status["status"] == "done" and status["summary"]["served"] == 8
    plan = client.get(body["plan_url"], headers=world.headers(dispatcher))
    day = client.get(body["day_url"], headers=world.headers(dispatcher)).json()
    assert plan.status_code == 200
    assert day == tiny_day()
    errors, metrics = score_day_plan(day, plan.json())
    assert errors == [] and metrics["served"] == 8
    listed = client.get("/api/v1/day-files", headers=world.headers(world.admin)).json()
    assert [f["id"] for f in listed] == [body["id"]]


def test_refused_uploads_name_the_fault_and_keep_nothing(client, world, session):
    headers = world.headers(world.a.users[Role.DISPATCHER])
    day = tiny_day()
    day["items"][5]["pickup"]["lat"] = "north"
    cases = [
        (_upload(client, headers, day), 422, "invalid_day"),
        (_upload(client, headers, b"{"), 422, "invalid_day_file"),
        (_upload(client, headers, tiny_day(), time_limit=0), 422, "invalid_time_limit"),
        (client.post("/api/v1/day-files", headers=headers), 422, None),  # no file at all
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.text
        assert "error" in response.json() and "detail" in response.json()
        if code:
            assert response.json()["error"] == code
    assert "items[5]" in cases[0][0].json()["field"]
    assert _day_files(session) == 0


def test_only_dispatchers_and_admins_and_only_their_office(client, world, session):
    mine = _upload(client, world.headers(world.a.users[Role.DISPATCHER]), tiny_day()).json()
    for role in (Role.POSTMAN, Role.AGENCY_CLERK, Role.COUNTER_CLERK):
        denied = _upload(client, world.headers(world.a.users[role]), tiny_day())
        assert denied.status_code == 403, role
    other = world.headers(world.b.users[Role.DISPATCHER])
    assert client.get(f"/api/v1/day-files/{mine['id']}", headers=other).status_code == 404
    assert client.get(mine["plan_url"], headers=other).status_code == 404
    assert client.get("/api/v1/day-files", headers=other).json() == []
    assert client.get("/api/v1/day-files").status_code == 401
    assert _day_files(session) == 1


def test_export_of_a_day_is_scoped_and_needs_a_plan(client, world):
    office = world.a.post_office.code
    url = f"/api/v1/post-offices/{office}/days/2026-11-23/open-format"
    no_plan = client.get(url, headers=world.headers(world.a.users[Role.DISPATCHER]))
    assert (no_plan.status_code, no_plan.json()["error"]) == (404, "plan_not_found")
    other = client.get(url, headers=world.headers(world.b.users[Role.DISPATCHER]))
    assert (other.status_code, other.json()["error"]) == (403, "not_your_post_office")
    unknown = client.get("/api/v1/post-offices/NOPE/days/2026-11-23/open-format", headers=world.headers(world.admin))
    assert unknown.status_code == 404


def _through_a_worker(url: str, settings: Settings, env: dict, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(worker, "celery_app", worker.create_celery(settings))  # jobs.send_now's broker
    engine = make_engine(url)
    with Session(engine) as session:
        user = User(username="disp", full_name="Điều phối", role=Role.DISPATCHER, secret_hash="x")
        session.add(user)
        session.commit()
        session.refresh(user)
        row = day_files.submit_day_file(session, actor=user, filename="t", content=json.dumps(tiny_day()).encode(),
                                        time_limit_s=1)
        session.commit()  # the task is sent after the commit
        day_file_id = row.id
    log = tmp_path / "worker.log"
    with running_worker(env, log):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with Session(engine) as session:
                row = session.get(DayFile, day_file_id)
                if row.status.value in ("done", "failed"):
                    break
            time.sleep(0.3)
        else:
            print(log.read_text()[-4000:])
            raise AssertionError("the day file was not planned")
    assert row.status.value == "done", row.error
    with get_file_store().open(row.plan_ref) as handle:
        plan = json.loads(handle.read())
    assert score_day_plan(tiny_day(), plan)[0] == []
    engine.dispose()


@pytest.mark.slow
def test_a_real_worker_plans_an_upload_on_the_embedded_broker(tmp_path, monkeypatch):
    from logistics.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'days.db'}"
    upgrade(url)
    var = Path(os.environ["VAR_DIR"])  # the test process's file store is the worker's too
    settings = Settings(var_dir=tmp_path / "var", database_url=url, jobs_broker_url="embedded", jobs_result_backend="")
    env = {"DATABASE_URL": url, "JOBS_BROKER_URL": "embedded", "JOBS_RESULT_BACKEND": "",
           "VAR_DIR": str(tmp_path / "var"), "FILE_STORE_URL": f"file://{var / 'files'}"}
    _through_a_worker(url, settings, env, tmp_path, monkeypatch)


@pytest.mark.slow
@pytest.mark.redis
def test_a_real_worker_plans_an_upload_on_redis_and_postgresql(pg_server_url, tmp_path, monkeypatch):
    import redis

    from logistics.migrate import upgrade

    var = Path(os.environ["VAR_DIR"])
    with redis_server() as redis_url, fresh_database(pg_server_url) as url:
        redis.Redis.from_url(redis_url).flushdb()
        upgrade(url)
        settings = Settings(var_dir=tmp_path, database_url=url, jobs_broker_url=redis_url, jobs_result_backend=redis_url)
        env = {"DATABASE_URL": url, "JOBS_BROKER_URL": redis_url, "JOBS_RESULT_BACKEND": redis_url,
               "VAR_DIR": str(tmp_path), "FILE_STORE_URL": f"file://{var / 'files'}"}
        _through_a_worker(url, settings, env, tmp_path, monkeypatch)
