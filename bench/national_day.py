"""A national day planned post office by post office as Celery tasks on Redis, with 1 and
then 2 worker processes: post offices planned per minute, the scaling from 1 to 2, and
how many worker processes plan a national day within 30 minutes.

    .venv/bin/python bench/national_day.py                          # 24 offices, 5 s per plan
    .venv/bin/python bench/national_day.py --offices 40 --time-limit 20

The country: the 3,321 communes of 2025 (logistics/data/communes_2025.csv) and the post
offices the demo places over them (``logistics.demo.offices``: one per ~10 communes, plus
each province's own), about 130,000 items a day (``--national-items``) shared by commune.
Planning every office of the country takes long on this machine, so the run measures a
sample: provinces drawn at random (``--seed``) are seeded by the demo generator with
their national share of the items, and ``--offices`` of their offices, drawn at random,
are planned for the next working day by ``routing.plan_day`` tasks on a real worker, once
with one pool process and once with two. Each office keeps its real volume.

Extrapolation (printed with the table): a task costs the solver's time limit plus a
fixed part (building the problem from the database, saving the plan), measured per task;
the national rate is offices per minute per process, and the workers needed for 30
minutes are ceil(national offices / (rate per process x 30)). The 2-process run says how
far a second process on this 2-core, shared machine really adds. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bench.scan_ingest import load_average  # noqa: E402

BUDGET_MIN = 30


def national_offices(seed: int) -> dict[str, int]:
    """Province code -> post offices the demo would open there (the whole country)."""
    import numpy as np

    from logistics.demo.offices import plan_offices
    from logistics.demo.province import province_communes
    from logistics.geography.communes import provinces

    rng = np.random.default_rng(seed)
    return {p.code: len(plan_offices(p, province_communes(p), rng)) for p in provinces()}


def draw_provinces(wanted_offices: int, offices: dict[str, int], seed: int) -> list[str]:
    codes = sorted(offices)
    random.Random(seed).shuffle(codes)
    chosen, total = [], 0
    for code in codes:
        if total >= wanted_offices:
            break
        chosen.append(code)
        total += offices[code]
    return chosen


def seed(url: str, provinces: list[str], national_items: int, day, seed_value: int) -> dict[str, int]:  # noqa: ANN001
    """Seed each province with its share of the national items; items per province."""
    from sqlmodel import Session

    from logistics.db import make_engine
    from logistics.demo import seed_province
    from logistics.demo.province import province_communes
    from logistics.geography.communes import find_province, load_communes

    total_communes = len(load_communes())
    engine = make_engine(url)
    volumes = {}
    for code in provinces:
        share = len(province_communes(find_province(code))) / total_communes
        volumes[code] = round(national_items * share)
        with Session(engine) as session:
            seed_province(session, province=code, seed=seed_value, day=day, volume=volumes[code])
            session.commit()
    engine.dispose()
    return volumes


def office_volumes(url: str, day) -> dict[int, int]:  # noqa: ANN001
    """Post office id -> items it plans on ``day`` (what the day problem picks up)."""
    from sqlmodel import Session

    from logistics.db import make_engine
    from logistics.routing.day_problem import build_day_problem

    engine = make_engine(url)
    out = {}
    with Session(engine) as session:
        from sqlmodel import select

        from logistics.models import PostOffice

        for office_id in session.exec(select(PostOffice.id)).all():
            problem, _ = build_day_problem(session, post_office_id=office_id, day=day)
            out[office_id] = len(problem.jobs)
    engine.dispose()
    return out


def run(env: dict[str, str], settings, offices: list[int], day, processes: int, time_limit: float,  # noqa: ANN001
        log: Path) -> dict:
    from logistics import worker
    from logistics.cli.serve import worker_command

    command = worker_command(concurrency=processes, queues="routing", extra=["-n", f"bench{processes}@%h"])
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while b"ready." not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the worker did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.2)
        client = worker.create_celery(settings)
        started = time.perf_counter()
        results = [client.send_task("routing.plan_day", kwargs={"post_office_id": o, "day": day.isoformat(),
                                                                "time_limit_s": time_limit}) for o in offices]
        summaries = [r.get(timeout=3600) for r in results]
        wall = time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    solver = sum(s["seconds"] for s in summaries)
    return {"processes": processes, "wall_s": wall, "per_min": len(offices) / wall * 60,
            "solver_s": solver / len(summaries), "task_s": wall * processes / len(summaries),
            "routes": sum(s["routes"] for s in summaries), "items": sum(s["items"] for s in summaries),
            "unserved": sum(len(s["unserved"]) for s in summaries)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offices", type=int, default=24, help="post offices in the sample")
    parser.add_argument("--time-limit", type=float, default=5.0, help="solver seconds per office")
    parser.add_argument("--national-items", type=int, default=130_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--production-time-limit", type=float, default=20.0,
                        help="the time limit to extrapolate to (routing.service.DEFAULT_TIME_LIMIT_S)")
    args = parser.parse_args()

    from logistics.config import Settings
    from logistics.migrate import upgrade
    from support.servers import fresh_database, postgres_server, private_redis
    from tests.deployment.stack_world import next_working_day

    per_province = national_offices(args.seed)
    national = sum(per_province.values())
    provinces = draw_provinces(args.offices, per_province, args.seed)
    day = next_working_day()
    with postgres_server() as server, fresh_database(server) as url, private_redis() as own_redis, \
            tempfile.TemporaryDirectory() as var:
        redis_url = own_redis.url  # a server of our own: no other worker on the machine takes our tasks
        upgrade(url)
        t = time.perf_counter()
        volumes = seed(url, provinces, args.national_items, day, args.seed)
        print(f"seeded {sum(volumes.values())} items in provinces {provinces} in {time.perf_counter() - t:.0f} s",
              file=sys.stderr)
        by_office = office_volumes(url, day)
        sample = sorted(random.Random(args.seed).sample(sorted(by_office), min(args.offices, len(by_office))))
        env = {**os.environ, "DATABASE_URL": url, "JOBS_BROKER_URL": redis_url, "JOBS_RESULT_BACKEND": redis_url,
               "VAR_DIR": var, "APP_ENV": "development", "SMS_BACKEND": "console", "PYTHONPATH": str(ROOT)}
        settings = Settings(var_dir=Path(var), database_url=url, jobs_broker_url=redis_url, jobs_result_backend=redis_url)
        runs = [run(env, settings, sample, day, n, args.time_limit, Path(var) / f"worker{n}.log") for n in (1, 2)]

    one, two = runs
    overhead = max(0.0, one["task_s"] - one["solver_s"])
    per_process = {  # offices per minute per process
        "measured": one["per_min"],
        "production": 60 / (overhead + args.production_time_limit),
    }
    efficiency = two["per_min"] / (2 * one["per_min"])
    sample_items = [by_office[o] for o in sample]
    print(f"\nNational day: {national} post offices "
          f"({len(per_province)} provinces), {args.national_items} items; sample: {len(sample)} offices of "
          f"{len(provinces)} provinces, {sum(sample_items)} items (median {sorted(sample_items)[len(sample_items) // 2]}, "
          f"max {max(sample_items)} per office); day {day}; load {load_average()}\n")
    print("| processes | offices | wall s | offices/min | solver s/office | task s/office | routes | items planned | unserved |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        print(f"| {r['processes']} | {len(sample)} | {r['wall_s']:.1f} | {r['per_min']:.1f} | {r['solver_s']:.1f} | "
              f"{r['task_s']:.1f} | {r['routes']} | {r['items']} | {r['unserved']} |")
    print(f"\nscaling 1 -> 2 processes: x{two['per_min'] / one['per_min']:.2f} (parallel efficiency {efficiency:.0%})")
    print(f"fixed part of a task (database in and out): {overhead:.1f} s")
    limits = [("measured", args.time_limit)]
    if args.production_time_limit != args.time_limit:
        limits.append(("production", args.production_time_limit))
    for label, time_limit in limits:
        rate = per_process[label]
        need = math.ceil(national / (rate * BUDGET_MIN))
        print(f"time limit {time_limit:g} s: {rate:.1f} offices/min per process -> {national} offices in "
              f"{national / rate:.0f} process-minutes: {need} worker processes (one core each) for {BUDGET_MIN} min")
    print(f"\nitems per sampled office: {dict(sorted(Counter(min(v // 100 * 100, 1000) for v in sample_items).items()))}"
          " (hundreds, 1000 = 1000+)")


if __name__ == "__main__":
    main()
