"""The last phase's iterated decomposition (``solver_popmusic``): a few neighbouring routes at a time.

The routes it returns must be taken back whole by the day's full model (breaks placed,
windows met), serve the same stops, and cost no more than the start; from the
nearest-stop routes it must find a cheaper plan in its time.
"""

from __future__ import annotations

import time

import numpy as np
from day_samples import spread_day

from logistics.routing import solver_popmusic
from logistics.routing.construction import has_holes, pick_windows
from logistics.routing.extract import route_sequences
from logistics.routing.nearest import nearest_routes
from logistics.routing.nodes import build_nodes
from logistics.routing.postal_day import day_to_problem
from logistics.routing.solver import SearchOptions, _read_routes
from logistics.routing.solver_model import build_model
from logistics.routing.solver_params import search_parameters


def _day(n_items: int, n_postmen: int):
    """The day's nodes with their windows picked, and routes by parallel cheapest insertion on travel alone."""
    nodes = build_nodes(day_to_problem(spread_day(n_items, n_postmen)))
    _, served_at = nearest_routes(nodes)
    nodes = pick_windows(nodes, served_at) if has_holes(nodes) else nodes
    model = build_model(nodes, price_waiting=False)
    params = search_parameters(SearchOptions(first_solution="PARALLEL_CHEAPEST_INSERTION"), 5.0)
    model.routing.CloseModelWithParameters(params)
    params.solution_limit = 1
    return nodes, route_sequences(model, model.routing.SolveWithParameters(params))


def _full_cost(nodes, routes) -> int:
    """The routes' cost on the full objective (waiting priced, breaks placed); fails if any route is rejected."""
    model = build_model(nodes)
    model.routing.CloseModelWithParameters(search_parameters(SearchOptions(), 5.0))
    assignment = model.routing.ReadAssignmentFromRoutes(
        [[model.manager.NodeToIndex(n) for n in seq] for seq in routes], True)
    assert assignment is not None
    return assignment.ObjectiveValue()


def test_popmusic_improves_and_keeps_every_stop_on_a_valid_route():
    nodes, start = _day(70, 6)
    assert sum(1 for seq in start if seq) > solver_popmusic.GROUP  # more routes than one sub-problem
    found = solver_popmusic.popmusic(nodes, start, time.monotonic() + 4.0, SearchOptions())
    assert sorted(n for seq in found for n in seq) == sorted(n for seq in start for n in seq)
    for v, seq in enumerate(found):
        for n in seq:
            assert v in nodes.nodes[n].vehicles
            partner = nodes.nodes[n].partner
            assert partner is None or partner in seq
    assert _full_cost(nodes, found) < _full_cost(nodes, start)
    assert _read_routes(build_model(nodes), found) is not None


def test_route_distances_symmetric_and_nearest_is_closest():
    nodes, routes = _day(50, 5)
    used = [v for v, seq in enumerate(routes) if seq]
    d = solver_popmusic.route_distances(nodes, routes, used)
    assert d.shape == (len(used), len(used))
    assert np.allclose(d, d.T) and np.all(np.diag(d) == 0)
    # A route is at distance 0 from a copy of itself: the copy is its nearest route.
    twin = [*routes, list(routes[used[0]])]
    d2 = solver_popmusic.route_distances(nodes, twin, [*used, len(routes)])
    assert d2[0, -1] == 0 and d2[0, 1:-1].min() > 0
