"""ETA windows for the stops a route has still to make.

The plan gives each stop a planned arrival and a window (``RouteStop.planned_arrival``,
``arrive_from``, ``arrive_to``). The scans say how the day goes (``progress``): the
last finished stop left at ``completed_at`` instead of its planned departure, so every
later stop shifts by that delay; and the farther a stop still is, the less sure its
time, so its window widens with the distance left to ride. Nothing is stored: the
windows are computed on demand from the plan and the progress, so every scan moves
them at once, for the tracking page, the SMS and the postman's phone alike.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, func, or_
from sqlalchemy.engine import Connection
from sqlmodel import Session, select

from logistics.geo import haversine_m
from logistics.models import Item, Route, RouteStop, RouteStopItem
from logistics.models.enums import ItemStatus, StopStatus
from logistics.models.types import utcnow
from logistics.once import built_once
from logistics.tracking.context import among, among_key
from logistics.tracking.states import TERMINAL

DEFAULT_HALF_WINDOW = timedelta(minutes=15)  # a stop planned without a window [guess]
WIDEN_PER_KM = timedelta(seconds=60)  # a minute of doubt per km still to ride [guess]
MAX_WIDEN = timedelta(minutes=90)
ROUND_TO = timedelta(minutes=5)  # people read "10:05-10:40", not "10:03:27"
_FINISHED = (StopStatus.DONE, StopStatus.SKIPPED)


@dataclass(frozen=True)
class StopEta:
    stop_id: int
    seq: int
    start: datetime
    end: datetime


def _floor(t: datetime) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=t.tzinfo)
    return t - (t - epoch) % ROUND_TO


def _ceil(t: datetime) -> datetime:
    floored = _floor(t)
    return floored if floored == t else floored + ROUND_TO


def stop_etas(stops: list[Any], *, now: datetime, only: Collection[int] | None = None) -> list[StopEta]:
    """The windows of the unfinished stops of one route (``stops`` in any order): ``RouteStop``
    rows, or rows of their columns. ``only``: the ids of the stops whose windows are
    wanted (the others are still ridden through)."""
    stops = sorted(stops, key=lambda s: s.seq)
    finished = [s for s in stops if s.status in _FINISHED and s.completed_at is not None]
    last = finished[-1] if finished else None
    delay = _delay(last)
    out: list[StopEta] = []
    distance_m = 0.0
    previous = last
    for stop in stops:
        if stop.status in _FINISHED or stop.planned_arrival is None or (last is not None and stop.seq < last.seq):
            continue
        if previous is not None:
            distance_m += haversine_m(previous.lat, previous.lon, stop.lat, stop.lon)
        previous = stop
        if only is not None and stop.id not in only:
            continue
        out.append(_window(stop, delay=delay, distance_m=distance_m, now=now))
    return out


def _delay(last: Any) -> timedelta:
    """How late the day runs: the last finished stop left at ``completed_at``, not at its
    planned departure (none finished yet: on time)."""
    if last is None or last.planned_arrival is None:
        return timedelta(0)
    return last.completed_at - (last.planned_arrival + timedelta(seconds=last.service_s))


def _window(stop: Any, *, delay: timedelta, distance_m: float, now: datetime) -> StopEta:
    """The window of an unfinished ``stop`` (a planned arrival, its window, ``arrived_at``)
    when the day runs ``delay`` late and ``distance_m`` are still to ride to it."""
    if stop.arrived_at is not None:  # the postman is there now
        centre = stop.arrived_at
    else:
        centre = max(stop.planned_arrival + delay, now)
    before = stop.planned_arrival - stop.arrive_from if stop.arrive_from else DEFAULT_HALF_WINDOW
    after = stop.arrive_to - stop.planned_arrival if stop.arrive_to else DEFAULT_HALF_WINDOW
    widen = min(MAX_WIDEN, WIDEN_PER_KM * (distance_m / 1000.0))
    # Lateness is likelier than earliness: two thirds of the doubt go after.
    start = centre - max(before, timedelta(0)) - widen / 3
    end = centre + max(after, timedelta(0)) + widen * 2 / 3
    return StopEta(stop.id, stop.seq, _floor(start), _ceil(end))


_CACHE = "tracking.eta_windows"


def forget_windows(session: Session) -> None:
    """Drop the windows computed in this session (the progress of a stop changed)."""
    session.info.pop(_CACHE, None)


def route_etas(session: Session, *, route_id: int, now: datetime | None = None) -> list[StopEta]:
    """The windows of a route's unfinished stops.

    Kept on the session for the minute: the SMS of a batch of 100 scans on one route
    asks 100 times, and a route of 100 stops costs ~10 ms to compute (2026-11).
    ``progress.record_progress`` forgets them whenever a stop moves.
    """
    now = now or utcnow()
    cache = session.info.setdefault(_CACHE, {})
    key = (route_id, now.replace(second=0, microsecond=0))
    if key not in cache:
        session.flush()  # Core reads below: the progress this unit of work made first
        # The columns the windows need, as rows: loading a route's 100 stops as entities
        # cost ~10 ms, most of an out-for-delivery SMS (2026-11).
        stops = session.connection().execute(_stop_columns(), {"route_id": route_id}).all()
        cache[key] = stop_etas(list(stops), now=now)
    return cache[key]


@built_once
def _stop_columns() -> Select:
    t = RouteStop.__table__
    return select(t.c.id, t.c.seq, t.c.status, t.c.lat, t.c.lon, t.c.service_s, t.c.planned_arrival, t.c.arrive_from,
                  t.c.arrive_to, t.c.arrived_at, t.c.completed_at).where(t.c.route_id == bindparam("route_id"))


def eta_windows(session: Session, items: Iterable[Item], *, now: datetime | None = None,
                connection: Connection | None = None) -> dict[int, tuple[datetime, datetime]]:
    """Item id -> the window in which its stop should be reached, for the items waiting
    for a stop (not delivered, handed over, returned or failed): the stops in one query
    (the newest route first), then once per route the windows up to the last stop
    asked for (``stop_etas`` needs nothing after it; one out-for-delivery SMS then reads
    the stops before its own, not its route's 100). One item's in one query
    (:func:`_one_window`). ``connection``: read on it, not on the session's (a caller
    reading in autocommit, ``notify.page_state``)."""
    now = now or utcnow()
    waiting = sorted({i.id for i in items if i.status not in TERMINAL and i.status != ItemStatus.DELIVERY_FAILED})
    if not waiting:
        return {}
    if connection is None:
        session.flush()  # Core reads below: the progress this unit of work made first
        connection = session.connection()
    if len(waiting) == 1:
        window = _one_window(connection, waiting[0], now)
        return {waiting[0]: window} if window is not None else {}
    found = connection.execute(_waiting_stops(among_key(session, waiting)), {"item_ids": waiting}).all()  # several
    stop_of: dict[int, tuple[int, int]] = {}
    wanted: dict[int, dict[int, int]] = {}  # route id -> stop id -> seq
    for item_id, stop_id, route_id, seq in found:
        if item_id not in stop_of:
            stop_of[item_id] = (stop_id, route_id)
            wanted.setdefault(route_id, {})[stop_id] = seq
    by_route = {route_id: {e.stop_id: e for e in _etas_of(session, connection, route_id, stops, now)}
                for route_id, stops in wanted.items()}
    windows = {}
    for item_id, (stop_id, route_id) in stop_of.items():
        eta = by_route[route_id].get(stop_id)
        if eta is not None:
            windows[item_id] = (eta.start, eta.end)
    return windows


def _etas_of(session: Session, connection: Connection, route_id: int, wanted: dict[int, int], now: datetime
             ) -> list[StopEta]:
    """The windows of the ``wanted`` stops (id -> seq) of a route, from the stops up to
    the last of them and every finished one (the last finished stop sets the delay and
    where riding starts)."""
    cache = session.info.setdefault(_CACHE, {})
    minute = now.replace(second=0, microsecond=0)
    if (route_id, minute) in cache:  # the whole route, computed already
        return cache[(route_id, minute)]
    key = (route_id, minute, frozenset(wanted))
    if key not in cache:
        stops = connection.execute(_stop_columns_upto(), {"route_id": route_id, "upto": max(wanted.values())}).all()
        cache[key] = stop_etas(list(stops), now=now, only=wanted.keys())
    return cache[key]


def _one_window(connection: Connection, item_id: int, now: datetime) -> tuple[datetime, datetime] | None:
    """:func:`stop_etas`' window of one item's stop, from :func:`_one_path`: the last
    finished stop first (if any), the item's own last; ``stop_etas`` skips the rest."""
    rows = connection.execute(_one_path(), {"item_id": item_id}).all()
    if not rows or rows[-1].id != rows[-1].own_id:  # no stop, or one left behind (a later one is finished)
        return None
    last = rows[0] if rows[0].seq == rows[0].last_seq else None
    # By position: a row's attribute costs ~3 times its index (16 stops: 91 vs 27 us, 2026-12).
    points = [(row[2], row[3]) for row in rows]  # lat, lon
    distance_m = 0.0
    for (lat1, lon1), (lat2, lon2) in zip(points, points[1:]):  # added in order, as stop_etas does
        distance_m += haversine_m(lat1, lon1, lat2, lon2)
    eta = _window(rows[-1], delay=_delay(last), distance_m=distance_m, now=now)
    return eta.start, eta.end


@built_once
def _one_path() -> Select:
    """The stops one item's window is computed from, in one statement: its waiting stop
    (on the newest route, as :func:`_waiting_stops`), the last finished stop of that route
    (``stop_etas``' ``last``: the delay and where riding starts) and the stops between
    them that ``stop_etas`` rides through (unfinished, planned), by seq. Where each is, for
    all; the times only for the two ends: each time read costs a conversion, and an
    out-for-delivery page reads this on every view."""
    t = RouteStop.__table__
    own = (
        select(t.c.route_id, t.c.seq, t.c.id)
        .join(RouteStopItem, RouteStopItem.stop_id == t.c.id)
        .join(Route, Route.id == t.c.route_id)
        .where(RouteStopItem.item_id == bindparam("item_id"), _unfinished(t.c.status))
        .order_by(Route.day.desc(), Route.id.desc())
        .limit(1)
        .subquery("own")
    )
    # The last finished stop by an aggregate over a join, not a correlated scalar
    # subquery: PostgreSQL inlined that one into every condition naming it and ran it
    # once per stop of the route (~2.7 ms a read on 20-stop routes, EXPLAIN ANALYZE, 2026-12).
    done = t.alias("done")
    finished = (done.c.route_id == own.c.route_id) & _finished(done.c.status) & done.c.completed_at.is_not(None)
    ends = (
        select(own.c.route_id, own.c.seq.label("upto"), own.c.id.label("own_id"), func.max(done.c.seq).label("last_seq"))
        .select_from(own.outerjoin(done, finished))
        .group_by(own.c.route_id, own.c.seq, own.c.id)
        .subquery("ends")
    )
    stop = t.alias("stop")
    at_end = (stop.c.id == ends.c.own_id) | (stop.c.seq == ends.c.last_seq)
    times = [case((at_end, column)).label(column.name) for column in (
        stop.c.planned_arrival, stop.c.arrive_from, stop.c.arrive_to, stop.c.arrived_at, stop.c.completed_at)]
    ridden = ((stop.c.seq > func.coalesce(ends.c.last_seq, -1)) & (stop.c.seq <= ends.c.upto)
              & _unfinished(stop.c.status) & stop.c.planned_arrival.is_not(None))
    return (
        select(stop.c.id, stop.c.seq, stop.c.lat, stop.c.lon, stop.c.service_s, *times, ends.c.own_id, ends.c.last_seq)
        .join(ends, stop.c.route_id == ends.c.route_id)
        .where(ridden | (stop.c.seq == ends.c.last_seq))
        .order_by(stop.c.seq)
    )


def _finished(status: Any) -> Any:
    """``status`` is one of ``_FINISHED``, as plain comparisons: an IN of a list is expanded
    by SQLAlchemy on every execution (its post-compile step); the three of :func:`_one_path`
    cost an out-for-delivery page view 3,077,000 -> 2,881,000 instructions (callgrind, 2026-12)."""
    return or_(*(status == value for value in _FINISHED))


def _unfinished(status: Any) -> Any:
    return and_(*(status != value for value in _FINISHED))


@built_once
def _waiting_stops(dialect: str) -> Select:
    """Per ``context.among`` dialect: one item's is a plain equality."""
    return (
        select(RouteStopItem.item_id, RouteStop.id, RouteStop.route_id, RouteStop.seq)
        .join(RouteStop, RouteStopItem.stop_id == RouteStop.id)
        .join(Route, Route.id == RouteStop.route_id)
        .where(among(dialect, RouteStopItem.item_id, "item_ids"), _unfinished(RouteStop.status))
        .order_by(Route.day.desc(), Route.id.desc())
    )


@built_once
def _stop_columns_upto() -> Select:
    """The stops ``stop_etas`` reads for the stops up to ``upto``: the last finished one
    (where riding starts; every stop before it is skipped) and the stops from it to
    ``upto``. Late in a day this is a few rows, not the route's finished hundred."""
    t = RouteStop.__table__
    last = (
        select(func.max(t.c.seq))
        .where(t.c.route_id == bindparam("route_id"), _finished(t.c.status), t.c.completed_at.is_not(None))
        .scalar_subquery()
    )
    return _stop_columns().where(((t.c.seq <= bindparam("upto")) & (t.c.seq >= func.coalesce(last, t.c.seq))) | (t.c.seq == last))


def eta_window(session: Session, *, item_id: int, now: datetime | None = None) -> tuple[datetime, datetime] | None:
    """The window in which the item's stop should be reached; None when the item is
    not waiting for a stop (no route, or already delivered, handed over, returned)."""
    item = session.get(Item, item_id)
    if item is None:
        return None
    return eta_windows(session, [item], now=now).get(item_id)
