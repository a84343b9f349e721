"""A planned day from the database in the open postal-day format: the day as the
planner saw it (``problem_to_day``) and the saved plan in the format's output shape,
so another system (or another planner) can read it and the scoring rule can check it.

The saved plan keeps one arrival per stop; items sharing a stop are written one
after the other (each its own service time), which is how the format reads a
stop. Ids are the planner's: vehicles ``P<postman id>``, items ``I<item id>``. Times are
seconds after local midnight. Items the day's problem holds but no route carries
are listed as unserved ("not planned": the reasons of a run are not kept).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session, select

from logistics.exceptions import NotFound
from logistics.models import Item, Route, RouteStop, RouteStopItem
from logistics.models.enums import StopAction
from logistics.routing.day_problem import DayContext, build_day_problem, candidate_items
from logistics.routing.postal_day import problem_to_day


def _seconds(moment: datetime, ctx: DayContext) -> int:
    midnight = datetime.combine(ctx.day, time(0), tzinfo=ctx.tz)
    return int((moment.astimezone(ctx.tz) - midnight).total_seconds())


def _routes(session: Session, *, post_office_id: int, day: date) -> list[Route]:
    return list(session.exec(select(Route).where(Route.post_office_id == post_office_id, Route.day == day)
                             .order_by(Route.postman_id)))


def _route_stops(session: Session, route: Route, ctx: DayContext, services: dict[tuple[str, str], int]) -> list[dict]:
    rows = session.exec(
        select(RouteStop, RouteStopItem).join(RouteStopItem, RouteStopItem.stop_id == RouteStop.id)
        .where(RouteStop.route_id == route.id).order_by(RouteStop.seq, RouteStopItem.id)
    ).all()
    departs = _seconds(route.departs_at, ctx) if route.departs_at else None
    stops: list[dict[str, Any]] = []
    busy_until: dict[int, int] = {}  # stop id -> when its previous item's service ends
    for stop, line in rows:
        job = f"I{line.item_id}"
        action = "pickup" if line.action is StopAction.PICKUP else "delivery"
        if (job, action) not in services:
            continue  # no longer part of the day (scanned on since the plan was made)
        if action == "delivery" and (job, "pickup") not in services:  # loaded at the office before leaving
            first = _seconds(stop.planned_arrival, ctx)
            stops.append({"item": job, "action": "pickup", "start_s": departs if departs is not None else first})
        # Items sharing a stop are handed over one after the other, as the format reads them.
        start = busy_until.get(stop.id, _seconds(stop.planned_arrival, ctx))
        busy_until[stop.id] = start + services[(job, action)]
        stops.append({"item": job, "action": action, "start_s": start})
    if route.break_starts_at is not None:
        stops.append({"action": "break", "start_s": _seconds(route.break_starts_at, ctx)})
    stops.sort(key=lambda s: s["start_s"])  # stable: pickups loaded at the start stay first
    return stops


def export_planned_day(session: Session, *, post_office_id: int, day: date) -> dict:
    """``{"day": <the day in the open format>, "plan": <its saved plan>}``."""
    routes = _routes(session, post_office_id=post_office_id, day=day)
    if not routes:
        raise NotFound(f"No plan is saved for post office {post_office_id} on {day.isoformat()}.",
                       code="plan_not_found")
    planned_ids = set(session.exec(
        select(RouteStopItem.item_id).join(RouteStop, RouteStop.id == RouteStopItem.stop_id)
        .where(RouteStop.route_id.in_([r.id for r in routes]))
    ))
    pool = {i.id: i for i in candidate_items(session, post_office_id=post_office_id)}
    pool.update({i.id: i for i in session.exec(select(Item).where(Item.id.in_(planned_ids)))})
    problem, ctx = build_day_problem(session, post_office_id=post_office_id, day=day, items=pool.values())
    services = {(j.id, "delivery"): j.delivery.service_s for j in problem.jobs}
    services.update({(j.id, "pickup"): j.pickup.service_s for j in problem.jobs if j.pickup is not None})
    plan_routes = [{"vehicle": f"P{r.postman_id}", "stops": _route_stops(session, r, ctx, services)}
                   for r in routes]
    served = {s["item"] for r in plan_routes for s in r["stops"] if "item" in s}
    unserved = [{"item": j.id, "reason": "not planned"} for j in problem.jobs if j.id not in served]
    return {"day": problem_to_day(problem), "plan": {"routes": plan_routes, "unserved": unserved, "seconds": 0}}
