"""A mixed load on loopback against the API on PostgreSQL (uvicorn, 2 workers): phones
uploading scan batches, citizens opening tracking pages, dispatchers reading items and
dossiers, all at once for ``--duration`` seconds.

    .venv/bin/python bench/mixed_load.py --duration 300          # the 5-minute figure
    .venv/bin/python bench/mixed_load.py --duration 30 --scan-rate 1

Each kind is sent open-loop at its own rate (requests scheduled at fixed times, latency
measured from the scheduled time, so a server that falls behind shows in the p99 rather
than in a lower offered rate):

- scans: ``POST /mobile/v1/scans``, ``--scan-batch`` events a request, each phone's
  items out for delivery, then delivered (``bench/scan_ingest.py``'s seed: postmen,
  routes, home deliveries; the SMS outbox subscriber on);
- tracking: ``GET /t/<token>`` HTML pages of items with a tracking link, each request
  from one of 1,000 citizen addresses (X-Forwarded-For, as behind the proxy; the
  per-address lookup limit stays on);
- staff: a dispatcher of the office reading ``GET /api/v1/items`` pages, one item by
  S10, and ``GET /api/v1/dossiers`` in turn.

Prints one Markdown table: offered and sustained rate, p50 and p99 latency, answers by
status, per kind; the server's CPU seconds and the load average.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bench.scan_ingest import (  # noqa: E402
    ITEMS_PER_PHONE, PIN, group_cpu_s, load_average, pct, seed, start_server, wait_ready,
)

DISPATCHER = "bench-dispatcher"


def seed_readers(url: str, tracked: int) -> tuple[list[str], list[str]]:
    """A dispatcher of the seeded office and tracking links for ``tracked`` items: (tokens, S10s)."""
    from sqlmodel import Session, select

    from logistics.accounts import users
    from logistics.db import make_engine
    from logistics.models import Item, PostOffice
    from logistics.models.enums import Role
    from logistics.tracking.links import issue_token

    engine = make_engine(url)
    with Session(engine) as session:
        office = session.exec(select(PostOffice).where(PostOffice.code == "BC-BENCH")).one()
        users.create_user(session, username=DISPATCHER, full_name="Điều phối viên", role=Role.DISPATCHER, secret=PIN,
                          post_office_id=office.id)
        items = session.exec(select(Item.id, Item.s10).order_by(Item.id)).all()
        tokens = [issue_token(session, item_id=item_id) for item_id, _ in items[:tracked]]
        session.commit()
    engine.dispose()
    return tokens, [s10 for _, s10 in items]


class Kind:
    """One kind of request sent open-loop at ``rate`` per second."""

    def __init__(self, name: str, rate: float, send: Callable[[object, int], int]) -> None:
        self.name, self.rate, self.send = name, rate, send
        self.latencies: list[float] = []
        self.statuses: dict[int | str, int] = {}
        self.lock = threading.Lock()

    def run(self, base: str, duration: float, threads: int) -> None:
        import httpx

        local = threading.local()
        total = int(self.rate * duration)
        t0 = time.perf_counter() + 0.5

        def one(k: int) -> None:
            scheduled = t0 + k / self.rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            client = getattr(local, "client", None) or httpx.Client(base_url=base, timeout=60)
            local.client = client
            try:
                status: int | str = self.send(client, k)
            except Exception as error:  # noqa: BLE001 - counted, the load goes on
                status = type(error).__name__
            with self.lock:
                self.latencies.append(time.perf_counter() - scheduled)
                self.statuses[status] = self.statuses.get(status, 0) + 1

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(one, range(total)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (300 for the figure)")
    parser.add_argument("--scan-rate", type=float, default=2.0, help="scan batches per second")
    parser.add_argument("--scan-batch", type=int, default=20, help="events per batch")
    parser.add_argument("--tracking-rate", type=float, default=10.0, help="tracking pages per second")
    parser.add_argument("--staff-rate", type=float, default=5.0, help="dispatcher reads per second")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--port", type=int, default=None,
                        help="default: a free one (a fixed port could still be held by the last run's server)")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    import httpx

    from logistics.migrate import upgrade
    from support.servers import free_port, fresh_database, postgres_server

    # Every event moves an item once (out for delivery, then delivered): enough phones for the run.
    events = math.ceil(args.scan_rate * args.duration) * args.scan_batch
    phones = max(1, math.ceil(events / 2 / ITEMS_PER_PHONE))
    rng = random.Random(args.seed)
    with postgres_server() as server, fresh_database(server) as url, tempfile.TemporaryDirectory() as var_dir:
        upgrade(url)
        items = seed(url, phones, 0)
        tokens, all_s10s = seed_readers(url, tracked=min(2000, phones * ITEMS_PER_PHONE))
        port = args.port or free_port()
        proc = start_server(url, port, args.workers, True, Path(var_dir))
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, proc)
            with httpx.Client(base_url=base, timeout=60) as client:
                phone_auth = {}
                for user in items:
                    answer = client.post("/mobile/v1/auth/sign-in",
                                         json={"username": user, "pin": PIN, "device_id": f"bench-{user}"})
                    phone_auth[user] = {"Authorization": f"Bearer {answer.raise_for_status().json()['access_token']}"}
                answer = client.post("/api/v1/auth/token", json={"username": DISPATCHER, "password": PIN})
                staff_auth = {"Authorization": f"Bearer {answer.raise_for_status().json()['access_token']}"}

            now = datetime.now(UTC)
            batches: list[tuple[str, list[dict]]] = []
            for code, ago in (("out_for_delivery", 120), ("delivered", 60)):
                for user, s10s in items.items():
                    evs = [{"client_event_id": str(uuid.uuid4()), "s10": s, "code": code,
                            "device_time": (now - timedelta(minutes=ago) + timedelta(seconds=i)).isoformat(),
                            "lat": 13.76, "lon": 109.21, "accuracy_m": 10.0} for i, s in enumerate(s10s)]
                    batches += [(user, evs[i:i + args.scan_batch]) for i in range(0, len(evs), args.scan_batch)]
            addresses = [f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(1000)]

            def scan(client, k: int) -> int:  # noqa: ANN001
                user, evs = batches[k]
                return client.post("/mobile/v1/scans", json={"events": evs}, headers=phone_auth[user]).status_code

            def tracking(client, k: int) -> int:  # noqa: ANN001
                token = tokens[(k * 7919) % len(tokens)]
                return client.get(f"/t/{token}", headers={"X-Forwarded-For": addresses[k % len(addresses)]}).status_code

            def staff(client, k: int) -> int:  # noqa: ANN001
                if k % 3 == 0:
                    path = f"/api/v1/items?limit=50&offset={(k * 50) % max(1, len(all_s10s) - 50)}"
                elif k % 3 == 1:
                    path = f"/api/v1/items/{all_s10s[(k * 31) % len(all_s10s)]}"
                else:
                    path = "/api/v1/dossiers?limit=20"
                return client.get(path, headers=staff_auth).status_code

            kinds = [Kind("scan batches", args.scan_rate, scan), Kind("tracking pages", args.tracking_rate, tracking),
                     Kind("staff reads", args.staff_rate, staff)]
            cpu0 = group_cpu_s(proc.pid)
            started = time.perf_counter()
            runners = [threading.Thread(target=kind.run, args=(base, args.duration, 32)) for kind in kinds]
            for runner in runners:
                runner.start()
            for runner in runners:
                runner.join()
            wall = time.perf_counter() - started - 0.5
            cpu = group_cpu_s(proc.pid) - cpu0
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    print(f"\nMixed load, {args.duration:.0f} s on loopback, uvicorn {args.workers} workers on PostgreSQL; "
          f"{args.scan_batch} events a scan batch; load {load_average()}\n")
    print("| kind | offered /s | sustained /s | p50 ms | p99 ms | answers |")
    print("|---|---:|---:|---:|---:|---|")
    for kind in kinds:
        ok = sum(v for s, v in kind.statuses.items() if s == 200)
        print(f"| {kind.name} | {kind.rate:g} | {ok / wall:.2f} | {pct(kind.latencies, 0.5) * 1000:.0f} | "
              f"{pct(kind.latencies, 0.99) * 1000:.0f} | {dict(sorted(kind.statuses.items(), key=str))} |")
    print(f"\nscan events uploaded per second (answered 200): {sum(v for s, v in kinds[0].statuses.items() if s == 200) * args.scan_batch / wall:.0f}; "
          f"server CPU {cpu:.0f} s over {wall:.0f} s ({cpu / wall:.2f} cores)")


if __name__ == "__main__":
    main()
