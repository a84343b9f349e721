"""Plan a post office's day from the database and keep the plan: routes, stops with
planned arrival windows, the items picked up and delivered at each stop."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from logistics import audit, metrics
from logistics.config import get_settings
from logistics.exceptions import Conflict
from logistics.models import PostOffice, Route, RouteStop, RouteStopItem
from logistics.models.enums import RouteStatus, StopAction
from logistics.routing.day_problem import DayContext, build_day_problem
from logistics.routing.matrix import configured_provider
from logistics.routing.plan import Action, Plan
from logistics.routing.plan import Route as PlannedRoute
from logistics.routing.solver import solve

# The window a citizen or clerk is told: planned arrival ± this. Tracking narrows it
# as the day goes on (tracking.eta).
ARRIVAL_SLACK = timedelta(minutes=15)
DEFAULT_TIME_LIMIT_S = 20.0


@dataclass(frozen=True)
class UnservedItem:
    s10: str
    item_id: int
    reason: str
    mandatory: bool


@dataclass(frozen=True)
class DaySummary:
    post_office_code: str
    day: date
    routes: int
    stops: int
    items: int
    distance_m: int
    duration_s: int
    unserved: tuple[UnservedItem, ...]
    seconds: float


def plan_post_office_day(
    session: Session,
    *,
    post_office_id: int,
    day: date,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    progress: Callable[[dict], None] | None = None,
    actor_user_id: int | None = None,
) -> DaySummary:
    """Solve the day and replace its routes that have not started yet.

    With pins on the day (``Route.pinned``, ``RouteStop.pinned``) the day is re-planned
    around them (``reoptimise.replan_day`` from the start of the shifts): a pinned route
    stays as it is, a pinned stop on its postman in its order.
    """
    started_at = time.perf_counter()
    # One planner at a time per office: on PostgreSQL the row lock queues a second run.
    session.exec(select(PostOffice).where(PostOffice.id == post_office_id).with_for_update()).first()
    started = session.exec(
        select(Route.id).where(Route.post_office_id == post_office_id, Route.day == day,
                               Route.status.in_([RouteStatus.IN_PROGRESS, RouteStatus.DONE]))
    ).first()
    if started is not None:
        raise Conflict("Routes of this day have started; re-optimise them instead of planning anew.",
                       code="day_already_started")
    if has_pins(session, post_office_id=post_office_id, day=day):
        from logistics.routing.reoptimise import replan_day  # it builds on this module

        return replan_day(session, post_office_id=post_office_id, day=day, time_limit_s=time_limit_s,
                          progress=progress, actor_user_id=actor_user_id, now=None)
    problem, ctx = build_day_problem(session, post_office_id=post_office_id, day=day)
    provider = configured_provider(get_settings().routing_osrm_url)
    plan = solve(problem, time_limit_s=time_limit_s, progress=progress, matrix_provider=provider)
    summary = save_plan(session, plan=plan, ctx=ctx)
    audit.record(session, actor_user_id=actor_user_id, action="plan_day", entity="post_office",
                 entity_id=post_office_id, day=day.isoformat(), routes=summary.routes,
                 unserved=len(summary.unserved), seconds=round(plan.seconds, 2))
    metrics.planning_seconds(time.perf_counter() - started_at)
    return summary


def has_pins(session: Session, *, post_office_id: int, day: date) -> bool:
    day_routes = select(Route.id).where(Route.post_office_id == post_office_id, Route.day == day)
    pinned_route = session.exec(day_routes.where(Route.pinned)).first()
    pinned_stop = session.exec(
        select(RouteStop.id).where(RouteStop.route_id.in_(day_routes), RouteStop.pinned)
    ).first()
    return pinned_route is not None or pinned_stop is not None


def _clear_unstarted(session: Session, *, post_office_id: int, day: date) -> None:
    route_ids = list(session.exec(select(Route.id).where(Route.post_office_id == post_office_id, Route.day == day)))
    if not route_ids:
        return
    stop_ids = select(RouteStop.id).where(RouteStop.route_id.in_(route_ids))
    session.execute(delete(RouteStopItem).where(RouteStopItem.stop_id.in_(stop_ids)))
    session.execute(delete(RouteStop).where(RouteStop.route_id.in_(route_ids)))
    session.execute(delete(Route).where(Route.id.in_(route_ids)))


def save_plan(session: Session, *, plan: Plan, ctx: DayContext) -> DaySummary:
    office = ctx.post_office
    _clear_unstarted(session, post_office_id=office.id, day=ctx.day)
    stops_written = items_written = 0
    for planned in plan.used_routes:
        postman = ctx.postmen[planned.vehicle_id]
        route = Route(post_office_id=office.id, postman_id=postman.id, day=ctx.day, status=RouteStatus.PLANNED,
                      distance_m=planned.distance_m, duration_s=planned.duration_s, **route_times(planned, ctx))
        session.add(route)
        session.flush()
        stops, items = write_stops(session, route=route, planned=planned, ctx=ctx, first_seq=0)
        stops_written, items_written = stops_written + stops, items_written + items
    session.flush()
    return summarise(plan, ctx, routes=len(plan.used_routes), stops=stops_written, items=items_written)


def route_times(planned: PlannedRoute, ctx: DayContext) -> dict:
    """When ``planned`` has its postman leave, come back and take the break (``Route`` fields)."""
    pause = next((s for s in planned.stops if s.action is Action.BREAK), None)
    return {"departs_at": ctx.local_datetime(planned.start_s), "returns_at": ctx.local_datetime(planned.end_s),
            "break_starts_at": ctx.local_datetime(pause.start_s) if pause else None,
            "break_ends_at": ctx.local_datetime(pause.end_s) if pause else None}


def write_stops(session: Session, *, route: Route, planned: PlannedRoute, ctx: DayContext, first_seq: int,
                pinned_jobs: frozenset[str] = frozenset()) -> tuple[int, int]:
    """Append ``planned``'s stops to ``route`` from ``first_seq`` on; (stops, items delivered) written.

    A stop serving a job of ``pinned_jobs`` stays pinned.
    """
    seq = first_seq
    items_written = 0
    for stop in planned.stops:
        if stop.action is Action.BREAK or stop.location is None:
            continue
        kind, ref = ctx.places[stop.location]
        location = ctx.locations[stop.location]
        arrival = ctx.local_datetime(stop.start_s)
        row = RouteStop(
            route_id=route.id, seq=seq, place_kind=kind, place_ref_id=ref, lat=location.lat, lon=location.lon,
            service_s=stop.end_s - stop.start_s, planned_arrival=arrival,
            arrive_from=arrival - ARRIVAL_SLACK, arrive_to=arrival + ARRIVAL_SLACK,
            pinned=bool(pinned_jobs.intersection(stop.job_ids)),
        )
        session.add(row)
        session.flush()
        seq += 1
        action = StopAction.PICKUP if stop.action is Action.PICKUP else StopAction.DELIVERY
        for job_id in stop.job_ids:
            session.add(RouteStopItem(stop_id=row.id, item_id=ctx.items[job_id].id, action=action))
            items_written += action is StopAction.DELIVERY
    return seq - first_seq, items_written


def summarise(plan: Plan, ctx: DayContext, *, routes: int, stops: int, items: int) -> DaySummary:
    unserved = tuple(
        UnservedItem(s10=ctx.items[u.job_id].s10, item_id=ctx.items[u.job_id].id, reason=u.reason.value,
                     mandatory=u.mandatory)
        for u in plan.unserved
    )
    return DaySummary(
        post_office_code=ctx.post_office.code, day=ctx.day, routes=routes, stops=stops, items=items,
        distance_m=plan.distance_m, duration_s=plan.duration_s, unserved=unserved, seconds=plan.seconds,
    )
