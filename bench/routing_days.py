"""Generated postal days in the open format, planned by ``solve()`` and scored by the format's rule.

    .venv/bin/python bench/routing_days.py --items 300 --postmen 15 --time-limit 20 --province "Hà Nội"
    .venv/bin/python bench/routing_days.py --items 1000 --postmen 40 --time-limit 60 --province "Hà Tĩnh"

A day: the post office at the administrative centre of a commune of the
province, homes scattered over the communes within ``--radius-km``; 65 % of
items are results delivered from the office, the rest home pickups to a
counter, counter → agency transfers and agency → counter returns; agencies
open 07:30–11:30 and 13:30–17:00; citizens book a 2-hour window for a third
of the items; 20 % optional. Prints served items, route hours, km, seconds
and peak memory; the plan is checked by the scorer of
``tests/logistics/routing/postal_day_checker.py``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "logistics" / "routing"))

from postal_day_checker import score_day_plan  # noqa: E402

from logistics.routing.postal_day import day_to_problem, plan_to_day  # noqa: E402
from logistics.routing.solver import SearchOptions, solve  # noqa: E402

H = 3600


def communes(province: str) -> list[dict]:
    with open(ROOT / "logistics" / "data" / "communes_2025.csv", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if province in r["province"]]


def generate(province: str, n_items: int, n_postmen: int, radius_km: float, seed: int) -> dict:
    rng = random.Random(seed)
    rows = communes(province)
    if not rows:
        raise SystemExit(f"no commune in {province!r}")
    office = rows[0]
    po = [float(office["wardLat"]), float(office["wardLon"])]

    def km(a, b):
        return math.hypot((a[0] - b[0]) * 111.2, (a[1] - b[1]) * 111.2 * math.cos(math.radians(a[0])))

    near = [r for r in rows if km(po, [float(r["wardLat"]), float(r["wardLon"])]) <= radius_km] or rows[:1]
    centres = [[float(r["wardLat"]), float(r["wardLon"])] for r in near]

    def home():
        c = rng.choice(centres)
        return [round(c[0] + rng.gauss(0, 0.012), 6), round(c[1] + rng.gauss(0, 0.012), 6)]

    agency_hours = [[7 * H + 1800, 11 * H + 1800], [13 * H + 1800, 17 * H]]
    day_window = [[7 * H + 1800, 17 * H]]
    agencies = [rng.choice(centres) for _ in range(max(2, n_items // 60))]
    items = []
    for k in range(n_items):
        kind = rng.choices(["delivery", "pickup", "transfer", "return"], [65, 15, 10, 10])[0]
        booked = [[s, s + 2 * H] for s in [rng.choice(range(8 * H, 15 * H, 1800))]]
        h_win = booked if rng.random() < 1 / 3 else day_window
        if kind == "delivery":
            src, dst, sw, dw, ss, ds = po, home(), [[7 * H, 18 * H]], h_win, 0, 240
        elif kind == "pickup":
            src, dst, sw, dw, ss, ds = home(), rng.choice(centres), h_win, agency_hours, 240, 180
        elif kind == "transfer":
            src, dst, sw, dw, ss, ds = rng.choice(centres), rng.choice(agencies), agency_hours, agency_hours, 180, 300
        else:
            src, dst, sw, dw, ss, ds = rng.choice(agencies), rng.choice(centres), agency_hours, agency_hours, 300, 180
        items.append({
            "id": f"I{k:05d}", "kind": kind,
            "pickup": {"lat": src[0], "lon": src[1], "windows": sw, "service_s": ss},
            "delivery": {"lat": dst[0], "lon": dst[1], "windows": dw, "service_s": ds},
            "weight_g": rng.choice([150, 300, 500, 900, 1500]), "mandatory": rng.random() >= 0.2,
        })
    vehicles = [{
        "id": f"P{k:03d}", "start": po, "end": po, "shift": [7 * H + 1800, 17 * H + 1800],
        "break": {"windows": [[11 * H, 13 * H + 1800]], "duration_s": 2700},
        "capacity_items": 60, "capacity_g": 40_000, "speed_kmh": 28, "circuity": 1.35,
    } for k in range(n_postmen)]
    return {"name": f"{province}-{n_items}-{seed}", "province": province,
            "depot": {"lat": po[0], "lon": po[1]}, "vehicles": vehicles, "items": items}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=300)
    ap.add_argument("--postmen", type=int, default=15)
    ap.add_argument("--province", default="Hà Nội")
    ap.add_argument("--radius-km", type=float, default=12.0)
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--save", type=Path, help="write the generated day here")
    ap.add_argument("--proposer", choices=["pyvrp", "vroom"], help="SearchOptions.proposer")
    args = ap.parse_args(argv)
    day = generate(args.province, args.items, args.postmen, args.radius_km, args.seed)
    if args.save:
        args.save.write_text(json.dumps(day, ensure_ascii=False))
    t0 = time.monotonic()
    problem = day_to_problem(day)
    plan = solve(problem, time_limit_s=args.time_limit, options=SearchOptions(proposer=args.proposer))
    seconds = time.monotonic() - t0
    out = plan_to_day(plan, problem)
    errors, m = score_day_plan(day, out)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{day['name']} ({args.proposer or 'OR-Tools alone'}): {m['mandatory_served']}/{m['mandatory']} mandatory, {m['served']}/{m['items']} served, "
          f"{m['hours']:.1f} route h, {m['km']:.0f} km, {len(plan.used_routes)} routes, {seconds:.1f} s, "
          f"peak {peak_mb:.0f} MB, {len(errors)} scoring errors {errors[:3]}")
    reasons: dict[str, int] = {}
    for u in plan.unserved:
        reasons[u.reason.value] = reasons.get(u.reason.value, 0) + 1
    print("unserved by reason:", reasons)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
