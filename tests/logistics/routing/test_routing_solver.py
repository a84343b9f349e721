"""Plan invariants of ``solve()`` on tiny named instances, checked by an independent checker."""

from __future__ import annotations

import dataclasses

import pytest
import routing_instances as inst
from routing_checker import check_plan, in_windows

from logistics.routing.plan import Action, Reason
from logistics.routing.solver import solve

H = inst.H
LIMIT = 1.0


def stops_of(plan, job_id):
    return [(r.vehicle_id, i, s) for r in plan.routes for i, s in enumerate(r.stops) if job_id in s.job_ids]


def sequences(plan):
    return {r.vehicle_id: [(s.action, s.job_ids) for s in r.stops if s.action != Action.BREAK] for r in plan.routes}


def test_village_day_serves_everything_feasibly():
    """Every mandatory item of a small day is served, and the plan passes the independent checker."""
    p = inst.village_day()
    plan = solve(p, time_limit_s=LIMIT)
    assert check_plan(p, plan) == []
    assert plan.unserved == ()
    assert plan.distance_m == sum(r.distance_m for r in plan.routes) > 0


def test_pairs_ride_one_route_pickup_first():
    """A pickup → delivery pair is served by one postman, the pickup before the delivery."""
    p = inst.village_day()
    plan = solve(p, time_limit_s=LIMIT)
    for jid in ("D1", "T1"):
        (vp, ip, sp), (vd, id_, sd) = sorted(stops_of(plan, jid), key=lambda x: x[2].action != Action.PICKUP)
        assert sp.action == Action.PICKUP and sd.action == Action.DELIVERY
        assert vp == vd and ip < id_ and sp.end_s <= sd.start_s


def test_second_window_after_lunch_gap():
    """An agency closed over lunch is served inside one of its windows, never in the gap."""
    p = inst.lunch_gap_agency()
    plan = solve(p, time_limit_s=LIMIT)
    assert check_plan(p, plan) == []
    (_, _, stop), = stops_of(plan, "R-agency")
    assert stop.start_s >= 13 * H + 1800  # the morning window closes before anyone can arrive


def test_break_inside_one_of_its_windows():
    """The 45-minute break starts inside one of its two windows and overlaps no service."""
    p = inst.lunch_break_day()
    plan = solve(p, time_limit_s=LIMIT)
    assert check_plan(p, plan) == []
    assert plan.unserved == ()
    (brk,) = [s for s in plan.route("A").stops if s.action == Action.BREAK]
    assert in_windows(brk.start_s, p.vehicle("A").break_.windows)
    assert brk.end_s - brk.start_s == 2700


def test_capacity_spreads_items_over_bags():
    """Two-item bags: five results need three postmen, and no bag is overfull."""
    p = inst.small_bags()
    plan = solve(p, time_limit_s=LIMIT)
    assert check_plan(p, plan) == []
    assert plan.unserved == ()
    assert len(plan.used_routes) == 3


def test_capacity_drop_is_reported_as_capacity():
    """An optional item that no bag has room for is left out with reason capacity."""
    p = inst.one_bag_too_many()
    plan = solve(p, time_limit_s=LIMIT)
    assert check_plan(p, plan) == []
    assert [(u.reason, u.mandatory) for u in plan.unserved] == [(Reason.CAPACITY, False)]


def test_skills_respected_and_missing_skill_reported():
    """A cash item rides with the postman who may carry cash; an item needing a skill nobody has is reported."""
    p = inst.cash_and_id()
    plan = solve(p, time_limit_s=LIMIT)
    assert check_plan(p, plan) == []
    assert plan.vehicle_of("COD") == "B"
    assert {u.job_id: u.reason for u in plan.unserved} == {"IDC": Reason.NO_VEHICLE_WITH_SKILL}


def test_bad_day_reports_every_hopeless_item_with_its_reason():
    """An infeasible day never crashes: each hopeless item is listed with the reason found by diagnosis."""
    p = inst.bad_day()
    plan = solve(p, time_limit_s=LIMIT)
    assert check_plan(p, plan) == []
    assert {u.job_id: u.reason for u in plan.unserved} == {
        "HEAVY": Reason.TOO_HEAVY,
        "EARLY": Reason.WINDOW_UNREACHABLE,
        "LOST": Reason.NO_COORDINATES,
        "SKILL": Reason.NO_VEHICLE_WITH_SKILL,
        "EARLY_PAIR": Reason.WINDOW_UNREACHABLE,
    }
    assert plan.vehicle_of("OK") == "A"


def test_no_vehicles_no_crash():
    """A day without postmen gives every item back as unserved, not an exception."""
    p = dataclasses.replace(inst.village_day(), vehicles=())
    plan = solve(p, time_limit_s=LIMIT)
    assert {u.job_id for u in plan.unserved} == {j.id for j in p.jobs}


def test_same_address_is_one_stop():
    """Three results for one address become one stop whose service grows per extra item."""
    p = inst.same_address()
    plan = solve(p, time_limit_s=LIMIT)
    assert check_plan(p, plan) == []
    flat = [s for s in plan.route("A").stops if "F0" in s.job_ids]
    assert len(flat) == 1 and sorted(flat[0].job_ids) == ["F0", "F1", "F2"]
    assert flat[0].end_s - flat[0].start_s == 240 + 2 * 60


def test_pinned_job_keeps_its_vehicle():
    """A job pinned to postman B is planned on B even when A would be as good."""
    p = inst.village_day()
    jobs = tuple(dataclasses.replace(j, pinned_vehicle="B") if j.id in ("R0", "D1") else j for j in p.jobs)
    p = dataclasses.replace(p, jobs=jobs)
    plan = solve(p, time_limit_s=LIMIT)
    assert check_plan(p, plan) == []
    assert plan.vehicle_of("R0") == "B" and plan.vehicle_of("D1") == "B"


def test_pinned_jobs_keep_order_from_initial_plan():
    """Re-planning with pinned stops keeps their vehicle and their order from the current plan."""
    p = inst.village_day()
    first = solve(p, time_limit_s=LIMIT)
    route = max(first.used_routes, key=lambda r: len(r.stops))
    pinned_ids = [jid for s in route.stops if s.action == Action.DELIVERY and len(s.job_ids) == 1
                  for jid in s.job_ids][:3]
    order_before = [jid for s in route.stops for jid in s.job_ids if jid in pinned_ids]
    jobs = tuple(dataclasses.replace(j, pinned_vehicle=route.vehicle_id) if j.id in pinned_ids else j
                 for j in p.jobs)
    jobs += (inst.delivery("URGENT", 4),)
    p2 = dataclasses.replace(p, jobs=jobs)
    plan = solve(p2, time_limit_s=LIMIT, initial=first)
    assert check_plan(p2, plan) == []
    after = plan.route(route.vehicle_id)
    assert [jid for s in after.stops for jid in s.job_ids if jid in pinned_ids] == order_before
    assert plan.vehicle_of("URGENT") is not None


def test_warm_start_reproduces_unchanged_plan():
    """Warm-starting from a plan of the same problem gives back the same routes."""
    p = inst.village_day()
    first = solve(p, time_limit_s=LIMIT)
    again = solve(p, time_limit_s=0.3, initial=first)
    assert check_plan(p, again) == []
    assert again.objective <= first.objective
    assert sequences(again) == sequences(first)


def test_midday_replan_from_current_position():
    """Mid-day, a carried item is only delivered (by its postman), done items vanish, the route starts here and now."""
    p = inst.midday()
    progress = []
    plan = solve(p, time_limit_s=LIMIT, progress=progress.append)
    assert check_plan(p, plan) == []
    assert plan.unserved == ()
    assert [s.action for v, _, s in stops_of(plan, "CARRIED")] == [Action.DELIVERY]
    assert plan.vehicle_of("CARRIED") == "A" and plan.vehicle_of("DONE") is None
    assert plan.route("A").start_s >= 13 * H
    assert progress and progress[-1]["objective"] >= plan.objective


@pytest.mark.parametrize("limit", [0.5, 1.5])
def test_time_limit_is_kept(limit):
    """solve() returns within about its time limit."""
    p = inst.village_day()
    plan = solve(p, time_limit_s=limit)
    assert plan.seconds <= limit + 0.5


@pytest.mark.parametrize("proposer", ["vroom", "pyvrp"])
def test_proposed_start_is_checked_by_the_full_model(proposer):
    """With another solver proposing the start, the plan still meets every constraint (pairs, skills, windows)."""
    pytest.importorskip({"vroom": "vroom", "pyvrp": "pyvrp"}[proposer])
    from logistics.routing.solver import SearchOptions

    for p in (inst.village_day(), inst.lunch_gap_agency(), inst.small_bags()):
        plan = solve(p, time_limit_s=LIMIT, options=SearchOptions(proposer=proposer))
        assert check_plan(p, plan) == []
        assert plan.unserved == ()
