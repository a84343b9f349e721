"""The solver's result: routes of ordered stops, totals, unserved jobs with reasons."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    PICKUP = "pickup"
    DELIVERY = "delivery"
    BREAK = "break"


class Reason(StrEnum):
    """Why a job is unserved; each one is established by a check, not guessed."""

    NO_COORDINATES = "no_coordinates"
    NO_VEHICLE_WITH_SKILL = "no_vehicle_with_skill"
    TOO_HEAVY = "too_heavy"
    WINDOW_UNREACHABLE = "window_unreachable"
    CAPACITY = "capacity"
    NOT_ENOUGH_TIME = "not_enough_time"


@dataclass(frozen=True)
class PlannedStop:
    """One visit (several consolidated jobs share it) or the break.

    ``arrival_s`` is when the vehicle gets there, ``start_s`` when service (or
    the break) starts, ``end_s`` when it ends. Loads are after the stop.
    """

    action: Action
    job_ids: tuple[str, ...]
    location: int | None
    arrival_s: int
    start_s: int
    end_s: int
    load_items: int = 0
    load_g: int = 0


@dataclass(frozen=True)
class Route:
    vehicle_id: str
    stops: tuple[PlannedStop, ...]
    start_s: int
    end_s: int
    distance_m: int
    duration_s: int


@dataclass(frozen=True)
class Unserved:
    job_id: str
    reason: Reason
    mandatory: bool


@dataclass(frozen=True)
class Plan:
    """``status``: ``ok`` (every mandatory job served), ``mandatory_unserved`` (some are
    listed in ``unserved`` with their reason), ``no_jobs`` or ``no_solution``.

    ``start_objective`` is the cost of the start the local search ran from and
    ``search`` how it ended: ``improved``, ``no_better`` (the start is the plan),
    ``failed`` (OR-Tools returned nothing: the start is the plan) or ``none``.
    """

    routes: tuple[Route, ...]
    unserved: tuple[Unserved, ...]
    objective: int
    seconds: float
    status: str = "ok"
    start_objective: int | None = None
    search: str = "none"

    @property
    def distance_m(self) -> int:
        return sum(r.distance_m for r in self.routes)

    @property
    def duration_s(self) -> int:
        return sum(r.duration_s for r in self.routes)

    @property
    def used_routes(self) -> tuple[Route, ...]:
        return tuple(r for r in self.routes if any(s.action != Action.BREAK for s in r.stops))

    def route(self, vehicle_id: str) -> Route:
        return next(r for r in self.routes if r.vehicle_id == vehicle_id)

    def vehicle_of(self, job_id: str) -> str | None:
        for r in self.routes:
            for s in r.stops:
                if job_id in s.job_ids:
                    return r.vehicle_id
        return None
