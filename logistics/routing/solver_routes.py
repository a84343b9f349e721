"""A start with fewer routes, chosen on the full objective, when waiting is priced.

The search's first phase prices travel alone (``solver_model.build_model``), so it never
weighs what a route costs besides its driving: the break inside it and the waits its
windows impose. A postal day's route hours count both, and the local search hardly ever
empties a route: it keeps as many routes as its start opened (parallel cheapest insertion
opened 10-12 of 15 on generated 300-item days, VROOM's plans 8). So the insertion is run
again on the start's vehicles less the one with the fewest stops, then less two, ...
while it serves as many stops; each start is read into the full model (waiting priced,
breaks placed) and the cheapest there goes to the search.

Measured on the start alone (guided local search on travel for 12 s of CPU from each
start, then read into the full model; generated days, seed 1, 2026-12-06, CPU time on a
shared machine): full cost 178.0k with 10 routes against 163.5k with 9 (insertion on 8
vehicles) on Hà Nội 300; Nghệ An 300 203.1k with 12 against 189.7k with 10. On Hà Tĩnh
300 the start on 10 vehicles cost less (177.9k against 181.5k) though the search went back to 11.
The whole planner, 20 s, six runs each way interleaved (Hà Nội, Hà Tĩnh, Nghệ An 300, load
4.4-9.6, 2026-12-06, with the split's other process stopping a grace early): route hours
78.3 -> 75.9 on average, lower or equal in each pair. (Before that fix the same A/B lost in
five pairs of six: the time taken here made the split's other process late, its part lost.)
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Callable

from logistics.routing.extract import route_sequences
from logistics.routing.nodes import Nodes
from logistics.routing.solver_model import Model, build_model
from logistics.routing.solver_params import SearchOptions, search_parameters

log = logging.getLogger(__name__)


def _on_vehicles(nodes: Nodes, keep: set[int]) -> Nodes:
    return dataclasses.replace(nodes, nodes=[dataclasses.replace(n, vehicles=tuple(v for v in n.vehicles if v in keep))
                                             for n in nodes.nodes])


def _insertion(nodes: Nodes, options: SearchOptions, budget_s: float) -> list[list[int]] | None:
    model = build_model(nodes, price_waiting=False)
    params = search_parameters(dataclasses.replace(options, first_solution="PARALLEL_CHEAPEST_INSERTION"),
                               max(0.05, budget_s))
    model.routing.CloseModelWithParameters(params)
    params.solution_limit = 1
    found = model.routing.SolveWithParameters(params)
    return route_sequences(model, found) if found is not None else None


def fewer_routes(model: Model, start, options: SearchOptions, budget_s: float, order_pins=None,
                 clock: Callable[[], float] = time.monotonic):
    """``start`` (an assignment of ``model``, travel priced) or a start on fewer vehicles, an assignment
    of ``model`` too, whichever costs less on the full objective; ``start`` when none is found in ``budget_s``."""
    if budget_s < 0.1:
        return start
    end = clock() + budget_s
    nodes = model.nodes
    routes = route_sequences(model, start)
    served = sum(len(seq) for seq in routes)
    used = sorted((v for v, seq in enumerate(routes) if seq), key=lambda v: (len(routes[v]), v))
    full = build_model(nodes, order_pins)
    full.routing.CloseModelWithParameters(search_parameters(options, max(0.05, budget_s)))

    def full_cost(seqs):
        read = full.routing.ReadAssignmentFromRoutes([[full.manager.NodeToIndex(n) for n in s] for s in seqs], True)
        return read.ObjectiveValue() if read is not None else None

    best, best_cost = start, full_cost(routes)
    for drop in range(1, len(used)):
        if best_cost is None or clock() >= end:
            break
        found = _insertion(_on_vehicles(nodes, set(used[drop:])), options, end - clock())
        if found is None or sum(len(seq) for seq in found) < served:
            break  # fewer vehicles leave stops out
        cost = full_cost(found)
        log.info("start on %d vehicles: full cost %s against %s", len(used) - drop, cost, best_cost)
        if cost is None or cost >= best_cost:
            break
        read = model.routing.ReadAssignmentFromRoutes(
            [[model.manager.NodeToIndex(n) for n in seq] for seq in found], True)
        if read is None:
            break
        best, best_cost = model.routing.solver().Assignment(read), cost
    return best
