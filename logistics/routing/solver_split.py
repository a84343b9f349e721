"""The local search of one day split in parts searched at once, one part per process.

A start's routes are cut in ``parts`` groups of vehicles by the bearing of each route
around the post office (the used routes in order around it, cut where they are farthest
apart, each group about as many stops), each vehicle taking its stops along. Each part is
a model of its own (its stops, its vehicles; ``sub_nodes``) searched from its routes
until the same deadline: this process searches the first, a fresh interpreter
(``processes.Remote``) each other one. A move in a part is checked against its
own stops only and each part has a CPU, so the search gets through more moves in the
time than one search of the whole day. The parts' routes together are the result; the
caller reads them into the whole model and searches it jointly for the rest of its time
(moves between parts, stops no route served).
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


def route_groups(nodes: Nodes, routes: list[list[int]], parts: int) -> list[list[int]] | None:
    """``parts`` groups of vehicle indices, or None without coordinates or with fewer used routes than parts."""
    problem = nodes.problem
    depot = problem.locations[problem.vehicles[0].start_location]
    used = [v for v, seq in enumerate(routes) if seq]
    if parts < 2 or len(used) < parts or not depot.has_coordinates:
        return None
    bearings = {}
    for v in used:
        points = [problem.locations[nodes.nodes[n].location] for n in routes[v]]
        if not all(p.has_coordinates for p in points):
            return None
        lat = sum(p.lat for p in points) / len(points)
        lon = sum(p.lon for p in points) / len(points)
        bearings[v] = math.atan2(lat - depot.lat, (lon - depot.lon) * math.cos(math.radians(depot.lat)))
    used.sort(key=lambda v: (bearings[v], v))
    gaps = [(bearings[used[(k + 1) % len(used)]] - bearings[used[k]]) % (2 * math.pi) for k in range(len(used))]
    first = (max(range(len(used)), key=gaps.__getitem__) + 1) % len(used)
    used = used[first:] + used[:first]
    total = sum(len(routes[v]) for v in used)
    groups: list[list[int]] = [[] for _ in range(parts)]
    seen = 0
    for v in used:
        # Each group at least one route: the k-th group starts no later than len(used) - parts + k.
        k = min(parts - 1, (seen + len(routes[v]) // 2) * parts // total)
        k = max(k, parts - (len(used) - used.index(v)))
        groups[k].append(v)
        seen += len(routes[v])
    if any(not g for g in groups):
        return None
    spare = [v for v in range(len(routes)) if not routes[v]]
    for j, v in enumerate(spare):  # unused vehicles shared in turn
        groups[j % parts].append(v)
    return groups


def sub_nodes(nodes: Nodes, stops: list[int], vehicles: list[int]) -> Nodes:
    """The part of ``nodes`` with ``stops`` (pairs whole) served by ``vehicles`` alone; indices local."""
    local = {g: j for j, g in enumerate(stops)}
    allowed = set(vehicles)
    sub = [dataclasses.replace(nodes.nodes[g], partner=None if nodes.nodes[g].partner is None
                               else local[nodes.nodes[g].partner],
                               vehicles=tuple(v for v in nodes.nodes[g].vehicles if v in allowed))
           for g in stops]
    return dataclasses.replace(nodes, nodes=sub)


def improve(nodes: Nodes, routes: list[list[int]], deadline: float, options: SearchOptions) -> list[list[int]]:
    """``routes`` (local indices of ``nodes``) after guided local search until ``deadline`` (monotonic)."""
    model = build_model(nodes, price_waiting=False)
    budget = max(0.05, deadline - time.monotonic())
    model.routing.CloseModelWithParameters(search_parameters(options, budget))
    start = model.routing.ReadAssignmentFromRoutes(
        [[model.manager.NodeToIndex(n) for n in seq] for seq in routes], True)
    if start is None:
        return routes
    found = model.routing.SolveFromAssignmentWithParameters(
        start, gls_parameters(model, options, max(0.05, deadline - time.monotonic())))
    return route_sequences(model, found) if found is not None else routes


def split_search(nodes: Nodes, routes: list[list[int]], parts: int, deadline: float,
                 options: SearchOptions, time_limit_s: float, search: Callable | None = None) -> list[list[int]] | None:
    """The routes after each part's search (global node indices), or None when the day does not split.

    ``search(nodes, routes, deadline, options)`` searches a part (a module-level function: the
    other processes import it by name), ``improve`` by default.
    """
    search = search or improve
    groups = route_groups(nodes, routes, parts)
    if groups is None:
        return None
    jobs = []
    for vehicles in groups:
        stops = [n for v in vehicles for n in routes[v]]
        local = {g: j for j, g in enumerate(stops)}
        jobs.append((stops, vehicles, sub_nodes(nodes, stops, vehicles),
                     [[local[n] for n in seq] if v in vehicles else [] for v, seq in enumerate(routes)]))
    # The other processes stop a grace early: a part handed back late is lost whole, and under
    # load they were (300-item days at load 4-7, 2026-12-06: 1.0-1.7 s past the deadline; the
    # split search on Hà Nội then went 159.7k -> 156.0k travel seconds, ~141k when not lost).
    # Six runs each way (Hà Nội, Hà Tĩnh, Nghệ An, 20 s, interleaved, load 6-7): parts lost 3 -> 1,
    # route hours 79.5 -> 78.5 on average (noise is several %).
    early = deadline - grace(time_limit_s)
    with remotes() as start:
        others = [start(f"{search.__module__}:{search.__name__}", sub, local_routes, early, options)
                  for _, _, sub, local_routes in jobs[1:]]
        found = [search(jobs[0][2], jobs[0][3], deadline, options)]
        found += [other.result(deadline + grace(time_limit_s)) for other in others]
    joined = [list(seq) for seq in routes]
    for (stops, vehicles, _, _), part in zip(jobs, found):
        if part is None:  # that process failed or was late: its routes as they were
            continue
        for v in vehicles:
            joined[v] = [stops[j] for j in part[v]]
    return joined
