"""From a ``Problem`` to the solver's nodes: diagnosis, then consolidation.

Pure code (no OR-Tools), so the reasons can be tested on their own.

1. Diagnosis before solving. A job that no plan can serve is left out of
   the model with its reason, checked in this order: ``no_coordinates`` (an
   end has no coordinates and no vehicle has a given matrix),
   ``no_vehicle_with_skill`` (no vehicle, or not the pinned one, has every
   required skill), ``too_heavy`` (heavier, or more items, than every
   eligible vehicle can carry), ``window_unreachable`` (for every eligible
   vehicle, even the direct trip start → pickup → delivery → end misses a
   window or the shift).
2. Consolidation (a problem-level transformation, chosen over zero-distance
   model nodes because it shrinks the model: the search gets faster as the
   day grows, and one stop is one visit by construction). Delivery-only jobs
   with the same location, windows, eligible vehicles and mandatory flag
   become one node; pickup → delivery pairs with the same pickup place and
   windows, delivery place and windows, eligible vehicles and mandatory flag
   become one pickup node and one delivery node carrying all their items
   (a batch of dossiers from a counter to an agency). Service time: the
   longest item service plus ``Consolidation.per_extra_item_s`` per further
   item; penalty: the sum. A group is cut into batches the smallest eligible
   vehicle can carry, as each node is served whole by one vehicle.
   Why pairs too: OR-Tools inserts a pair by trying every pickup and delivery
   position on a route, quadratic in its length; the seeded Gia Lai central
   office (179 items, 169 of them desk pairs on a handful of places) needed
   28 s for its first solution with one node per item, so at 10 s it planned
   1 route with ~110 mandatory items unserved; consolidated it is 82 nodes,
   the first solution takes under 1 s, 3 routes serve every item
   (2 cores, 2026-11-21).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from logistics.routing.matrix import MatrixProvider, problem_matrices
from logistics.routing.plan import Action, Reason
from logistics.routing.problem import Job, Problem, TravelMatrix, Vehicle, Visit, Window


@dataclass
class Node:
    action: Action
    job_ids: tuple[str, ...]
    location: int
    windows: tuple[Window, ...]
    service_s: int
    items: int  # signed: + at a pickup, − at a delivery
    grams: int
    vehicles: tuple[int, ...]  # eligible vehicle indices
    mandatory: bool
    penalty: int
    partner: int | None = None  # the other end of a pair


@dataclass
class Nodes:
    """Job nodes 0..N-1, then per vehicle v its start N+2v and end N+2v+1."""

    problem: Problem
    matrices: dict[str, TravelMatrix]
    nodes: list[Node]
    excluded: dict[str, Reason]
    node_of: dict[tuple[str, Action], int] = field(default_factory=dict)

    @property
    def n_jobs_nodes(self) -> int:
        return len(self.nodes)

    def start_node(self, v: int) -> int:
        return len(self.nodes) + 2 * v

    def end_node(self, v: int) -> int:
        return len(self.nodes) + 2 * v + 1

    def location_of_nodes(self) -> np.ndarray:
        locs = [n.location for n in self.nodes]
        for v in self.problem.vehicles:
            locs += [v.start_location, v.end]
        return np.asarray(locs, dtype=np.int64)

    def service_of_nodes(self) -> np.ndarray:
        return np.asarray(
            [n.service_s for n in self.nodes] + [0] * (2 * len(self.problem.vehicles)), dtype=np.int64
        )


def earliest_start(arrival: int, windows: tuple[Window, ...]) -> int | None:
    """The earliest service start at or after ``arrival`` inside one of ``windows``."""
    best = None
    for open_s, close_s in windows:
        if close_s >= arrival:
            start = max(open_s, arrival)
            best = start if best is None else min(best, start)
    return best


def trip_ok(v: Vehicle, m: TravelMatrix, visits: list[tuple[int, tuple[Window, ...], int]]) -> bool:
    """Whether ``v`` alone can make the visits ``(location, windows, service_s)`` in order,
    from its start, and be back by the end of its shift (the break aside)."""
    t, loc = v.start_time, v.start_location
    for location, windows, service_s in visits:
        start = earliest_start(t + int(m.duration_s[loc, location]), windows)
        if start is None:
            return False
        t, loc = start + service_s, location
    return t + int(m.duration_s[loc, v.end]) <= v.shift[1]


def _direct_trip_ok(job: Job, v: Vehicle, m: TravelMatrix) -> bool:
    visits: list[Visit] = [job.delivery] if not job.is_pair else [job.pickup, job.delivery]  # type: ignore[list-item]
    return trip_ok(v, m, [(visit.location, visit.windows, visit.service_s) for visit in visits])


def _has_coordinates(problem: Problem, job: Job, matrices_given: bool) -> bool:
    if matrices_given:
        return True
    ends = [job.delivery] + ([job.pickup] if job.is_pair else [])
    return all(problem.locations[e.location].has_coordinates for e in ends)  # type: ignore[union-attr]


def diagnose(problem: Problem, job: Job, matrices: dict[str, TravelMatrix]) -> tuple[Reason | None, list[int]]:
    """The reason no plan can serve ``job`` (or None) and its eligible vehicles."""
    given = bool(problem.vehicles) and all(v.matrix_key in problem.matrices for v in problem.vehicles)
    if not _has_coordinates(problem, job, given):
        return Reason.NO_COORDINATES, []
    forced = job.in_vehicle or job.pinned_vehicle
    eligible = [
        i
        for i, v in enumerate(problem.vehicles)
        if job.skills <= v.skills and (forced is None or v.id == forced)
    ]
    if not eligible:
        return Reason.NO_VEHICLE_WITH_SKILL, []
    vs = problem.vehicles
    eligible = [
        i
        for i in eligible
        if job.weight_g <= vs[i].capacity_g - vs[i].current_load_g
        and 1 <= vs[i].capacity_items - vs[i].current_load_items
    ]
    if not eligible:
        return Reason.TOO_HEAVY, []
    eligible = [i for i in eligible if _direct_trip_ok(job, vs[i], matrices[vs[i].matrix_key])]
    if not eligible:
        return Reason.WINDOW_UNREACHABLE, []
    return None, eligible


def _chunks(problem: Problem, vehicles: tuple[int, ...], jobs: list[Job]) -> list[list[Job]]:
    """``jobs`` in groups that each fit the smallest eligible vehicle (items and grams).

    A consolidated stop is served whole by one vehicle, so a group no vehicle
    could carry would turn servable items into a capacity failure.
    """
    vs = [problem.vehicles[i] for i in vehicles]
    cap_i = min(v.capacity_items - v.current_load_items for v in vs)
    cap_g = min(v.capacity_g - v.current_load_g for v in vs)
    out: list[list[Job]] = []
    items = grams = 0
    for job in jobs:
        if not out or items + 1 > cap_i or grams + job.weight_g > cap_g:
            out.append([])
            items = grams = 0
        out[-1].append(job)
        items, grams = items + 1, grams + job.weight_g
    return out


def _service(jobs: list[Job], visit_of, per_extra: int) -> int:
    return max(visit_of(j).service_s for j in jobs) + per_extra * (len(jobs) - 1)


def build_nodes(problem: Problem, provider: MatrixProvider | None = None) -> Nodes:
    matrices = problem_matrices(problem, provider)
    excluded: dict[str, Reason] = {}
    groups: dict[tuple, list[Job]] = {}
    pair_groups: dict[tuple, list[Job]] = {}
    nodes: list[Node] = []
    for job in problem.jobs:
        if job.done:
            continue
        reason, eligible = diagnose(problem, job, matrices)
        if reason is not None:
            excluded[job.id] = reason
            continue
        vehicles = tuple(eligible)
        d = job.delivery
        if job.is_pair:
            p = job.pickup
            assert p is not None
            key = (p.location, p.windows, d.location, d.windows, vehicles, job.mandatory)
            if problem.consolidation is None:
                key = key + (job.id,)
            pair_groups.setdefault(key, []).append(job)
            continue
        key = (d.location, d.windows, vehicles, job.mandatory, job.in_vehicle)
        if problem.consolidation is None:
            key = key + (job.id,)
        groups.setdefault(key, []).append(job)
    per_extra = problem.consolidation.per_extra_item_s if problem.consolidation else 0
    for (p_loc, p_windows, d_loc, d_windows, vehicles, mandatory, *_), all_jobs in pair_groups.items():
        for jobs in _chunks(problem, vehicles, all_jobs):
            pn = len(nodes)
            common = {"job_ids": tuple(j.id for j in jobs), "vehicles": vehicles, "mandatory": mandatory,
                      "penalty": sum(j.penalty for j in jobs)}
            grams = sum(j.weight_g for j in jobs)
            nodes.append(Node(Action.PICKUP, location=p_loc, windows=p_windows,
                              service_s=_service(jobs, lambda j: j.pickup, per_extra),
                              items=len(jobs), grams=grams, partner=pn + 1, **common))
            nodes.append(Node(Action.DELIVERY, location=d_loc, windows=d_windows,
                              service_s=_service(jobs, lambda j: j.delivery, per_extra),
                              items=-len(jobs), grams=-grams, partner=pn, **common))
    for (location, windows, vehicles, mandatory, *_), all_jobs in groups.items():
        for jobs in _chunks(problem, vehicles, all_jobs):
            nodes.append(Node(Action.DELIVERY, tuple(j.id for j in jobs), location, windows,
                              _service(jobs, lambda j: j.delivery, per_extra),
                              items=-len(jobs), grams=-sum(j.weight_g for j in jobs), vehicles=vehicles,
                              mandatory=mandatory, penalty=sum(j.penalty for j in jobs)))
    out = Nodes(problem, matrices, nodes, excluded)
    for i, n in enumerate(nodes):
        for jid in n.job_ids:
            out.node_of[(jid, n.action)] = i
    return out
