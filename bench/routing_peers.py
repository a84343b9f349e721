"""The product's planner against PyVRP and VROOM on VRPTW instances (DIMACS convention).

    .venv/bin/python bench/routing_peers.py solomon --time-limit 10 --out bench/routing_peers.md
    .venv/bin/python bench/routing_peers.py C101 R101 RC101 --time-limit 10 \
        --solvers product,product+pyvrp,pyvrp,vroom

``product`` is ``solve_vrplib`` with its default options (OR-Tools alone);
``product+pyvrp`` / ``product+vroom`` the same planner with PyVRP or VROOM
proposing the first solution (``SearchOptions(proposer=...)``, up to 80 % of
the time) and OR-Tools checking it against the full model and finishing it.

One process, one solver at a time, each given the same time limit and at
most 2 threads (PyVRP and the product use one; VROOM two). Every solution is
re-checked by ``logistics.routing.evaluate.evaluate_vrptw``; an infeasible one
is shown as such and left out of the means. Gaps are to ``bks_dist_dimacs``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

from logistics.routing.evaluate import dimacs_matrix, evaluate_vrptw, service_times
from logistics.routing.vrplib import read_instance, solve_vrplib

ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "vrptw"


def instance_paths(args: list[str]) -> list[Path]:
    out: list[Path] = []
    for a in args:
        if a in ("solomon", "homberger"):
            out += sorted((ROOT / a).glob("*.vrp"))
        elif Path(a).suffix == ".vrp":
            out.append(Path(a))
        else:
            hits = [p for sub in ("solomon", "homberger") for p in [ROOT / sub / f"{a}.vrp"] if p.exists()]
            if not hits:
                raise SystemExit(f"unknown instance {a}")
            out += hits
    return out


def load_bks() -> dict[str, float]:
    with open(ROOT / "bks.csv") as fh:
        return {r["instance"]: float(r["bks_dist_dimacs"]) for r in csv.DictReader(fh)}


def run_product(path: Path, limit: float) -> tuple[list[list[int]], float]:
    r = solve_vrplib(path, limit)
    return r["routes"], r["seconds"]


def run_product_pyvrp(path: Path, limit: float) -> tuple[list[list[int]], float]:
    from logistics.routing.solver import SearchOptions

    r = solve_vrplib(path, limit, options=SearchOptions(proposer="pyvrp"))
    return r["routes"], r["seconds"]


def run_product_vroom(path: Path, limit: float) -> tuple[list[list[int]], float]:
    from logistics.routing.solver import SearchOptions

    r = solve_vrplib(path, limit, options=SearchOptions(proposer="vroom"))
    return r["routes"], r["seconds"]


def run_pyvrp(path: Path, limit: float) -> tuple[list[list[int]], float]:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    t0 = time.monotonic()
    data = pyvrp.read(str(path), round_func="dimacs")
    result = pyvrp.solve(data, stop=MaxRuntime(limit), seed=0, display=False)
    # pyvrp 0.14 routes are scheduled activities; clients are numbered after the depots.
    routes = [[a.idx + data.num_depots for a in r if a.is_client()] for r in result.best.routes()]
    return routes, time.monotonic() - t0


def run_vroom(path: Path, limit: float) -> tuple[list[list[int]], float]:
    import vroom

    t0 = time.monotonic()
    inst = read_instance(path)
    n = inst["dimension"]
    d10 = dimacs_matrix(inst["node_coord"])
    tw10 = np.rint(np.asarray(inst["time_window"], dtype=float) * 10).astype(int)
    s10 = np.rint(service_times(inst) * 10).astype(int)
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=d10.tolist())
    for k in range(int(inst.get("vehicles") or n - 1)):
        problem.add_vehicle(vroom.Vehicle(k, start=0, end=0, capacity=[int(inst["capacity"])],
                                          time_window=vroom.TimeWindow(int(tw10[0, 0]), int(tw10[0, 1]))))
    for c in range(1, n):
        problem.add_job(vroom.Job(c, location=c, default_service=int(s10[c]),
                                  delivery=[int(inst["demand"][c])],
                                  time_windows=[vroom.TimeWindow(int(tw10[c, 0]), int(tw10[c, 1]))]))
    sol = problem.solve(exploration_level=5, nb_threads=2, timeout=timedelta(seconds=limit))
    routes = [[int(s["id"]) for s in r["steps"] if s["type"] == "job"] for r in sol.to_dict()["routes"]]
    return routes, time.monotonic() - t0


SOLVERS = {
    "product": run_product,
    "product+pyvrp": run_product_pyvrp,
    "product+vroom": run_product_vroom,
    "pyvrp": run_pyvrp,
    "vroom": run_vroom,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("instances", nargs="+", help="paths, names (C101) or a set: solomon, homberger")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--solvers", default="product,pyvrp,vroom")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    names = args.solvers.split(",")
    bks = load_bks()
    gaps: dict[str, list[float]] = {s: [] for s in names}
    lines = [
        f"VRPTW, DIMACS convention, {args.time_limit:g} s per solver and instance, "
        f"{dt.date.today().isoformat()}; distance / vehicles / gap to BKS (seconds).",
        "",
        "| instance | BKS | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    print("\n".join(lines), flush=True)
    for path in instance_paths(args.instances):
        inst = read_instance(path)
        best = bks.get(path.stem)
        cells = []
        for s in names:
            routes, seconds = SOLVERS[s](path, args.time_limit)
            ev = evaluate_vrptw(inst, routes)
            if not ev.feasible:
                cells.append(f"infeasible: {ev.violations[0]} ({seconds:.1f})")
                continue
            gap = 100 * (ev.distance / best - 1) if best else float("nan")
            gaps[s].append(gap)
            cells.append(f"{ev.distance:.1f} / {ev.vehicles} / {gap:.2f} % ({seconds:.1f})")
        line = f"| {path.stem} | {best} | " + " | ".join(cells) + " |"
        lines.append(line)
        print(line, flush=True)
    means = {s: sum(g) / len(g) for s, g in gaps.items() if g}
    lines.append("| **mean gap** | | " + " | ".join(
        f"**{means[s]:.2f} %** (n={len(gaps[s])})" if s in means else "–" for s in names) + " |")
    if "product" in means:
        for s in names:
            if s != "product" and s in means:
                ratio = f"{means['product'] / means[s]:.2f}" if means[s] > 0 else "undefined (peer at 0 %)"
                lines.append(f"\nRatio of the product's mean gap to {s}'s: {ratio} "
                             f"({means['product'] - means[s]:+.2f} points)")
    print("\n".join(lines[-1 - sum(1 for s in names if s != "product" and s in means):]), flush=True)
    if args.out:
        args.out.write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
