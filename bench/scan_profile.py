"""Instructions a scan upload costs, in-process on PostgreSQL: load-independent.

    .venv/bin/python bench/scan_profile.py                     # under callgrind (apt-get install valgrind gcc)
    .venv/bin/python bench/scan_profile.py --requests 50 --keep
    .venv/bin/python bench/scan_profile.py --no-valgrind       # CPU time a request instead (noisy)

Seeds the postmen, items and routes ``bench/scan_ingest.py`` seeds, then measures in a
child process the app ``scan_ingest`` serves (``serve_app``: ``web.app`` with the mobile
router), called as an ASGI application directly (no socket, no HTTP parsing, no client),
one request at a time, with SMS dispatched whatever the hour (quiet hours off, as the
benchmark runs). Each postman signs in, a few requests warm up, then the sections run
``--requests`` uploads each, every one an 'out for delivery' scan of a fresh item:

- ``one event, with SMS``: the product as deployed (the scan's SMS written as a draft);
- ``batch of 100, with SMS``: per request (so per 100 events);
- ``one event, without SMS``: the subscriber unhooked (``logistics.events``), tracking alone.

Under callgrind the counters are zeroed before each section and dumped after it, as in
``bench/page_profile.py`` (``bench/callgrind.py``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bench.callgrind import Markers, add_options, child_env, print_sections, run_child, run_loop  # noqa: E402

SECTIONS = ("one event, with SMS", "batch of 100, with SMS", "one event, without SMS")
BATCH = 100
WARM = 10


def _scope(path: str, headers: list[tuple[bytes, bytes]]) -> dict:
    return {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1",
        "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 50000), "scheme": "http", "method": "POST",
        "root_path": "", "path": path, "raw_path": path.encode(), "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"), *headers], "state": {},
    }


async def post(app, path: str, payload: dict, token: str | None = None) -> tuple[int, bytes]:  # noqa: ANN001
    body = json.dumps(payload).encode()
    headers = [(b"content-length", str(len(body)).encode())]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    status, chunks = 0, []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(_scope(path, headers), receive, send)
    return status, b"".join(chunks)


async def measure(items: dict[str, list[str]], requests: int, markers: Markers) -> dict[str, float]:
    """CPU seconds per request of each section (process time: every thread)."""
    from bench.scan_ingest import PIN, _event, serve_app
    from logistics import events

    app = serve_app()
    queues = []  # per postman: [token, the S10s of its items not scanned yet]
    async with app.router.lifespan_context(app):
        for user, s10s in items.items():
            status, body = await post(app, "/mobile/v1/auth/sign-in", {"username": user, "pin": PIN, "device_id": f"dev-{user}"})
            if status != 200:
                raise SystemExit(f"sign-in of {user}: HTTP {status}")
            queues.append([json.loads(body)["access_token"], list(s10s)])
        sizes = {SECTIONS[0]: 1, SECTIONS[1]: BATCH, SECTIONS[2]: 1}

        async def upload(size: int) -> None:
            """``size`` scans of one postman's items (a batch names only the sender's items)."""
            token, s10s = next((q for q in queues if len(q[1]) >= size), (None, None))
            if token is None:
                raise SystemExit("not enough items seeded")
            taken, s10s[:] = s10s[:size], s10s[size:]
            at = datetime.now(UTC) - timedelta(minutes=1)
            status, body = await post(app, "/mobile/v1/scans", {"events": [_event(s, "out_for_delivery", at) for s in taken]},
                                      token)
            if status != 200 or json.loads(body)["applied"] != size:
                raise SystemExit(f"scan upload: HTTP {status} {body[:300]!r}")

        markers.start()
        for _ in range(WARM):
            await upload(1)
        await upload(BATCH)
        markers.dump("warm-up")  # the first dump's summary counts what ran before it: set aside
        cpu = {}
        for name in SECTIONS:
            if name == SECTIONS[2]:
                events._handlers.clear()  # tracking alone: no SMS outbox subscriber
                events._loaded = True
                await upload(1)  # one unmeasured request on the new path
            markers.zero()
            t0 = time.process_time()
            for _ in range(requests):
                await upload(sizes[name])
            cpu[name] = (time.process_time() - t0) / requests
            markers.dump(name)
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="requests a section")
    add_options(parser, unit="request", out=Path("/tmp/bcci-scan-profile"))
    parser.add_argument("--items", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        items = json.loads(args.items.read_text())
        cpu = run_loop(measure(items, args.requests, markers := Markers(args.markers)))
        print(json.dumps({"cpu_s": cpu, "callgrind": markers.active}))
        return

    from bench.scan_ingest import ITEMS_PER_PHONE, seed
    from support.servers import fresh_database, postgres_server

    from logistics.migrate import upgrade

    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    needed = 2 * (WARM + 1 + 2 * args.requests) + (1 + args.requests) * BATCH  # batches take whole postmen
    with postgres_server() as pg, fresh_database(pg) as url:
        upgrade(url)
        items_file = args.out / "items.json"
        items_file.write_text(json.dumps(seed(url, 0, -(-needed // ITEMS_PER_PHONE))))
        env = child_env(url, args.out, ROOT, NOTIFY_QUIET_START="00:00", NOTIFY_QUIET_END="00:00", LOG_LEVEL="WARNING")
        command = [sys.executable, str(Path(__file__).resolve()), "--child", "--items", str(items_file),
                   "--requests", str(args.requests)]
        result = run_child(command, env=env, cwd=ROOT, out=args.out, valgrind=not args.no_valgrind)
    print(f"\n### Scan uploads in-process (PostgreSQL, {args.requests} requests a section)\n")
    print_sections(result, SECTIONS, unit="request", per=args.requests, out=args.out, keep=args.keep)


if __name__ == "__main__":
    main()
