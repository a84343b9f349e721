"""The live picture of a post office's day for the dispatcher console: where each
postman was last seen, how far each stop has got (from the scans), and what needs a
look — failed attempts, scans flagged by the geofence, items whose deadline is at risk.

An item is at risk when the ETA window of its stop (``eta``) ends after the window
booked with the citizen, or, for an item due on or before the day, after the
postman's shift. Everything is read from the database on each call: the console
polls, so a scan posted through the mobile API shows at the next poll.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from logistics.config import get_settings
from logistics.models import Item, PositionPing, Postman, Route, RouteStop, RouteStopItem, ScanEvent, User
from logistics.models.enums import ScanCode, ScanOutcome
from logistics.models.types import utcnow
from logistics.tracking import eta

EXCEPTION_FAILED = "failed_attempt"
EXCEPTION_GEOFENCE = "geofence"
EXCEPTION_AT_RISK = "deadline_at_risk"


@dataclass(frozen=True)
class DayException:
    kind: str
    s10: str
    item_id: int
    at: datetime | None
    detail: str  # a reason or flag code, never personal data
    lat: float | None
    lon: float | None
    stop_id: int | None = None


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=get_settings().tz)
    return start, start + timedelta(days=1)


def last_positions(session: Session, *, post_office_id: int, day: date) -> list[dict[str, Any]]:
    """Each postman's latest ping of the day (none yet: left out)."""
    start, end = _day_bounds(day)
    latest = (
        select(PositionPing.user_id, func.max(PositionPing.device_time).label("at"))
        .join(Postman, Postman.user_id == PositionPing.user_id)
        .where(Postman.post_office_id == post_office_id, PositionPing.device_time >= start,
               PositionPing.device_time < end)
        .group_by(PositionPing.user_id).subquery()
    )
    rows = session.exec(
        select(PositionPing, Postman.id, User.username)
        .join(latest, (latest.c.user_id == PositionPing.user_id) & (latest.c.at == PositionPing.device_time))
        .join(Postman, Postman.user_id == PositionPing.user_id)
        .join(User, User.id == PositionPing.user_id)
        .order_by(Postman.id, PositionPing.id.desc())
    ).all()
    seen: dict[int, dict[str, Any]] = {}
    for ping, postman_id, username in rows:
        seen.setdefault(postman_id, {
            "postman_id": postman_id, "username": username, "lat": ping.lat, "lon": ping.lon,
            "accuracy_m": ping.accuracy_m, "at": ping.device_time,
        })
    return list(seen.values())


def stop_progress(session: Session, routes: list[Route], *, now: datetime) -> list[dict[str, Any]]:
    out = []
    for route in routes:
        windows = {e.stop_id: e for e in eta.route_etas(session, route_id=route.id, now=now)}
        for stop in session.exec(select(RouteStop).where(RouteStop.route_id == route.id).order_by(RouteStop.seq)):
            window = windows.get(stop.id)
            out.append({
                "stop_id": stop.id, "route_id": route.id, "seq": stop.seq, "status": stop.status.value,
                "pinned": stop.pinned, "arrived_at": stop.arrived_at, "completed_at": stop.completed_at,
                "eta_from": window.start if window else None, "eta_to": window.end if window else None,
            })
    return out


def _scan_exceptions(session: Session, *, post_office_id: int, day: date) -> list[DayException]:
    start, end = _day_bounds(day)
    rows = session.exec(
        select(ScanEvent, Item.s10).join(Item, Item.id == ScanEvent.item_id)
        .where(Item.post_office_id == post_office_id, ScanEvent.device_time >= start, ScanEvent.device_time < end,
               ScanEvent.outcome != ScanOutcome.REJECTED)
        .order_by(ScanEvent.device_time)
    ).all()
    out = []
    for scan, s10 in rows:
        if scan.code == ScanCode.DELIVERY_FAILED:
            out.append(DayException(EXCEPTION_FAILED, s10, scan.item_id, scan.device_time,
                                    scan.failure_reason.value if scan.failure_reason else "", scan.lat, scan.lon))
        if scan.flags:
            out.append(DayException(EXCEPTION_GEOFENCE, s10, scan.item_id, scan.device_time, ",".join(scan.flags),
                                    scan.lat, scan.lon))
    return out


def _at_risk(session: Session, routes: list[Route], progress: list[dict[str, Any]], day: date) -> list[DayException]:
    windows = {p["stop_id"]: p["eta_to"] for p in progress if p["eta_to"] is not None}
    if not windows:
        return []
    shift_end = {p.id: p.shift_end for p in session.exec(
        select(Postman).where(Postman.id.in_({r.postman_id for r in routes})))}
    route_of = {r.id: r for r in routes}
    tz = get_settings().tz
    # Only stops still on the routes read above: each statement reads what is committed when
    # it runs, and a stop a dispatcher moved meanwhile to a route made since (a postman
    # without one) would name a route not read (a 500 before, seen in the browser test).
    rows = session.exec(
        select(RouteStopItem.stop_id, RouteStop.route_id, RouteStop.lat, RouteStop.lon, Item)
        .join(RouteStop, RouteStop.id == RouteStopItem.stop_id).join(Item, Item.id == RouteStopItem.item_id)
        .where(RouteStopItem.stop_id.in_(list(windows)), RouteStop.route_id.in_(list(route_of)))
    ).all()
    out = []
    for stop_id, route_id, lat, lon, item in rows:
        expected_end = windows[stop_id]
        detail = None
        if item.window_end is not None and expected_end > item.window_end:
            detail = "after_booked_window"
        elif item.due_date is not None and item.due_date <= day:
            closes = datetime.combine(day, shift_end.get(route_of[route_id].postman_id, time(17, 30)), tzinfo=tz)
            if expected_end > closes:
                detail = "after_shift_on_due_day"
        if detail:
            out.append(DayException(EXCEPTION_AT_RISK, item.s10, item.id, expected_end, detail, lat, lon, stop_id))
    return out


def day_live(session: Session, *, post_office_id: int, day: date, now: datetime | None = None) -> dict[str, Any]:
    """Positions, stop progress and exceptions of the office's day, as plain data."""
    now = now or utcnow()
    routes = list(session.exec(
        select(Route).where(Route.post_office_id == post_office_id, Route.day == day).order_by(Route.id)))
    progress = stop_progress(session, routes, now=now)
    exceptions = _scan_exceptions(session, post_office_id=post_office_id, day=day) + _at_risk(session, routes, progress, day)
    return {
        "at": now,
        "positions": last_positions(session, post_office_id=post_office_id, day=day),
        "stops": progress,
        "routes": [{"route_id": r.id, "postman_id": r.postman_id, "status": r.status.value, "pinned": r.pinned,
                    "stops": sum(1 for p in progress if p["route_id"] == r.id),
                    "done": sum(1 for p in progress if p["route_id"] == r.id and p["status"] in ("done", "skipped"))}
                   for r in routes],
        "exceptions": [asdict(e) for e in exceptions],
    }
