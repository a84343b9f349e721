"""A dispatcher's hand on a planned day: move a stop to another postman, pin a stop or a
whole route so that re-optimising keeps it.

Moving a stop moves the items served there, and with each item its other visit on the
same route (the counter a home pickup is taken to, the agency a dossier goes to): an
envelope picked up by one postman cannot be delivered by another. A visit whose stop
also serves items that stay is split: the moved items get a stop of their own at the
same place on the new route. Moved stops go to the end of the new route with an
estimated arrival (straight-line distance × circuity at the postman's speed) until
the day is re-optimised, and are pinned by default so that re-optimising keeps them
with the postman the dispatcher chose.

Refusals change nothing: a stop already reached or done (``stop_in_progress``,
``stop_done``), an item whose other visit is already made (``partner_stop_done``), a
route already finished (``route_done``), a postman of another office or an unknown id
(404: another office's objects are not revealed), the same postman (``same_postman``).
Every change is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from logistics import audit
from logistics.access import runs_post_office
from logistics.config import get_settings
from logistics.exceptions import Conflict, InvalidInput, NotFound
from logistics.geo import haversine_m
from logistics.models import PostOffice, Postman, Route, RouteStop, RouteStopItem, User
from logistics.models.enums import RouteStatus, StopStatus
from logistics.routing.day_problem import CIRCUITY, SPEED_KMH
from logistics.routing.service import ARRIVAL_SLACK

_PLACEHOLDER_SEQ = 1_000_000  # above any real sequence number: no clash while renumbering


@dataclass(frozen=True)
class MoveResult:
    from_route_id: int
    to_route_id: int
    moved_stop_ids: tuple[int, ...]  # the stops now on the target route (moved whole or split off)
    item_ids: tuple[int, ...]


def _stop_of_actor(session: Session, actor: User, stop_id: int) -> tuple[RouteStop, Route]:
    stop = session.get(RouteStop, stop_id)
    route = session.exec(select(Route).where(Route.id == stop.route_id).with_for_update()).first() if stop else None
    if stop is None or route is None or not runs_post_office(actor, route.post_office_id):
        raise NotFound(f"No stop {stop_id} in your post office.", code="stop_not_found", stop_id=stop_id)
    return stop, route


def _require_pending(stop: RouteStop, *, partner: bool = False) -> None:
    if stop.status in (StopStatus.DONE, StopStatus.SKIPPED):
        if partner:
            raise Conflict(f"An item of this stop was already served at stop {stop.seq + 1} of the same route; "
                           "it stays with that postman.", code="partner_stop_done", stop_id=stop.id)
        raise Conflict(f"Stop {stop.seq + 1} is already done; a done stop stays with the postman who made it.",
                       code="stop_done", stop_id=stop.id)
    if stop.status == StopStatus.ARRIVED:
        code = "partner_stop_done" if partner else "stop_in_progress"
        raise Conflict(f"The postman is at stop {stop.seq + 1} already; it cannot move now.", code=code,
                       stop_id=stop.id)


def _target_route(session: Session, route: Route, to_postman_id: int) -> Route:
    postman = session.get(Postman, to_postman_id)
    if postman is None or postman.post_office_id != route.post_office_id:
        raise NotFound(f"No postman {to_postman_id} in this post office.", code="postman_not_found",
                       postman_id=to_postman_id)
    if not postman.active:
        raise Conflict("This postman is not working (inactive).", code="postman_inactive", postman_id=postman.id)
    if postman.id == route.postman_id:
        raise InvalidInput("The stop is already on this postman's route.", code="same_postman")
    target = session.exec(
        select(Route).where(Route.post_office_id == route.post_office_id, Route.day == route.day,
                            Route.postman_id == postman.id).with_for_update()
    ).first()
    if target is None:
        target = Route(post_office_id=route.post_office_id, postman_id=postman.id, day=route.day,
                       status=RouteStatus.PLANNED)
        session.add(target)
        session.flush()
    if target.status == RouteStatus.DONE:
        raise Conflict("This postman's route of the day is finished.", code="route_done", route_id=target.id)
    return target


def move_stop(session: Session, *, actor: User, stop_id: int, to_postman_id: int, pin: bool = True) -> MoveResult:
    """Give stop ``stop_id`` (and the other visits of its items) to postman ``to_postman_id``."""
    stop, route = _stop_of_actor(session, actor, stop_id)
    if route.status == RouteStatus.DONE:
        raise Conflict("This route is finished.", code="route_done", route_id=route.id)
    _require_pending(stop)
    target = _target_route(session, route, to_postman_id)

    stops = {s.id: s for s in session.exec(select(RouteStop).where(RouteStop.route_id == route.id))}
    item_ids = set(session.exec(select(RouteStopItem.item_id).where(RouteStopItem.stop_id == stop.id)))
    links = session.exec(select(RouteStopItem).where(RouteStopItem.stop_id.in_(list(stops)))).all()
    moving = [link for link in links if link.item_id in item_ids]
    involved = sorted({link.stop_id for link in moving}, key=lambda sid: stops[sid].seq)
    for sid in involved:
        _require_pending(stops[sid], partner=sid != stop.id)

    moved: list[RouteStop] = []
    for sid in involved:
        source = stops[sid]
        stays = [link for link in links if link.stop_id == sid and link.item_id not in item_ids]
        if not stays:  # every item of the stop moves: the stop moves whole
            source.route_id, source.seq, source.pinned = target.id, _PLACEHOLDER_SEQ + source.seq, pin
            session.add(source)
            moved.append(source)
            continue
        split = RouteStop(route_id=target.id, seq=_PLACEHOLDER_SEQ + source.seq, place_kind=source.place_kind,
                          place_ref_id=source.place_ref_id, lat=source.lat, lon=source.lon,
                          service_s=source.service_s, pinned=pin)
        session.add(split)
        session.flush()
        for link in moving:
            if link.stop_id == sid:
                link.stop_id = split.id
                session.add(link)
        moved.append(split)
    session.flush()

    remaining = sorted((s for s in stops.values() if s.route_id == route.id), key=lambda s: s.seq)
    kept = session.exec(
        select(RouteStop).where(RouteStop.route_id == target.id, RouteStop.seq < _PLACEHOLDER_SEQ).order_by(RouteStop.seq)
    ).all()
    _renumber(session, remaining)
    _renumber(session, [*kept, *moved])
    _estimate_arrivals(session, target, kept, moved)
    for changed in (route, target):
        changed.distance_m = route_distance_m(session, changed)
        session.add(changed)
    session.flush()
    audit.record(session, actor_user_id=actor.id, action="route.stop_moved", entity="route_stop", entity_id=stop.id,
                 from_route_id=route.id, to_route_id=target.id, to_postman_id=target.postman_id,
                 moved_stop_ids=[s.id for s in moved], item_ids=sorted(item_ids), pinned=pin)
    return MoveResult(route.id, target.id, tuple(s.id for s in moved), tuple(sorted(item_ids)))


def pin_stop(session: Session, *, actor: User, stop_id: int, pinned: bool = True) -> RouteStop:
    """Keep (or release) a stop on its postman's route when the day is re-optimised."""
    stop, route = _stop_of_actor(session, actor, stop_id)
    if stop.status in (StopStatus.DONE, StopStatus.SKIPPED):
        raise Conflict(f"Stop {stop.seq + 1} is already done; there is nothing to pin.", code="stop_done",
                       stop_id=stop.id)
    stop.pinned = pinned
    session.add(stop)
    session.flush()
    audit.record(session, actor_user_id=actor.id, action="route.stop_pinned" if pinned else "route.stop_unpinned",
                 entity="route_stop", entity_id=stop.id, route_id=route.id)
    return stop


def pin_route(session: Session, *, actor: User, route_id: int, pinned: bool = True) -> Route:
    """Keep (or release) a whole route as it is when the day is re-optimised."""
    route = session.exec(select(Route).where(Route.id == route_id).with_for_update()).first()
    if route is None or not runs_post_office(actor, route.post_office_id):
        raise NotFound(f"No route {route_id} in your post office.", code="route_not_found", route_id=route_id)
    if route.status == RouteStatus.DONE:
        raise Conflict("This route is finished; there is nothing to pin.", code="route_done", route_id=route.id)
    route.pinned = pinned
    session.add(route)
    session.flush()
    audit.record(session, actor_user_id=actor.id, action="route.pinned" if pinned else "route.unpinned",
                 entity="route", entity_id=route.id, postman_id=route.postman_id, day=route.day.isoformat())
    return route


def _renumber(session: Session, ordered: list[RouteStop]) -> None:
    # Two passes so that no intermediate UPDATE collides with uq_route_stop_seq.
    for index, stop in enumerate(ordered):
        stop.seq = 2 * _PLACEHOLDER_SEQ + index
        session.add(stop)
    session.flush()
    for index, stop in enumerate(ordered):
        stop.seq = index
        session.add(stop)
    session.flush()


def _ride(postman: Postman, a: tuple[float, float], b: tuple[float, float]) -> timedelta:
    metres = haversine_m(a[0], a[1], b[0], b[1]) * CIRCUITY
    return timedelta(seconds=metres / (SPEED_KMH[postman.vehicle] / 3.6))


def _estimate_arrivals(session: Session, route: Route, kept: list[RouteStop], moved: list[RouteStop]) -> None:
    """Arrivals of the stops appended to ``route``: after its last stop, one after the other."""
    postman = session.get(Postman, route.postman_id)
    office = session.get(PostOffice, route.post_office_id)
    if kept and kept[-1].planned_arrival is None:
        return  # the route has no times to go on: re-optimising will set them
    if kept:
        last = kept[-1]
        here, free_at = (last.lat, last.lon), last.planned_arrival + timedelta(seconds=last.service_s)
    else:
        start = datetime.combine(route.day, postman.shift_start, tzinfo=get_settings().tz)
        here, free_at = (office.lat, office.lon), start
    for stop in moved:
        arrival = free_at + _ride(postman, here, (stop.lat, stop.lon))
        stop.planned_arrival, stop.arrive_from, stop.arrive_to = arrival, arrival - ARRIVAL_SLACK, arrival + ARRIVAL_SLACK
        session.add(stop)
        here, free_at = (stop.lat, stop.lon), arrival + timedelta(seconds=stop.service_s)


def route_distance_m(session: Session, route: Route) -> int:
    """Depot, stops in order, depot: straight-line distance × circuity, as the planner's
    default matrix measures it."""
    office = session.get(PostOffice, route.post_office_id)
    points = [(s.lat, s.lon) for s in session.exec(select(RouteStop).where(RouteStop.route_id == route.id)
                                                   .order_by(RouteStop.seq))]
    if not points:
        return 0
    path = [(office.lat, office.lon), *points, (office.lat, office.lon)]
    return int(sum(haversine_m(a[0], a[1], b[0], b[1]) for a, b in zip(path, path[1:])) * CIRCUITY)
