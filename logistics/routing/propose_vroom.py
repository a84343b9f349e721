"""A first solution proposed by VROOM (pyvroom), for OR-Tools to check and finish.

Unlike PyVRP, VROOM models every constraint of a postal day: shipments
(pickup → delivery pairs), several windows per stop, a break with several
windows, skills, capacities in items and grams. So its routes are a start
OR-Tools can read as they are; ``ReadAssignmentFromRoutes`` still rejects
them if any constraint of the full model disagrees, and the guided local
search continues from the accepted start.

Mapping: job and shipment-step ids are node index + 1; the vehicle id is its
index; a node's eligible-vehicle set becomes one VROOM skill held by exactly
those vehicles; mandatory items get priority 100, optional ones a priority
scaled from their penalty. Costs are the objective's arc costs.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from logistics.routing.nodes import Nodes
from logistics.routing.plan import Action


def vroom_solution(nodes: Nodes, time_limit_s: float, *, exploration_level: int = 5,
                   threads: int = 2) -> dict | None:
    """VROOM's solution (its JSON shape: ``routes`` of ``steps``, ``unassigned``) on the full model,
    or None when pyvroom is not installed. Job and step ids are node index + 1."""
    try:
        import vroom
    except ImportError:
        return None
    problem = nodes.problem
    obj = problem.objective
    n_vehicles = len(problem.vehicles)
    all_vehicles = tuple(range(n_vehicles))
    skill_of: dict[tuple[int, ...], int] = {}
    for node in nodes.nodes:
        if node.vehicles != all_vehicles and node.vehicles not in skill_of:
            skill_of[node.vehicles] = len(skill_of) + 1
    vehicle_skills = {v: {s for vs, s in skill_of.items() if v in vs} for v in all_vehicles}

    inp = vroom.Input()
    keys = sorted({v.matrix_key for v in problem.vehicles})
    for k, key in enumerate(keys):
        m = nodes.matrices[key]
        inp.set_durations_matrix(profile=f"p{k}", matrix_input=np.asarray(m.duration_s, dtype=np.int64).tolist())
        costs = obj.per_metre * np.asarray(m.distance_m) + obj.per_second * np.asarray(m.duration_s)
        inp.set_costs_matrix(profile=f"p{k}", matrix_input=costs.astype(np.int64).tolist())
    max_penalty = max([n.penalty for n in nodes.nodes if not n.mandatory] or [1]) or 1

    def tws(windows):
        return [vroom.TimeWindow(a, b) for a, b in windows]

    def priority(node) -> int:
        return 100 if node.mandatory else max(0, min(99, int(99 * node.penalty / max_penalty)))

    def skills(node) -> set[int] | None:
        return {skill_of[node.vehicles]} if node.vehicles in skill_of else None

    for v, veh in enumerate(problem.vehicles):
        breaks = []
        if veh.break_ is not None:
            breaks = [vroom.Break(1, time_windows=tws(veh.break_.windows), service=veh.break_.duration_s)]
        inp.add_vehicle(vroom.Vehicle(
            v, start=veh.start_location, end=veh.end, profile=f"p{keys.index(veh.matrix_key)}",
            capacity=[max(0, veh.capacity_items - veh.current_load_items), max(0, veh.capacity_g - veh.current_load_g)],
            skills=vehicle_skills[v] or None, time_window=vroom.TimeWindow(veh.start_time, veh.shift[1]),
            breaks=breaks, costs=vroom.VehicleCosts(fixed=veh.fixed_cost),
        ))
    for i, node in enumerate(nodes.nodes):
        if node.partner is None:
            inp.add_job(vroom.Job(
                i + 1, location=node.location, default_service=node.service_s,
                delivery=[-node.items, -node.grams], skills=skills(node), priority=priority(node),
                time_windows=tws(node.windows)))
        elif node.action == Action.PICKUP:
            d = nodes.nodes[node.partner]
            inp.add_shipment(
                vroom.ShipmentStep(i + 1, location=node.location, default_service=node.service_s,
                                   time_windows=tws(node.windows)),
                vroom.ShipmentStep(node.partner + 1, location=d.location, default_service=d.service_s,
                                   time_windows=tws(d.windows)),
                amount=vroom.Amount([node.items, node.grams]), skills=skills(node), priority=priority(node))
    solution = inp.solve(exploration_level=exploration_level, nb_threads=threads,
                         timeout=timedelta(seconds=max(0.1, time_limit_s)))
    return solution.to_dict()


def propose_vroom(nodes: Nodes, time_limit_s: float, *, exploration_level: int = 5,
                  threads: int = 2, times: dict[int, int] | None = None) -> list[list[int]] | None:
    """Node sequences per vehicle from VROOM, or None when pyvroom is not installed.

    ``times``, when given, receives each planned node's service start (for choosing its window).
    """
    solution = vroom_solution(nodes, time_limit_s, exploration_level=exploration_level, threads=threads)
    if solution is None:
        return None
    problem = nodes.problem
    routes: list[list[int]] = [[] for _ in problem.vehicles]
    for route in solution.get("routes", []):
        steps = [step for step in route["steps"] if step["type"] in ("job", "pickup", "delivery")]
        routes[int(route["vehicle"])] = [int(step["id"]) - 1 for step in steps]
        if times is not None:
            for step in steps:
                times[int(step["id"]) - 1] = int(step.get("arrival", 0)) + int(step.get("waiting_time", 0))
    return routes
