"""SMS outbox throughput and crash recovery: N notifications through outbox -> Celery on
Redis (2 worker processes) -> the real Twilio SDK -> a loopback Twilio-compatible server.

    .venv/bin/python bench/notify_throughput.py --count 10000
    .venv/bin/python bench/notify_throughput.py --count 10000 --kill-at 0.4

Each notification goes to a phone of its own, so the fake server's log tells duplicates
(a phone that got two messages) and missing ones (a row with no accepted request) apart.
The clock starts at the commit that writes the rows (the send jobs leave after it) and
stops when every row is ``sent``. With ``--kill-at F`` the first worker is SIGKILLed when
a fraction F of the messages has reached the server and restarted a second later; the
killed worker's claimed message comes back after the Redis visibility timeout and the
sending lease (both shortened here), and the outbox sweep runs every few seconds once the
queue is empty. Duplicates can only come from the window between the provider's answer
and the commit of its sid. PostgreSQL and Redis: the development servers when they
answer, else private ones (tests/support/servers.py).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

VISIBILITY_TIMEOUT_S = 10
SENDING_LEASE_S = 15


def _phone(k: int) -> str:
    return f"+8491{k:07d}"


def start_worker(env: dict[str, str], log: Path, pool: str, concurrency: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "logistics.worker:celery_app", "worker", "-P", pool,
               "-c", str(concurrency), "-Q", "notify", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", os.environ.get("BENCH_WORKER_LOGLEVEL", "warning")]
    return subprocess.Popen(command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, cwd=ROOT,
                            start_new_session=True)


@contextmanager
def private_redis(out: Path) -> Iterator[str]:
    """A redis-server of our own: the shared one's databases are used by other test runs,
    whose workers would consume (and drop) our messages from the same queue names."""
    from support.servers import free_port

    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(out)], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        for _ in range(100):
            try:
                if redis.Redis.from_url(url).ping():
                    break
            except redis.RedisError:
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its waited-for children (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def count_status(engine) -> dict[str, int]:  # noqa: ANN001
    import sqlalchemy as sa

    with engine.connect() as connection:
        rows = connection.execute(sa.text("select status, count(*) from notification group by status")).all()
    return {status: n for status, n in rows}


def run(count: int, kill_at: float | None, workers: int, out: Path, pool: str, concurrency: int) -> dict:
    from support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
    from support.servers import fresh_database, postgres_server

    out.mkdir(parents=True, exist_ok=True)
    with postgres_server() as pg, fresh_database(pg) as url, private_redis(out) as redis_url, FakeTwilio() as fake:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        env = {
            **os.environ, "DATABASE_URL": url, "JOBS_BROKER_URL": redis_url, "JOBS_RESULT_BACKEND": redis_url,
            "VAR_DIR": str(out / "var"), "SMS_BACKEND": "twilio", "SMS_SENDER": "BUUDIEN",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_BASE_URL": fake.url,
            "PUBLIC_BASE_URL": "https://bcci.example.vn", "NOTIFY_QUIET_START": "00:00", "NOTIFY_QUIET_END": "00:00",
            "NOTIFY_MAX_PER_PHONE_PER_HOUR": "100", "NOTIFY_SENDING_LEASE_S": str(SENDING_LEASE_S),
            "NOTIFY_DISPATCH_GRACE_S": "10", "BROKER_VISIBILITY_TIMEOUT_S": str(VISIBILITY_TIMEOUT_S),
        }
        os.environ.update(env)  # this process enqueues to the same broker and database
        from logistics.db import make_engine
        from logistics.migrate import upgrade
        from logistics.worker import celery_app

        upgrade(url)
        engine = make_engine(url)
        log = out / "workers.log"
        log.write_bytes(b"")
        procs = [start_worker(env, log, pool, concurrency) for _ in range(workers)]
        time.sleep(3.0)  # workers ready (PLATFORM.md: ~2 s)

        from sqlmodel import Session

        # The items are committed first; the outbox rows and their jobs commit here, timed.
        session = Session(engine)
        _seed_into(session, count)
        t0 = time.perf_counter()
        session.commit()  # the send jobs go to Redis after this
        enqueued_s = time.perf_counter() - t0
        session.close()
        print(f"committed; {count} rows dispatched in {enqueued_s:.1f} s", flush=True)

        killed_at = restarted = None
        last_sweep = 0.0
        while True:
            time.sleep(0.25)
            accepted = len(fake.accepted())
            now = time.perf_counter() - t0
            if kill_at is not None and killed_at is None and accepted >= kill_at * count:
                os.killpg(procs[0].pid, signal.SIGKILL)
                procs[0].wait()
                killed_at = now
                print(f"SIGKILL worker 1 at {now:.1f} s ({accepted} accepted)", flush=True)
                time.sleep(1.0)
                procs[0] = start_worker(env, log, pool, concurrency)
                restarted = time.perf_counter() - t0
            statuses = count_status(engine)
            if statuses.get("sent", 0) == count:
                break
            queue_empty = redis.Redis.from_url(redis_url).llen("notify") == 0
            if killed_at is not None and queue_empty and now - last_sweep > 5:
                celery_app.send_task("notify.sweep_outbox")
                last_sweep = now
            if now > 600:
                print("gave up after 600 s:", statuses, flush=True)
                break
        elapsed = time.perf_counter() - t0
        worker_cpu = sum(cpu_seconds(proc.pid) for proc in procs)
        load = os.getloadavg()[1]
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)

        accepted = fake.accepted()
        per_phone = Counter(r.to for r in accepted)
        duplicates = sum(n - 1 for n in per_phone.values() if n > 1)
        missing = sum(1 for k in range(count) if per_phone[_phone(k)] == 0)
        out.mkdir(parents=True, exist_ok=True)
        with (out / "fake_twilio.jsonl").open("w") as fh:
            for r in fake.requests:
                fh.write(json.dumps({"sid": r.sid, "to": r.to, "answered": r.answered, "at": r.at}) + "\n")
        result = {
            "count": count, "workers": workers, "pool": f"{pool} x {concurrency}", "seconds_commit_to_all_sent": round(elapsed, 1),
            "per_second": round(count / elapsed, 1), "enqueue_seconds": round(enqueued_s, 1),
            "requests_seen_by_server": len(fake.requests), "accepted": len(accepted), "duplicates": duplicates,
            "missing": missing, "statuses": count_status(engine),
            "worker_cpu_ms_per_sms": round(worker_cpu * 1000 / count, 2),
            "load_average_5min": round(load, 1),
            "killed_at_s": None if killed_at is None else round(killed_at, 1),
            "restarted_at_s": None if restarted is None else round(restarted, 1),
        }
        engine.dispose()
        return result


def _seed_into(session, count: int) -> None:  # noqa: ANN001
    from logistics.models.enums import NotificationTrigger
    from logistics.notify import messages, outbox
    from logistics.tracking import links
    from tests.logistics.notify.notify_factories import make_item, make_place

    started = time.perf_counter()
    place = make_place(session)
    items = [make_item(session, place, phone=_phone(k)) for k in range(count)]
    session.commit()
    print(f"{count} items seeded in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    link = links.placeholder_url()
    drafts = [
        outbox.Draft(item_id=item.id, trigger=NotificationTrigger.RESULT_READY, attempt=1, phone=_phone(k), language="vi",
                     text=messages.render(NotificationTrigger.RESULT_READY, language="vi",
                                          ctx=messages.MessageContext(ref=item.s10, link=link)))
        for k, item in enumerate(items)
    ]
    outbox.queue_many(session, drafts)
    print(f"{count} outbox rows written in {time.perf_counter() - started:.1f} s (not committed yet)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool", default="threads", help="each worker process's pool: threads, prefork, solo")
    parser.add_argument("--concurrency", type=int, default=4, help="tasks at once per worker process")
    parser.add_argument("--kill-at", type=float, default=None, help="SIGKILL worker 1 at this fraction sent")
    parser.add_argument("--out", type=Path, default=Path("/tmp/bcci-bench-notify"))
    args = parser.parse_args()
    result = run(args.count, args.kill_at, args.workers, args.out, args.pool, args.concurrency)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
