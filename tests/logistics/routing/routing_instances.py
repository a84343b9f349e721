"""Tiny named instances for the routing tests, built in code.

Geography: a post office in Hà Tĩnh and points a few km away on a grid
(1 km north ≈ 0.008993° of latitude). Postmen ride at 30 km/h with circuity
1.0, so 1 km takes 120 s.
"""

from __future__ import annotations

from logistics.routing.problem import (
    Break,
    Consolidation,
    Job,
    Location,
    Problem,
    Vehicle,
    Visit,
)

H = 3600
DEG_PER_KM = 1 / 111.195
OFFICE = (18.3400, 105.9000)
DAY = ((7 * H, 17 * H),)


def grid(name: str, north_km: float, east_km: float) -> Location:
    return Location(name, OFFICE[0] + north_km * DEG_PER_KM, OFFICE[1] + east_km * DEG_PER_KM / 0.9492)


def postman(vid: str, **kw) -> Vehicle:
    base = dict(start=0, end=0, shift=(7 * H, 17 * H), capacity_items=30, capacity_g=20_000,
                speed_kmh=30.0, circuity=1.0)
    base.update(kw)
    return Vehicle(id=vid, **base)


def delivery(jid: str, loc: int, windows=DAY, service=300, **kw) -> Job:
    return Job(id=jid, delivery=Visit(loc, tuple(windows), service), **kw)


def pair(jid: str, src: int, dst: int, src_windows=DAY, dst_windows=DAY, service=300, **kw) -> Job:
    return Job(id=jid, pickup=Visit(src, tuple(src_windows), service),
               delivery=Visit(dst, tuple(dst_windows), service), **kw)


def problem(name: str, locations, vehicles, jobs, **kw) -> Problem:
    return Problem(name=name, locations=tuple(locations), vehicles=tuple(vehicles), jobs=tuple(jobs), **kw)


def village_day() -> Problem:
    """Two postmen, eight homes, two pairs (home → counter, counter → agency)."""
    locs = [grid("office", 0, 0), grid("counter", 1, 1), grid("agency", 2, -1)]
    locs += [grid(f"home{i}", (i % 4) - 1.5, 3 * (i // 4) - 1.5) for i in range(8)]
    jobs = [delivery(f"R{i}", 3 + i, weight_g=200) for i in range(6)]
    jobs += [pair("D1", 9, 1, weight_g=300), pair("T1", 1, 2, weight_g=500)]
    return problem("village_day", locs, [postman("A"), postman("B")], jobs)


def lunch_gap_agency() -> Problem:
    """An agency open 07:30–09:00 and 13:30–17:00, 41 km out: the morning window closes before anyone can arrive."""
    locs = [grid("office", 0, 0), grid("far_home", 40, 0), grid("agency", 41, 0)]
    jobs = [
        delivery("R-far", 1, windows=[(11 * H + 1800, 12 * H)]),
        delivery("R-agency", 2, windows=[(7 * H + 1800, 9 * H), (13 * H + 1800, 17 * H)]),
    ]
    return problem("lunch_gap_agency", locs, [postman("A", shift=(8 * H, 18 * H))], jobs)


def lunch_break_day() -> Problem:
    """A day long enough that the 45-minute break must fall between stops, in one of two windows."""
    locs = [grid("office", 0, 0)] + [grid(f"h{i}", 5 * (i + 1), 0) for i in range(4)]
    br = Break(windows=((11 * H, 11 * H + 900), (12 * H + 1800, 13 * H)), duration_s=2700)
    jobs = [
        delivery("M1", 1, windows=[(8 * H, 9 * H)]),
        delivery("M2", 2, windows=[(10 * H, 11 * H)]),
        delivery("A1", 3, windows=[(12 * H, 12 * H + 1800)]),
        delivery("A2", 4, windows=[(14 * H, 15 * H)]),
    ]
    return problem("lunch_break_day", locs, [postman("A", break_=br)], jobs)


def small_bags() -> Problem:
    """Three postmen with bags of two items; five results must go out."""
    locs = [grid("office", 0, 0)] + [grid(f"h{i}", i + 1, 1) for i in range(5)]
    vehicles = [postman(v, capacity_items=2) for v in "ABC"]
    return problem("small_bags", locs, vehicles, [delivery(f"R{i}", i + 1) for i in range(5)])


def one_bag_too_many() -> Problem:
    """One postman with a two-item bag, three optional results: one must stay behind."""
    locs = [grid("office", 0, 0)] + [grid(f"h{i}", i + 1, 0) for i in range(3)]
    jobs = [delivery(f"R{i}", i + 1, mandatory=False, penalty=10_000) for i in range(3)]
    return problem("one_bag_too_many", locs, [postman("A", capacity_items=2)], jobs)


def cash_and_id() -> Problem:
    """A cash-on-delivery item only B may carry; an ID-checked item nobody may."""
    locs = [grid("office", 0, 0), grid("h1", 1, 0), grid("h2", 2, 0)]
    vehicles = [postman("A"), postman("B", skills=frozenset({"cash"}))]
    jobs = [
        delivery("COD", 1, skills=frozenset({"cash"})),
        delivery("IDC", 2, skills=frozenset({"id_check"})),
    ]
    return problem("cash_and_id", locs, vehicles, jobs)


def bad_day() -> Problem:
    """Every kind of hopeless item next to a good one: the plan lists each with its reason."""
    locs = [grid("office", 0, 0), grid("h1", 1, 0), grid("h2", 30, 0), Location("nowhere")]
    jobs = [
        delivery("OK", 1),
        delivery("HEAVY", 1, weight_g=25_000),
        delivery("EARLY", 2, windows=[(6 * H, 7 * H + 600)]),  # 30 km = 1 h away, shift starts 07:00
        delivery("LOST", 3),
        delivery("SKILL", 1, skills=frozenset({"id_check"})),
        pair("EARLY_PAIR", 1, 2, dst_windows=[(7 * H, 7 * H + 1200)]),
    ]
    return problem("bad_day", locs, [postman("A")], jobs)


def same_address() -> Problem:
    """Three results for one address and one for its neighbour."""
    locs = [grid("office", 0, 0), grid("flat", 2, 2), grid("next_door", 2, 2.1)]
    jobs = [delivery(f"F{i}", 1, service=240) for i in range(3)] + [delivery("N", 2, service=240)]
    return problem("same_address", locs, [postman("A")], jobs, consolidation=Consolidation(per_extra_item_s=60))


def midday() -> Problem:
    """At 13:00 postman A is 3 km out carrying a dossier picked up this morning."""
    locs = [grid("office", 0, 0), grid("here", 3, 0), grid("counter", 1, 1), grid("h", 2, 2)]
    vehicles = [
        postman("A", current_position=1, current_time=13 * H, current_load_items=1, current_load_g=400),
        postman("B"),
    ]
    jobs = [
        pair("CARRIED", 3, 2, in_vehicle="A", weight_g=300),
        delivery("DONE", 3, done=True),
        delivery("NEW", 3),
    ]
    return problem("midday", locs, vehicles, jobs)
