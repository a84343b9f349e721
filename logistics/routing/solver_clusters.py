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
import time
from typing import Callable

from logistics.routing.extract import route_sequences
from logistics.routing.nodes import Nodes
from logistics.routing.solver_model import build_model
from logistics.routing.solver_params import SearchOptions, gls_parameters, search_parameters
from logistics.routing.processes import grace, remotes
from logistics.routing.solver_split import sub_nodes

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


def sector_routes(nodes: Nodes, options: SearchOptions, budget_s: float, clock: Callable[[], float],
                  search: bool = False, times: dict[int, int] | None = None,
                  processes: int = 1) -> list[list[int]] | None:
    """Routes per vehicle (node indices of ``nodes``) built sector by sector, or None.

    Each sector is built by parallel cheapest insertion on its own model; with ``search`` its
    routes are then improved there by guided local search for what is left of its share of
    ``budget_s`` (a move there is checked against a few hundred stops, not all). With
    ``processes`` > 1 the sectors are dealt to that many processes (``processes.Remote``),
    each building its own in turn, so each sector gets that many times the time.
    ``times``, when given, receives each routed stop's service start.
    """
    n_sectors = math.ceil(len(nodes.nodes) / SECTOR_NODES)
    parts = sectors(nodes, n_sectors)
    if parts is None:
        return None
    jobs = []  # (global stops, the sector's nodes)
    for stops, vehicles in parts:
        allowed = set(vehicles)
        # A stop no vehicle of the sector may serve is left for the search, with its partner.
        stops = [g for g in stops if allowed & set(nodes.nodes[g].vehicles)
                 and (nodes.nodes[g].partner is None or allowed & set(nodes.nodes[nodes.nodes[g].partner].vehicles))]
        if stops:
            jobs.append((stops, sub_nodes(nodes, stops, vehicles)))
    end = clock() + budget_s
    processes = max(1, min(processes, len(jobs)))
    # The other processes stop a grace early, as in ``solver_split``: one late (Hà Tĩnh 1,000 at
    # load 6.7, 2026-12-06) had the whole sector start rejected and nothing placed in 60 s.
    with remotes() as start:
        others = [start("logistics.routing.solver_clusters:route_sectors", [sub for _, sub in jobs[p::processes]],
                        end - grace(budget_s), options, search) for p in range(1, processes)]
        found = [route_sectors([sub for _, sub in jobs[0::processes]], end, options, search, clock)]
        found += [other.result(end + grace(budget_s)) for other in others]
    routes: list[list[int]] = [[] for _ in nodes.problem.vehicles]
    for p, results in enumerate(found):
        if results is None:
            return None
        for (stops, _), result in zip(jobs[p::processes], results):
            if result is None:
                return None
            for v, seq in enumerate(result[0]):
                if seq:
                    routes[v] = [stops[j] for j in seq]
            if times is not None:
                times.update({stops[j]: t for j, t in result[1].items()})
    return routes


def route_sectors(subs: list[Nodes], end: float, options: SearchOptions, search: bool,
                  clock: Callable[[], float] = time.monotonic) -> list[tuple[list[list[int]], dict[int, int]] | None]:
    """Each sector in turn, until ``end``: its routes (local indices) and its stops' service starts, or None."""
    out = []
    insertion = dataclasses.replace(options, first_solution="PARALLEL_CHEAPEST_INSERTION")
    for k, sub in enumerate(subs):
        model = build_model(sub, price_waiting=False)
        sector_end = clock() + max(0.05, (end - clock()) / (len(subs) - k))
        params = search_parameters(insertion, max(0.05, sector_end - clock()))
        model.routing.CloseModelWithParameters(params)
        params.solution_limit = 1
        solution = model.routing.SolveWithParameters(params)
        if solution is None:
            out.append(None)
            continue
        if search and sector_end - clock() > 0.1:
            solution = model.routing.SolveFromAssignmentWithParameters(
                solution, gls_parameters(model, options, sector_end - clock())) or solution
        routes = route_sequences(model, solution)
        out.append((routes, {j: solution.Min(model.time.CumulVar(model.manager.NodeToIndex(j)))
                             for seq in routes for j in seq}))
    return out
