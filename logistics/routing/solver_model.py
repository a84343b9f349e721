"""Build the OR-Tools routing model from the solver's nodes.

Dimensions: ``time`` (service + travel, per-vehicle matrices, several windows
per node as one range with the gaps removed, the break as an interval whose
start domain is the union of its windows), ``items`` and ``grams`` (loads),
and ``rank`` only when pinned stops must keep their order.

Loads: a pickup adds, a delivery removes; the start load is free in
[0, capacity − load already on board], so delivery-only items (loaded at the
start) need no pickup node: the start load the solver picks is their sum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp

from logistics.routing.nodes import Nodes

# Dropping a mandatory job must always cost more than any route can save:
# 10^9 is above 1,000 stops × a day's seconds or a VRPTW's ×10 distances,
# and 1,000 such penalties still fit in int64 with room to spare.
MANDATORY_PENALTY = 10**9


@dataclass
class Model:
    nodes: Nodes
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time: pywrapcp.RoutingDimension
    items: pywrapcp.RoutingDimension | None  # None when no load could ever bind
    grams: pywrapcp.RoutingDimension | None
    breaks: dict[int, pywrapcp.IntervalVar]
    travel_by_key: dict[str, np.ndarray]
    dist_by_key: dict[str, np.ndarray]


def build_model(nodes: Nodes, order_pins: list[list[int]] | None = None, price_waiting: bool = True) -> Model:
    """The model; ``price_waiting=False`` leaves waiting out of the cost even when the objective prices it.

    Priced waiting is a slack cost, so every move of the search schedules the routes it
    touches (with breaks, a mixed-integer schedule): the search then runs on travel
    alone and a last phase prices waiting (``solver._price_waiting``).
    """
    problem = nodes.problem
    vehicles = problem.vehicles
    n_vehicles = len(vehicles)
    n_nodes = nodes.n_jobs_nodes + 2 * n_vehicles
    starts = [nodes.start_node(v) for v in range(n_vehicles)]
    ends = [nodes.end_node(v) for v in range(n_vehicles)]
    manager = pywrapcp.RoutingIndexManager(n_nodes, n_vehicles, starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()

    loc = nodes.location_of_nodes()
    service = nodes.service_of_nodes()
    # Matrices are indexed by node (RegisterTransitMatrix is node-based and evaluated in C++).
    travel_by_key: dict[str, np.ndarray] = {}
    dist_by_key: dict[str, np.ndarray] = {}
    time_cb: dict[str, int] = {}
    cost_cb: dict[str, int] = {}
    obj = problem.objective
    for key, m in nodes.matrices.items():
        travel = m.duration_s[np.ix_(loc, loc)]
        dist = m.distance_m[np.ix_(loc, loc)]
        travel_by_key[key], dist_by_key[key] = travel, dist
        time_cb[key] = routing.RegisterTransitMatrix((travel + service[:, None]).tolist())
        cost = obj.per_metre * dist + obj.per_second * travel
        cost_cb[key] = routing.RegisterTransitMatrix(cost.tolist())
    for v, veh in enumerate(vehicles):
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[veh.matrix_key], v)
        if veh.fixed_cost:
            routing.SetFixedCostOfVehicle(veh.fixed_cost, v)

    horizon = max(v.shift[1] for v in vehicles)
    routing.AddDimensionWithVehicleTransits(
        [time_cb[v.matrix_key] for v in vehicles], horizon, horizon, False, "time"
    )
    time = routing.GetDimensionOrDie("time")
    if obj.per_second and obj.waiting and price_waiting:
        # Waiting costs like driving: travel + waiting is the route's hours less its service.
        time.SetSlackCostCoefficientForAllVehicles(obj.per_second)

    items = _load_dimension(routing, nodes, "items", [n.items for n in nodes.nodes],
                            [max(0, v.capacity_items - v.current_load_items) for v in vehicles])
    grams = _load_dimension(routing, nodes, "grams", [n.grams for n in nodes.nodes],
                            [max(0, v.capacity_g - v.current_load_g) for v in vehicles])

    all_vehicles = tuple(range(n_vehicles))
    for i, node in enumerate(nodes.nodes):
        index = manager.NodeToIndex(i)
        cumul = time.CumulVar(index)
        windows = sorted(node.windows)
        cumul.SetRange(windows[0][0], min(windows[-1][1], horizon))
        for (_, close), (nxt, _) in zip(windows, windows[1:]):
            if nxt > close + 1:
                cumul.RemoveInterval(close + 1, nxt - 1)
        if node.vehicles != all_vehicles:
            # SetAllowedVehiclesForIndex takes an absl::Span the 9.15 wrapper cannot build from a list.
            routing.VehicleVar(index).SetValues([-1, *node.vehicles])
        penalty = MANDATORY_PENALTY if node.mandatory else max(0, node.penalty)
        routing.AddDisjunction([index], penalty)
        if node.partner is not None and node.partner > i:
            d_index = manager.NodeToIndex(node.partner)
            # As the OR-Tools samples do: AddPickupAndDelivery guides the search, the two
            # constraints enforce it (without them 93 of 100 pairs were split on a 300-stop day).
            routing.AddPickupAndDelivery(index, d_index)
            solver.Add(routing.VehicleVar(index) == routing.VehicleVar(d_index))
            solver.Add(time.CumulVar(index) <= time.CumulVar(d_index))

    for v, veh in enumerate(vehicles):
        time.CumulVar(routing.Start(v)).SetRange(veh.start_time, veh.shift[1])
        time.CumulVar(routing.End(v)).SetRange(veh.start_time, veh.shift[1])
        routing.AddVariableMaximizedByFinalizer(time.CumulVar(routing.Start(v)))
        routing.AddVariableMinimizedByFinalizer(time.CumulVar(routing.End(v)))

    breaks: dict[int, pywrapcp.IntervalVar] = {}
    visit_transits = [int(service[manager.IndexToNode(i)]) for i in range(routing.Size())]
    visit_transits += [0] * (routing.Size() + n_vehicles - len(visit_transits))
    for v, veh in enumerate(vehicles):
        if veh.break_ is None:
            continue
        windows = sorted(w for w in veh.break_.windows)
        start = solver.IntVar(windows[0][0], windows[-1][1], f"break_start_{veh.id}")
        for (_, close), (nxt, _) in zip(windows, windows[1:]):
            if nxt > close + 1:
                start.RemoveInterval(close + 1, nxt - 1)
        interval = solver.FixedDurationIntervalVar(start, veh.break_.duration_s, f"break_{veh.id}")
        time.SetBreakIntervalsOfVehicle([interval], v, visit_transits)
        breaks[v] = interval

    if order_pins:
        rank_cb = routing.RegisterUnaryTransitVector([1] * n_nodes)
        routing.AddDimension(rank_cb, 0, n_nodes + 1, True, "rank")
        rank = routing.GetDimensionOrDie("rank")
        for seq in order_pins:
            for a, b in zip(seq, seq[1:]):
                solver.Add(
                    rank.CumulVar(manager.NodeToIndex(a)) < rank.CumulVar(manager.NodeToIndex(b))
                )
    return Model(nodes, manager, routing, time, items, grams, breaks, travel_by_key, dist_by_key)


def _load_dimension(routing, nodes: Nodes, name: str, demand: list[int], capacities: list[int]):
    """A load dimension, or None when even all the items together fit every vehicle.

    Skipping a non-binding dimension (VRPLIB instances have no item limit)
    saves its propagation in every move of the search.
    """
    if sum(abs(d) for d in demand) <= min(capacities, default=0):
        return None
    cb = routing.RegisterUnaryTransitVector(demand + [0] * (2 * len(capacities)))
    routing.AddDimensionWithVehicleCapacity(cb, 0, capacities, False, name)
    return routing.GetDimensionOrDie(name)
