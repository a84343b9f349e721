"""The citizen's tracking page (GET /t/{token}) on PostgreSQL, served by uvicorn on loopback.

    .venv/bin/python bench/tracking_page.py                       # 500 requests/s for 20 s, 1 worker
    .venv/bin/python bench/tracking_page.py --rate 800 --seconds 10 --workers 2 --wrk
    .venv/bin/python bench/tracking_page.py --items 3000 --seconds 6   # mostly first views

Seeds ``--items`` delivery items with a scan history and a tracking link each (by
default half of them out for delivery on today's route, whose page shows the ETA window
computed from the route on every view, the other half after a failed delivery), starts
``web.app`` under uvicorn (the lookup limiter set high through the settings,
``TRACKING_LINK_LOOKUP_RATE_PER_S`` / ``_BURST``: one client address is the whole load
here), then offers requests open-loop at ``--rate`` per second over ``--connections``
keep-alive connections: each request has a scheduled time, and its latency counts from
that time, so a server that falls behind shows in the p99 (no coordinated omission).
The warm-up, the page and its peer run over the same connections, spread evenly over
the workers unless ``--unbalanced`` (``open_connections``: the kernel's own spread of a
few connections is a draw that decides the run).
Links are picked at random: with few links most views are repeat views, which the app
serves from its rendered pages (``web.rendered_pages``; each worker renders each link's
page once); with many links (``--items`` well above the requests per worker) most are
first views, rendered. The peer, in the same run and the same way: ``GET /health`` (the
app's cheapest route that reads the database). Prints one Markdown table, with the CPU
per request of the server's processes, of the database's backends and of this client
(they all run on the same cores).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bench.keepalive import open_spread  # noqa: E402
from bench.scan_ingest import group_cpu_s, load_average, pct, wait_ready  # noqa: E402


def seed(url: str, items: int, on_route: float, stops_per_route: int = 20) -> list[str]:
    """``items`` home deliveries with a scan history and a tracking link each; the tokens.
    A share ``on_route`` of them is out for delivery on today's routes (``stops_per_route``
    stops a route, one postman each), a stop each with its planned arrival ahead (their
    page computes the ETA window from the route on every view: the stops up to its own);
    the rest failed a delivery."""
    from sqlmodel import Session

    from logistics.db import make_engine
    from logistics.models import Postman, Route, User
    from logistics.models.enums import ItemStatus, Role, RouteStatus, ScanCode
    from logistics.tracking import links
    from logistics.workdays import LOCAL_TZ
    from tests.logistics.notify.notify_factories import add_scan, make_item, make_place
    from tests.logistics.tracking.scan_world import add_item, add_stop, build_scan_world

    def another_route(world) -> Route:  # noqa: ANN001 - a ScanWorld
        office = world.world.a.post_office
        user = User(username=f"postman_bench_{len(routes)}", full_name="Bưu tá", role=Role.POSTMAN,
                    post_office_id=office.id, secret_hash="-")
        session.add(user)
        session.flush()
        postman = Postman(user_id=user.id, post_office_id=office.id)
        session.add(postman)
        session.flush()
        route = Route(day=world.day, post_office_id=office.id, postman_id=postman.id, status=RouteStatus.PLANNED)
        session.add(route)
        session.flush()
        return route

    engine = make_engine(url)
    now = datetime.now(UTC)
    at = now - timedelta(hours=3)
    tokens = []
    with Session(engine) as session:
        place = make_place(session)
        travelling = round(items * on_route)
        world = build_scan_world(session, n_items=0, day=now.astimezone(LOCAL_TZ).date()) if travelling else None
        routes = [world.route] if travelling else []
        for k in range(items):
            if k < travelling:
                if k // stops_per_route >= len(routes):
                    routes.append(another_route(world))
                item = add_item(session, world)
                add_stop(session, world, item, route=routes[k // stops_per_route],
                         planned=now + timedelta(minutes=60 + 3 * (k % stops_per_route)))
            else:
                start = at + timedelta(days=1)
                item = make_item(session, place, phone=f"+8491{k:07d}", status=ItemStatus.ACCEPTED,
                                 window=(start, start + timedelta(hours=2)))
            add_scan(session, item, ScanCode.ARRIVED_AT_DELIVERY_OFFICE, at=at, status_after=ItemStatus.IN_TRANSIT)
            add_scan(session, item, ScanCode.OUT_FOR_DELIVERY, at=at + timedelta(hours=1), status_after=ItemStatus.OUT_FOR_DELIVERY)
            if k >= travelling:
                add_scan(session, item, ScanCode.DELIVERY_FAILED, at=at + timedelta(hours=2), status_after=ItemStatus.DELIVERY_FAILED)
            tokens.append(links.issue_token(session, item_id=item.id))
        session.commit()
    engine.dispose()
    return tokens


def start_server(url: str, port: int, workers: int, var_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "JOBS_BROKER_URL": "memory://", "JOBS_RESULT_BACKEND": "cache+memory://",
           "APP_ENV": "development", "VAR_DIR": str(var_dir), "SMS_BACKEND": "console", "PYTHONPATH": str(ROOT),
           # One client address sends the whole load: the per-client limiter is set out of the way.
           "TRACKING_LINK_LOOKUP_RATE_PER_S": "1000000", "TRACKING_LINK_LOOKUP_BURST": "1000000"}
    command = [sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)


# ------------------------------------------------------------------ load


_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


def request_bytes(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\n\r\n".encode()


async def _fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """One request (built beforehand: the client shares the server's two cores)."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = _LENGTH.search(head)
    await reader.readexactly(int(length.group(1)) if length else 0)
    return int(head[9:12])


async def offer(connections: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]], paths: list[str], rate: float,
                seconds: float) -> dict:
    """Requests at ``rate``/s for ``seconds`` over ``connections``, open loop; latency from
    each scheduled time. ``client_cpu_ms``: this process's CPU per request (it runs on the
    server's cores)."""
    requests = [request_bytes(path) for path in paths]
    queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (job := await queue.get()) is not None:
            scheduled, request = job
            status = await _fetch(reader, writer, request)
            latencies.append(time.perf_counter() - scheduled)
            statuses[status] = statuses.get(status, 0) + 1

    workers = [asyncio.create_task(client(*connection)) for connection in connections]
    total = int(rate * seconds)
    t0, cpu0 = time.perf_counter(), time.process_time()
    for k in range(total):
        scheduled = t0 + k / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((scheduled, random.choice(requests)))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - t0
    ms = [v * 1000 for v in latencies]
    return {"requests": len(ms), "per_s": len(ms) / elapsed, "p50": pct(ms, 0.5), "p99": pct(ms, 0.99),
            "max": max(ms), "statuses": statuses, "client_cpu_ms": (time.process_time() - cpu0) * 1000 / max(1, len(ms))}


async def measure(port: int, pages: list[str], args: argparse.Namespace, server_pid: int, url: str) -> dict:
    """Warm-up, the page, then its peer, over one set of keep-alive connections: the
    warm-up reaches every worker the measured load reaches. With fresh connections per
    phase the kernel could hand the warm-up's all to one worker and the load's to the
    other, whose first requests (its pool's connections opened, their first statements
    planned on new PostgreSQL backends, its first renders) then fell inside the
    measurement: ~0.5 s at load ~5 (a slow-request probe, 2026-12-06)."""
    connections, split = await open_spread("127.0.0.1", port, args.connections, args.workers, not args.unbalanced)
    try:
        await offer(connections, pages, 100, 2)  # warm-up: imports, pools, templates, each link's page once a worker
        found: dict = {"split": split, "load_before": load_average()}
        for name, paths in (("page", pages), ("peer", ["/health"])):
            cpu0, db0 = group_cpu_s(server_pid), database_cpu_s(url)
            found[name] = await offer(connections, paths, args.rate, args.seconds)
            found[name]["cpu"] = group_cpu_s(server_pid) - cpu0
            found[name]["db"] = _spent(db0, database_cpu_s(url))
        found["load_after"] = load_average()
        return found
    finally:
        for _, writer in connections:
            writer.close()


# ------------------------------------------------------------------ wrk (a second measurement)

_WRK_SCRIPT = """
local paths = {%s}
request = function()
  return wrk.format("GET", paths[math.random(#paths)], {["Accept"] = "text/html"})
end
"""


def run_wrk(port: int, paths: list[str], seconds: float, connections: int, out: Path) -> dict:
    """Closed loop (each connection sends its next request when the last is answered):
    the most the server answers, with wrk's own latency percentiles; not the figure."""
    script = out / "wrk_paths.lua"
    script.write_text(_WRK_SCRIPT % ", ".join(f'"{p}"' for p in paths))
    text = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--latency", "-s", str(script),
                           f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True).stdout
    found = dict(re.findall(r"^\s*(50|99)%\s+(\S+)", text, re.MULTILINE))
    per_s = re.search(r"Requests/sec:\s+([\d.]+)", text)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {"per_s": float(per_s.group(1)) if per_s else 0.0, "p50": found.get("50", "?"), "p99": found.get("99", "?"),
            "non_2xx": int(errors.group(1)) if errors else 0}


def database_cpu_s(url: str) -> float | None:
    """CPU seconds used so far by the PostgreSQL backends serving ``url``'s database
    (None when the server is not on this machine): the page's query runs on the same
    cores as the app and this client."""
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as conn:
            pids = [pid for (pid,) in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]
    except psycopg.Error:
        return None
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])
    return total / tick


def run(coroutine):  # noqa: ANN001, ANN201
    """On uvloop when it is installed (uvicorn[standard] brings it): about half the
    client's CPU per request of asyncio's loop, and the client shares the server's cores."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def _spent(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--on-route", type=float, default=0.5,
                        help="share of the items out for delivery on today's route (their page shows an ETA)")
    parser.add_argument("--stops-per-route", type=int, default=20,
                        help="stops of each of today's routes (an out-for-delivery page reads its route up to its own stop)")
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=32)
    # One, as the issue measured: on two cores shared with PostgreSQL and this client
    # (~0.15 ms of CPU per request), one worker and two both answered 500/s (2026-11, a
    # busy shared machine: p99 7.5-377 ms with one, 78-165 ms with two, the peer's
    # varying alike). Two have more headroom (wrk, closed loop: ~1,150 pages/s) but
    # render each link's page once per worker.
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--unbalanced", action="store_true",
                        help="keep the connections where the kernel put them (by default spread evenly over the workers)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/bcci-bench-tracking"))
    parser.add_argument("--wrk", action="store_true", help="then measure with wrk too (closed loop; apt-get install wrk)")
    args = parser.parse_args()

    from support.servers import free_port, fresh_database, postgres_server

    from logistics.migrate import upgrade

    args.out.mkdir(parents=True, exist_ok=True)
    with postgres_server() as pg, fresh_database(pg) as url:
        upgrade(url)
        tokens = seed(url, args.items, args.on_route, args.stops_per_route)
        port = free_port()
        server = start_server(url, port, args.workers, args.out / "var")
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, server)
            found = run(measure(port, [f"/t/{t}" for t in tokens], args, server.pid, url))
            page, peer, load_before, load_after = found["page"], found["peer"], found["load_before"], found["load_after"]
            wrk_rows = []
            if args.wrk:
                for name, paths in (("GET /t/{token} (HTML)", [f"/t/{t}" for t in tokens]), ("GET /health (peer)", ["/health"])):
                    wrk_rows.append((name, run_wrk(port, paths, args.seconds, args.connections, args.out)))
                load_after = load_average()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    print(f"\n### Tracking page, PostgreSQL, uvicorn {args.workers} worker(s), offered {args.rate:.0f}/s for {args.seconds:.0f} s, "
          f"{args.connections} connections, {args.items} links ({args.on_route:.0%} out for delivery, {args.stops_per_route} stops a route)\n")
    print("| route | achieved/s | p50 ms | p99 ms | max ms | server CPU ms/request | database CPU ms/request "
          "| client CPU ms/request | answers |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, row in (("GET /t/{token} (HTML)", page), ("GET /health (peer)", peer)):
        cpu, db = row["cpu"], row["db"]
        n = max(1, row["requests"])
        print(f"| {name} | {row['per_s']:.0f} | {row['p50']:.1f} | {row['p99']:.1f} | {row['max']:.0f} | "
              f"{cpu * 1000 / n:.2f} | {'?' if db is None else f'{db * 1000 / n:.2f}'} | {row['client_cpu_ms']:.2f} | "
              f"{row['statuses']} |")
    print(f"\np99 ratio page/peer: {page['p99'] / max(peer['p99'], 1e-9):.2f}; load average before {load_before}, "
          f"after {load_after}; client connections per worker: {' + '.join(map(str, found['split']))}")
    if wrk_rows:
        print(f"\nwrk, closed loop, {args.connections} connections, {args.seconds:.0f} s each:\n")
        print("| route | requests/s | p50 | p99 | non-2xx |")
        print("|---|---|---|---|---|")
        for name, row in wrk_rows:
            print(f"| {name} | {row['per_s']:.0f} | {row['p50']} | {row['p99']} | {row['non_2xx']} |")


if __name__ == "__main__":
    main()
