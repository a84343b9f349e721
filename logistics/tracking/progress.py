"""A route's progress from the scans: when each stop was reached and finished.

A stop is reached at its first scan (device time) and done when every item of the stop
has had its pickup or delivery scan; the route is in progress from its first scan.
ETA windows (``eta``) are computed from this, so every scan moves them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm.attributes import set_attribute
from sqlmodel import Session, select

from logistics.models import Item, Route, RouteStop, RouteStopItem
from logistics.tracking import eta
from logistics.tracking.fold import Scan
from logistics.models.enums import ItemStatus, RouteStatus, StopAction, StopStatus
from logistics.tracking.geofence import AT_DESTINATION, AT_ORIGIN

STOP_SCANS = AT_DESTINATION | AT_ORIGIN
# The statuses in which an item no longer waits for its stop's action.
_DONE_AFTER = {
    StopAction.PICKUP: frozenset(set(ItemStatus) - {ItemStatus.CREATED}),
    StopAction.DELIVERY: frozenset({
        ItemStatus.DELIVERED, ItemStatus.DELIVERY_FAILED, ItemStatus.HANDED_OVER, ItemStatus.RETURNED,
        ItemStatus.READY_FOR_PICKUP, ItemStatus.CANCELLED,
    }),
}


def record_progress(session: Session, visits: Iterable[tuple[int, Scan]]) -> None:
    """Move the stops of ``visits`` (stop id, applied scan made there) forward."""
    times: dict[int, list[datetime]] = {}
    for stop_id, event in visits:
        if event.code in STOP_SCANS:
            times.setdefault(stop_id, []).append(event.device_time)
    if not times:
        return
    eta.forget_windows(session)
    stops = session.exec(select(RouteStop).where(RouteStop.id.in_(sorted(times)))).all()
    lines = session.exec(
        select(RouteStopItem.stop_id, RouteStopItem.action, Item.status)
        .join(Item, Item.id == RouteStopItem.item_id)
        .where(RouteStopItem.stop_id.in_(sorted(times)))
    ).all()
    waiting = {stop.id: False for stop in stops}
    for stop_id, action, status in lines:
        if status not in _DONE_AFTER[action]:
            waiting[stop_id] = True
    route_ids = set()
    for stop in stops:
        first, last = min(times[stop.id]), max(times[stop.id])
        if stop.arrived_at is None or first < stop.arrived_at:
            set_attribute(stop, "arrived_at", first)
        if stop.completed_at is None or last > stop.completed_at:
            set_attribute(stop, "completed_at", last)
        status = StopStatus.ARRIVED if waiting[stop.id] else StopStatus.DONE
        if stop.status != status and stop.status != StopStatus.SKIPPED:
            set_attribute(stop, "status", status)
        route_ids.add(stop.route_id)
    for route in session.exec(select(Route).where(Route.id.in_(sorted(route_ids)))).all():
        if route.status in (RouteStatus.DRAFT, RouteStatus.PLANNED):
            route.status = RouteStatus.IN_PROGRESS
