"""The search on a real day with lunch breaks: a complete first solution, then guided local search that improves it.

Regression: with breaks, OR-Tools completes every solution of the local search
(the start included) by placing the breaks within ``lns_time_limit``; on a
1,000-item day that took longer than the 0.1 s default and the search failed at
once (ROUTING_FAIL), leaving the first solution as the plan.
"""

from __future__ import annotations

import json

from postal_day_checker import score_day_plan
from routing_checker import check_plan
from support.shared_data import POSTAL_DAY_EXAMPLE

from logistics.routing.construction import pick_windows
from logistics.routing.nearest import nearest_routes
from logistics.routing.nodes import build_nodes
from logistics.routing.postal_day import day_to_problem, plan_to_day
from logistics.routing.solver import _read_routes, initial_routes_as_indices, solve
from logistics.routing.solver_model import build_model

EXAMPLE = POSTAL_DAY_EXAMPLE  # ../shared beside the checkout, not one machine's path


def example():
    day = json.loads(EXAMPLE.read_text())
    return day, day_to_problem(day)


def test_nearest_stop_routes_serve_the_example_and_the_model_accepts_them():
    """The fast construction routes nearly every stop of the Hà Tĩnh example (breaks, two-window agencies)."""
    _, problem = example()
    nodes = build_nodes(problem)
    routes, served_at = nearest_routes(nodes)
    routed = [n for seq in routes for n in seq]
    assert len(set(routed)) == len(routed) >= 0.9 * len(nodes.nodes)
    for seq in routes:  # a pair rides one route, pickup first
        for i, n in enumerate(seq):
            partner = nodes.nodes[n].partner
            if partner is not None and nodes.nodes[n].action == "pickup":
                assert partner in seq[i + 1:]
    model = build_model(pick_windows(nodes, served_at))
    model.routing.CloseModel()
    assert model.routing.ReadAssignmentFromRoutes(initial_routes_as_indices(model, routes), True) is not None
    assert _read_routes(model, routes).ObjectiveValue() < 10**9  # no mandatory stop dropped


def test_search_improves_the_first_solution_on_a_day_with_breaks():
    """Guided local search runs from the start and returns a cheaper plan that the scoring rule accepts."""
    day, problem = example()
    assert all(v.break_ is not None for v in problem.vehicles)
    plan = solve(problem, time_limit_s=4.0)
    assert plan.search == "improved", plan.search
    assert plan.objective < plan.start_objective
    assert plan.status == "ok"
    assert check_plan(problem, plan) == []
    errors, metrics = score_day_plan(day, plan_to_day(plan, problem))
    assert errors == []
    assert metrics["mandatory_served"] == metrics["mandatory"]
