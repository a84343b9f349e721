"""Diagnosis and consolidation before the solver runs."""

from __future__ import annotations

import dataclasses

import pytest
import routing_instances as inst

from logistics.routing.nodes import build_nodes, earliest_start
from logistics.routing.plan import Action, Reason
from logistics.routing.problem import Consolidation, Job, Problem, Visit

H = inst.H


def test_earliest_start_picks_the_first_open_window():
    """Service starts at arrival, or at the next window's opening; never in a gap or after the last close."""
    windows = ((8 * H, 11 * H), (13 * H, 17 * H))
    assert earliest_start(7 * H, windows) == 8 * H
    assert earliest_start(9 * H, windows) == 9 * H
    assert earliest_start(12 * H, windows) == 13 * H
    assert earliest_start(18 * H, windows) is None


def test_consolidation_groups_same_address_same_windows_only():
    """Items at one address with the same windows merge; a different window keeps its own stop."""
    p = inst.same_address()
    jobs = p.jobs + (inst.delivery("F-late", 1, windows=[(15 * H, 16 * H)], service=240),)
    nodes = build_nodes(dataclasses.replace(p, jobs=jobs))
    by_jobs = {n.job_ids: n for n in nodes.nodes}
    merged = by_jobs[("F0", "F1", "F2")]
    assert merged.service_s == 240 + 2 * 60 and merged.items == -3
    assert ("F-late",) in by_jobs and ("N",) in by_jobs


def test_no_consolidation_keeps_one_node_per_item():
    """With consolidation off, every item is its own node."""
    p = dataclasses.replace(inst.same_address(), consolidation=None)
    assert len(build_nodes(p).nodes) == 4


def test_pairs_are_never_merged():
    """Pickup → delivery pairs stay one node per end, linked to each other."""
    nodes = build_nodes(inst.village_day())
    d1p = nodes.node_of[("D1", Action.PICKUP)]
    d1d = nodes.node_of[("D1", Action.DELIVERY)]
    assert nodes.nodes[d1p].partner == d1d and nodes.nodes[d1d].partner == d1p
    assert nodes.nodes[d1p].items == 1 and nodes.nodes[d1d].items == -1


def test_diagnosis_reasons():
    """Each hopeless item is excluded before solving with the reason that a check established."""
    nodes = build_nodes(inst.bad_day())
    assert nodes.excluded == {
        "HEAVY": Reason.TOO_HEAVY,
        "EARLY": Reason.WINDOW_UNREACHABLE,
        "LOST": Reason.NO_COORDINATES,
        "SKILL": Reason.NO_VEHICLE_WITH_SKILL,
        "EARLY_PAIR": Reason.WINDOW_UNREACHABLE,
    }


def test_pinned_to_unskilled_vehicle_is_a_skill_problem():
    """Pinning a cash item to a postman without the cash skill is reported, not silently moved."""
    p = inst.cash_and_id()
    jobs = tuple(dataclasses.replace(j, pinned_vehicle="A") if j.id == "COD" else j for j in p.jobs)
    nodes = build_nodes(dataclasses.replace(p, jobs=jobs))
    assert nodes.excluded["COD"] == Reason.NO_VEHICLE_WITH_SKILL


def test_problem_rejects_bad_references():
    """A job pointing at an unknown vehicle or location is refused when the problem is built."""
    p = inst.village_day()
    with pytest.raises(ValueError, match="unknown vehicle"):
        Problem("x", p.locations, p.vehicles, (dataclasses.replace(p.jobs[0], pinned_vehicle="Z"),))
    with pytest.raises(ValueError, match="out of range"):
        Problem("x", p.locations, p.vehicles, (Job("J", Visit(99, ((0, 1),))),))
    with pytest.raises(ValueError, match="duplicate job"):
        Problem("x", p.locations, p.vehicles, (p.jobs[0], p.jobs[0]), consolidation=Consolidation())


def test_pick_windows_keeps_pairs_servable():
    """A two-window delivery whose pickup opens at 13:00 gets its afternoon window, never the morning."""
    from logistics.routing.construction import pick_windows

    locs = [inst.grid("office", 0, 0), inst.grid("home", 1, 0), inst.grid("agency", 2, 0)]
    job = inst.pair("T", 1, 2, src_windows=[(13 * H, 15 * H)],
                    dst_windows=[(7 * H + 1800, 11 * H + 1800), (13 * H + 1800, 17 * H)])
    nodes = build_nodes(inst.problem("afternoon_pair", locs, [inst.postman("A")], [job]))
    picked = pick_windows(nodes, {})
    assert picked.nodes[nodes.node_of[("T", Action.DELIVERY)]].windows == ((13 * H + 1800, 17 * H),)
    served_late = pick_windows(nodes, {nodes.node_of[("T", Action.DELIVERY)]: 12 * H})
    assert served_late.nodes[nodes.node_of[("T", Action.DELIVERY)]].windows == ((13 * H + 1800, 17 * H),)


def test_widest_pair_windows_span_the_pair_and_leave_out_what_no_one_can_reach():
    """A pair's pickup gets its first window, its delivery its last; a first window no postman reaches is left to the pick."""
    from logistics.routing.construction import pick_windows, widest_pair_windows

    agency = [(7 * H + 1800, 11 * H + 1800), (13 * H + 1800, 17 * H)]
    locs = [inst.grid("office", 0, 0), inst.grid("counter", 1, 0), inst.grid("agency", 2, 0),
            inst.grid("far agency", 0, 60)]  # 2 h away at 30 km/h
    jobs = [inst.pair("T", 1, 2, src_windows=agency, dst_windows=agency),
            inst.pair("R", 2, 1, src_windows=agency, dst_windows=[(8 * H, 16 * H)]),
            inst.pair("F", 3, 1, src_windows=[(7 * H, 8 * H), (13 * H, 15 * H)], dst_windows=agency),
            inst.pair("S", 1, 2)]  # one window each: nothing to choose
    nodes = build_nodes(inst.problem("pairs", locs, [inst.postman("A")], jobs))
    node = nodes.node_of
    preset = widest_pair_windows(nodes)
    assert preset == {node[("T", Action.PICKUP)]: agency[0], node[("T", Action.DELIVERY)]: agency[1],
                      node[("R", Action.PICKUP)]: agency[0], node[("R", Action.DELIVERY)]: (8 * H, 16 * H)}
    # F's morning pickup closes at 8:00, two hours' drive from a 7:00 start: picked from the solution's time.
    picked = pick_windows(nodes, {node[("F", Action.PICKUP)]: 13 * H, node[("T", Action.PICKUP)]: 14 * H}, preset)
    assert picked.nodes[node[("F", Action.PICKUP)]].windows == ((13 * H, 15 * H),)
    assert picked.nodes[node[("F", Action.DELIVERY)]].windows == (agency[1],)
    assert picked.nodes[node[("T", Action.PICKUP)]].windows == (agency[0],)  # the preset wins over the time
    assert all(len(n.windows) == 1 for n in picked.nodes)
