"""VRPTW instances in VRPLIB format, planned by the product's own ``solve()``.

An instance becomes the same ``Problem`` a postal day becomes: clients are
delivery-only jobs loaded at the depot, demand in the weight dimension,
one window each, the fleet is the instance's vehicles. Under the DIMACS
convention distances and travel times are Euclidean truncated to one
decimal, so everything is scaled by 10 into exact integers, and the
objective is distance only (no fixed cost per vehicle).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from logistics.routing.evaluate import dimacs_matrix, evaluate_vrptw, service_times
from logistics.routing.plan import Action, Plan
from logistics.routing.problem import Job, Location, Objective, Problem, TravelMatrix, Vehicle, Visit

PROFILE = "dimacs"


class InstanceError(ValueError):
    """A VRPLIB file that cannot be read as a VRPTW instance."""


def read_instance(path: str | Path) -> dict:
    import vrplib as _vrplib  # third-party reader; imported here so the solver never needs it

    path = Path(path)
    if not path.is_file():
        raise InstanceError(f"{path}: no such file")
    try:
        instance = _vrplib.read_instance(str(path))
    except Exception as exc:  # the reader raises many types on malformed text
        raise InstanceError(f"{path}: not a VRPLIB instance ({exc})") from exc
    for key in ("node_coord", "demand", "time_window", "capacity"):
        if key not in instance:
            raise InstanceError(f"{path}: missing {key.upper()} section")
    return instance


def instance_to_problem(instance: dict) -> Problem:
    n = int(instance["dimension"])
    d10 = dimacs_matrix(instance["node_coord"])
    tw10 = np.rint(np.asarray(instance["time_window"], dtype=float) * 10).astype(np.int64)
    s10 = np.rint(service_times(instance) * 10).astype(np.int64)
    demand = np.asarray(instance["demand"], dtype=np.int64)
    fleet = int(instance.get("vehicles") or n - 1)
    capacity = int(instance["capacity"])
    depot_window = (int(tw10[0, 0]), int(tw10[0, 1]))
    vehicles = tuple(
        Vehicle(id=f"V{k}", start=0, end=0, shift=depot_window, capacity_items=n,
                capacity_g=capacity, profile=PROFILE)
        for k in range(fleet)
    )
    jobs = tuple(
        Job(id=str(c), delivery=Visit(c, ((int(tw10[c, 0]), int(tw10[c, 1])),), int(s10[c])),
            weight_g=int(demand[c]))
        for c in range(1, n)
    )
    return Problem(
        name=str(instance.get("name", "vrptw")),
        locations=tuple(Location(str(i)) for i in range(n)),
        vehicles=vehicles,
        jobs=jobs,
        objective=Objective(per_metre=1, per_second=0),
        consolidation=None,
        matrices={PROFILE: TravelMatrix(distance_m=d10, duration_s=d10)},
    )


def plan_to_client_routes(plan: Plan) -> list[list[int]]:
    return [
        [int(j) for s in r.stops if s.action == Action.DELIVERY for j in s.job_ids]
        for r in plan.routes
        if any(s.action == Action.DELIVERY for s in r.stops)
    ]


def solve_vrplib(path: str | Path, time_limit_s: float, **solve_kwargs) -> dict:
    """Solve one VRPTW instance; ``{"routes", "distance", "vehicles", "seconds", "feasible"}``.

    Clients are numbered as in the ``.sol`` files (0-based, depot 0);
    ``distance`` is recomputed by the independent evaluator.
    """
    from logistics.routing.solver import solve

    t0 = time.monotonic()
    instance = read_instance(path)
    problem = instance_to_problem(instance)
    plan = solve(problem, time_limit_s=max(0.1, time_limit_s - (time.monotonic() - t0)), **solve_kwargs)
    routes = plan_to_client_routes(plan)
    seconds = time.monotonic() - t0
    ev = evaluate_vrptw(instance, routes)
    return {
        "routes": routes,
        "distance": ev.distance,
        "vehicles": ev.vehicles,
        "seconds": round(seconds, 3),
        "feasible": ev.feasible,
        "violations": ev.violations,
    }
