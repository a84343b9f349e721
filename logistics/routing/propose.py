"""A first solution proposed by PyVRP's hybrid genetic search, for OR-Tools to check and finish.

OR-Tools stays the constraint engine: the proposal is only a start for
``ReadAssignmentFromRoutes``, which rejects it if it breaks any constraint
of the full model, and the guided local search continues from it. PyVRP
proposes only for problems it models exactly (``supported``): one window per
stop, no breaks, every vehicle allowed at every stop. Problems with several
windows a stop, lunch breaks or per-stop vehicle restrictions (skills, pins,
items already on board) are planned by OR-Tools alone.

PyVRP is optional: without it (or for such problems) ``propose`` returns None.
"""

from __future__ import annotations

from logistics.routing.construction import repair
from logistics.routing.nodes import Nodes
from logistics.routing.plan import Action


def supported(nodes: Nodes) -> bool:
    """Whether PyVRP's model is the problem's own: every vehicle may serve every stop, each
    stop has one window, and no vehicle takes a break.

    A relaxation's proposal (hull windows, the break as a shorter shift) was measured
    rejected by the full model on a generated 300-item postal day, after the proposer had
    used its share of the time: the plan then served nothing. So PyVRP proposes only where
    its routes are feasible as they come, and OR-Tools alone plans the rest.
    """
    all_vehicles = tuple(range(len(nodes.problem.vehicles)))
    return (bool(nodes.nodes) and all(n.vehicles == all_vehicles and len(n.windows) == 1 for n in nodes.nodes)
            and all(v.break_ is None for v in nodes.problem.vehicles))


def propose(nodes: Nodes, time_limit_s: float, seed: int = 0) -> list[list[int]] | None:
    """Node sequences per vehicle, or None when PyVRP is absent or cannot model the problem."""
    try:
        import numpy as np
        import pyvrp
        from pyvrp.stop import MaxRuntime
    except ImportError:
        return None
    if not supported(nodes):
        return None
    problem = nodes.problem
    obj = problem.objective
    keys = sorted({v.matrix_key for v in problem.vehicles})
    profile = {k: i for i, k in enumerate(keys)}
    depot_locs = sorted({v.start_location for v in problem.vehicles} | {v.end for v in problem.vehicles})
    depot_of = {loc: i for i, loc in enumerate(depot_locs)}
    locations = [pyvrp.Location(x=loc.lon or 0.0, y=loc.lat or 0.0) for loc in problem.locations]
    depots = [pyvrp.Depot(location=loc) for loc in depot_locs]

    def hull(windows):
        return min(a for a, _ in windows), max(b for _, b in windows)

    clients, client_node = [], []
    shipments, shipment_nodes = [], []
    for i, n in enumerate(nodes.nodes):
        if n.partner is None:
            lo, hi = hull(n.windows)
            clients.append(pyvrp.Client(
                location=n.location, delivery=[-n.items, -n.grams], service_duration=n.service_s,
                tw_early=lo, tw_late=hi, prize=0 if n.mandatory else max(0, n.penalty), required=n.mandatory))
            client_node.append(i)
        elif n.action == Action.PICKUP:
            d = nodes.nodes[n.partner]
            (plo, phi), (dlo, dhi) = hull(n.windows), hull(d.windows)
            shipments.append(pyvrp.Shipment(
                pickup_location=n.location, delivery_location=d.location, pickup_tw_early=plo,
                pickup_tw_late=phi, pickup_service_duration=n.service_s, delivery_tw_early=dlo,
                delivery_tw_late=dhi, delivery_service_duration=d.service_s, amount=[n.items, n.grams],
                prize=0 if n.mandatory else 2 * max(0, n.penalty), required=n.mandatory))
            shipment_nodes.append((i, n.partner))
    types, pools = [], []
    by_type: dict[tuple, list[int]] = {}
    for v, veh in enumerate(problem.vehicles):
        brk = veh.break_.duration_s if veh.break_ else 0
        key = (veh.start_location, veh.end, veh.start_time, veh.shift[1], veh.capacity_items - veh.current_load_items,
               veh.capacity_g - veh.current_load_g, veh.fixed_cost, veh.matrix_key, brk)
        by_type.setdefault(key, []).append(v)
    for (start, end, t0, t1, cap_i, cap_g, fixed, mkey, brk), members in by_type.items():
        types.append(pyvrp.VehicleType(
            num_available=len(members), capacity=[cap_i, cap_g], start_depot=depot_of[start],
            end_depot=depot_of[end], fixed_cost=fixed, tw_early=t0, tw_late=t1,
            shift_duration=max(0, t1 - t0 - brk), unit_distance_cost=obj.per_metre,
            unit_duration_cost=obj.per_second, profile=profile[mkey]))
        pools.append(list(members))
    data = pyvrp.ProblemData(
        locations=locations, clients=clients, depots=depots, vehicle_types=types,
        distance_matrices=[np.asarray(nodes.matrices[k].distance_m, dtype=np.int64) for k in keys],
        duration_matrices=[np.asarray(nodes.matrices[k].duration_s, dtype=np.int64) for k in keys],
        shipments=shipments,
    )
    result = pyvrp.solve(data, stop=MaxRuntime(max(0.05, time_limit_s)), seed=seed, display=False,
                         collect_stats=False)
    routes: list[list[int]] = [[] for _ in problem.vehicles]
    for route in result.best.routes():
        v = pools[route.vehicle_type()].pop(0)
        seq = []
        for act in route:
            if act.is_client():
                seq.append(client_node[act.idx])
            elif act.is_shipment():
                seq.append(shipment_nodes[act.idx][0 if act.is_pickup() else 1])
        routes[v] = repair(nodes, v, seq)
    return routes
