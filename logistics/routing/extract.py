"""Between OR-Tools assignments and ``Plan``s: read a solution, seed a warm start.

Also the reasons for jobs the optimiser dropped, established by a capacity
check on the plan it returned: ``capacity`` when no eligible vehicle has room
for the item anywhere on its route, ``not_enough_time`` otherwise (capacity
would allow it, so windows, shifts and the break, or the time limit, kept it
out).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from logistics.routing.nodes import Node, Nodes
from logistics.routing.plan import Action, Plan, PlannedStop, Reason, Route, Unserved

if TYPE_CHECKING:
    from logistics.routing.solver_model import Model


def _value(solution, var) -> int:
    return solution.Value(var) if solution.Bound(var) else solution.Min(var)


def route_sequences(model: Model, solution) -> list[list[int]]:
    routing, manager = model.routing, model.manager
    out = []
    for v in range(routing.vehicles()):
        seq, index = [], solution.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            seq.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        out.append(seq)
    return out


def extract_plan(
    model: Model | None, nodes: Nodes, solution, excluded: list[Unserved], seconds: float
) -> Plan:
    problem = nodes.problem
    if model is None or solution is None:
        status = "no_jobs" if model is None else "no_solution"
        unserved = list(excluded)
        for node in nodes.nodes:
            if node.action == Action.DELIVERY:
                unserved += [Unserved(j, Reason.NOT_ENOUGH_TIME, node.mandatory) for j in node.job_ids]
        empty = tuple(
            Route(v.id, (), v.start_time, v.start_time, 0, 0) for v in problem.vehicles
        )
        return Plan(empty, tuple(unserved), 0, seconds, status if any(u.mandatory for u in unserved) else "ok")

    routing, manager, time = model.routing, model.manager, model.time
    sequences = route_sequences(model, solution)
    routes = []
    for v, seq in enumerate(sequences):
        veh = problem.vehicles[v]
        travel = model.travel_by_key[veh.matrix_key]
        dist = model.dist_by_key[veh.matrix_key]
        brk = None
        if v in model.breaks and solution.PerformedValue(model.breaks[v]):
            b_start = _break_at_a_stop(model, solution, v, seq, solution.StartValue(model.breaks[v]))
            brk = (b_start, b_start + veh.break_.duration_s)
        stops: list[PlannedStop] = []
        prev, prev_end = nodes.start_node(v), None
        # Loads are rebuilt from the route (dimensions may be skipped when they cannot bind):
        # the start carries every delivery-only item of the route.
        load_i = veh.current_load_items - sum(nodes.nodes[n].items for n in seq if nodes.nodes[n].partner is None)
        load_g = veh.current_load_g - sum(nodes.nodes[n].grams for n in seq if nodes.nodes[n].partner is None)
        distance = 0
        for n in seq:
            index = manager.NodeToIndex(n)
            start = _value(solution, time.CumulVar(index))
            node = nodes.nodes[n]
            t = int(travel[prev, n])
            arrival = (prev_end if prev_end is not None else start - t) + t
            if brk and prev_end is not None and prev_end <= brk[0] and brk[1] <= start and brk[0] < prev_end + t:
                arrival = brk[1] + t  # the break at the previous stop, then the drive
            stops.append(
                PlannedStop(
                    node.action, node.job_ids, node.location, arrival, start, start + node.service_s,
                    load_i + node.items,
                    load_g + node.grams,
                )
            )
            distance += int(dist[prev, n])
            load_i, load_g = load_i + node.items, load_g + node.grams
            prev, prev_end = n, start + node.service_s
        end = nodes.end_node(v)
        if stops:
            distance += int(dist[prev, end])
            t_first, t_home = int(travel[nodes.start_node(v), seq[0]]), int(travel[prev, end])
            depart = stops[0].start_s - t_first
            if brk and depart < brk[1] <= stops[0].start_s:
                depart = brk[0] - t_first  # drove out, then the break on arrival at the first stop
            back = stops[-1].end_s + t_home
            if brk and stops[-1].end_s <= brk[0] < back:
                back = brk[1] + t_home  # the break at the last stop, then home
            duration = back - depart
        else:
            depart = back = _value(solution, time.CumulVar(routing.Start(v)))
            duration = 0
        if brk:
            b = PlannedStop(Action.BREAK, (), None, brk[0], brk[0], brk[1])
            pos = sum(1 for s in stops if s.start_s < brk[0])
            stops.insert(pos, b)
        routes.append(Route(veh.id, tuple(stops), depart, back, distance, duration))

    unserved = list(excluded)
    for n, node in enumerate(nodes.nodes):
        index = manager.NodeToIndex(n)
        if solution.Value(routing.NextVar(index)) != index or node.action == Action.PICKUP:
            continue
        reason = dropped_reason(node, nodes, sequences)
        unserved += [Unserved(j, reason, node.mandatory) for j in node.job_ids]
    cost = solution.ObjectiveValue()
    status = "mandatory_unserved" if any(u.mandatory for u in unserved) else "ok"
    return Plan(tuple(routes), tuple(unserved), cost, seconds, status)


def _break_at_a_stop(model: Model, solution, v: int, seq: list[int], b: int) -> int:
    """Move a break OR-Tools placed mid-travel to the stop before or after it.

    OR-Tools only guarantees that travel and break both fit between two
    services; a postman takes the break at a stop (the previous one before
    driving on, or the next one while waiting), so the break moves to the
    nearest such start that stays inside a break window.
    """
    nodes, problem = model.nodes, model.nodes.problem
    veh = problem.vehicles[v]
    dur = veh.break_.duration_s
    travel = model.travel_by_key[veh.matrix_key]
    routing, manager, time = model.routing, model.manager, model.time
    path = [nodes.start_node(v), *seq, nodes.end_node(v)]
    indices = [routing.Start(v), *(manager.NodeToIndex(n) for n in seq), routing.End(v)]
    times = [_value(solution, time.CumulVar(i)) for i in indices]
    service = [0, *(nodes.nodes[n].service_s for n in seq), 0]
    for k in range(len(path) - 1):
        prev_end, nxt = times[k] + service[k], times[k + 1]
        if not prev_end <= b <= nxt - dur:
            continue
        t = int(travel[path[k], path[k + 1]])
        spans = [(prev_end, nxt - t - dur), (prev_end + t, nxt - dur)]
        if k == 0:
            spans = spans[:1] + [(lo, hi) for lo, hi in spans[1:] if spans[0][0] > spans[0][1]]
        if any(lo <= b <= hi for lo, hi in spans):
            return b
        options = [
            min(max(b, max(lo, w0)), min(hi, w1))
            for lo, hi in spans
            for w0, w1 in veh.break_.windows
            if max(lo, w0) <= min(hi, w1)
        ]
        return min(options, key=lambda x: abs(x - b)) if options else b
    return b


def dropped_reason(node: Node, nodes: Nodes, sequences: list[list[int]]) -> Reason:
    """``capacity`` if no eligible vehicle has room for the item at any insertion point."""
    vehicles = nodes.problem.vehicles
    n_items = abs(node.items)
    grams = abs(node.grams)
    for v in node.vehicles:
        veh = vehicles[v]
        cap_i = veh.capacity_items - veh.current_load_items
        cap_g = veh.capacity_g - veh.current_load_g
        seq = sequences[v]
        # Loads on each leg: the start load is the sum of delivery-only items on the route.
        li = -sum(nodes.nodes[n].items for n in seq if nodes.nodes[n].partner is None)
        lg = -sum(nodes.nodes[n].grams for n in seq if nodes.nodes[n].partner is None)
        legs = [(li, lg)]
        for n in seq:
            li, lg = li + nodes.nodes[n].items, lg + nodes.nodes[n].grams
            legs.append((li, lg))
        # A delivery-only item rides from the start: best inserted first (only leg 0 grows).
        candidates = legs if node.partner is not None else legs[:1]
        if any(a + n_items <= cap_i and b + grams <= cap_g for a, b in candidates):
            return Reason.NOT_ENOUGH_TIME
    return Reason.CAPACITY


def plan_to_routes(plan: Plan, nodes: Nodes) -> list[list[int]]:
    """Node sequences per vehicle from an earlier plan, keeping only what still fits the model."""
    by_vehicle = {r.vehicle_id: r for r in plan.routes}
    seen: set[int] = set()
    out = []
    for v, veh in enumerate(nodes.problem.vehicles):
        seq: list[int] = []
        route = by_vehicle.get(veh.id)
        for stop in route.stops if route else ():
            if stop.action == Action.BREAK:
                continue
            for jid in stop.job_ids:
                n = nodes.node_of.get((jid, stop.action))
                if n is None:  # an in-vehicle job's delivery may have been a pair's
                    n = nodes.node_of.get((jid, Action.DELIVERY)) if stop.action == Action.DELIVERY else None
                if n is None or n in seen or v not in nodes.nodes[n].vehicles:
                    continue
                seen.add(n)
                seq.append(n)
        # Keep a pair only when both ends are there, pickup first.
        pos = {n: i for i, n in enumerate(seq)}
        seq = [
            n
            for n in seq
            if nodes.nodes[n].partner is None
            or (nodes.nodes[n].partner in pos
                and (pos[n] < pos[nodes.nodes[n].partner]) == (nodes.nodes[n].action == Action.PICKUP))
        ]
        out.append(seq)
    return out
