"""A planned day from the database in the open postal-day format: the day as the
planner saw it (``problem_to_day``) and the saved plan in the format's output shape,
so another system (or another planner) can read it and the scoring rule can check it.

The planner times a stop as a whole (a base and a little more per extra item),
the format times each item: in the exported day each planned item's service time
is its share of its stop's, and items sharing a stop are served one after another.
That is as close as the format can say it: an item late in a busy stop may start
after its own window closes, where the planner only needed the stop to start in it
(on the seeded Gia Lai day, 28 of 151 items), and the format's rule reports that. Ids are the planner's: vehicles ``P<postman id>``, items ``I<item id>``. Times are
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


def _route_stops(session: Session, route: Route, ctx: DayContext, services: dict[tuple[str, str], int],
                 shares: dict[tuple[str, str], int]) -> list[dict]:
    """The route's stops in the format's shape; fills ``shares`` with each item's part of its
    stop's service time."""
    rows = session.exec(
        select(RouteStop, RouteStopItem).join(RouteStopItem, RouteStopItem.stop_id == RouteStop.id)
        .where(RouteStop.route_id == route.id).order_by(RouteStop.seq, RouteStopItem.id)
    ).all()
    at_stop: dict[int, list[tuple[str, str]]] = {}
    for stop, line in rows:
        key = (f"I{line.item_id}", "pickup" if line.action is StopAction.PICKUP else "delivery")
        if key in services:  # else no longer part of the day (scanned on since the plan was made)
            at_stop.setdefault(stop.id, []).append(key)
    departs = _seconds(route.departs_at, ctx) if route.departs_at else None
    stops: list[dict[str, Any]] = []
    for stop in {stop.id: stop for stop, _ in rows}.values():  # in order of seq
        keys = at_stop.get(stop.id, [])
        # The planner times a stop as a whole (a base and a little per extra item); the format
        # times each item: each gets its share, and they are served one after the other.
        share, rest = divmod(stop.service_s, max(1, len(keys)))
        start = _seconds(stop.planned_arrival, ctx)
        for k, (job, action) in enumerate(keys):
            if action == "delivery" and (job, "pickup") not in services:  # loaded at the office
                stops.append({"item": job, "action": "pickup", "start_s": departs if departs is not None else start})
            shares[(job, action)] = share + (k < rest)
            stops.append({"item": job, "action": action, "start_s": start})
            start += shares[(job, action)]
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
    shares: dict[tuple[str, str], int] = {}
    plan_routes = [{"vehicle": f"P{r.postman_id}", "stops": _route_stops(session, r, ctx, services, shares)}
                   for r in routes]
    served = {s["item"] for r in plan_routes for s in r["stops"] if "item" in s}
    unserved = [{"item": j.id, "reason": "not planned"} for j in problem.jobs if j.id not in served]
    day_out = problem_to_day(problem)
    for item in day_out["items"]:
        for action in ("pickup", "delivery"):
            if (item["id"], action) in shares:
                item[action]["service_s"] = shares[(item["id"], action)]
    return {"day": day_out, "plan": {"routes": plan_routes, "unserved": unserved, "seconds": 0}}
