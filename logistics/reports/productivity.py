"""Postmen's productivity over the routes of a date range.

Per postman: routes (days on the road), stops done, items carried at those stops,
kilometres (the planned distance of the routes), hours on the road (first arrival to
last completion at the stops, from the scans; the planned duration when a route has
no progress yet), and the first-attempt success rate of deliveries: of the items the
postman was to deliver that had an attempt, the share whose first attempt (by device
time, whoever scanned it) was a delivery rather than a failure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from logistics.models import Postman, Route, RouteStop, RouteStopItem, ScanEvent, User
from logistics.models.enums import ScanCode, ScanOutcome, StopAction, StopStatus
from logistics.reports.scope import ReportScope

ATTEMPTS = (ScanCode.DELIVERED, ScanCode.DELIVERY_FAILED)


@dataclass(frozen=True)
class PostmanRow:
    postman_id: int
    name: str
    routes: int
    stops_done: int
    items: int
    km: float
    hours: float
    attempted: int
    first_attempt_delivered: int

    @property
    def first_attempt_rate(self) -> float | None:
        return round(self.first_attempt_delivered / self.attempted, 4) if self.attempted else None


def _routes(session: Session, scope: ReportScope) -> list[tuple[int, int, str, int, int]]:
    query = (
        select(Route.id, Route.postman_id, User.full_name, Route.distance_m, Route.duration_s)
        .join(Postman, Postman.id == Route.postman_id)
        .join(User, User.id == Postman.user_id)
        .where(Route.day >= scope.date_from, Route.day <= scope.date_to)
    )
    if scope.post_office_id is not None:
        query = query.where(Route.post_office_id == scope.post_office_id)
    return [tuple(r) for r in session.execute(query).all()]


def _first_attempts(session: Session, item_ids: set[int]) -> dict[int, ScanCode]:
    """The code of each item's first delivery attempt (device time), if any."""
    if not item_ids:
        return {}
    rows = session.execute(
        select(ScanEvent.item_id, ScanEvent.code)
        .where(ScanEvent.item_id.in_(item_ids), ScanEvent.code.in_(ATTEMPTS), ScanEvent.outcome != ScanOutcome.REJECTED)
        .order_by(ScanEvent.item_id, ScanEvent.device_time, ScanEvent.id)
    ).all()
    first: dict[int, ScanCode] = {}
    for item_id, code in rows:
        first.setdefault(item_id, ScanCode(code))
    return first


def productivity(session: Session, scope: ReportScope) -> list[PostmanRow]:
    """One row per postman with a route in the scope, most stops done first."""
    routes = _routes(session, scope)
    route_ids = [r[0] for r in routes]
    if not route_ids:
        return []
    stops = session.execute(
        select(RouteStop.id, RouteStop.route_id, RouteStop.status, RouteStop.arrived_at, RouteStop.completed_at)
        .where(RouteStop.route_id.in_(route_ids))
    ).all()
    stop_route = {s[0]: s[1] for s in stops}
    done_stops = {s[0] for s in stops if s[2] == StopStatus.DONE}
    span: dict[int, list] = defaultdict(list)
    for _id, route_id, _status, arrived, completed in stops:
        span[route_id].extend(t for t in (arrived, completed) if t is not None)
    lines = session.execute(
        select(RouteStopItem.stop_id, RouteStopItem.item_id, RouteStopItem.action)
        .where(RouteStopItem.stop_id.in_(list(stop_route)))
    ).all() if stop_route else []
    deliveries = {item_id for _s, item_id, action in lines if action == StopAction.DELIVERY}
    first = _first_attempts(session, deliveries)

    by_postman: dict[int, dict] = {}
    route_of = {r[0]: r for r in routes}
    for route_id, postman_id, name, distance_m, duration_s in routes:
        acc = by_postman.setdefault(postman_id, {"name": name, "routes": 0, "stops": 0, "items": 0, "m": 0,
                                                 "s": 0.0, "attempted": set(), "first_ok": set()})
        acc["routes"] += 1
        acc["m"] += distance_m
        times = span.get(route_id)
        acc["s"] += (max(times) - min(times)).total_seconds() if times else duration_s
    for stop_id, item_id, action in lines:
        acc = by_postman[route_of[stop_route[stop_id]][1]]
        if stop_id in done_stops:
            acc["items"] += 1
        if action == StopAction.DELIVERY and item_id in first:
            acc["attempted"].add(item_id)
            if first[item_id] == ScanCode.DELIVERED:
                acc["first_ok"].add(item_id)
    for stop_id in done_stops:
        by_postman[route_of[stop_route[stop_id]][1]]["stops"] += 1
    rows = [
        PostmanRow(postman_id=pid, name=a["name"], routes=a["routes"], stops_done=a["stops"], items=a["items"],
                   km=round(a["m"] / 1000, 1), hours=round(a["s"] / 3600, 2), attempted=len(a["attempted"]),
                   first_attempt_delivered=len(a["first_ok"]))
        for pid, a in by_postman.items()
    ]
    return sorted(rows, key=lambda r: (-r.stops_done, r.name))


