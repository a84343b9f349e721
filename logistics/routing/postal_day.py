"""The open postal-day format (``shared/bench/postal_day/README.md``) to and from ``Problem``/``Plan``.

Pure functions on dicts (the caller reads and writes the JSON):
``day_to_problem(day) -> Problem`` validates and converts, raising
``DayFormatError`` naming the field and the item; ``plan_to_day(plan,
problem) -> dict`` writes the plan in the format's output shape.

Mapping: an item whose pickup is at the vehicles' common start, with no
service time and windows covering every shift, is a delivery-only job
(loaded at the start: its pickup stop is written at the route's departure);
every other item is a pickup → delivery pair. The objective is route hours
(travel + waiting) with optional items worth more than any detour, so
items served come before hours, as the scoring rule orders them.
"""

from __future__ import annotations

from typing import Any

from logistics.routing.plan import Action, Plan
from logistics.routing.problem import Break, Job, Location, Objective, Problem, Vehicle, Visit

# An optional item is worth more than the longest detour it could cost (a 10-hour shift is 36,000 s).
OPTIONAL_ITEM_PENALTY = 1_000_000


class DayFormatError(ValueError):
    """A malformed day: ``field`` is a path like ``items[3].delivery.windows``."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


def _int(obj: dict, key: str, where: str, *, minimum: int = 0) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise DayFormatError(f"{where}.{key}", "must be a whole number")
    if value < minimum:
        raise DayFormatError(f"{where}.{key}", f"must be at least {minimum}")
    return int(value)


def _windows(raw: Any, where: str) -> tuple[tuple[int, int], ...]:
    if not isinstance(raw, list) or not raw:
        raise DayFormatError(where, "needs at least one [open_s, close_s] window")
    out = []
    for k, w in enumerate(raw):
        if not (isinstance(w, list) and len(w) == 2 and all(isinstance(x, int) for x in w)) or w[0] > w[1]:
            raise DayFormatError(f"{where}[{k}]", "must be [open_s, close_s] with open_s <= close_s")
        out.append((w[0], w[1]))
    return tuple(sorted(out))


def _point(raw: Any, where: str) -> tuple[float, float]:
    if isinstance(raw, dict):
        raw = [raw.get("lat"), raw.get("lon")]
    if not (isinstance(raw, list) and len(raw) == 2 and all(isinstance(x, int | float) for x in raw)):
        raise DayFormatError(where, "needs lat and lon")
    lat, lon = float(raw[0]), float(raw[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise DayFormatError(where, f"({lat}, {lon}) is not a coordinate")
    return lat, lon


def day_to_problem(day: dict) -> Problem:
    if not isinstance(day, dict):
        raise DayFormatError("$", "a day is a JSON object")
    locations: list[Location] = []
    index: dict[tuple[float, float], int] = {}

    def loc(point: tuple[float, float]) -> int:
        if point not in index:
            index[point] = len(locations)
            locations.append(Location(f"{point[0]:.6f},{point[1]:.6f}", point[0], point[1]))
        return index[point]

    vehicles = []
    raw_vehicles = day.get("vehicles")
    if not isinstance(raw_vehicles, list) or not raw_vehicles:
        raise DayFormatError("vehicles", "needs at least one vehicle")
    for k, v in enumerate(raw_vehicles):
        where = f"vehicles[{k}]"
        if not isinstance(v, dict) or not isinstance(v.get("id"), str):
            raise DayFormatError(f"{where}.id", "missing")
        where = f"vehicles[{k}] ({v['id']})"
        shift = _windows([v.get("shift")], f"{where}.shift")[0]
        brk = None
        if v.get("break") is not None:
            b = v["break"]
            brk = Break(_windows(b.get("windows"), f"{where}.break.windows"), _int(b, "duration_s", f"{where}.break"))
        speed = v.get("speed_kmh")
        circuity = v.get("circuity", 1.0)
        if not isinstance(speed, int | float) or speed <= 0:
            raise DayFormatError(f"{where}.speed_kmh", "must be a positive number")
        if not isinstance(circuity, int | float) or circuity < 1:
            raise DayFormatError(f"{where}.circuity", "must be at least 1")
        vehicles.append(Vehicle(
            id=v["id"], start=loc(_point(v.get("start"), f"{where}.start")),
            end=loc(_point(v.get("end"), f"{where}.end")), shift=shift, break_=brk,
            capacity_items=_int(v, "capacity_items", where), capacity_g=_int(v, "capacity_g", where),
            speed_kmh=float(speed), circuity=float(circuity),
        ))
    if len({v.id for v in vehicles}) != len(vehicles):
        raise DayFormatError("vehicles", "vehicle ids must be unique")
    starts = {v.start for v in vehicles}
    jobs = []
    raw_items = day.get("items")
    if not isinstance(raw_items, list):
        raise DayFormatError("items", "must be a list")
    seen: set[str] = set()
    for k, it in enumerate(raw_items):
        if not isinstance(it, dict) or not isinstance(it.get("id"), str):
            raise DayFormatError(f"items[{k}].id", "missing")
        where = f"items[{k}] ({it['id']})"
        if it["id"] in seen:
            raise DayFormatError(where, "duplicate item id")
        seen.add(it["id"])
        visits = {}
        for end in ("pickup", "delivery"):
            raw = it.get(end)
            if not isinstance(raw, dict):
                raise DayFormatError(f"{where}.{end}", "missing")
            visits[end] = Visit(loc(_point(raw, f"{where}.{end}")), _windows(raw.get("windows"), f"{where}.{end}.windows"),
                                _int(raw, "service_s", f"{where}.{end}"))
        mandatory = it.get("mandatory", True)
        if not isinstance(mandatory, bool):
            raise DayFormatError(f"{where}.mandatory", "must be true or false")
        p = visits["pickup"]
        loaded_at_start = (
            len(starts) == 1 and p.location in starts and p.service_s == 0
            and all(any(a <= v.shift[0] and v.shift[1] <= b for a, b in p.windows) for v in vehicles)
        )
        jobs.append(Job(
            id=it["id"], delivery=visits["delivery"], pickup=None if loaded_at_start else p,
            weight_g=_int(it, "weight_g", where), mandatory=mandatory,
            penalty=0 if mandatory else OPTIONAL_ITEM_PENALTY,
        ))
    return Problem(
        name=str(day.get("name", "day")), locations=tuple(locations), vehicles=tuple(vehicles),
        jobs=tuple(jobs), objective=Objective(per_metre=0, per_second=1), consolidation=None,
    )


def plan_to_day(plan: Plan, problem: Problem) -> dict:
    """The plan in the format's output shape (routes with ``start_s`` per stop, unserved with reasons)."""
    jobs = {j.id: j for j in problem.jobs}
    routes = []
    for route in plan.used_routes:
        stops = []
        loaded = [j for s in route.stops if s.action == Action.DELIVERY for j in s.job_ids if jobs[j].pickup is None]
        stops += [{"item": j, "action": "pickup", "start_s": route.start_s} for j in loaded]
        for s in route.stops:
            if s.action == Action.BREAK:
                stops.append({"action": "break", "start_s": s.start_s})
            else:
                stops += [{"item": j, "action": s.action.value, "start_s": s.start_s} for j in s.job_ids]
        stops.sort(key=lambda x: x["start_s"])  # stable: loaded pickups stay before the first visit
        routes.append({"vehicle": route.vehicle_id, "stops": stops})
    unserved = [{"item": u.job_id, "reason": u.reason.value.replace("_", " ")} for u in plan.unserved]
    return {"routes": routes, "unserved": unserved, "seconds": round(plan.seconds, 3)}


def _kind(problem: Problem, job: Job) -> str:
    """The format's ``kind``, from the place names ``day_problem`` gives (``home:…``, ``agency:…``)."""
    if job.pickup is None:
        return "delivery"
    place = problem.locations[job.pickup.location].id.split(":")[0]
    return {"home": "pickup", "agency": "return"}.get(place, "transfer")


def problem_to_day(problem: Problem) -> dict:
    """``problem`` in the open day format: the inverse of ``day_to_problem`` where the format can say it.

    A delivery-only job becomes an item picked up at the first vehicle's start with no service
    time and a window over every shift (what ``day_to_problem`` reads back as loaded at the start).
    A vehicle already on its way starts at its current position and time, with the capacity it
    has left. The format has no words for these, which are therefore lost: skills, pins,
    penalties (optional items get the format's own), given matrices (travel follows the
    format's rule at each vehicle's speed and circuity), the objective and consolidation
    (``service_s`` stays per item). Finished jobs are left out; jobs that cannot be written
    (an end without coordinates, an item already on board) are listed under ``not_exported``.
    """
    locs = problem.locations

    def point(index: int, where: str) -> list[float]:
        loc = locs[index]
        if not loc.has_coordinates:
            raise DayFormatError(where, f"location {loc.id} has no coordinates")
        return [loc.lat, loc.lon]

    if not problem.vehicles:
        raise DayFormatError("vehicles", "needs at least one vehicle")
    vehicles = []
    for v in problem.vehicles:
        where = f"vehicles ({v.id})"
        out: dict[str, Any] = {
            "id": v.id, "start": point(v.start_location, f"{where}.start"), "end": point(v.end, f"{where}.end"),
            "shift": [v.start_time, v.shift[1]],
            "capacity_items": max(0, v.capacity_items - v.current_load_items),
            "capacity_g": max(0, v.capacity_g - v.current_load_g),
            "speed_kmh": v.speed_kmh, "circuity": v.circuity,
        }
        if v.break_ is not None:
            out["break"] = {"windows": [list(w) for w in v.break_.windows], "duration_s": v.break_.duration_s}
        vehicles.append(out)
    depot = point(problem.vehicles[0].start, f"vehicles ({problem.vehicles[0].id}).start")
    whole_shift = [[min(v["shift"][0] for v in vehicles), max(v["shift"][1] for v in vehicles)]]
    items, not_exported = [], []
    for job in problem.jobs:
        if job.done:
            continue
        if job.in_vehicle is not None:
            not_exported.append({"item": job.id, "reason": f"on board {job.in_vehicle}"})
            continue
        try:
            if job.pickup is None:
                pickup = {"lat": depot[0], "lon": depot[1], "windows": whole_shift, "service_s": 0}
            else:
                lat, lon = point(job.pickup.location, f"items ({job.id}).pickup")
                pickup = {"lat": lat, "lon": lon, "windows": [list(w) for w in job.pickup.windows],
                          "service_s": job.pickup.service_s}
            lat, lon = point(job.delivery.location, f"items ({job.id}).delivery")
        except DayFormatError as e:
            not_exported.append({"item": job.id, "reason": str(e)})
            continue
        delivery = {"lat": lat, "lon": lon, "windows": [list(w) for w in job.delivery.windows],
                    "service_s": job.delivery.service_s}
        items.append({"id": job.id, "kind": _kind(problem, job), "pickup": pickup, "delivery": delivery,
                      "weight_g": job.weight_g, "mandatory": job.mandatory})
    day: dict[str, Any] = {"name": problem.name, "depot": {"lat": depot[0], "lon": depot[1]},
                           "vehicles": vehicles, "items": items}
    if not_exported:
        day["not_exported"] = not_exported
    return day
