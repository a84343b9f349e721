"""Fault drills on the production processes (support.stack), each a test:

- kill -9 the API while scan batches are in flight; the phones resend: every event is
  recorded once, none twice;
- kill -9 the worker in the middle of a plan and in the middle of an SMS send: after a
  restart the work completes (at-least-once delivery, idempotent tasks);
- stop PostgreSQL under load (a private cluster, never the shared server): the API
  answers 503 with the error shape while it is down and recovers by itself; every
  acknowledged event is kept;
- restart Redis (a private server without persistence: queued messages are lost):
  beat's outbox sweep sends every pending notification.

The results are summarised in BENCHMARKS.md ("fault drills")."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from logistics import worker
from support.servers import fresh_database, private_postgres, private_redis
from support.stack import wait_until
from tests.deployment.stack_world import World, deployed, event, next_working_day, seed_demo, sign_in, sql

pytestmark = [pytest.mark.slow, pytest.mark.redis]


def _post(world: World, headers: dict[str, str], batch: list[dict], timeout: float = 60) -> httpx.Response:
    return httpx.post(world.stack.base_url + "/mobile/v1/scans", json={"events": batch}, headers=headers, timeout=timeout)


def test_api_killed_mid_batch_then_the_phones_resend(pg_server_url, tmp_path):
    with private_redis() as redis, fresh_database(pg_server_url) as url, \
            deployed(url, redis.url, tmp_path, phones=4) as world:
        stack = world.stack
        tokens = {user: sign_in(stack.base_url, user) for user in world.phones}
        batches = {user: [event(s10, "out_for_delivery") for s10 in s10s] for user, s10s in world.phones.items()}
        answers: dict[str, object] = {}

        def upload(user: str) -> None:
            try:
                answers[user] = _post(world, tokens[user], batches[user]).status_code
            except httpx.HTTPError as error:  # the connection died with the server
                answers[user] = type(error).__name__

        threads = [threading.Thread(target=upload, args=(user,)) for user in batches]
        for thread in threads:
            thread.start()
        # Kill while the batches are being written: wait for the first rows, not for the answers.
        all_ids = [e["client_event_id"] for b in batches.values() for e in b]
        wait_until(lambda: sum(world.scans_of(all_ids).values()) > 0 or len(answers) == len(batches), 30,
                   "the first events written", stack, every=0.02)
        stack.kill("api")
        for thread in threads:
            thread.join(timeout=60)
        before = sum(world.scans_of(all_ids).values())
        assert any(answer != 200 for answer in answers.values()), "the kill came after every answer"

        stack.start("api")
        tokens = {user: sign_in(stack.base_url, user) for user in world.phones}  # tokens survive; signing in again is harmless
        for user, batch in batches.items():  # every phone resends its whole batch, answered or not
            response = _post(world, tokens[user], batch)
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["applied"] + body["duplicates"] == len(batch) and body["rejected"] == 0
        recorded = world.scans_of(all_ids)
        assert len(recorded) == len(all_ids), "an event was lost"
        assert set(recorded.values()) == {1}, "an event was applied twice"
        statuses = sql(url, "SELECT status, count(*) FROM item WHERE s10 = ANY(%s) GROUP BY status",
                       [s for s10s in world.phones.values() for s in s10s])
        assert statuses == [("out_for_delivery", len(all_ids))]
        print(f"api kill: {before} of {len(all_ids)} events committed before the kill; answers {answers}")


def test_worker_killed_mid_plan_then_restarted(pg_server_url, tmp_path):
    with private_redis() as redis, fresh_database(pg_server_url) as url, \
            deployed(url, redis.url, tmp_path, phones=1) as world:
        stack = world.stack
        day = next_working_day()
        office = seed_demo(url, day)
        client = worker.create_celery(stack.settings)
        result = client.send_task("routing.plan_day", kwargs={"post_office_id": office, "day": day.isoformat(),
                                                              "time_limit_s": 6})
        wait_until(lambda: result.state in ("STARTED", "PROGRESS"), 60, "the plan started", stack, every=0.1)
        time.sleep(1.0)  # into the search
        stack.kill("worker")
        routes = "SELECT count(*) FROM route WHERE post_office_id = %s AND day = %s"
        assert sql(url, routes, office, day)[0][0] == 0, "nothing was saved by the killed plan"

        restarted = time.monotonic()
        stack.start("worker")
        # Redis hands the unacknowledged task out again after the visibility timeout (20 s here).
        summary = result.get(timeout=90)
        print(f"worker kill mid-plan: plan saved {time.monotonic() - restarted:.0f} s after the restart, "
              f"{summary['routes']} routes")
        assert summary["routes"] >= 1
        assert sql(url, routes, office, day)[0][0] == summary["routes"], "one plan, not two"
        plans = sql(url, "SELECT count(*) FROM audit_log WHERE action = 'plan_day' AND entity_id = %s", str(office))[0][0]
        assert plans >= 1


def test_worker_killed_mid_send_then_restarted(pg_server_url, tmp_path):
    with private_redis() as redis, fresh_database(pg_server_url) as url, \
            deployed(url, redis.url, tmp_path, phones=1) as world:
        stack = world.stack
        world.fake.latency_s = 2.0  # a slow provider: the kill lands during a send
        username, s10s = next(iter(world.phones.items()))
        batch = [event(s10, "out_for_delivery") for s10 in s10s[:4]]
        assert _post(world, sign_in(stack.base_url, username), batch).status_code == 200
        wait_until(lambda: world.notifications().get("sending", 0) >= 1, 30, "a send in flight", stack, every=0.05)
        stack.kill("worker")
        world.fake.latency_s = 0.0
        stack.start("worker")
        # The claimed row's lease runs out; beat's sweep (or the redelivered message) sends it.
        wait_until(lambda: world.notifications() == {"sent": 4}, 100, "every notification sent", stack)
        sent_to = [r.to for r in world.fake.accepted()]
        assert len(set(sent_to)) == 4, "every recipient got its SMS"
        # The one duplicate the outbox cannot rule out: the provider accepted the message
        # the killed worker was sending (the fake answers after its latency).
        assert len(sent_to) <= 4 + 1
        print(f"worker kill mid-send: 4/4 sent, {len(sent_to)} requests at the provider")


def test_postgres_restart_under_load(tmp_path):
    with private_postgres() as cluster, private_redis() as redis, fresh_database(cluster.url) as url, \
            deployed(url, redis.url, tmp_path, phones=6) as world:
        stack = world.stack
        tokens = {user: sign_in(stack.base_url, user) for user in world.phones}
        work = [(user, s10) for user, s10s in world.phones.items() for s10 in s10s]
        acknowledged: list[str] = []
        refused: list[tuple[str, dict]] = []
        statuses: dict[int | str, int] = {}
        lock = threading.Lock()
        stop = threading.Event()

        def load(offset: int) -> None:
            with httpx.Client(base_url=stack.base_url, timeout=15) as client:
                k = offset
                while not stop.is_set() and k < len(work):
                    user, s10 = work[k]
                    one = event(s10, "out_for_delivery")
                    try:
                        response = client.post("/mobile/v1/scans", json={"events": [one]}, headers=tokens[user])
                        status: int | str = response.status_code
                    except httpx.HTTPError as error:
                        status, response = type(error).__name__, None
                    with lock:
                        statuses[status] = statuses.get(status, 0) + 1
                        if status == 200:
                            acknowledged.append(one["client_event_id"])
                        elif response is not None and status == 503:
                            refused.append((s10, response.json()))
                    if status != 200:
                        time.sleep(0.05)
                    else:
                        k += 4
                    time.sleep(0.01)

        with ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(load, n) for n in range(4)]
            wait_until(lambda: len(acknowledged) >= 10, 30, "load running", stack)
            cluster.stop(mode="fast")
            down_at = time.monotonic()
            wait_until(lambda: len(refused) >= 3, 30, "503 answers while the database is down", stack)
            health = httpx.get(stack.base_url + "/health", timeout=15)
            time.sleep(2.0)
            cluster.start()
            up_at = time.monotonic()
            seen = len(acknowledged)
            wait_until(lambda: len(acknowledged) >= seen + 10, 60, "the API answering again", stack)
            recovered_s = time.monotonic() - up_at
            stop.set()
            for future in futures:
                future.result()

        assert health.status_code == 503 and health.json()["database"] == "down"
        assert set(statuses) <= {200, 503}, f"only answers and refusals, no server error: {statuses}"
        for _s10, body in refused:
            assert body["error"] == "database_unavailable" and body["detail"], body
        recorded = world.scans_of(acknowledged)
        assert len(recorded) == len(acknowledged), "an acknowledged event was lost"
        assert set(recorded.values()) == {1}
        print(f"postgres restart: down {up_at - down_at:.1f} s, API recovered {recovered_s:.1f} s after the restart; "
              f"answers {statuses}; {len(acknowledged)} acknowledged, all kept")


def test_redis_restart_the_sweep_sends_every_pending_notification(pg_server_url, tmp_path):
    with private_redis() as redis, fresh_database(pg_server_url) as url, \
            deployed(url, redis.url, tmp_path, phones=1) as world:
        stack = world.stack
        username, s10s = next(iter(world.phones.items()))
        headers = sign_in(stack.base_url, username)
        stack.stop("worker")  # the messages wait in Redis...
        assert _post(world, headers, [event(s10, "out_for_delivery") for s10 in s10s[:3]]).status_code == 200
        queued = world.notifications()
        redis.stop()  # ...and are lost with it
        # The API keeps taking scans while the broker is down; their dispatch is lost too.
        response = _post(world, headers, [event(s10, "out_for_delivery") for s10 in s10s[3:6]])
        assert response.status_code == 200 and response.json()["applied"] == 3
        redis.start()
        restarted = time.monotonic()
        stack.start("worker")
        assert queued == {"pending": 3}
        # Beat reconnects by itself and its minute sweep re-dispatches every pending row.
        wait_until(lambda: world.notifications() == {"sent": 6}, 150, "every notification sent", stack, every=1)
        assert len({r.to for r in world.fake.accepted()}) == 6 and len(world.fake.accepted()) == 6
        print(f"redis restart: 6/6 sent {time.monotonic() - restarted:.0f} s after Redis came back, none twice")
