"""The processes of docker-compose.yml, without containers, on real PostgreSQL and Redis:
the API under uvicorn with 2 workers, a Celery worker on every queue, the one beat.

A phone signs in and uploads scans; the SMS they cause leave through the worker and
the real Twilio SDK to the loopback Twilio server; a post office's day is planned
through the routing task."""

from __future__ import annotations

import httpx
import pytest

from logistics import worker
from support.servers import private_redis
from support.stack import wait_until
from tests.deployment.stack_world import deployed, event, next_working_day, seed_demo, sign_in, sql

pytestmark = [pytest.mark.slow, pytest.mark.redis]


def test_the_compose_processes_run_a_day(pg_server_url, tmp_path):
    from support.servers import fresh_database

    # A Redis of its own: on a shared machine another project's worker may listen on a
    # database number of the shared server.
    with private_redis() as redis, fresh_database(pg_server_url) as url:
        with deployed(url, redis.url, tmp_path, phones=1) as world:
            stack = world.stack
            assert len(_uvicorn_workers(stack.processes["api"].pid)) == 2
            health = httpx.get(stack.base_url + "/health", timeout=10)
            assert health.status_code == 200, health.text

            username, s10s = next(iter(world.phones.items()))
            headers = sign_in(stack.base_url, username)
            batch = [event(s10, "out_for_delivery") for s10 in s10s[:5]]
            response = httpx.post(stack.base_url + "/mobile/v1/scans", json={"events": batch}, headers=headers, timeout=60)
            assert response.status_code == 200, response.text
            assert response.json()["applied"] == 5

            # One SMS per item, through the worker, the Twilio SDK and the fake server.
            wait_until(lambda: len(world.fake.accepted()) == 5, 60, "five SMS at the Twilio server", stack)
            phones = {row[0] for row in sql(url, "SELECT p.phone_e164 FROM item i JOIN person p ON p.id = i.person_id "
                                                 "WHERE i.s10 = ANY(%s)", s10s[:5])}
            assert {r.to for r in world.fake.accepted()} == phones
            wait_until(lambda: world.notifications() == {"sent": 5}, 30, "the outbox rows marked sent", stack)

            # A day planned by the routing task on the same worker.
            day = next_working_day()
            office = seed_demo(url, day)
            client = worker.create_celery(stack.settings)
            result = client.send_task("routing.plan_day", kwargs={"post_office_id": office, "day": day.isoformat(),
                                                                  "time_limit_s": 3})
            summary = result.get(timeout=120)
            assert summary["routes"] >= 1 and summary["stops"] >= 1
            routes = sql(url, "SELECT count(*) FROM route WHERE post_office_id = %s AND day = %s", office, day)[0][0]
            assert routes == summary["routes"]

            # The one beat ticks: its schedule file is written.
            wait_until(lambda: any((tmp_path / "var").glob("celerybeat-schedule*")), 30, "beat's schedule", stack)


def _uvicorn_workers(pid: int) -> list[int]:
    from pathlib import Path

    children = Path(f"/proc/{pid}/task/{pid}/children")
    pids = [int(c) for c in children.read_text().split()] if children.exists() else []
    # The spawned server processes; multiprocessing's resource tracker is a child too.
    return [c for c in pids if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]
