"""Starts on fewer vehicles (``solver_routes``): chosen only when the full objective says so.

The start returned must be an assignment of the search's model that serves every stop the
given start served, on allowed vehicles with pairs whole, and cost no more on the full
objective (waiting priced, breaks placed); with no time it is the given start.
"""

from __future__ import annotations
from day_samples import spread_day

from logistics.routing.construction import has_holes, pick_windows
from logistics.routing.extract import route_sequences
from logistics.routing.nearest import nearest_routes
from logistics.routing.nodes import build_nodes
from logistics.routing.postal_day import day_to_problem
from logistics.routing.solver import SearchOptions
from logistics.routing.solver_model import build_model
from logistics.routing.solver_params import search_parameters
from logistics.routing.solver_routes import fewer_routes


def _search_model_and_start(n_items: int, n_postmen: int):
    """The search's model (travel alone, windows picked) and its parallel cheapest insertion start."""
    nodes = build_nodes(day_to_problem(spread_day(n_items, n_postmen)))
    _, served_at = nearest_routes(nodes)
    nodes = pick_windows(nodes, served_at) if has_holes(nodes) else nodes
    model = build_model(nodes, price_waiting=False)
    params = search_parameters(SearchOptions(first_solution="PARALLEL_CHEAPEST_INSERTION"), 5.0)
    model.routing.CloseModelWithParameters(params)
    params.solution_limit = 1
    return model, model.routing.SolveWithParameters(params)


def _full_cost(nodes, routes) -> int:
    model = build_model(nodes)
    model.routing.CloseModelWithParameters(search_parameters(SearchOptions(), 5.0))
    assignment = model.routing.ReadAssignmentFromRoutes(
        [[model.manager.NodeToIndex(n) for n in seq] for seq in routes], True)
    assert assignment is not None
    return assignment.ObjectiveValue()


def test_the_start_chosen_serves_as_much_and_costs_no_more_on_the_full_objective():
    model, start = _search_model_and_start(70, 6)
    before = route_sequences(model, start)
    chosen = fewer_routes(model, start, SearchOptions(), 4.0)
    after = route_sequences(model, chosen)
    assert sorted(n for seq in after for n in seq) == sorted(n for seq in before for n in seq)
    for v, seq in enumerate(after):
        for n in seq:
            assert v in model.nodes.nodes[n].vehicles
            partner = model.nodes.nodes[n].partner
            assert partner is None or partner in seq
    assert sum(1 for seq in after if seq) <= sum(1 for seq in before if seq)
    assert _full_cost(model.nodes, after) <= _full_cost(model.nodes, before)


def test_no_time_keeps_the_start():
    model, start = _search_model_and_start(40, 4)
    assert fewer_routes(model, start, SearchOptions(), 0.0) is start
