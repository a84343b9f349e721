"""Compare search options of the product's planner on VRPTW instances.

    .venv/bin/python bench/routing_tune.py C101 R101 RC101 --time-limit 10 \
        --config PCI:first_solution=PARALLEL_CHEAPEST_INSERTION --config PCA:first_solution=PATH_CHEAPEST_ARC

Each config is NAME:key=value,key=value over ``SearchOptions`` fields. Prints
the gap to ``bks_dist_dimacs`` per instance and the mean per config. Every
solution is checked by ``logistics.routing.evaluate``; an infeasible one
counts as a failure, not as a number.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import sys
from pathlib import Path

from logistics.routing.solver import SearchOptions
from logistics.routing.vrplib import solve_vrplib

ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "vrptw"


def instance_path(name: str) -> Path:
    p = Path(name)
    if p.suffix == ".vrp" and p.exists():
        return p
    for sub in ("solomon", "homberger"):
        q = ROOT / sub / f"{name}.vrp"
        if q.exists():
            return q
    raise SystemExit(f"unknown instance {name}")


def bks() -> dict[str, float]:
    with open(ROOT / "bks.csv") as fh:
        return {r["instance"]: float(r["bks_dist_dimacs"]) for r in csv.DictReader(fh)}


def parse_config(text: str) -> tuple[str, SearchOptions]:
    name, _, body = text.partition(":")
    kwargs = {}
    fields = {f.name: f.type for f in dataclasses.fields(SearchOptions)}
    for part in filter(None, body.split(",")):
        k, v = part.split("=")
        t = fields[k]
        if t == "float":
            kwargs[k] = float(v)
        elif t == "int":
            kwargs[k] = int(v)
        elif t == "bool":
            kwargs[k] = v.lower() == "true"
        elif t.startswith("tuple"):
            kwargs[k] = tuple(filter(None, v.split("+")))
        else:
            kwargs[k] = v
    return name, SearchOptions(**kwargs)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("instances", nargs="+")
    ap.add_argument("--time-limit", type=float, default=10)
    ap.add_argument("--config", action="append", default=[])
    args = ap.parse_args(argv)
    configs = [parse_config(c) for c in args.config] or [("default", SearchOptions())]
    best = bks()
    gaps: dict[str, list[float]] = {name: [] for name, _ in configs}
    for inst in args.instances:
        path = instance_path(inst)
        row = [path.stem]
        for name, opts in configs:
            r = solve_vrplib(path, args.time_limit, options=opts)
            if not r["feasible"]:
                row.append(f"{name}=INFEASIBLE({r['violations'][:1]})")
                continue
            gap = 100 * (r["distance"] / best[path.stem] - 1)
            gaps[name].append(gap)
            row.append(f"{name}={r['distance']:.1f}/{r['vehicles']}v/{gap:.2f}%")
        print("  ".join(row), flush=True)
    for name, g in gaps.items():
        if g:
            print(f"{name}: mean gap {sum(g) / len(g):.2f}% over {len(g)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
