"""Generated postal days planned by two builds of the planner, interleaved: route hours day by day.

    PYTHONPATH=. .venv/bin/python bench/day_sweep.py --other /work/wt/base
    PYTHONPATH=. .venv/bin/python bench/day_sweep.py --seeds 1 2 --provinces "Hà Nội" --time-limit 20

One planner run on 20 s varies by a few per cent with the machine's load, and a change
to the planner helps some days and hurts others, so a change is judged on many days:
each province × seed is a day of ``bench/routing_days.py`` (the same generator and
scorer), planned by this checkout and, with ``--other``, by another checkout (a git
worktree of an older commit), one after the other so both see the same load. Prints
a row a day, the mean route hours of each build, their ratio and on how many days
this build is better.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"(\d+)/(\d+) mandatory, .* ([\d.]+) route h, (\d+) km, (\d+) routes, ([\d.]+) s, .* (\d+) scoring errors")


def plan_day(tree: Path, province: str, seed: int, args) -> dict:
    """One day planned by the checkout at ``tree`` (its own code, in a child process)."""
    command = [sys.executable, str(tree / "bench" / "routing_days.py"), "--province", province, "--seed", str(seed),
               "--items", str(args.items), "--postmen", str(args.postmen), "--time-limit", str(args.time_limit)]
    out = subprocess.run(command, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
                         capture_output=True, text=True, timeout=10 * args.time_limit + 120)
    m = LINE.search(out.stdout)
    if m is None:
        raise SystemExit(f"{tree}: no result for {province} seed {seed}:\n{out.stdout[-800:]}\n{out.stderr[-800:]}")
    served, mandatory, hours, km, routes, seconds, errors = m.groups()
    return {"mandatory": f"{served}/{mandatory}", "hours": float(hours), "km": int(km), "routes": int(routes),
            "seconds": float(seconds), "errors": int(errors)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--provinces", nargs="+", default=["Hà Nội", "Hà Tĩnh", "Nghệ An"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3, 4])
    ap.add_argument("--items", type=int, default=300)
    ap.add_argument("--postmen", type=int, default=15)
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument("--other", type=Path, help="another checkout to compare with (e.g. a git worktree)")
    args = ap.parse_args(argv)
    builds = {"this": ROOT} | ({"other": args.other.resolve()} if args.other else {})
    print("| day | build | mandatory | route hours | km | routes | seconds | scoring errors |")
    print("|---|---|---|---|---|---|---|---|")
    hours: dict[str, list[float]] = {name: [] for name in builds}
    errors = 0
    for seed in args.seeds:
        for province in args.provinces:
            for name, tree in builds.items():
                r = plan_day(tree, province, seed, args)
                hours[name].append(r["hours"])
                errors += r["errors"]
                print(f"| {province} {args.items}/{args.postmen} seed {seed} | {name} | {r['mandatory']} | "
                      f"{r['hours']:.1f} | {r['km']} | {r['routes']} | {r['seconds']:.1f} | {r['errors']} |", flush=True)
    means = {name: sum(xs) / len(xs) for name, xs in hours.items()}
    print("\nmean route hours: " + ", ".join(f"{name} {mean:.2f}" for name, mean in means.items()))
    if "other" in means:
        better = sum(a < b for a, b in zip(hours["this"], hours["other"]))
        print(f"this/other: {means['this'] / means['other']:.3f}; this build better on {better} of {len(hours['this'])} days")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
