"""The hull solution that picks each multi-window stop's window on days up to ``solver.HULL_MAX_NODES`` stops.

The search runs on one window per stop (``construction``'s docstring says why), so the
windows it gets decide how good its routes can become. They are taken from a solution
of the model with each stop's windows replaced by their hull (``construction.hull_nodes``):
an agency open 7:30-11:30 and 13:30-17:00 is one range there, so the insertion and the
local search move its stops freely, and ``construction.pick_windows`` then takes the
window each stop was served in, or the next.

That solution used to be a first insertion alone. Searched for ``SEARCH_SHARE`` of the
day's limit as well, its routes are compact, and so are the windows it picks: on 12
generated 300-item days (Hà Nội, Hà Tĩnh, Nghệ An, seeds 1-4, 15 postmen, 20 s, 2 cores,
2026-12-07, ``bench/day_peers.py``'s days) the plans' route hours fell from a mean of 73.5
to 71.0 h (better on 7 days of 12, by up to 11 %); picking from VROOM's own times instead
gave 67.4 h on the Hà Nội day where the first insertion's windows gave 70.5 h, so the
windows, not the search after them, had held the plans back. Pairs now get their widest
span instead (``construction.widest_pair_windows``, better again); the hull solution picks
for the other stops of several windows (a result loaded at the office for an agency closed
at lunch) and is skipped on a day without them.
"""

from __future__ import annotations

import dataclasses
import time

from logistics.routing.construction import hull_nodes
from logistics.routing.extract import route_sequences
from logistics.routing.nodes import Nodes
from logistics.routing.solver_model import build_model
from logistics.routing.solver_params import SearchOptions, gls_parameters, search_parameters

SEARCH_SHARE = 0.15  # of the day's time limit, for the hull solution's local search
FIRST_SOLUTION = "PARALLEL_CHEAPEST_INSERTION"


def hull_solution(nodes: Nodes, options: SearchOptions, budget_s: float, search_s: float):
    """Routes and each served stop's start time in a solution of the hull model, or None when it found none.

    The insertion may use ``budget_s``; the local search after it what is left of
    ``budget_s``, at most ``search_s``.
    """
    t0 = time.monotonic()
    hull = build_model(hull_nodes(nodes), price_waiting=False)
    params = search_parameters(dataclasses.replace(options, first_solution=FIRST_SOLUTION), max(0.05, budget_s))
    hull.routing.CloseModelWithParameters(params)
    params.solution_limit = 1
    solution = hull.routing.SolveWithParameters(params)
    if solution is None:
        return None
    search_s = min(search_s, budget_s - (time.monotonic() - t0))
    if search_s > 0.1:
        found = hull.routing.SolveFromAssignmentWithParameters(solution, gls_parameters(hull, options, search_s))
        if found is not None and found.ObjectiveValue() <= solution.ObjectiveValue():
            solution = found
    routes = route_sequences(hull, solution)
    return routes, {n: solution.Min(hull.time.CumulVar(hull.manager.NodeToIndex(n))) for seq in routes for n in seq}
