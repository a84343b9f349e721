"""Days whose stops have several windows (agencies closed at lunch).

OR-Tools slows down badly on windows with holes (``RemoveInterval``): its
filters see only the hull, so moves fail late in propagation. On a generated
300-item day (15 postmen, a third of the stops with two windows) every
construction hit its 15 s limit, local cheapest insertion leaving most stops
out; on the hull of the windows it took 1.3 s. The local search suffers the
same way: after a start built on the hull and repaired, 13 items stayed
unserved with 4 postmen idle, though one postman alone serves them all.

So each multi-window stop gets ONE of its windows before the real search:
``pick_windows`` takes the window in which a first solution serves it (the
current plan, a proposal, a solution of the hull model (``hull_nodes``) or
``nearest.nearest_routes`` on the real windows),
or the next one, if it falls in a gap. The search then runs on
single windows only, fast and exact; the price is that a stop no longer
moves between its morning and afternoon window during the search.

A pickup → delivery pair is an exception (``widest_pair_windows``): its pickup gets its
first window and its delivery its last, the widest span the pair can have, so the search
may put the pair on any route that passes both ends in that span. On 12 generated 300-item
days (Hà Nội, Hà Tĩnh, Nghệ An, seeds 1-4, 15 postmen, 20 s, 2 cores, 2026-12-07) the plans'
route hours fell to a mean of 68.2 h, from 71.0 h with the windows of a searched hull
solution (``solver_hull``; better on 9 days of 12) and 73.5 h with those of a first
insertion (better on all 12). A pair no vehicle could serve so (its first window
unreachable, say) keeps the window a solution served it in.
"""

from __future__ import annotations

import dataclasses

from logistics.routing.nodes import Nodes, earliest_start, trip_ok
from logistics.routing.plan import Action


def has_holes(nodes: Nodes) -> bool:
    return any(len(n.windows) > 1 for n in nodes.nodes)


def hull_nodes(nodes: Nodes) -> Nodes:
    """The same nodes (same indices) with each node's windows replaced by their hull."""
    hulled = [
        dataclasses.replace(n, windows=((min(a for a, _ in n.windows), max(b for _, b in n.windows)),))
        for n in nodes.nodes
    ]
    return dataclasses.replace(nodes, nodes=hulled)


def pick_windows(nodes: Nodes, served_at: dict[int, int],
                 preset: dict[int, tuple[int, int]] | None = None) -> Nodes:
    """The same nodes with one window each: ``preset[n]``, else the one containing ``served_at[n]``, or the next.

    A node without a time keeps a window consistent with its partner's, so that
    a pair can still be served pickup first (an impossible pair would make the
    whole model infeasible): a delivery the first window closing after the
    pickup's opens, a pickup the last window opening before the delivery's
    closes, else the first window.
    """
    chosen: dict[int, tuple[int, int]] = dict(preset or {})
    for i, n in enumerate(nodes.nodes):
        t = served_at.get(i)
        if i in chosen:
            continue
        if len(n.windows) == 1:
            chosen[i] = n.windows[0]
        elif t is not None:
            chosen[i] = next((w for w in sorted(n.windows) if t <= w[1]), max(n.windows))
    for i, n in enumerate(nodes.nodes):
        if i in chosen:
            continue
        windows = sorted(n.windows)
        other = chosen.get(n.partner) if n.partner is not None else None
        if other is not None and n.action == Action.DELIVERY:
            ready = other[0] + nodes.nodes[n.partner].service_s
            chosen[i] = next((w for w in windows if w[1] >= ready), windows[-1])
        elif other is not None:
            chosen[i] = next((w for w in reversed(windows) if w[0] <= other[1]), windows[0])
        else:
            chosen[i] = windows[0]
    for i, n in enumerate(nodes.nodes):  # a delivery picked before its partner's window
        if n.partner is not None and n.action == Action.DELIVERY and len(n.windows) > 1:
            ready = chosen[n.partner][0] + nodes.nodes[n.partner].service_s
            if chosen[i][1] < ready:
                chosen[i] = next((w for w in sorted(n.windows) if w[1] >= ready), chosen[i])
    picked = [dataclasses.replace(n, windows=(chosen[i],)) if len(n.windows) > 1 else n
              for i, n in enumerate(nodes.nodes)]
    return dataclasses.replace(nodes, nodes=picked)


def widest_pair_windows(nodes: Nodes) -> dict[int, tuple[int, int]]:
    """For each pair with a stop of several windows: its pickup's first window and its delivery's last.

    Only for a pair that some vehicle allowed to serve it could serve alone in those
    windows (from its start, pickup, delivery, back by the end of its shift, the break
    aside); the others are left out, for ``pick_windows`` to pick from a solution.
    """
    chosen: dict[int, tuple[int, int]] = {}
    for i, pickup in enumerate(nodes.nodes):
        if pickup.action != Action.PICKUP or pickup.partner is None:
            continue
        delivery = nodes.nodes[pickup.partner]
        if len(pickup.windows) == 1 and len(delivery.windows) == 1:
            continue
        first, last = min(pickup.windows), max(delivery.windows)
        visits = [(pickup.location, (first,), pickup.service_s), (delivery.location, (last,), delivery.service_s)]
        vehicles = nodes.problem.vehicles
        if any(trip_ok(vehicles[v], nodes.matrices[vehicles[v].matrix_key], visits) for v in pickup.vehicles):
            chosen[i], chosen[pickup.partner] = first, last
    return chosen


def repair(nodes: Nodes, v: int, seq: list[int]) -> list[int]:
    """Drop stops that the real windows make late, with their partners.

    A forward pass at the earliest times, ignoring the break (OR-Tools then
    accepts or rejects the whole start).
    """
    veh = nodes.problem.vehicles[v]
    travel = nodes.matrices[veh.matrix_key].duration_s
    dropped: set[int] = set()
    while True:
        t, loc, kept, bad = veh.start_time, veh.start_location, [], None
        for n in seq:
            if n in dropped:
                continue
            node = nodes.nodes[n]
            start = earliest_start(t + int(travel[loc, node.location]), node.windows)
            if start is None:
                bad = n
                break
            kept.append(n)
            t, loc = start + node.service_s, node.location
        if bad is None:
            return kept
        dropped.add(bad)
        if nodes.nodes[bad].partner is not None:
            dropped.add(nodes.nodes[bad].partner)
