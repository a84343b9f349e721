"""A first solution for days too large for OR-Tools' insertion heuristics: one insertion per sector.

OR-Tools' parallel cheapest insertion builds good routes but grows too fast with the
number of stops (a generated 1,000-item day, 1,347 stops: nothing placed in 16 s), and
the nearest-stop routes (``nearest.py``) that stood in for it there drive ~1.9× VROOM's
kilometres, more than the search can undo in the time. So the stops are cut into
sectors around the post office (by the bearing of a stop, or of the midpoint of a pair's
two ends, so a pair stays in one sector), the vehicles are shared among the sectors in
proportion to their stops, and each sector is built on its own by the insertion heuristic,
a model of a few hundred stops. The routes together are the start (checked by the caller
against the whole model); a stop a sector could not place is left for the search.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Callable

from logistics.routing.extract import route_sequences
from logistics.routing.nodes import Nodes
from logistics.routing.solver_model import build_model

SECTOR_NODES = 350  # stops per sector: the insertion on ~400 stops took about 1 s on 2 busy cores


def _bearing(nodes: Nodes, i: int, origin: tuple[float, float]) -> float | None:
    node = nodes.nodes[i]
    ends = [node.location] + ([nodes.nodes[node.partner].location] if node.partner is not None else [])
    points = [nodes.problem.locations[e] for e in ends]
    if not all(p.has_coordinates for p in points):
        return None
    lat = sum(p.lat for p in points) / len(points)
    lon = sum(p.lon for p in points) / len(points)
    return math.atan2(lat - origin[0], (lon - origin[1]) * math.cos(math.radians(origin[0])))


def sectors(nodes: Nodes, n_sectors: int) -> list[tuple[list[int], list[int]]] | None:
    """``n_sectors`` groups of (stops, vehicles), or None without coordinates or with too few vehicles."""
    problem = nodes.problem
    depot = problem.locations[problem.vehicles[0].start_location]
    if not depot.has_coordinates or len(problem.vehicles) < n_sectors or n_sectors < 2:
        return None
    units = []  # (bearing, stops): a single stop or a pair
    for i, node in enumerate(nodes.nodes):
        if node.partner is not None and node.partner < i:
            continue
        b = _bearing(nodes, i, (depot.lat, depot.lon))
        if b is None:
            return None
        units.append((b, [i] if node.partner is None else [i, node.partner]))
    units.sort(key=lambda u: u[0])
    # Start the cut at the widest gap between bearings, so a sector does not straddle a crowd.
    gaps = [(units[(k + 1) % len(units)][0] - units[k][0]) % (2 * math.pi) for k in range(len(units))]
    first = (max(range(len(units)), key=gaps.__getitem__) + 1) % len(units)
    units = units[first:] + units[:first]
    total = sum(len(u[1]) for u in units)
    groups: list[list[int]] = [[] for _ in range(n_sectors)]
    seen = 0
    for _, stops in units:
        groups[min(n_sectors - 1, seen * n_sectors // total)].extend(stops)
        seen += len(stops)
    n_vehicles = len(problem.vehicles)
    shares, given = [], 0
    for k, g in enumerate(groups):
        share = max(1, round(len(g) / total * n_vehicles)) if k < n_sectors - 1 else n_vehicles - given
        share = min(share, n_vehicles - given - (n_sectors - 1 - k))
        shares.append(list(range(given, given + share)))
        given += share
    return list(zip(groups, shares))


def sector_routes(nodes: Nodes, params_for: Callable[[float], object], budget_s: float,
                  clock: Callable[[], float], search_for: Callable[[object, float], object] | None = None,
                  times: dict[int, int] | None = None) -> list[list[int]] | None:
    """Routes per vehicle (node indices of ``nodes``) built sector by sector, or None.

    ``search_for(model, seconds)``, when given, returns the local search's parameters: each
    sector's routes are then improved on the sector's own model for what is left of its
    share of ``budget_s`` (a move there is checked against a few hundred stops, not all).
    ``times``, when given, receives each routed stop's service start.
    """
    n_sectors = math.ceil(len(nodes.nodes) / SECTOR_NODES)
    parts = sectors(nodes, n_sectors)
    if parts is None:
        return None
    routes: list[list[int]] = [[] for _ in nodes.problem.vehicles]
    end = clock() + budget_s
    for k, (stops, vehicles) in enumerate(parts):
        allowed = set(vehicles)
        # A stop no vehicle of the sector may serve is left for the search, with its partner.
        stops = [g for g in stops if allowed & set(nodes.nodes[g].vehicles)
                 and (nodes.nodes[g].partner is None or allowed & set(nodes.nodes[nodes.nodes[g].partner].vehicles))]
        if not stops:
            continue
        local = {g: j for j, g in enumerate(stops)}
        sub = [dataclasses.replace(nodes.nodes[g], partner=None if nodes.nodes[g].partner is None
                                   else local[nodes.nodes[g].partner],
                                   vehicles=tuple(v for v in nodes.nodes[g].vehicles if v in allowed))
               for g in stops]
        model = build_model(dataclasses.replace(nodes, nodes=sub), price_waiting=False)
        sector_end = clock() + max(0.05, (end - clock()) / (len(parts) - k))
        params = params_for(max(0.05, sector_end - clock()))
        model.routing.CloseModelWithParameters(params)
        params.solution_limit = 1
        solution = model.routing.SolveWithParameters(params)
        if solution is None:
            return None
        if search_for is not None and sector_end - clock() > 0.1:
            solution = model.routing.SolveFromAssignmentWithParameters(
                solution, search_for(model, sector_end - clock())) or solution
        for v, seq in enumerate(route_sequences(model, solution)):
            if seq:
                routes[v] = [stops[j] for j in seq]
            if times is not None:
                times.update({stops[j]: solution.Min(model.time.CumulVar(model.manager.NodeToIndex(j)))
                              for j in seq})
    return routes
