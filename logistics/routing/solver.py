"""``solve(problem, ...) -> Plan``: the one entry point to the route planner.

Pure: frozen ``Problem`` in, frozen ``Plan`` out; no database, no I/O. The steps:

1. ``nodes.build_nodes``: diagnosis (hopeless jobs leave with their reason) and
   consolidation (items with the same stops, delivery-only or pairs, become one stop).
2. Optionally a proposer (``SearchOptions.proposer``: PyVRP or VROOM) builds routes.
3. Otherwise a nearest-feasible-stop construction (``nearest.py``, vectorised, under
   a second at 1,000 items) builds routes on the real windows.
4. Stops with several windows get one (``construction.pick_windows``): from the
   current plan when re-planning, from the proposal, else a pair's stops the widest span
   (``construction.widest_pair_windows``), and the other stops' from the nearest-stop
   routes, or, up to ``HULL_MAX_NODES`` stops, from a searched solution of the model
   with each stop's windows replaced by their hull when it serves as many (``solver_hull``); past
   it, from the same hull solution built sector by sector (``solver_clusters``).
5. ``solver_model.build_model``: the OR-Tools routing model. When the objective
   prices waiting (postal days), the search's model leaves it out (travel only).
6. Starts: the current plan (warm start), the hull or nearest-stop routes and the
   proposal repaired to the picked windows, past ``HULL_MAX_NODES`` stops the
   sector routes (insertion then local search on each sector's own model),
   OR-Tools' construction heuristics (bounded when there is a start already,
   skipped past ``HULL_MAX_NODES`` when a start is complete); guided local
   search runs from the cheapest (``_gls_parameters``: breaks need room).
   With two search processes or more (the ``routing_search_processes`` setting) the
   search first runs on the day split in parts, a process each (``solver_split``), then
   on the whole (the processes: ``processes``).
   Then, when waiting is priced, the last ``waiting_share`` of the time searches
   the full objective (``_price_waiting``) from the better of the search's
   result and its start, a few neighbouring routes at a time (``solver_popmusic``),
   the routes split between the processes as above.
7. ``extract.extract_plan``: stops with times and loads, reasons for dropped jobs.
"""

from __future__ import annotations

import dataclasses
import logging
import time as _time
from typing import Callable


from logistics.routing.construction import has_holes, hull_nodes, pick_windows, repair, widest_pair_windows
from logistics.routing.extract import extract_plan, plan_to_routes, route_sequences
from logistics.routing.matrix import MatrixProvider
from logistics.routing.nearest import nearest_routes
from logistics.routing.nodes import build_nodes
from logistics.routing.plan import Plan, Reason, Unserved
from logistics.routing.problem import Problem
from logistics.routing.propose import propose
from logistics.routing.propose_vroom import propose_vroom
from logistics.routing.solver_clusters import sector_routes
from logistics.routing.solver_hull import SEARCH_SHARE as HULL_SEARCH_SHARE, hull_solution
from logistics.routing.solver_model import MANDATORY_PENALTY, build_model
from logistics.routing.solver_params import SearchOptions, gls_parameters, search_parameters
from logistics.routing.processes import PARALLEL_MIN_S, search_processes
from logistics.routing.solver_popmusic import GROUP as POPMUSIC_GROUP, popmusic
from logistics.routing.solver_split import split_search

# Measured on 12 Solomon instances (C101 C201 R101 R105 R201 R205 RC101 RC105 RC201 RC205 C105
# R110), 10 s each, 2 busy cores, bench/routing_tune.py, 2026-11-21: PARALLEL_CHEAPEST_INSERTION
# alone, default operators, lambda 0.1: 6.0 % mean gap (at 5 s); best of four constructions,
# LNS operators off: 4.7 %; the same with lambda 0.2: 3.9 % (0.05: 4.3 %, 0.3: 5.2 %, 0.5: 4.8 %);
# two or three GLS runs from different starts: 4.9 / 4.7 %; PATH_CHEAPEST_ARC alone: 5.0 %;
# LNS on with lambda 0.2: 5.0 %; ls_operator_neighbors_ratio 0.2: 21 %. Noise between runs
# is ±1-2 points per instance on a shared machine. OR-Tools' own iterated local search
# (use_iterated_local_search with SISR ruin) stopped after the first descent in 9.15: no gain.
CONSTRUCTION_SHARE = 0.3
# The hull model (``solver_hull``) picks better windows than the nearest-stop routes (300 items: 76.9
# against 84.8 route hours) but OR-Tools' insertion on it grows too fast: 1.3 s at 397 stops,
# over a 9 s budget by 16 s at 1,347 with nothing placed (2 busy cores, 2026-11-21).
HULL_SHARE = 0.25
HULL_MAX_NODES = 500
# Past HULL_MAX_NODES: insertion then local search sector by sector (``solver_clusters``). On the
# generated 1,000-item Hà Tĩnh day the start fell from 547k travel seconds (nearest stop) to 365-378k
# (2 busy cores, 2026-11-21; VROOM's plan drives ~294k).
SECTOR_SHARE = 0.3
WAITING_STOPS = 100  # the last phase gets at least WAITING_STOPS / stops of the time (at most 0.6)
# Two processes, the local search split in two parts for SPLIT_SHARE of its time, then joint (20 s,
# 2 cores shared with other work, load 3-4, 2026-11-21, product alone, route hours split / one
# process): Nghệ An 300 items 72.8 / 79.7, Hà Nội 300 71.5-72.9 / 75.4-77.1, Hà Tĩnh 300 75.4-76.1 /
# 74.5-74.6 (reading the joined routes into the waiting phase's model once took its whole 5 s);
# Hà Tĩnh 1,000 at 60 s 233.3-234.4 / 228.3-232.4, so not past HULL_MAX_NODES. Against VROOM on the
# same days, bench/day_peers.py at load 4.5-7: route hours ×1.17 (Hà Nội), ×1.22 (Hà Tĩnh, Nghệ An),
# ×1.26 (Hà Tĩnh 1,000); the 120-item example ×0.77 (×0.84 before).
SPLIT_SHARE = 0.7
SPLIT_MIN_NODES = 60
FINISH_SHARE = 0.07  # kept after the search: it overruns its limit by a move, then the plan is read out
log = logging.getLogger(__name__)
def solve(
    problem: Problem,
    *,
    time_limit_s: float,
    initial: Plan | None = None,
    progress: Callable[[dict], None] | None = None,
    seed: int = 0,
    matrix_provider: MatrixProvider | None = None,
    options: SearchOptions = SearchOptions(),
) -> Plan:
    """Plan ``problem`` within about ``time_limit_s`` seconds.

    ``initial`` warm-starts the search from an earlier plan (its stops of jobs
    still in the problem, in their order); jobs with a ``pinned_vehicle`` keep
    that vehicle and, when they appear in ``initial``, their order on it.
    ``progress`` receives ``{"objective", "seconds", "solutions"}`` at each
    improving solution. ``seed`` seeds the proposer; OR-Tools' own search is
    deterministic for a given model and has no seed.
    """
    t0 = _time.monotonic()
    nodes = build_nodes(problem, matrix_provider)
    excluded = [
        Unserved(job.id, nodes.excluded[job.id], job.mandatory)
        for job in problem.jobs
        if job.id in nodes.excluded
    ]
    if not problem.vehicles or not nodes.nodes:
        return extract_plan(None, nodes, None, excluded, _time.monotonic() - t0)
    processes = search_processes(options)
    split = processes if processes > 1 and time_limit_s >= PARALLEL_MIN_S else 1
    return search(nodes, excluded, t0, time_limit_s, initial, progress, seed, options, split)


def search(nodes, excluded: list[Unserved], t0: float, time_limit_s: float, initial: Plan | None,
           progress: Callable[[dict], None] | None, seed: int, options: SearchOptions,
           split_parts: int = 1) -> Plan:
    """Steps 2-7 of the module's docstring in this process, until ``t0 + time_limit_s`` (monotonic).

    With ``split_parts`` > 1 the local search first runs on that many parts of the day at
    once, one process each (``solver_split``), for ``SPLIT_SHARE`` of its time.
    """
    problem = nodes.problem
    initial_routes = plan_to_routes(initial, nodes) if initial is not None else None
    order_pins = None
    if initial_routes is not None:
        pinned = {j.id for j in problem.jobs if j.pinned_vehicle is not None}
        order_pins = [
            [n for n in seq if set(nodes.nodes[n].job_ids) & pinned] for seq in initial_routes
        ]
        order_pins = [seq for seq in order_pins if len(seq) > 1]
    proposal_routes, proposal_times = None, {}
    if options.proposer in ("pyvrp", "vroom"):
        # On the real windows, before any window is picked (VROOM models several windows).
        budget = time_limit_s * options.proposer_share
        proposal_routes = (propose(nodes, budget, seed) if options.proposer == "pyvrp"
                           else propose_vroom(nodes, budget, times=proposal_times))
    nearest = hull_routes = None
    sectors_only = False
    if has_holes(nodes) and proposal_times:
        nodes = pick_windows(nodes, proposal_times)
    elif has_holes(nodes) and initial is not None:
        # Re-planning: each stop keeps the window the current plan serves it in.
        served_at = {nodes.node_of[(j, s.action)]: s.start_s for r in initial.routes for s in r.stops
                     for j in s.job_ids if (j, s.action) in nodes.node_of}
        nodes = pick_windows(nodes, served_at)
    else:
        nearest, served_at = nearest_routes(nodes)
        preset = widest_pair_windows(nodes)
        choose = any(len(n.windows) > 1 and i not in preset for i, n in enumerate(nodes.nodes))
        if choose and len(nodes.nodes) <= HULL_MAX_NODES:
            hull = hull_solution(nodes, options, time_limit_s * HULL_SHARE, time_limit_s * HULL_SEARCH_SHARE)
            if hull is not None and len(hull[1]) >= len(served_at):
                hull_routes, served_at = hull
                nearest = None  # its routes were timed in other windows
        elif choose:
            # Too large for the hull model whole: the hull sector by sector picks the windows.
            times: dict[int, int] = {}
            if sector_routes(hull_nodes(nodes), options, HULL_SHARE * time_limit_s, _time.monotonic,
                             times=times, processes=split_parts) and len(times) >= len(served_at):
                served_at, nearest = times, None  # the nearest-stop routes were timed in other windows
                sectors_only = True
        if has_holes(nodes):
            nodes = pick_windows(nodes, served_at, preset)
            if nearest is not None and preset:  # timed in the windows it found, not always the preset's
                nearest = [repair(nodes, v, seq) for v, seq in enumerate(nearest)]
    two_phases = bool(problem.objective.per_second and problem.objective.waiting and options.waiting_share > 0)
    # The full objective's search pays off on small days (the 120-item example, 159 stops, 10 s:
    # 31.9 route hours with 60 % of the time, 43.9 h with 15 %) and crawls on large ones.
    waiting_share = min(0.6, max(options.waiting_share, WAITING_STOPS / len(nodes.nodes)))
    model = build_model(nodes, order_pins, price_waiting=not two_phases)
    routing = model.routing

    solutions = 0
    if progress is not None:

        def on_solution() -> None:
            nonlocal solutions
            solutions += 1
            progress({"objective": routing.CostVar().Max(), "seconds": _time.monotonic() - t0,
                      "solutions": solutions})

        routing.AddAtSolutionCallback(on_solution)

    def remaining() -> float:
        return max(0.05, time_limit_s - (_time.monotonic() - t0))

    params = search_parameters(options, remaining())
    routing.CloseModelWithParameters(params)
    starts = []
    if initial_routes is not None:
        start = routing.ReadAssignmentFromRoutes(initial_routes_as_indices(model, initial_routes), True)
        if start is not None:
            starts.append(routing.solver().Assignment(start))
    if hull_routes is not None:
        start = _read_routes(model, [repair(nodes, v, seq) for v, seq in enumerate(hull_routes)])
        log.info("hull start: %s", start.ObjectiveValue() if start is not None else "rejected")
        if start is not None:
            starts.append(start)
    if (nearest is not None or sectors_only) and len(nodes.nodes) > HULL_MAX_NODES:
        routes = sector_routes(nodes, options, SECTOR_SHARE * time_limit_s, _time.monotonic,
                               options.sector_search, processes=split_parts)
        start = _read_routes(model, routes) if routes is not None else None
        log.info("sector start: %s", start.ObjectiveValue() if start is not None else "rejected")
        if start is not None:
            starts.append(start)
    if nearest is not None:
        start = _read_routes(model, nearest)
        log.info("nearest-stop start: %s", start.ObjectiveValue() if start is not None else "rejected")
        if start is not None:
            starts.append(start)
    reserve = time_limit_s - CONSTRUCTION_SHARE * time_limit_s
    complete = any(a.ObjectiveValue() < MANDATORY_PENALTY for a in starts)
    if not (complete and len(nodes.nodes) > HULL_MAX_NODES):
        # Past HULL_MAX_NODES OR-Tools' insertions run out of any budget (1,347 stops: 16 s, nothing placed).
        starts += _constructions(model, nodes, options, remaining, reserve, bounded=complete)
    if proposal_routes is not None:
        routes = [repair(nodes, v, seq) for v, seq in enumerate(proposal_routes)]
        if routes:
            proposal = routing.ReadAssignmentFromRoutes(initial_routes_as_indices(model, routes), True)
            if proposal is not None:
                starts.append(routing.solver().Assignment(proposal))
            log.info("%s proposal %s", options.proposer,
                     f"accepted, cost {proposal.ObjectiveValue()}" if proposal is not None else "rejected")
    solution = None
    starts.sort(key=lambda a: a.ObjectiveValue())
    log.info("starts: %s", [a.ObjectiveValue() for a in starts])
    runs = starts[: max(1, options.portfolio)]
    last = (FINISH_SHARE + (waiting_share if two_phases else 0)) * time_limit_s
    split_processes = split_parts
    if order_pins or not SPLIT_MIN_NODES <= len(nodes.nodes) <= HULL_MAX_NODES:
        # The parts' models know no pinned order; a small day gains nothing; past HULL_MAX_NODES the
        # start is already searched sector by sector (the sectors shared by the processes), and the
        # split lost there (SPLIT_SHARE's note).
        split_parts = 1
    searched = list(runs)
    if split_parts > 1 and runs:
        routes = split_search(nodes, route_sequences(model, runs[0]), split_parts,
                              _time.monotonic() + SPLIT_SHARE * max(0.0, remaining() - last), options, time_limit_s)
        joined = _read_routes(model, routes) if routes is not None else None
        log.info("split search from %s: %s", runs[0].ObjectiveValue(),
                 joined.ObjectiveValue() if joined is not None else None)
        if joined is not None and joined.ObjectiveValue() <= runs[0].ObjectiveValue():
            searched[0] = joined  # the joint search goes on from the parts' routes
    for k, start in enumerate(searched):
        share = max(0.05, remaining() - last) / (len(runs) - k)
        found = routing.SolveFromAssignmentWithParameters(start, gls_parameters(model, options, share))
        log.info("search from %s for %.1f s: %s (status %s)", start.ObjectiveValue(), share,
                 found.ObjectiveValue() if found is not None else None, routing.status())
        if found is not None and (solution is None or found.ObjectiveValue() < solution.ObjectiveValue()):
            solution = routing.solver().Assignment(found)
    search = "none"
    if runs:
        best_start = runs[0].ObjectiveValue()
        search = ("failed" if solution is None
                  else "improved" if solution.ObjectiveValue() < best_start else "no_better")
    if solution is None and starts:
        solution = starts[0]  # out of time after the starts: the cheapest start is still a plan
    if solution is None:
        solution = routing.SolveWithParameters(search_parameters(options, remaining()))
    start_objective = runs[0].ObjectiveValue() if runs else None
    if two_phases and solution is not None:
        model, solution, start_cost = _price_waiting(model, solution, runs[0] if runs else None, order_pins,
                                                     options, remaining() - FINISH_SHARE * time_limit_s,
                                                     split_processes, time_limit_s)
        # Both on the full objective: the start as the search began, the plan as it ends.
        start_objective = start_cost
        if start_cost is not None and search in ("improved", "no_better"):
            search = "improved" if solution.ObjectiveValue() < start_cost else "no_better"
    plan = extract_plan(model, nodes, solution, excluded, _time.monotonic() - t0)
    return dataclasses.replace(plan, start_objective=start_objective, search=search)


READ_SHARE, READ_MIN_S = 0.2, 1.0  # the last phase's bound on reading routes into its model


def _price_waiting(model, solution, first, order_pins, options: SearchOptions, budget_s: float,
                   parts: int = 1, time_limit_s: float = 0.0):
    """The last phase: the routes found on travel alone, searched on the full objective (waiting priced).

    Why two phases: a priced wait is a slack cost, so with it every move of the search
    schedules the routes it touches, with the breaks a mixed-integer schedule; on the
    generated 300-item day (15 postmen, lunch breaks, 20 s) the search then improved its
    start by 0.7 %, on travel alone by 10 %, and the plan had fewer route hours as well.
    The search itself goes a few routes at a time (``solver_popmusic``), except on a day
    of a few routes or with a pinned order. With ``parts`` > 1 each process takes its part of
    the routes (``solver_split``). Returns the model and solution to read the plan from
    (the given ones when the full model rejects the routes) and the cost of the search's
    start ``first`` on the full objective (None when not known).
    """
    t0 = _time.monotonic()
    full = build_model(model.nodes, order_pins)
    # Reading routes into this model places the breaks by a search bounded by the model's
    # time limit: usually under a second on 1,000 stops, but 9-10 s in one run of three
    # (2026-12-06), past the day's limit. Bounded to a share of the phase, reserved for the
    # last read; a read that runs out keeps what was read before.
    read_limit_s = min(budget_s, max(READ_MIN_S, READ_SHARE * budget_s))
    full.routing.CloseModelWithParameters(search_parameters(options, max(0.05, read_limit_s)))
    start = _read_routes(full, route_sequences(model, solution))
    if start is None:
        log.info("waiting phase: routes rejected")
        return model, solution, None
    first_full = _read_routes(full, route_sequences(model, first)) if first is not None else None
    if first_full is not None and first_full.ObjectiveValue() < start.ObjectiveValue():
        start = first_full  # less travel, more waiting: the search's start is the better plan
    read_s = _time.monotonic() - t0
    log.info("waiting phase: model and starts read in %.1f s of %.1f", read_s, budget_s)
    budget_s = max(0.05, budget_s - read_s)
    # The decomposition's routes are read back at the end, placing every break again: time
    # for twice the reads so far (two), up to their bound.
    reserve_s = max(read_s, min(read_limit_s, 2 * read_s))
    routes, deadline = route_sequences(full, start), _time.monotonic() + max(0.05, budget_s - reserve_s)
    used = sum(1 for seq in routes if seq)
    if order_pins or used <= POPMUSIC_GROUP:
        # The sub-problems' models know no pinned order; a day of a few routes is one sub-problem.
        found = full.routing.SolveFromAssignmentWithParameters(start, gls_parameters(full, options, budget_s))
    else:
        # Each process its part's routes (disjoint) when each part has more than a sub-problem's.
        joined = (split_search(full.nodes, routes, parts, deadline, options, time_limit_s, search=popmusic)
                  if used > parts * POPMUSIC_GROUP and budget_s >= PARALLEL_MIN_S else None)
        improved = joined if joined is not None else popmusic(full.nodes, routes, deadline, options)
        # Reading a day's routes places every break (10 s on the 1,000-item Nghệ An day): not for nothing.
        log.info("waiting phase: decomposition done %.1f s after its deadline", _time.monotonic() - deadline)
        found = start if improved == routes else _read_routes(full, improved)
    log.info("waiting phase from %s for %.1f s: %s", start.ObjectiveValue(), budget_s,
             found.ObjectiveValue() if found is not None else None)
    if found is None or found.ObjectiveValue() > start.ObjectiveValue():
        found = start  # a route the whole model would not take back was left out: keep the start
    best = full.routing.solver().Assignment(found)
    return full, best, first_full.ObjectiveValue() if first_full is not None else None


def _read_routes(model, routes: list[list[int]]):
    """The routes as an assignment of the model; a route the model rejects alone is left empty."""
    routing = model.routing
    start = routing.ReadAssignmentFromRoutes(initial_routes_as_indices(model, routes), True)
    if start is None:
        log.info("routes rejected whole: read route by route")
        empty = [[] for _ in routes]
        routes = [seq if routing.ReadAssignmentFromRoutes(
            initial_routes_as_indices(model, [*empty[:v], seq, *empty[v + 1:]]), True) is not None else []
            for v, seq in enumerate(routes)]
        start = routing.ReadAssignmentFromRoutes(initial_routes_as_indices(model, routes), True)
    return routing.solver().Assignment(start) if start is not None else None


def _constructions(model, nodes, options: SearchOptions, remaining: Callable[[], float],
                   reserve_s: float, bounded: bool = False) -> list:
    """First solutions by OR-Tools' construction heuristics.

    Path cheapest arc and savings cannot build pickup → delivery pairs (with pairs, path
    cheapest arc used its whole budget and placed nothing), so they are skipped then. The
    first construction may use all the time unless ``bounded`` (a start serves every mandatory stop);
    the others stop when only ``reserve_s`` is left.
    """
    routing = model.routing
    has_pairs = any(n.partner is not None for n in nodes.nodes)
    strategies = [s for s in (options.first_solution, *options.also_try)
                  if not (has_pairs and s in ("PATH_CHEAPEST_ARC", "SAVINGS"))]
    if has_pairs and not strategies:
        strategies = ["LOCAL_CHEAPEST_INSERTION"]
    starts = []
    for k, strategy in enumerate(strategies):
        budget = remaining() if k == 0 and not bounded else remaining() - reserve_s
        if budget <= 0.05 or (k > 0 and not options.also_try):
            break
        construct = search_parameters(dataclasses.replace(options, first_solution=strategy), budget)
        construct.solution_limit = 1
        start = routing.SolveWithParameters(construct)
        log.info("construction %s: %s", strategy, start.ObjectiveValue() if start is not None else None)
        if start is not None:
            starts.append(routing.solver().Assignment(start))
    return starts


def initial_routes_as_indices(model, routes: list[list[int]]) -> list[list[int]]:
    return [[model.manager.NodeToIndex(n) for n in seq] for seq in routes]


__all__ = ["solve", "SearchOptions", "Plan", "Reason", "Unserved"]
