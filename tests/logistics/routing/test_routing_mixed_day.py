"""A central post office's day: batches of one-item pairs between a counter and its agencies.

The seeded Gia Lai central office (BC-52-00, 2026-11-23) planned 1 route of 7 with about 110
mandatory items unserved at 10 s: its 169 desk items were 338 one-item pair nodes on a few
places, OR-Tools' pair insertion (quadratic in the route's length) needed 28 s for its first
solution and the time ran out mid-construction. Pairs with the same ends, windows and eligible
vehicles are now one stop per end (``nodes.build_nodes``); ``desk_batches_day`` is that day in
miniature.
"""

from __future__ import annotations

import routing_instances as inst
from routing_checker import check_plan

from logistics.routing.nodes import build_nodes
from logistics.routing.plan import Action
from logistics.routing.problem import Break, Consolidation
from logistics.routing.solver import solve

H = inst.H
DESK = ((7 * H + 1800, 11 * H + 1800), (13 * H + 1800, 17 * H))  # an agency's hours with the lunch gap
LUNCH = Break(windows=((11 * H, 12 * H + 1800),), duration_s=3600)
CONSOLIDATED = Consolidation()


def desk_batches_day(per_agency: int = 30, consolidation: Consolidation | None = CONSOLIDATED):
    """Seven postmen; ``per_agency`` dossiers counter → each of 3 agencies, a third as many back,
    results from 2 agencies to the office, 6 home deliveries and 2 home pickups; 60 s per item
    at desks, everyone with a lunch break."""
    locs = [inst.grid("office", 0, 0), inst.grid("counter", 0, 0)]
    locs += [inst.grid(f"agency{k}", 0.5 * k, 0.3) for k in range(1, 4)]
    locs += [inst.grid(f"home{k}", 3 + k, -2 + k) for k in range(8)]
    jobs = []
    for a in (2, 3, 4):
        jobs += [inst.pair(f"T{a}-{i}", 1, a, DESK, DESK, service=60, weight_g=300) for i in range(per_agency)]
        jobs += [inst.pair(f"B{a}-{i}", a, 1, DESK, DESK, service=60, weight_g=300)
                 for i in range(per_agency // 3)]
    for a in (2, 3):
        jobs += [inst.pair(f"O{a}-{i}", a, 0, DESK, service=60, weight_g=300) for i in range(per_agency // 4)]
    jobs += [inst.delivery(f"R{k}", 5 + k, service=240, weight_g=200) for k in range(6)]
    jobs += [inst.pair(f"H{k}", 11 + k - 1, 1, service=240, weight_g=400) for k in range(2)]
    vehicles = [inst.postman(f"P{k}", capacity_items=45, capacity_g=40_000, break_=LUNCH) for k in range(7)]
    return inst.problem("desk_batches_day", locs, vehicles, jobs, consolidation=consolidation)


def test_pairs_with_the_same_ends_become_one_stop_per_end():
    """Pairs sharing pickup place, delivery place, windows and vehicles are one pickup node and one
    delivery node carrying all their items, the service time growing per item."""
    p = desk_batches_day(per_agency=12, consolidation=Consolidation(per_extra_item_s=30))
    nodes = build_nodes(p)
    t2 = [n for n in nodes.nodes if n.job_ids[0].startswith("T2-")]
    assert [n.action for n in t2] == [Action.PICKUP, Action.DELIVERY]
    assert set(t2[0].job_ids) == {f"T2-{i}" for i in range(12)}
    assert (t2[0].items, t2[1].items) == (12, -12)
    assert t2[0].partner == nodes.nodes.index(t2[1])
    assert t2[0].service_s == 60 + 11 * 30
    assert len(build_nodes(desk_batches_day(per_agency=12, consolidation=None)).nodes) > 3 * len(nodes.nodes)


def test_a_batch_larger_than_the_smallest_vehicle_is_split():
    """A consolidated pair is carried whole, so a batch is cut to what the smallest eligible
    vehicle holds: 100 items for 45-item postmen become 45 + 45 + 10."""
    p = desk_batches_day(per_agency=100)
    sizes = sorted(n.items for n in build_nodes(p).nodes
                   if n.action == Action.PICKUP and n.job_ids[0].startswith("T2-"))
    assert sizes == [10, 45, 45]


def test_desk_batches_day_serves_every_item_on_several_routes():
    """The day in miniature, at a short time limit: every item served and the plan passes the
    independent checker (windows, break, pairs, loads). How many routes it takes depends on
    how far the search got in the time, so it is not asserted."""
    p = desk_batches_day()
    plan = solve(p, time_limit_s=3.0)
    assert check_plan(p, plan) == []
    assert plan.unserved == ()
    for route in plan.routes:
        for s in route.stops:
            if s.action != Action.BREAK:
                assert s.load_items <= 45
