"""Iterated decomposition (POPMUSIC): a day's routes improved a few neighbouring routes at a time.

Guided local search over a whole day of 300 stops spends its time proving local optima:
each step scans about a million neighbours (0.45 s on the generated Hà Nội day), so in
the few seconds of the last phase it takes a dozen steps. On a model of a few routes a
step is many times cheaper. So: take a seed route and its ``GROUP - 1`` nearest routes (by
the mean travel from each stop of one to the closest stop of the other), search only their
stops on only their vehicles (``solver_split.sub_nodes``) for a short slice, keep the
result when it costs less, and move on to the next seed. A seed is tried again only once
one of its routes changed (POPMUSIC's stop rule); when every seed is tried without gain,
the slices double.

Measured on the last phase (full objective, breaks placed), 5 s in one process from the same
routes of generated 300-item days (seed 2, load 3-4, 2026-12-06): Hà Tĩnh 219.1k → 204.7k by
guided local search on the whole day (−6.6 %), → 182.1k this way (−16.9 %; 2 routes a
sub-problem −18.2 %, 4 routes −13.8 %, slices of 0.25 s −14.3 %); Nghệ An 184.0k → 175.7k
(−4.5 %) against 152.2k (−17.3 %). The same at the search's first phase (travel alone, in
the split's parts) lost: 136.7k against 130.5k travel seconds on the Hà Nội day.
"""

from __future__ import annotations

import time

import numpy as np

from logistics.routing.extract import route_sequences
from logistics.routing.nodes import Nodes
from logistics.routing.solver_model import build_model
from logistics.routing.solver_params import SearchOptions, gls_parameters
from logistics.routing.solver_split import sub_nodes

GROUP = 3  # routes per sub-problem
SLICE_S = 0.5  # the first search slice of a sub-problem


def route_distances(nodes: Nodes, routes: list[list[int]], used: list[int]) -> np.ndarray:
    """Between used routes: the mean over one's stops of the travel to the other's closest stop, symmetrised."""
    travel = nodes.matrices[nodes.problem.vehicles[used[0]].matrix_key].duration_s
    locs = [np.array([nodes.nodes[n].location for n in routes[v]]) for v in used]
    d = np.zeros((len(used), len(used)))
    for a, la in enumerate(locs):
        for b, lb in enumerate(locs):
            if a != b:
                d[a, b] = travel[np.ix_(la, lb)].min(axis=1).mean()
    return d + d.T


def search_routes(nodes: Nodes, routes: list[list[int]], deadline: float, options: SearchOptions,
                  price_waiting: bool) -> tuple[list[list[int]], int | None, int | None]:
    """Guided local search on ``nodes`` from ``routes`` until ``deadline`` (monotonic).

    Returns the routes found, the start's cost and theirs (None, None when the model
    rejects the start).
    """
    model = build_model(nodes, price_waiting=price_waiting)
    # gls_parameters: room to place the breaks when the start is read (0.1 s was not always enough).
    model.routing.CloseModelWithParameters(gls_parameters(model, options, max(0.05, deadline - time.monotonic())))
    start = model.routing.ReadAssignmentFromRoutes(
        [[model.manager.NodeToIndex(n) for n in seq] for seq in routes], True)
    if start is None:
        return routes, None, None
    before = start.ObjectiveValue()
    found = model.routing.SolveFromAssignmentWithParameters(
        start, gls_parameters(model, options, max(0.05, deadline - time.monotonic())))
    if found is None:
        return routes, before, before
    return route_sequences(model, found), before, found.ObjectiveValue()


def popmusic(nodes: Nodes, routes: list[list[int]], deadline: float, options: SearchOptions,
             price_waiting: bool = True) -> list[list[int]]:
    """``routes`` (indices of ``nodes``) improved ``GROUP`` neighbouring routes at a time until ``deadline``.

    Stops no route serves stay unserved (the sub-problems hold routed stops only).
    """
    routes = [list(seq) for seq in routes]
    slice_s = SLICE_S
    pending = [v for v, seq in enumerate(routes) if seq]  # seeds to try, in turn
    while time.monotonic() < deadline - 0.05:
        used = [v for v, seq in enumerate(routes) if seq]
        if len(used) <= GROUP:  # one sub-problem would be the whole day: the whole searched to the end
            found, before, after = search_routes(nodes, routes, deadline, options, price_waiting)
            return found if before is not None and after < before else routes
        if not pending:
            pending, slice_s = list(used), 2 * slice_s
        seed = pending.pop(0)
        if not routes[seed]:
            continue
        row = route_distances(nodes, routes, used)[used.index(seed)]
        near = [used[k] for k in np.argsort(row, kind="stable") if used[k] != seed]
        group = [seed, *near[: GROUP - 1]]
        stops = [n for v in group for n in routes[v]]
        local = {g: j for j, g in enumerate(stops)}
        local_routes = [[local[n] for n in seq] if v in group else [] for v, seq in enumerate(routes)]
        found, before, after = search_routes(sub_nodes(nodes, stops, group), local_routes,
                                             min(deadline, time.monotonic() + slice_s), options, price_waiting)
        if before is not None and after < before:
            for v in group:
                routes[v] = [stops[j] for j in found[v]]
            pending += [v for v in group if v not in pending]
    return routes
