"""Re-plan a post office's day from where things stand, around what must not move.

``reoptimise_post_office_day`` (mid-day, the dispatcher's console and the Celery task
``routing.reoptimise_day``) and ``replan_day`` (also used by ``service`` when a day not
yet started has pins) read the day's routes and keep:

- finished stops as they are: status done or skipped, or every item of the stop past
  the stop's action (picked up, or delivered / handed over / failed / returned);
- a pinned route (``Route.pinned``) whole: its postman and its items leave the problem;
- a pinned stop (``RouteStop.pinned``): its items stay on that postman
  (``Job.pinned_vehicle``) and pinned stops keep their order (the current plan is
  passed to ``solve`` as ``initial``, which turns it into order constraints).

Mid-day, each postman starts at their current position — the latest position ping
of the day up to now, else the last finished stop, else the office — at the current
time, carrying what they hold: items in their custody become delivery-only jobs on
their vehicle (``Job.in_vehicle``), and held items not for today weigh in the bag
(``Vehicle.current_load_*``). Items waiting for a trip that were not on the plan
(urgent pickups booked since) are inserted. The current plan is the warm start.

Saving replaces only the unfinished stops of routes that are not pinned; new stops
follow the finished ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy import delete
from sqlmodel import Session, select

from logistics import audit
from logistics.config import get_settings
from logistics.models import Item, PositionPing, PostOffice, Postman, Route, RouteStop, RouteStopItem
from logistics.models.enums import HolderKind, ItemStatus, RouteStatus, StopAction, StopStatus
from logistics.routing import service
from logistics.routing.day_problem import DayContext, build_day_problem, candidate_items
from logistics.routing.matrix import configured_provider
from logistics.routing.plan import Action, Plan, PlannedStop
from logistics.routing.plan import Route as PlannedRoute
from logistics.routing.problem import Location, Problem
from logistics.routing.solver import solve

_FINISHED = (StopStatus.DONE, StopStatus.SKIPPED)
# The item statuses after which a stop's action has happened.
_PAST = {
    StopAction.PICKUP: frozenset(set(ItemStatus) - {ItemStatus.CREATED}),
    StopAction.DELIVERY: frozenset({ItemStatus.DELIVERED, ItemStatus.DELIVERY_FAILED, ItemStatus.HANDED_OVER,
                                    ItemStatus.RETURNED, ItemStatus.READY_FOR_PICKUP, ItemStatus.CANCELLED}),
}
# Items in a postman's bag that still have to reach their destination.
_EN_ROUTE = (ItemStatus.ACCEPTED, ItemStatus.IN_TRANSIT, ItemStatus.OUT_FOR_DELIVERY)


@dataclasses.dataclass
class _Day:
    """The day's routes as they stand."""

    routes: list[Route]
    stops: dict[int, list[RouteStop]]  # route id -> stops by seq
    lines: dict[int, list[tuple[StopAction, Item]]]  # stop id -> its items
    finished: set[int]  # stop ids

    def open_stops(self, route: Route) -> list[RouteStop]:
        return [s for s in self.stops[route.id] if s.id not in self.finished]

    def items_on(self, routes: list[Route], *, finished: bool | None = None) -> set[int]:
        return {item.id for r in routes for s in self.stops[r.id]
                if finished is None or (s.id in self.finished) == finished for _, item in self.lines[s.id]}


def reoptimise_post_office_day(
    session: Session,
    *,
    post_office_id: int,
    day: date,
    time_limit_s: float = service.DEFAULT_TIME_LIMIT_S,
    progress: Callable[[dict], None] | None = None,
    actor_user_id: int | None = None,
    now: datetime | None = None,
) -> service.DaySummary:
    """Re-plan the day from now: done stops and pins kept, postmen from where they are."""
    return replan_day(session, post_office_id=post_office_id, day=day, time_limit_s=time_limit_s,
                      progress=progress, actor_user_id=actor_user_id, now=now or datetime.now(UTC))


def replan_day(session: Session, *, post_office_id: int, day: date, time_limit_s: float,
               progress: Callable[[dict], None] | None, actor_user_id: int | None,
               now: datetime | None) -> service.DaySummary:
    """Re-plan around finished stops and pins; ``now=None`` plans from the start of the shifts."""
    session.exec(select(PostOffice).where(PostOffice.id == post_office_id).with_for_update()).first()
    current = _read_day(session, post_office_id=post_office_id, day=day)
    frozen = [r for r in current.routes if r.pinned]
    movable = [r for r in current.routes if not r.pinned]
    frozen_postmen = {r.postman_id for r in frozen}
    postmen = {p.id: p for p in session.exec(select(Postman).where(Postman.post_office_id == post_office_id))}
    held = [i for i in session.exec(select(Item).where(Item.holder_kind == HolderKind.POSTMAN,
                                                       Item.holder_ref_id.in_(list(postmen))))
            if i.status in _EN_ROUTE]
    done_here = current.items_on(current.routes, finished=True)
    pool = {i.id: i for i in candidate_items(session, post_office_id=post_office_id) if i.id not in done_here}
    pool.update({i.id: i for i in held})
    for item_id in current.items_on(frozen):
        pool.pop(item_id, None)
    pool = {k: i for k, i in pool.items()
            if not (i.holder_kind is HolderKind.POSTMAN and i.holder_ref_id in frozen_postmen)}
    problem, ctx = build_day_problem(session, post_office_id=post_office_id, day=day, items=pool.values())
    problem = _as_it_stands(session, problem, ctx, current, movable, frozen_postmen, held, now)
    initial = _current_plan(current, movable, ctx)
    provider = configured_provider(get_settings().routing_osrm_url)
    plan = solve(problem, time_limit_s=time_limit_s, progress=progress, initial=initial, matrix_provider=provider)
    summary = _save(session, plan, ctx, current, movable, frozen)
    audit.record(session, actor_user_id=actor_user_id, action="reoptimise_day" if now else "plan_day",
                 entity="post_office", entity_id=post_office_id, day=day.isoformat(), routes=summary.routes,
                 unserved=len(summary.unserved), pinned_routes=len(frozen), seconds=round(plan.seconds, 2))
    return summary


def _read_day(session: Session, *, post_office_id: int, day: date) -> _Day:
    routes = list(session.exec(select(Route).where(Route.post_office_id == post_office_id, Route.day == day)
                               .order_by(Route.id)))
    stops: dict[int, list[RouteStop]] = {r.id: [] for r in routes}
    for stop in session.exec(select(RouteStop).where(RouteStop.route_id.in_(list(stops))).order_by(RouteStop.seq)):
        stops[stop.route_id].append(stop)
    lines: dict[int, list[tuple[StopAction, Item]]] = {s.id: [] for ss in stops.values() for s in ss}
    for link, item in session.exec(select(RouteStopItem, Item).join(Item, Item.id == RouteStopItem.item_id)
                                   .where(RouteStopItem.stop_id.in_(list(lines)))):
        lines[link.stop_id].append((link.action, item))
    finished = {
        s.id for ss in stops.values() for s in ss
        if s.status in _FINISHED or (lines[s.id] and all(i.status in _PAST[a] for a, i in lines[s.id]))
    }
    return _Day(routes, stops, lines, finished)


def _as_it_stands(session: Session, problem: Problem, ctx: DayContext, current: _Day, movable: list[Route],
                  frozen_postmen: set[int], held: list[Item], now: datetime | None) -> Problem:
    """Vehicles where they are now, carried items on board, pinned stops on their postman."""
    vehicle_of_postman = {p.id: vid for vid, p in ctx.postmen.items()}
    pinned: dict[int, str] = {}  # item id -> vehicle
    for route in movable:
        for stop in current.open_stops(route):
            if stop.pinned:
                pinned.update({item.id: vehicle_of_postman[route.postman_id] for _, item in current.lines[stop.id]})
    carrier = {i.id: vehicle_of_postman.get(i.holder_ref_id) for i in held}
    jobs = []
    for job in problem.jobs:
        item = ctx.items[job.id]
        if item.id in carrier:
            job = dataclasses.replace(job, in_vehicle=carrier[item.id], pinned_vehicle=carrier[item.id])
        elif item.id in pinned:
            job = dataclasses.replace(job, pinned_vehicle=pinned[item.id])
        jobs.append(job)
    locations = list(problem.locations)
    vehicles = []
    in_problem = {ctx.items[j.id].id for j in jobs}
    for vehicle in problem.vehicles:
        postman = ctx.postmen[vehicle.id]
        if postman.id in frozen_postmen:
            continue
        bag = [i for i in held if i.holder_ref_id == postman.id and i.id not in in_problem]
        vehicle = dataclasses.replace(vehicle, current_load_items=len(bag), current_load_g=sum(i.weight_g for i in bag))
        if now is not None:
            position = _position(session, postman, current, ctx, now)
            if position is not None:
                locations.append(Location(f"now:{vehicle.id}", *position))
                vehicle = dataclasses.replace(vehicle, current_position=len(locations) - 1)
            # After the shift the postman can do nothing more: their items come back unserved.
            vehicle = dataclasses.replace(vehicle, current_time=min(_local_seconds(now, ctx), vehicle.shift[1]))
        vehicles.append(vehicle)
    ids = {v.id for v in vehicles}
    # A pin to a postman who is off the problem (inactive now) is dropped: the item is free to go.
    jobs = [j if (j.in_vehicle or j.pinned_vehicle) in ids | {None}
            else dataclasses.replace(j, in_vehicle=None, pinned_vehicle=None) for j in jobs]
    return dataclasses.replace(problem, locations=tuple(locations), vehicles=tuple(vehicles), jobs=tuple(jobs))


def _position(session: Session, postman: Postman, current: _Day, ctx: DayContext,
              now: datetime) -> tuple[float, float] | None:
    """The latest ping of the day up to now, else the last finished stop; None: at the office."""
    day_start = ctx.local_datetime(0).astimezone(UTC)
    ping = session.exec(
        select(PositionPing).where(PositionPing.user_id == postman.user_id, PositionPing.device_time >= day_start,
                                   PositionPing.device_time <= now)
        .order_by(PositionPing.device_time.desc(), PositionPing.id.desc())
    ).first()
    if ping is not None:
        return ping.lat, ping.lon
    done = [s for r in current.routes if r.postman_id == postman.id for s in current.stops[r.id]
            if s.id in current.finished]
    if done:
        last = max(done, key=lambda s: (s.completed_at or datetime.min.replace(tzinfo=UTC), s.seq))
        return last.lat, last.lon
    return None


def _local_seconds(moment: datetime, ctx: DayContext) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = (moment - ctx.local_datetime(0)).total_seconds()
    return int(min(max(seconds, 0), 24 * 3600 - 1))


def _current_plan(current: _Day, movable: list[Route], ctx: DayContext) -> Plan:
    """The unfinished stops of the movable routes as a ``Plan``: the warm start and the pinned order."""
    job_of = {item.id: job_id for job_id, item in ctx.items.items()}
    vehicle_of_postman = {p.id: vid for vid, p in ctx.postmen.items()}
    routes = []
    for route in movable:
        stops = []
        for stop in current.open_stops(route):
            at = _local_seconds(stop.planned_arrival, ctx) if stop.planned_arrival else 0
            for action in (StopAction.PICKUP, StopAction.DELIVERY):
                jobs = tuple(job_of[i.id] for a, i in current.lines[stop.id] if a is action and i.id in job_of)
                if jobs:
                    stops.append(PlannedStop(Action(action.value), jobs, None, at, at, at + stop.service_s))
        if route.postman_id in vehicle_of_postman:
            routes.append(PlannedRoute(vehicle_of_postman[route.postman_id], tuple(stops), 0, 0, 0, 0))
    return Plan(tuple(routes), (), 0, 0.0)


def _save(session: Session, plan: Plan, ctx: DayContext, current: _Day, movable: list[Route],
          frozen: list[Route]) -> service.DaySummary:
    """Replace the unfinished stops of the movable routes; new stops follow the finished ones."""
    open_ids = [s.id for r in movable for s in current.open_stops(r)]
    if open_ids:
        session.execute(delete(RouteStopItem).where(RouteStopItem.stop_id.in_(open_ids)))
        session.execute(delete(RouteStop).where(RouteStop.id.in_(open_ids)))
    by_postman = {r.postman_id: r for r in movable}
    job_of = {item.id: job_id for job_id, item in ctx.items.items()}
    pinned_jobs = frozenset(job_of[i.id] for r in movable for s in current.open_stops(r) if s.pinned
                            for _, i in current.lines[s.id] if i.id in job_of)
    stops = items = 0
    used = {r.vehicle_id: r for r in plan.used_routes}
    for vehicle_id, postman in ctx.postmen.items():
        route = by_postman.get(postman.id)
        planned = used.get(vehicle_id)
        kept = [s for s in current.stops[route.id] if s.id in current.finished] if route else []
        if planned is None:
            if route is not None and not kept and route.status in (RouteStatus.DRAFT, RouteStatus.PLANNED):
                session.delete(route)
            continue
        if route is None:
            route = Route(post_office_id=ctx.post_office.id, postman_id=postman.id, day=ctx.day,
                          status=RouteStatus.PLANNED)
            session.add(route)
            session.flush()
        route.distance_m, route.duration_s = planned.distance_m, planned.duration_s
        times = service.route_times(planned, ctx)
        if kept:  # already on the road: the departure stands, and a break taken is not re-planned
            times = {k: v for k, v in times.items() if k == "returns_at" or (k.startswith("break") and v)}
        for name, value in times.items():
            setattr(route, name, value)
        first = max((s.seq for s in kept), default=-1) + 1
        written = service.write_stops(session, route=route, planned=planned, ctx=ctx, first_seq=first,
                                      pinned_jobs=pinned_jobs)
        stops, items = stops + written[0], items + written[1]
    session.flush()
    return service.summarise(plan, ctx, routes=len(used) + len(frozen), stops=stops, items=items)

