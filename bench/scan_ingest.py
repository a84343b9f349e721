"""Scan ingestion through POST /mobile/v1/scans on PostgreSQL, served by uvicorn on loopback.

    .venv/bin/python bench/scan_ingest.py                     # 100 phones x 200 events, batches of 100
    .venv/bin/python bench/scan_ingest.py --no-notify         # tracking alone (no SMS outbox subscriber)
    .venv/bin/python bench/scan_ingest.py --phones 40 --concurrency 4 --single-seconds 10

Phases, in one run against one fresh database:

1. batches: each phone uploads two batches of ``--batch`` events (its items out for
   delivery, then delivered), ``--concurrency`` uploads in flight; events/s over the
   phase's wall time, p50/p99 of the batch round trip;
2. raw: the same rows written by plain multi-row ``INSERT ... VALUES`` of ``--batch``
   rows per transaction into a copy of ``scan_event`` (same columns and indexes), with
   the same concurrency: the floor any ingestion path pays; the ratio says what the
   checks, the fold, custody, progress and the outbox cost on top;
3. single: one-event requests sent open-loop at ``--single-rate`` per second for
   ``--single-seconds`` (after a second's warm-up on the same connections), over 64
   keep-alive connections spread evenly over the workers (``keepalive.py``); latency is
   measured from each request's scheduled time, so a server that falls behind shows in
   the p99 (no coordinated omission).

The procedure seeded needs no proof (uploads are benchmarked apart from scans). The
PostgreSQL server is the development one when it answers, else a private one
(tests/support/servers.py). Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

PIN = "2468"
ITEMS_PER_PHONE = 100
WARMUP_S = 1.0  # of single-event requests, unmeasured, on the measured connections


def serve_app():  # noqa: ANN201 - uvicorn factory
    """The web app with the mobile router (mounted here until web.app mounts it)."""
    from web.app import create_app

    app = create_app()
    if not any(getattr(r, "path", "").startswith("/mobile/v1/") for r in app.routes):
        from mobile_api.router import router

        app.include_router(router, prefix="/mobile/v1")
    if os.environ.get("BENCH_NO_NOTIFY") == "1":
        from logistics import events

        events._handlers.clear()  # tracking alone: no SMS outbox subscriber
        events._loaded = True
    return app


# ---------------------------------------------------------------- seeding


def seed(url: str, phones: int, single_phones: int) -> dict[str, list[str]]:
    """Post office, procedure, postmen with a route of one stop per item; returns username -> S10s."""
    import sqlalchemy as sa
    from sqlmodel import Session

    from logistics.accounts import users
    from logistics.db import make_engine
    from logistics.identifiers.s10 import make_s10
    from logistics.models import Agency, Dossier, Item, Person, Postman, PostOffice, Procedure, Route, RouteStop, RouteStopItem
    from logistics.models.enums import HolderKind, ItemStatus, LegKind, PlaceKind, Role, RouteStatus, StopAction
    from logistics.workdays import LOCAL_TZ

    engine = make_engine(url)
    now = datetime.now(UTC)
    today = now.astimezone(LOCAL_TZ).date()
    out: dict[str, list[str]] = {}
    with Session(engine) as session:
        office = PostOffice(code="BC-BENCH", name="Bưu cục Quy Nhơn", province_code="52", commune_code="21553",
                            address="1 Lê Lợi", lat=13.776, lon=109.223, opening_hours={})
        agency = Agency(code="000.00.22.H21", name="Sở Tư pháp", province_code="52", address="2 Lê Lợi",
                        lat=13.77, lon=109.22, office_hours={})
        procedure = Procedure(code="1.001234", name="Cấp bản sao trích lục", proof_signature=False)
        session.add_all([office, agency, procedure])
        session.flush()
        serial = 30_000_000
        for p in range(phones + single_phones):
            user = users.create_user(session, username=f"bench{p}", full_name=f"Bưu tá {p}", role=Role.POSTMAN,
                                     secret=PIN, post_office_id=office.id)
            postman = Postman(user_id=user.id, post_office_id=office.id)
            session.add(postman)
            session.flush()
            route = Route(day=today, post_office_id=office.id, postman_id=postman.id, status=RouteStatus.PLANNED)
            session.add(route)
            session.flush()
            ks = range(serial, serial + ITEMS_PER_PHONE)
            serial += ITEMS_PER_PHONE
            people = session.execute(sa.insert(Person).returning(Person.id, Person.lat, Person.lon, sort_by_parameter_order=True), [
                {"full_name": "Nguyễn Văn An", "phone_e164": f"+8491{k % 10_000_000:07d}", "address": f"{k} Lê Lợi",
                 "commune_code": "21553", "lat": 13.75 + (k % 97) * 0.0006, "lon": 109.20 + (k % 89) * 0.0006,
                 "id_last4": "1234", "language": "vi", "created_at": now} for k in ks]).all()
            dossiers = session.execute(sa.insert(Dossier).returning(Dossier.id, sort_by_parameter_order=True), [
                {"code": f"000.00.22.H21-261120-{k}", "status": "received", "result_delivery": "home", "document_count": 1,
                 "procedure_id": procedure.id, "agency_id": agency.id, "applicant_id": pid, "received_at": now - timedelta(days=3),
                 "created_at": now} for k, (pid, _, _) in zip(ks, people)]).scalars().all()
            items = session.execute(sa.insert(Item).returning(Item.id, Item.s10, sort_by_parameter_order=True), [
                {"s10": make_s10("EB", k), "leg": LegKind.HOME_DELIVERY, "origin_kind": PlaceKind.POST_OFFICE,
                 "origin_ref_id": office.id, "origin_lat": office.lat, "origin_lon": office.lon,
                 "destination_kind": PlaceKind.HOME, "destination_lat": lat, "destination_lon": lon,
                 "parcel_count": 1, "weight_g": 200, "fee_to_collect_vnd": 0, "status": ItemStatus.ACCEPTED,
                 "dossier_id": did, "post_office_id": office.id, "person_id": pid, "status_at": now - timedelta(days=1),
                 "holder_kind": HolderKind.POST_OFFICE, "holder_ref_id": office.id,
                 "created_at": now - timedelta(days=1), "updated_at": now - timedelta(days=1)}
                for k, (pid, lat, lon), did in zip(ks, people, dossiers)]).all()
            stops = session.execute(sa.insert(RouteStop).returning(RouteStop.id, sort_by_parameter_order=True), [
                {"route_id": route.id, "seq": i, "place_kind": PlaceKind.HOME, "lat": lat, "lon": lon, "service_s": 120,
                 "status": "pending", "pinned": False, "planned_arrival": now + timedelta(minutes=5 * i)}
                for i, (_, lat, lon) in enumerate(people)]).scalars().all()
            session.execute(sa.insert(RouteStopItem), [
                {"stop_id": sid, "item_id": iid, "action": StopAction.DELIVERY} for sid, (iid, _) in zip(stops, items)])
            out[user.username] = [s10 for _, s10 in items]
        session.commit()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # Statistics as autovacuum keeps them on a database in service: without them the
        # planner takes the freshly filled tables for near empty (a route of 2 stops).
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return out


# ---------------------------------------------------------------- the server


def start_server(url: str, port: int, workers: int, notify: bool, var_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "JOBS_BROKER_URL": "memory://", "JOBS_RESULT_BACKEND": "cache+memory://",
           "APP_ENV": "development", "VAR_DIR": str(var_dir), "SMS_BACKEND": "console",
           # Quiet hours off: every SMS is dispatched to the broker as in the daytime (a run in
           # Vietnam's night held them all and measured no dispatch).
           "NOTIFY_QUIET_START": "00:00", "NOTIFY_QUIET_END": "00:00",
           "BENCH_NO_NOTIFY": "0" if notify else "1", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "uvicorn", "bench.scan_ingest:serve_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)


def wait_ready(base: str, proc: subprocess.Popen) -> None:
    import httpx

    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit("the server exited")
        try:
            if httpx.get(base + "/openapi.json", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not start")


def database_sessions(url: str) -> int:
    """Sessions opened so far on ``url``'s database (PostgreSQL 14+): a pool that opens a
    connection for one request and closes it after shows here."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()").fetchone()[0]


def group_cpu_s(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the processes of a process group."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])
    return total / tick


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# ---------------------------------------------------------------- phases


def _event(s10: str, code: str, at: datetime) -> dict:
    return {"client_event_id": str(uuid.uuid4()), "s10": s10, "code": code, "device_time": at.isoformat(),
            "lat": 13.76, "lon": 109.21, "accuracy_m": 10.0}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_batches(base: str, tokens: dict[str, str], items: dict[str, list[str]], batch: int, concurrency: int):
    import httpx

    now = datetime.now(UTC)
    work: list[tuple[str, list[dict]]] = []
    for code, ago in (("out_for_delivery", 120), ("delivered", 60)):  # every phone's first batch before any second
        for user, s10s in items.items():
            events = [_event(s, code, now - timedelta(minutes=ago) + timedelta(seconds=i)) for i, s in enumerate(s10s)]
            work += [(user, events[i:i + batch]) for i in range(0, len(events), batch)]
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    lock = threading.Lock()
    local = threading.local()

    def send(job: tuple[str, list[dict]]) -> None:
        user, events = job
        client = getattr(local, "client", None) or httpx.Client(base_url=base, timeout=60)
        local.client = client
        started = time.perf_counter()
        response = client.post("/mobile/v1/scans", json={"events": events}, headers={"Authorization": f"Bearer {tokens[user]}"})
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        with lock:
            latencies.append(elapsed)
            for r in response.json()["results"]:
                outcomes[r["outcome"]] = outcomes.get(r["outcome"], 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(send, [w for w in work if w[1][0]["code"] == "out_for_delivery"]))
        list(pool.map(send, [w for w in work if w[1][0]["code"] == "delivered"]))
    wall = time.perf_counter() - started
    total = sum(len(e) for _, e in work)
    return work, {"events": total, "wall_s": wall, "events_per_s": total / wall, "p50_ms": pct(latencies, 0.5) * 1000,
                  "p99_ms": pct(latencies, 0.99) * 1000, "outcomes": outcomes}


def run_raw(url: str, work: list[tuple[str, list[dict]]], concurrency: int) -> dict:
    """The same rows by plain multi-row INSERTs, one transaction per batch."""
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_raw_scan (LIKE scan_event INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING IDENTITY)")
        item_ids = dict(conn.execute("SELECT s10, id FROM item").fetchall())
        conn.execute("CREATE SEQUENCE bench_raw_seq")
    columns = ("id", "client_event_id", "code", "lat", "lon", "accuracy_m", "device_id", "item_id", "s10", "actor_user_id",
               "device_time", "received_at", "outcome", "status_after", "proof", "flags")
    local = threading.local()
    latencies: list[float] = []
    lock = threading.Lock()

    def insert(job: tuple[str, list[dict]]) -> None:
        _user, events = job
        conn = getattr(local, "conn", None) or psycopg.connect(dsn)
        local.conn = conn
        now = datetime.now(UTC)
        rows = [(uuid.UUID(e["client_event_id"]), e["code"], e["lat"], e["lon"], e["accuracy_m"], "raw",
                 item_ids[e["s10"]], e["s10"], None, datetime.fromisoformat(e["device_time"]), now, "applied",
                 "delivered" if e["code"] == "delivered" else "out_for_delivery", "{}", "[]") for e in events]
        placeholders = ",".join(["(nextval('bench_raw_seq')," + ",".join(["%s"] * (len(columns) - 1)) + ")"] * len(rows))
        started = time.perf_counter()
        with conn.transaction():
            conn.execute(f"INSERT INTO bench_raw_scan ({','.join(columns)}) VALUES {placeholders}",
                         [v for row in rows for v in row])
        with lock:
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(insert, work))
    wall = time.perf_counter() - started
    total = sum(len(e) for _, e in work)
    return {"events": total, "wall_s": wall, "events_per_s": total / wall, "p50_ms": pct(latencies, 0.5) * 1000,
            "p99_ms": pct(latencies, 0.99) * 1000}


def run_single(base: str, tokens: dict[str, str], items: dict[str, list[str]], rate: float, seconds: float,
               workers: int, connections: int = 64, warmup_s: float = WARMUP_S) -> dict:
    """One-event requests at ``rate`` per second, open-loop, on up to ``connections``
    keep-alive connections spread evenly over the ``workers`` (``keepalive``). A lean
    asyncio client writing HTTP/1.1 by hand: the httpx one, 64 threads, took a good part
    of a core of the two the server shares with it and PostgreSQL. Latency counts from
    each request's scheduled time. The first ``warmup_s`` of requests go over the same
    connections unmeasured: a worker the batch phase left cold (the kernel may give one
    worker every batch connection) opens its pool and plans its statements there."""
    import asyncio
    import json
    from collections import deque
    from urllib.parse import urlsplit

    from bench.keepalive import open_spread

    warm = int(rate * warmup_s)
    jobs = [(user, s) for user, s10s in items.items() for s in s10s][: warm + int(rate * seconds)]
    host, port = urlsplit(base).hostname, urlsplit(base).port
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    split: list[int] = []  # connections each worker holds

    def request(user: str, s10: str) -> bytes:
        body = json.dumps({"events": [_event(s10, "out_for_delivery", datetime.now(UTC) - timedelta(minutes=1))]}).encode()
        return (f"POST /mobile/v1/scans HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {tokens[user]}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body

    async def exchange(conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], data: bytes) -> int:
        reader, writer = conn
        writer.write(data)
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next(int(v) for k, _, v in (line.partition(":") for line in lines[1:]) if k.lower() == "content-length")
        await reader.readexactly(length)
        return int(lines[0].split()[1])

    async def main() -> float:
        # Every connection opened first and taken in turn, as 64 phones would: reusing
        # the last one freed would put a light load on one or two connections, all
        # possibly accepted by the same uvicorn worker.
        opened, held = await open_spread(host, port, connections, workers)
        split.extend(held)
        idle = deque(opened)
        slots = asyncio.Semaphore(connections)
        loop = asyncio.get_running_loop()
        t0 = loop.time() + 0.5

        async def send(k: int, scheduled: float) -> None:
            async with slots:
                data = request(*jobs[k])
                conn = idle.popleft()
                try:
                    status = await exchange(conn, data)
                except (asyncio.IncompleteReadError, ConnectionError):
                    conn[1].close()  # an idle connection the server had closed: the request never left
                    conn = await asyncio.open_connection(host, port)
                    status = await exchange(conn, data)
                idle.append(conn)
            if k >= warm:
                latencies.append(loop.time() - scheduled)
                statuses[status] = statuses.get(status, 0) + 1

        tasks = []
        for k in range(len(jobs)):
            scheduled = t0 + k / rate
            delay = scheduled - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(k, scheduled)))
        await asyncio.gather(*tasks)
        wall = loop.time() - (t0 + warm / rate)
        for _, writer in idle:
            writer.close()
        return wall

    wall = asyncio.run(main())
    return {"requests": len(latencies), "sent": len(jobs), "achieved_rps": len(latencies) / wall, "p50_ms": pct(latencies, 0.5) * 1000,
            "p99_ms": pct(latencies, 0.99) * 1000, "statuses": statuses, "split": split}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=100, help="phones in the batch phase (200 events each)")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=4, help="uploads in flight")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--single-rate", type=float, default=200.0)
    parser.add_argument("--single-seconds", type=float, default=10.0)
    parser.add_argument("--no-notify", action="store_true", help="leave the SMS outbox subscriber out")
    parser.add_argument("--port", type=int, default=None,
                        help="default: a free one (a fixed port could still be held by the last run's server)")
    args = parser.parse_args()

    import tempfile

    import httpx
    from support.servers import free_port, fresh_database, postgres_server

    from logistics.migrate import upgrade

    single_phones = -(-int(args.single_rate * (args.single_seconds + WARMUP_S)) // ITEMS_PER_PHONE)
    with postgres_server() as server, fresh_database(server) as url, tempfile.TemporaryDirectory() as var_dir:
        upgrade(url)
        t = time.perf_counter()
        items = seed(url, args.phones, single_phones)
        print(f"seeded {sum(map(len, items.values()))} items for {len(items)} phones in {time.perf_counter() - t:.1f} s",
              file=sys.stderr)
        port = args.port or free_port()
        proc = start_server(url, port, args.workers, not args.no_notify, Path(var_dir))
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, proc)
            tokens = {}
            with httpx.Client(base_url=base) as client:
                for user in items:
                    answer = client.post("/mobile/v1/auth/sign-in", json={"username": user, "pin": PIN, "device_id": f"dev-{user}"})
                    answer.raise_for_status()
                    tokens[user] = answer.json()["access_token"]
            batch_users = dict(list(items.items())[: args.phones])
            single_users = dict(list(items.items())[args.phones:])
            cpu0 = group_cpu_s(proc.pid)
            work, batches = run_batches(base, tokens, batch_users, args.batch, args.concurrency)
            batches["server_cpu_ms_per_event"] = (group_cpu_s(proc.pid) - cpu0) * 1000 / batches["events"]
            load_batches = load_average()
            cpu0, client0, sessions0 = group_cpu_s(proc.pid), time.process_time(), database_sessions(url)
            single = run_single(base, tokens, single_users, args.single_rate, args.single_seconds, args.workers)
            single["server_cpu_ms_per_request"] = (group_cpu_s(proc.pid) - cpu0) * 1000 / single["sent"]  # with the warm-up's
            single["client_cpu_ms_per_request"] = (time.process_time() - client0) * 1000 / single["sent"]
            single["database_sessions"] = database_sessions(url) - sessions0
            load_single = load_average()
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        raw = run_raw(url, work, args.concurrency)
    notify = "without" if args.no_notify else "with"
    print(f"\n### Scan ingestion, PostgreSQL, uvicorn {args.workers} worker(s), {notify} the SMS outbox subscriber\n")
    print(f"`{' '.join(['.venv/bin/python', 'bench/scan_ingest.py', *sys.argv[1:]])}` — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")
    print("| phase | events | events/s | p50 ms | p99 ms | notes |")
    print("|---|---|---|---|---|---|")
    print(f"| batch endpoint ({args.batch}/request, {args.concurrency} in flight) | {batches['events']} | "
          f"{batches['events_per_s']:.0f} | {batches['p50_ms']:.0f} | {batches['p99_ms']:.0f} | "
          f"server CPU {batches['server_cpu_ms_per_event']:.2f} ms/event; load {load_batches}; {batches['outcomes']} |")
    print(f"| raw multi-row INSERT, same rows | {raw['events']} | {raw['events_per_s']:.0f} | {raw['p50_ms']:.1f} | "
          f"{raw['p99_ms']:.1f} | endpoint/raw = {batches['events_per_s'] / raw['events_per_s']:.3f} |")
    print(f"| single-event requests at {args.single_rate:.0f}/s | {single['requests']} | {single['achieved_rps']:.0f} req/s | "
          f"{single['p50_ms']:.0f} | {single['p99_ms']:.0f} | "
          f"server CPU {single['server_cpu_ms_per_request']:.1f} ms/request, client {single['client_cpu_ms_per_request']:.2f}; "
          f"connections per worker {single['split']}; new database sessions {single['database_sessions']}; "
          f"load {load_single}; {single['statuses']} |")


if __name__ == "__main__":
    main()
