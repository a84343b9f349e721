"""Instructions a tracking page view costs, in-process on PostgreSQL: load-independent.

    .venv/bin/python bench/page_profile.py                   # under callgrind (apt-get install valgrind gcc)
    .venv/bin/python bench/page_profile.py --views 50 --keep # and keep the dumps for callgrind_annotate
    .venv/bin/python bench/page_profile.py --no-valgrind     # CPU time a view instead (noisy on a shared machine)

Seeds the links ``bench/tracking_page.py`` serves (half out for delivery on today's
routes, ``--stops-per-route`` stops each, whose page computes the ETA window on every
view; half after a failed delivery), then measures in a child process: ``web.app`` as
uvicorn serves it (``create_app()``, its lifespan run), called as an ASGI application
directly (no socket, no HTTP parsing, no client), one request at a time, on uvloop when
it is installed, as uvicorn runs. Half the links are viewed once first (pages rendered
and kept, pools, template and caches warm), then each section runs ``--views`` views:

- ``out-for-delivery, cached``: the links on a route, their page already rendered;
- ``failed delivery, cached``: the links after a failed delivery (no ETA to compute);
- ``out-for-delivery, first view``: links never viewed (the page rendered and kept).

Under callgrind the child starts with instrumentation off (imports run at near native
speed), turns it on for the warm-up, zeroes the counters before each section and dumps
them after it (client requests from a small marker library built with gcc from
``valgrind/callgrind.h``), and prints the instructions per view of each section: every
thread's (the views' database work runs in the thread pool). Reading one dump with
``callgrind_annotate --inclusive=yes`` shows where they go.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bench.callgrind import Markers, add_options, child_env, print_sections, run_child, run_loop  # noqa: E402

SECTIONS = ("out-for-delivery, cached", "failed delivery, cached", "out-for-delivery, first view")


def _scope(path: str) -> dict:
    """The scope uvicorn gives a ``GET path`` on a keep-alive connection."""
    return {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1",
        "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 50000), "scheme": "http", "method": "GET",
        "root_path": "", "path": path, "raw_path": path.encode(), "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"accept", b"text/html")], "state": {},
    }


async def view(app, path: str) -> int:  # noqa: ANN001 - an ASGI app
    status = 0

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(_scope(path), receive, send)
    return status


async def measure(tokens: dict[str, list[str]], views: int, markers: Markers) -> dict[str, float]:
    """CPU seconds per view of each section (process time: every thread)."""
    from web.app import create_app

    app = create_app()
    on_route, failed = tokens["on_route"], tokens["failed"]
    warm, fresh = on_route[: len(on_route) // 2], on_route[len(on_route) // 2:]
    if len(fresh) < views:
        raise SystemExit(f"--views {views}: only {len(fresh)} links are left for first views (raise --items)")
    paths = {
        SECTIONS[0]: [f"/t/{warm[k % len(warm)]}" for k in range(views)],
        SECTIONS[1]: [f"/t/{failed[k % len(failed)]}" for k in range(views)],
        SECTIONS[2]: [f"/t/{token}" for token in fresh[:views]],
    }
    cpu = {}
    async with app.router.lifespan_context(app):
        markers.start()
        for _ in range(3):
            for token in warm + failed:
                assert await view(app, f"/t/{token}") == 200
        # The first dump's summary still counts what ran before it (callgrind 3.19): the
        # warm-up's, set aside. The sections' own are their files' totals.
        markers.dump("warm-up")
        for name in SECTIONS:
            markers.zero()
            t0 = time.process_time()
            for path in paths[name]:
                status = await view(app, path)
                if status != 200:
                    raise SystemExit(f"{path}: HTTP {status}")
            cpu[name] = (time.process_time() - t0) / views
            markers.dump(name)
    return cpu


def child(args: argparse.Namespace) -> None:
    tokens = json.loads(args.tokens.read_text())
    markers = Markers(args.markers)
    cpu = run_loop(measure(tokens, args.views, markers))
    print(json.dumps({"cpu_s": cpu, "callgrind": markers.active}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--stops-per-route", type=int, default=20)
    parser.add_argument("--views", type=int, default=30, help="views a section")
    add_options(parser, unit="view", out=Path("/tmp/bcci-page-profile"))
    parser.add_argument("--tokens", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    from bench.tracking_page import seed
    from support.servers import fresh_database, postgres_server

    from logistics.migrate import upgrade

    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    with postgres_server() as pg, fresh_database(pg) as url:
        upgrade(url)
        links = seed(url, args.items, 0.5, args.stops_per_route)
        travelling = round(args.items * 0.5)
        tokens = args.out / "tokens.json"
        tokens.write_text(json.dumps({"on_route": links[:travelling], "failed": links[travelling:]}))
        env = child_env(url, args.out, ROOT, TRACKING_LINK_LOOKUP_RATE_PER_S="1000000",
                        TRACKING_LINK_LOOKUP_BURST="1000000")
        command = [sys.executable, str(Path(__file__).resolve()), "--child", "--tokens", str(tokens),
                   "--views", str(args.views)]
        result = run_child(command, env=env, cwd=ROOT, out=args.out, valgrind=not args.no_valgrind)
    print(f"\n### Tracking page views in-process (PostgreSQL, {args.items} links, {args.stops_per_route} stops a route, "
          f"{args.views} views a section)\n")
    print_sections(result, SECTIONS, unit="view", per=args.views, out=args.out, keep=args.keep)


if __name__ == "__main__":
    main()
