"""The planner's phases on postal days: the search on travel alone then priced waiting, and the sector start.

Every plan is scored by the format's own rule (``postal_day_checker``): a phase that
breaks a route (a break outside its window, a service before arrival, a pair split)
fails here.
"""

from __future__ import annotations

import pytest
from day_samples import spread_day
from postal_day_checker import score_day_plan

from logistics.routing import solver, solver_clusters
from logistics.routing.construction import has_holes, pick_windows
from logistics.routing.nearest import nearest_routes
from logistics.routing.nodes import build_nodes
from logistics.routing.plan import Action
from logistics.routing.postal_day import day_to_problem, plan_to_day
from logistics.routing.solver import SearchOptions, solve


def _score(day: dict, options: SearchOptions = SearchOptions(), time_limit_s: float = 4.0):
    problem = day_to_problem(day)
    plan = solve(problem, time_limit_s=time_limit_s, options=options)
    return plan, score_day_plan(day, plan_to_day(plan, problem))


@pytest.mark.parametrize("waiting_share", [0.0, 0.15, 0.5])
def test_waiting_phase_keeps_every_route_valid(waiting_share):
    """The search on travel alone, then on route hours with the breaks placed: every route obeys the scoring rule."""
    day = spread_day(40, 4)
    plan, (errors, metrics) = _score(day, SearchOptions(waiting_share=waiting_share))
    assert errors == []
    assert metrics["mandatory_served"] == metrics["mandatory"]
    assert plan.search in ("improved", "no_better")
    # Every route used takes its one break inside the window (the checker counts them too).
    for route in plan.used_routes:
        breaks = [s for s in route.stops if s.action == Action.BREAK]
        assert len(breaks) == 1 and 11 * 3600 <= breaks[0].start_s <= 13 * 3600 + 1800


def test_sectors_keep_pairs_together_and_share_the_vehicles():
    """Each stop in one sector with its partner; each vehicle in one sector; every sector has a vehicle."""
    nodes = build_nodes(day_to_problem(spread_day(60, 6)))
    parts = solver_clusters.sectors(nodes, 3)
    assert parts is not None and len(parts) == 3
    seen_stops = [i for stops, _ in parts for i in stops]
    assert sorted(seen_stops) == list(range(len(nodes.nodes)))
    for stops, _ in parts:
        for i in stops:
            partner = nodes.nodes[i].partner
            assert partner is None or partner in stops
    vehicles = [v for _, vs in parts for v in vs]
    assert sorted(vehicles) == list(range(6))
    assert all(vs for _, vs in parts)
    assert solver_clusters.sectors(nodes, 7) is None  # more sectors than postmen


@pytest.mark.parametrize("processes", [1, 2])
def test_sector_routes_are_disjoint_with_pickups_first(monkeypatch, processes):
    """Sector by sector insertion, in one process or dealt to two: no stop twice, no vehicle in two
    sectors, each pair on one route pickup first."""
    monkeypatch.setattr(solver_clusters, "SECTOR_NODES", 30)
    nodes = build_nodes(day_to_problem(spread_day(60, 6)))
    _, served_at = nearest_routes(nodes)
    nodes = pick_windows(nodes, served_at) if has_holes(nodes) else nodes
    routes = solver_clusters.sector_routes(nodes, SearchOptions(), 3.0, __import__("time").monotonic,
                                           search=True, processes=processes)
    assert routes is not None and len(routes) == 6
    flat = [n for seq in routes for n in seq]
    assert len(flat) == len(set(flat)) and len(flat) >= 0.9 * len(nodes.nodes)
    for seq in routes:
        for pos, n in enumerate(seq):
            node = nodes.nodes[n]
            if node.partner is not None and node.action == Action.PICKUP and node.partner in flat:
                assert node.partner in seq[pos + 1:]


def test_large_day_planned_from_sectors_passes_scoring_rule(monkeypatch):
    """A day past the size where OR-Tools' insertion runs whole starts from the sectors and stays valid."""
    monkeypatch.setattr(solver, "HULL_MAX_NODES", 20)
    monkeypatch.setattr(solver_clusters, "SECTOR_NODES", 30)
    calls = []
    real = solver_clusters.sector_routes

    def spy(*args, **kwargs):
        calls.append(real(*args, **kwargs))
        return calls[-1]

    monkeypatch.setattr(solver, "sector_routes", spy)
    day = spread_day(60, 6)
    _, (errors, metrics) = _score(day, time_limit_s=5.0)
    assert calls and calls[0] is not None
    assert errors == []
    assert metrics["mandatory_served"] == metrics["mandatory"]


def test_hull_solution_serves_every_stop_in_its_hull_and_its_search_costs_no_more():
    """The hull solution that picks the windows: every stop served once, in its hull, and searched no dearer."""
    from logistics.routing.construction import hull_nodes
    from logistics.routing.solver_hull import hull_solution
    from logistics.routing.solver_model import build_model

    nodes = build_nodes(day_to_problem(spread_day(40, 4)))
    assert has_holes(nodes)
    first = hull_solution(nodes, SearchOptions(), budget_s=5.0, search_s=0.0)
    searched = hull_solution(nodes, SearchOptions(), budget_s=5.0, search_s=1.0)
    assert first is not None and searched is not None
    hull = build_model(hull_nodes(nodes), price_waiting=False)

    obj = nodes.problem.objective

    def cost(routes):  # the hull search's objective: arc costs, and the penalties of stops left out
        served = {n for seq in routes for n in seq}
        arcs = 0
        for v, seq in enumerate(routes):
            key = nodes.problem.vehicles[v].matrix_key
            for a, b in zip([nodes.start_node(v), *seq], [*seq, nodes.end_node(v)]):
                arcs += obj.per_metre * hull.dist_by_key[key][a, b] + obj.per_second * hull.travel_by_key[key][a, b]
        return arcs + sum(n.penalty for i, n in enumerate(nodes.nodes) if i not in served)

    for routes, times in (first, searched):
        served = [n for seq in routes for n in seq]
        assert len(served) == len(set(served)) == len(times)
        assert {i for i, n in enumerate(nodes.nodes) if n.mandatory} <= set(served)
        for n, t in times.items():
            windows = nodes.nodes[n].windows
            assert min(a for a, _ in windows) <= t <= max(b for _, b in windows)
        picked = pick_windows(nodes, times)
        assert all(len(n.windows) == 1 for n in picked.nodes)
    assert cost(searched[0]) <= cost(first[0])
