"""An independent checker of plans: recomputes travel, times and loads from the problem.

It shares no code with the solver's extraction: travel comes from the problem's
own matrices or from a plain-math haversine × circuity at the vehicle's speed,
rounded up (the open postal-day rule), and loads are rebuilt from the jobs.
"""

from __future__ import annotations

import math

from logistics.routing.plan import Action, Plan
from logistics.routing.problem import Problem, Vehicle

R_M = 6_371_008.8


def travel_s(problem: Problem, v: Vehicle, a: int, b: int) -> int:
    if v.matrix_key in problem.matrices:
        return int(problem.matrices[v.matrix_key].duration_s[a, b])
    la, lb = problem.locations[a], problem.locations[b]
    p1, p2 = math.radians(la.lat), math.radians(lb.lat)
    dp, dl = p2 - p1, math.radians(lb.lon - la.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    metres = 2 * R_M * math.asin(math.sqrt(h)) * v.circuity
    return math.ceil(metres * 3.6 / v.speed_kmh) if metres > 0 else 0


def in_windows(t: int, windows) -> bool:
    return any(a <= t <= b for a, b in windows)


def check_plan(problem: Problem, plan: Plan) -> list[str]:
    """Every violation of the problem's rules in ``plan`` (empty when feasible)."""
    errors: list[str] = []
    jobs = {j.id: j for j in problem.jobs}
    seen: dict[tuple[str, Action], tuple[str, int]] = {}
    for route in plan.routes:
        v = problem.vehicle(route.vehicle_id)
        visits = [s for s in route.stops if s.action != Action.BREAK]
        breaks = [s for s in route.stops if s.action == Action.BREAK]
        loc, t_free = v.start_location, v.start_time
        # Start load: items delivered from the start (delivery-only and in-vehicle jobs).
        load_i, load_g = v.current_load_items, v.current_load_g
        for s in visits:
            for jid in s.job_ids:
                j = jobs[jid]
                if not j.is_pair:
                    load_i, load_g = load_i + 1, load_g + j.weight_g
        if load_i > v.capacity_items or load_g > v.capacity_g:
            errors.append(f"{v.id}: start load {load_i} items {load_g} g over capacity")
        for pos, s in enumerate(visits):
            travel = travel_s(problem, v, loc, s.location)
            between = [b for b in breaks if t_free <= b.start_s and b.end_s <= s.start_s]
            if between:
                # The break is taken at a stop: at the previous one before driving, or at this one.
                b = between[0]
                if not (b.end_s + travel <= s.start_s or t_free + travel <= b.start_s):
                    errors.append(f"{v.id}: break at {b.start_s} leaves no time to drive to {s.job_ids}")
            elif s.start_s < t_free + travel:
                errors.append(f"{v.id}: stop {s.job_ids} starts {s.start_s} before it can arrive")
            for jid in s.job_ids:
                j = jobs.get(jid)
                if j is None:
                    errors.append(f"unknown job {jid}")
                    continue
                visit = j.pickup if s.action == Action.PICKUP else j.delivery
                if visit.location != s.location:
                    errors.append(f"{jid}: served at the wrong location")
                if not in_windows(s.start_s, visit.windows):
                    errors.append(f"{jid}: {s.action} at {s.start_s} outside {visit.windows}")
                if s.end_s - s.start_s < visit.service_s:
                    errors.append(f"{jid}: service shorter than {visit.service_s}")
                if not j.skills <= v.skills:
                    errors.append(f"{jid}: {v.id} lacks skills {j.skills - v.skills}")
                forced = j.in_vehicle or j.pinned_vehicle
                if forced and forced != v.id:
                    errors.append(f"{jid}: pinned to {forced}, planned on {v.id}")
                if (jid, s.action) in seen:
                    errors.append(f"{jid}: {s.action} planned twice")
                seen[(jid, s.action)] = (v.id, pos)
                sign = 1 if s.action == Action.PICKUP else -1
                load_i, load_g = load_i + sign, load_g + sign * j.weight_g
            if load_i > v.capacity_items or load_g > v.capacity_g or load_i < 0 or load_g < 0:
                errors.append(f"{v.id}: load {load_i} items {load_g} g out of bounds after {s.job_ids}")
            loc, t_free = s.location, s.end_s
        if visits:
            depart = visits[0].start_s - travel_s(problem, v, v.start_location, visits[0].location)
            if depart < v.start_time:
                errors.append(f"{v.id}: departs {depart} before {v.start_time}")
            back = t_free + travel_s(problem, v, loc, v.end)
            back += sum(b.end_s - b.start_s for b in breaks if b.start_s >= t_free)
            if back > v.shift[1]:
                errors.append(f"{v.id}: back {back} after shift end {v.shift[1]}")
        if v.break_ is not None and visits:
            if len(breaks) != 1:
                errors.append(f"{v.id}: {len(breaks)} breaks")
            for b in breaks:
                if not in_windows(b.start_s, v.break_.windows):
                    errors.append(f"{v.id}: break at {b.start_s} outside {v.break_.windows}")
                if b.end_s - b.start_s < v.break_.duration_s:
                    errors.append(f"{v.id}: break too short")
                for s in visits:
                    if s.start_s < b.end_s and b.start_s < s.end_s:
                        errors.append(f"{v.id}: break overlaps service of {s.job_ids}")
    unserved = {u.job_id: u for u in plan.unserved}
    for j in problem.jobs:
        if j.done:
            if any(k[0] == j.id for k in seen) or j.id in unserved:
                errors.append(f"{j.id}: done, yet planned or listed")
            continue
        served_d = (j.id, Action.DELIVERY) in seen
        if j.id in unserved:
            if served_d or (j.id, Action.PICKUP) in seen:
                errors.append(f"{j.id}: both planned and unserved")
            continue
        if not served_d:
            errors.append(f"{j.id}: neither served nor reported")
            continue
        if j.is_pair:
            p = seen.get((j.id, Action.PICKUP))
            d = seen[(j.id, Action.DELIVERY)]
            if p is None or p[0] != d[0] or p[1] >= d[1]:
                errors.append(f"{j.id}: pickup {p} not before delivery {d} on one route")
        elif (j.id, Action.PICKUP) in seen:
            errors.append(f"{j.id}: picked up, but it has no pickup")
    return errors
