"""Metrics and logs across real processes, as ``logistics serve`` runs them: uvicorn with
two worker processes and a Celery prefork worker sharing one ``PROMETHEUS_MULTIPROC_DIR``.

Whichever API process answers ``GET /metrics`` counts every process's requests and the
SMS the Celery worker sent; the worker's JSON log lines carry the request id of the
request that enqueued the task, and no phone number.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session

from logistics import worker
from logistics.config import Settings
from logistics.db import make_engine
from logistics.logs import bind_request_id, reset_request_id
from logistics.migrate import upgrade
from logistics.notify import service
from support.servers import free_port
from logistics.cli.serve import worker_command
from logistics.config import reset_settings_cache
from tests.logistics.notify.notify_factories import PHONE, make_item, make_place

pytestmark = pytest.mark.slow
REQUESTS = 24


@pytest.fixture()
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    for name in ("NOTIFY_QUIET_START", "NOTIFY_QUIET_END"):  # the wall clock must not hold the SMS
        monkeypatch.setenv(name, "00:00")
    reset_settings_cache()
    database = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(database)
    yield {
        "VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": database, "JOBS_BROKER_URL": "embedded", "JOBS_RESULT_BACKEND": "",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"), "LOG_FORMAT": "json", "SMS_BACKEND": "console",
        "NOTIFY_QUIET_START": "00:00", "NOTIFY_QUIET_END": "00:00",
    }
    reset_settings_cache()


@pytest.fixture()
def api(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    (tmp_path / "prometheus").mkdir()
    port = free_port()
    log = open(tmp_path / "api.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory", "--workers", "2", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log"],
        env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(url + "/health", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "api.log").read_text()[-3000:]
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@contextmanager
def _celery_worker(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen]:
    """The worker `logistics serve` starts: prefork, two pool processes, every queue."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(worker_command(concurrency=2), env={**os.environ, **env}, stdout=log,
                                   stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.terminate()
            process.wait(timeout=30)


def _value(url: str, name: str, **labels: str) -> float:
    text = httpx.get(url + "/metrics", timeout=10).text
    return sum(s.value for family in text_string_to_metric_families(text) for s in family.samples
               if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


def _queue_sms(database: str) -> int:
    engine = make_engine(database)
    with Session(engine) as session:
        row = service.result_ready(session, item_id=make_item(session, make_place(session)).id)
        session.commit()
        row_id = row.id
    engine.dispose()
    return row_id


def test_counts_add_up_across_processes(api, env, tmp_path):
    for n in range(REQUESTS):  # a new connection each: the two API processes share them
        response = httpx.get(api + "/api/v1/me", headers={"X-Request-ID": f"proc-{n}"}, timeout=10)
        assert response.status_code == 401
    totals = {_value(api, "logistics_http_requests_total", route="/api/v1/me", status="401") for _ in range(6)}
    assert totals == {REQUESTS}  # the same sum whichever process answers

    notification_id = _queue_sms(env["DATABASE_URL"])
    settings = Settings(var_dir=Path(env["VAR_DIR"]), database_url=env["DATABASE_URL"], jobs_broker_url="embedded",
                        jobs_result_backend="")
    client = worker.create_celery(settings)
    with _celery_worker(env, tmp_path / "worker.log"):
        token = bind_request_id("from-the-api-42")  # as a request that enqueues the task would be
        try:
            client.send_task("notify.send_notification", kwargs={"notification_id": notification_id})
        finally:
            reset_request_id(token)
        deadline = time.monotonic() + 60
        while _value(api, "logistics_sms_sent_total", provider="console") < 1:
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(0.5)
    lines = [json.loads(line) for line in (tmp_path / "worker.log").read_text().splitlines() if line.startswith("{")]
    task_lines = [line for line in lines if line.get("request_id") == "from-the-api-42"]
    assert any("SMS" in line["message"] for line in task_lines), lines[-10:]
    assert PHONE not in (tmp_path / "worker.log").read_text()
    api_lines = [json.loads(line) for line in (tmp_path / "api.log").read_text().splitlines() if line.startswith("{")]
    access = [line for line in api_lines if line.get("logger") == "logistics.access" and line["route"] == "/api/v1/me"]
    assert sorted(line["request_id"] for line in access) == sorted(f"proc-{n}" for n in range(REQUESTS))
