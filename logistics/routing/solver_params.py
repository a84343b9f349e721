"""The OR-Tools search parameters of the planner: ``SearchOptions`` (the knobs, with what
each was measured to do) and the ``RoutingSearchParameters`` built from them for a
construction or a local search."""

from __future__ import annotations

from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

FSS = routing_enums_pb2.FirstSolutionStrategy
LSM = routing_enums_pb2.LocalSearchMetaheuristic


@dataclass(frozen=True)
class SearchOptions:
    """Search knobs, measured in ``bench/routing_tune.py`` (Solomon, 10 s, 2 cores)."""

    # PATH_CHEAPEST_ARC first: the one construction that stays fast and complete on postal
    # days (300 stops with pairs, breaks, two-window agencies: 0.3 s, all served; parallel
    # cheapest insertion 8.4 s, savings and local cheapest insertion left stops out).
    first_solution: str = "PATH_CHEAPEST_ARC"
    # Further constructions tried within ``solver.CONSTRUCTION_SHARE`` of the limit; the search starts
    # from the cheapest.
    also_try: tuple[str, ...] = ("SAVINGS", "PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION")
    # Guided local search from the ``portfolio`` cheapest starts, the time split evenly.
    portfolio: int = 1
    # Search processes (``processes``): None = the ``routing_search_processes`` setting,
    # at most the CPUs this process may use; 1 = this process alone.
    processes: int | None = None
    # "pyvrp": PyVRP's genetic search proposes a start on a relaxation (``propose.py``);
    # "vroom": VROOM proposes one on the full model (``propose_vroom.py``). The proposer gets
    # ``proposer_share`` of the time; OR-Tools checks the start against the full model and finishes.
    proposer: str | None = None
    proposer_share: float = 0.8
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    gls_lambda: float = 0.2
    use_full_propagation: bool = False
    neighbors_ratio: float = 1.0
    min_neighbors: int = 1
    lns: bool = False
    # The share of the time for the last phase when waiting is priced (``solver._price_waiting``);
    # 0 searches the full objective throughout, as before (slow with breaks).
    waiting_share: float = 0.15
    log_search: bool = False
    # Full pair relocation tries every pickup and delivery position in every route; at 300
    # items it found every improvement of the first 17 s of a 20 s search, one by one, while
    # single-stop relocation waited behind it (light pair relocation stays on). Off: 139.8k
    # against 148.1k travel seconds on the generated 300-item Hà Nội day (2026-11-21).
    operators_off: tuple[str, ...] = ("use_relocate_pair",)
    # Insertion seeds routes with the stops farthest from the start (a share of the vehicles):
    # starts 2-9 % cheaper on the five postal days of bench/day_peers.py (2026-11-21).
    farthest_seeds_ratio: float = 0.3
    # Past ``solver.HULL_MAX_NODES``: each sector's routes searched on the sector's model (``solver_clusters``).
    sector_search: bool = True


def search_parameters(options: SearchOptions, time_limit_s: float) -> pywrapcp.RoutingSearchParameters:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(FSS, options.first_solution)
    params.local_search_metaheuristic = getattr(LSM, options.metaheuristic)
    params.guided_local_search_lambda_coefficient = options.gls_lambda
    params.use_full_propagation = options.use_full_propagation
    params.ls_operator_neighbors_ratio = options.neighbors_ratio
    params.ls_operator_min_neighbors = options.min_neighbors
    if not options.lns:
        ops = params.local_search_operators
        for name in ("use_global_cheapest_insertion_path_lns", "use_local_cheapest_insertion_path_lns",
                     "use_relocate_path_global_cheapest_insertion_insert_unperformed",
                     "use_global_cheapest_insertion_visit_types_lns",
                     "use_local_cheapest_insertion_visit_types_lns"):
            setattr(ops, name, optional_boolean_pb2.BOOL_FALSE)
    for name in options.operators_off:
        setattr(params.local_search_operators, name, optional_boolean_pb2.BOOL_FALSE)
    params.global_cheapest_insertion_first_solution_parameters.farthest_seeds_ratio = options.farthest_seeds_ratio
    params.log_search = options.log_search
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    return params


def gls_parameters(model, options: SearchOptions, time_limit_s: float) -> pywrapcp.RoutingSearchParameters:
    """The local search's parameters; with breaks, room for OR-Tools to place them in each solution.

    Every solution of the search, the start included, is completed by OR-Tools'
    finaliser, which places the breaks, within ``lns_time_limit`` (0.1 s by
    default). On a 1,000-item day (1,347 stops, 40 postmen with a lunch break) placing
    the breaks of the start took 4.8 s on 2 busy cores, so the search failed at
    once (ROUTING_FAIL) and the plan was the construction's; with the limit at a
    quarter of the search it improved in every run. Without breaks the default stays.
    """
    params = search_parameters(options, time_limit_s)
    if model.breaks:
        params.lns_time_limit.FromMilliseconds(int(1000 * min(10.0, max(0.1, time_limit_s / 4))))
    return params
