"""The open postal-day scoring rule, implemented from its README for the tests.

Reads only the day dict and the plan dict: travel is haversine × circuity at
the vehicle's speed, rounded up; a break is taken at a stop (before driving
on, or on arrival) and never overlaps a service.
"""

from __future__ import annotations

import math

R_KM = 6371.0088


def _travel(v: dict, a: tuple[float, float], b: tuple[float, float]) -> tuple[int, float]:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    km = 2 * R_KM * math.asin(math.sqrt(h)) * v.get("circuity", 1.0)
    return math.ceil(km / v["speed_kmh"] * 3600), km


def score_day_plan(day: dict, plan: dict) -> tuple[list[str], dict]:
    errors: list[str] = []
    items = {it["id"]: it for it in day["items"]}
    vehicles = {v["id"]: v for v in day["vehicles"]}
    done: dict[tuple[str, str], tuple[str, int]] = {}
    hours = km_total = 0.0
    for route in plan["routes"]:
        v = vehicles[route["vehicle"]]
        dur = v["break"]["duration_s"] if v.get("break") else 0
        here, free = tuple(v["start"]), None  # free: end of the previous service
        load_n = load_g = 0
        breaks: list[int] = []
        pending = None  # a break seen since the previous service
        for pos, stop in enumerate(route["stops"]):
            if stop["action"] == "break":
                breaks.append(stop["start_s"])
                pending = stop["start_s"]
                if not any(a <= pending <= b for a, b in v["break"]["windows"]):
                    errors.append(f"{v['id']}: break at {pending} outside its windows")
                if free is not None and pending < free:
                    errors.append(f"{v['id']}: break overlaps a service")
                continue
            it = items[stop["item"]]
            end = it[stop["action"]]
            there = (end["lat"], end["lon"])
            t, km = _travel(v, here, there)
            km_total += km
            start_s = stop["start_s"]
            if free is None:
                depart = start_s - t
                if depart < v["shift"][0]:
                    errors.append(f"{v['id']}: departs {depart} before its shift")
                free_before = v["shift"][0] if pending is not None else depart
                hours_from = depart
            else:
                free_before = free
            if pending is not None:
                # At the previous stop before driving on, or here on arrival, never while driving.
                ok = (pending >= free_before and pending + dur + t <= start_s) or (
                    pending >= free_before + t and pending + dur <= start_s
                )
                if not ok:
                    errors.append(f"{v['id']}: break at {pending} does not fit before {stop['item']}")
                pending = None
            elif start_s < free_before + t:
                errors.append(f"{stop['item']}: {stop['action']} starts {start_s} before arrival {free_before + t}")
            if not any(a <= start_s <= b for a, b in end["windows"]):
                errors.append(f"{stop['item']}: {stop['action']} at {start_s} outside its windows")
            key = (stop["item"], stop["action"])
            if key in done:
                errors.append(f"{stop['item']}: {stop['action']} twice")
            done[key] = (v["id"], pos)
            sign = 1 if stop["action"] == "pickup" else -1
            load_n, load_g = load_n + sign, load_g + sign * it["weight_g"]
            if load_n > v["capacity_items"] or load_g > v["capacity_g"]:
                errors.append(f"{v['id']}: over capacity after {stop['item']}")
            free, here = start_s + end["service_s"], there
        if free is not None:
            t, km = _travel(v, here, tuple(v["end"]))
            km_total += km
            back = free + t
            if pending is not None:
                back = max(back, pending + dur + t) if pending < back else back
            if back > v["shift"][1]:
                errors.append(f"{v['id']}: back at {back} after its shift")
            if v.get("break") and len(breaks) != 1:
                errors.append(f"{v['id']}: {len(breaks)} breaks")
            hours += (back - hours_from) / 3600
    unserved = {u["item"] for u in plan["unserved"]}
    served = 0
    mandatory_served = 0
    for iid, it in items.items():
        p, d = done.get((iid, "pickup")), done.get((iid, "delivery"))
        if iid in unserved:
            if p or d:
                errors.append(f"{iid}: served and unserved")
            continue
        if not (p and d):
            errors.append(f"{iid}: neither served nor listed unserved")
            continue
        if p[0] != d[0] or p[1] >= d[1]:
            errors.append(f"{iid}: pickup not before delivery on one route")
        served += 1
        mandatory_served += bool(it.get("mandatory", True))
    metrics = {"served": served, "mandatory_served": mandatory_served, "hours": hours, "km": km_total,
               "items": len(items), "mandatory": sum(bool(it.get("mandatory", True)) for it in items.values())}
    return errors, metrics
