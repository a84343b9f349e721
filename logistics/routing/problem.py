"""The routing problem as frozen data in integer units.

Units: metres, seconds since local midnight (Asia/Ho_Chi_Minh), grams, items.
Locations are referred to by their index in ``Problem.locations``; latitude and
longitude are kept for the matrix providers and for GeoJSON export. A problem
may carry precomputed matrices (``Problem.matrices``, keyed by profile name);
a vehicle whose ``profile`` is missing there gets a haversine × circuity matrix
at its own speed (``logistics.routing.matrix``).

Nothing here imports OR-Tools: the solver reads these objects, never the
reverse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

Window = tuple[int, int]
"""A closed interval [open_s, close_s] in which a service may *start*."""


@dataclass(frozen=True)
class Location:
    id: str
    lat: float | None = None
    lon: float | None = None

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class Break:
    """One break of ``duration_s`` that must start inside one of ``windows``."""

    windows: tuple[Window, ...]
    duration_s: int


@dataclass(frozen=True)
class Vehicle:
    """A postman for one day.

    ``current_position``/``current_time``/``current_load_*`` describe a vehicle
    already on its way (mid-day re-planning): its route then starts at that
    location and time, and the load it carries that is not part of any job in
    the problem occupies capacity until the end of the route.
    """

    id: str
    start: int
    end: int
    shift: Window
    capacity_items: int
    capacity_g: int
    break_: Break | None = None
    skills: frozenset[str] = frozenset()
    speed_kmh: float = 25.0
    circuity: float = 1.3
    profile: str | None = None
    fixed_cost: int = 0
    current_position: int | None = None
    current_time: int | None = None
    current_load_items: int = 0
    current_load_g: int = 0

    @property
    def start_location(self) -> int:
        return self.start if self.current_position is None else self.current_position

    @property
    def start_time(self) -> int:
        if self.current_time is None:
            return self.shift[0]
        return max(self.shift[0], self.current_time)

    @property
    def matrix_key(self) -> str:
        """The key of this vehicle's travel matrix (profile, or speed/circuity)."""
        return self.profile or f"haversine:{self.speed_kmh:g}:{self.circuity:g}"


@dataclass(frozen=True)
class Visit:
    """One end of a job: where, when (one or more windows) and how long."""

    location: int
    windows: tuple[Window, ...]
    service_s: int = 0


@dataclass(frozen=True)
class Job:
    """One item.

    ``pickup is None``: a delivery-only job, loaded at the vehicle's start
    (a result from the post office to a home). Otherwise a pickup → delivery
    pair served by one vehicle, pickup first (home → counter, counter →
    agency, agency → counter).

    Re-optimisation: ``done`` jobs are finished and left out of the model;
    ``in_vehicle`` names the vehicle that already picked the item up: only the
    delivery remains, on that vehicle, with the item on board from the start.
    ``pinned_vehicle`` forces the vehicle; with an initial plan, pinned jobs
    also keep their order on it.
    """

    id: str
    delivery: Visit
    pickup: Visit | None = None
    weight_g: int = 0
    skills: frozenset[str] = frozenset()
    mandatory: bool = True
    penalty: int = 0
    pinned_vehicle: str | None = None
    done: bool = False
    in_vehicle: str | None = None

    @property
    def is_pair(self) -> bool:
        return self.pickup is not None and self.in_vehicle is None


@dataclass(frozen=True)
class Consolidation:
    """Items with the same stops become one stop (``nodes.build_nodes``).

    Delivery-only items are merged when they share location, windows,
    eligible vehicles (pins, skills, capacity) and mandatory flag; pickup →
    delivery pairs when they share both ends' places and windows, eligible
    vehicles and mandatory flag. The stop's service time is the longest item
    service plus ``per_extra_item_s`` for every further item. ``None`` keeps
    one stop per item end (the open day format, whose scoring serves items one
    after another).
    """

    per_extra_item_s: int = 30


@dataclass(frozen=True)
class Objective:
    """Cost = per_metre·distance + per_second·(travel + waiting, if ``waiting``) + fixed costs.

    Postal days minimise route hours (``per_second``, waiting included, as the
    postal-day score counts it); VRPTW benchmarks minimise distance only
    (``per_metre=1, per_second=0``). Pricing waiting (a slack cost) makes
    OR-Tools schedule each route in every move: measured at 10 s on the
    120-item example day, 35.1 route hours / 608 km with it against 37.5 h /
    456 km without; 77.9 h against 78.3 h on a generated 300-item day at 20 s
    (2 cores, 2026-11-21). Before multi-window stops were given one window
    (``construction.pick_windows``) it was the other way round (43.1 h vs 37.8 h),
    as the first solution took 3.3 s instead of 0.7 s. Since then the search runs on travel
    alone and only its last phase prices waiting (``solver._price_waiting``): with breaks,
    priced waiting made every move solve a mixed-integer schedule.
    """

    per_metre: int = 0
    per_second: int = 1
    waiting: bool = True


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Square integer matrices over ``Problem.locations`` (metres, seconds)."""

    distance_m: np.ndarray
    duration_s: np.ndarray


@dataclass(frozen=True, eq=False)
class Problem:
    name: str
    locations: tuple[Location, ...]
    vehicles: tuple[Vehicle, ...]
    jobs: tuple[Job, ...]
    objective: Objective = Objective()
    consolidation: Consolidation | None = Consolidation()
    matrices: Mapping[str, TravelMatrix] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.locations)
        ids = [j.id for j in self.jobs]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate job id")
        vids = {v.id for v in self.vehicles}
        if len(vids) != len(self.vehicles):
            raise ValueError("duplicate vehicle id")
        for v in self.vehicles:
            for loc in (v.start, v.end, v.current_position):
                if loc is not None and not 0 <= loc < n:
                    raise ValueError(f"vehicle {v.id}: location {loc} out of range")
            if v.shift[0] > v.shift[1]:
                raise ValueError(f"vehicle {v.id}: shift ends before it starts")
        for j in self.jobs:
            for visit in (j.pickup, j.delivery):
                if visit is None:
                    continue
                if not 0 <= visit.location < n:
                    raise ValueError(f"job {j.id}: location {visit.location} out of range")
                if not visit.windows or any(a > b for a, b in visit.windows):
                    raise ValueError(f"job {j.id}: empty or reversed time window")
            for ref in (j.pinned_vehicle, j.in_vehicle):
                if ref is not None and ref not in vids:
                    raise ValueError(f"job {j.id}: unknown vehicle {ref}")

    def vehicle(self, vehicle_id: str) -> Vehicle:
        return next(v for v in self.vehicles if v.id == vehicle_id)
