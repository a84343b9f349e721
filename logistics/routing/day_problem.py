"""Build the routing ``Problem`` of one post office's day from the database.

Which items go in: every item the office carries whose next move is a trip — home
pickups booked for the day, dossiers waiting at counters, results ready at agencies,
results at the office for home delivery, transfers between communes. Items due on or
before the day (appointment date, SLA) are mandatory; items due within
``LOOKAHEAD_WORKING_DAYS`` are optional with a penalty that grows as their deadline
nears; later ones wait. Vehicles are the office's active postmen.

A courier route stays inside its office's service area: an item whose destination
lies in another office's area is dropped at this post office instead, where the
postal network's trunk carries it on (``DayContext.via_depot``); the office of the
destination then delivers it from its own depot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from logistics.config import get_settings
from logistics.exceptions import NotFound
from logistics.geo import from_geojson, point
from logistics.models import Agency, Counter, DeliveryReschedule, Dossier, Item, PostOffice, Postman, Procedure
from logistics.models.enums import HolderKind, ItemStatus, LegKind, PlaceKind, VehicleKind
from logistics.routing.hours import seconds_of, windows_on
from logistics.routing.problem import Break, Consolidation, Job, Location, Problem, Vehicle, Visit

# km/h on Vietnamese roads by vehicle, and road distance over straight-line distance;
# the same values as the open postal-day example (28 km/h, 1.35 for motorbikes).
SPEED_KMH = {VehicleKind.MOTORBIKE: 28.0, VehicleKind.CAR: 30.0, VehicleKind.BICYCLE: 12.0, VehicleKind.ON_FOOT: 4.5}
CIRCUITY = 1.35
HOME_SERVICE_S = 240  # ID check, signature, sealing: about four minutes at a door
# At a counter or agency the items of one batch are handed over together: the first
# takes DESK_SERVICE_S, each further one EXTRA_ITEM_S (the problem's consolidation
# rule), so a 20-item batch takes about 10 minutes of counting and signing.
DESK_SERVICE_S = 60
EXTRA_ITEM_S = 30
LOOKAHEAD_WORKING_DAYS = 3
# Dropping an optional item costs this many seconds of route time divided by the
# working days left before its deadline: due tomorrow is worth a 90-minute detour.
OPTIONAL_PENALTY_S = 5400
WHOLE_DAY = ((0, 24 * 3600 - 1),)

SKILL_CASH = "cash"
SKILL_ID_CHECK = "id_check"

_WAITING_FOR_TRIP = {
    LegKind.HOME_PICKUP: {ItemStatus.CREATED},
    LegKind.COUNTER_TO_AGENCY: {ItemStatus.CREATED, ItemStatus.ACCEPTED, ItemStatus.IN_TRANSIT},
    LegKind.AGENCY_TO_COUNTER: {ItemStatus.CREATED},
    LegKind.AGENCY_TO_OFFICE: {ItemStatus.CREATED},  # delivered at the depot itself
    LegKind.HOME_DELIVERY: {ItemStatus.ACCEPTED, ItemStatus.IN_TRANSIT, ItemStatus.DELIVERY_FAILED},
    LegKind.COMMUNE_TRANSFER: {ItemStatus.CREATED, ItemStatus.ACCEPTED, ItemStatus.IN_TRANSIT},
}


@dataclass
class DayContext:
    """What the solver's ids mean in the database."""

    post_office: PostOffice
    day: date
    tz: ZoneInfo
    items: dict[str, Item] = field(default_factory=dict)  # job id -> item
    postmen: dict[str, Postman] = field(default_factory=dict)  # vehicle id -> postman
    places: list[tuple[PlaceKind, int | None]] = field(default_factory=list)  # location index -> place
    locations: list[Location] = field(default_factory=list)  # location index -> coordinates
    via_depot: set[str] = field(default_factory=set)  # job ids dropped at the office for the trunk

    def local_datetime(self, seconds: int) -> datetime:
        """The instant ``seconds`` after local midnight of the day (Vietnam has no DST)."""
        return datetime.combine(self.day, time(0), tzinfo=self.tz) + timedelta(seconds=int(seconds))


class _Locations:
    def __init__(self) -> None:
        self.locations: list[Location] = []
        self.places: list[tuple[PlaceKind, int | None]] = []
        self._index: dict[tuple, int] = {}

    def add(self, kind: PlaceKind, ref: int | None, lat: float, lon: float) -> int:
        # Desks are one location per place; homes one per coordinate (a household).
        key = (kind, ref) if ref is not None else (kind, round(lat, 6), round(lon, 6))
        if key not in self._index:
            self._index[key] = len(self.locations)
            self.locations.append(Location(f"{kind.value}:{ref if ref is not None else len(self.locations)}", lat, lon))
            self.places.append((kind, ref))
        return self._index[key]


def _vehicle(postman: Postman, depot: int) -> Vehicle:
    shift = (seconds_of(postman.shift_start), seconds_of(postman.shift_end))
    duration = postman.break_minutes * 60
    latest_start = seconds_of(postman.break_latest) - duration
    breaks = None
    if duration > 0 and latest_start >= seconds_of(postman.break_earliest):
        breaks = Break(windows=((seconds_of(postman.break_earliest), latest_start),), duration_s=duration)
    skills = frozenset({SKILL_CASH} if postman.can_collect_cash else set()) | (
        {SKILL_ID_CHECK} if postman.can_check_id else set()
    )
    return Vehicle(
        id=f"P{postman.id}", start=depot, end=depot, shift=shift, break_=breaks,
        capacity_items=postman.capacity_items, capacity_g=postman.capacity_g, skills=frozenset(skills),
        speed_kmh=SPEED_KMH[postman.vehicle], circuity=CIRCUITY,
    )


def _home_windows(item: Item, ctx: DayContext) -> tuple[tuple[int, int], ...]:
    if item.window_start is None or item.window_end is None:
        return WHOLE_DAY
    start, end = item.window_start.astimezone(ctx.tz), item.window_end.astimezone(ctx.tz)
    if start.date() > ctx.day or end.date() < ctx.day:
        return ()
    open_s = 0 if start.date() < ctx.day else seconds_of(start.time())
    close_s = 24 * 3600 - 1 if end.date() > ctx.day else seconds_of(end.time())
    return ((open_s, max(open_s, close_s - HOME_SERVICE_S)),)


def _priority(item: Item, ctx: DayContext, working_days_left) -> tuple[bool, int] | None:  # noqa: ANN001
    """(mandatory, penalty), or None when the item is not for this day."""
    if item.window_start is not None and item.window_end is not None:
        # A window the citizen booked (or rescheduled to) decides the day: that day it
        # is a promise, any other day it is not for the route.
        first = item.window_start.astimezone(ctx.tz).date()
        last = item.window_end.astimezone(ctx.tz).date()
        return (True, 0) if first <= ctx.day <= last else None
    if item.due_date is None or item.due_date <= ctx.day:
        return True, 0
    left = working_days_left(item.due_date)
    if left > LOOKAHEAD_WORKING_DAYS:
        return None
    return False, OPTIONAL_PENALTY_S // max(left, 1)


def candidate_items(session: Session, *, post_office_id: int) -> list[Item]:
    """The office's items whose next move is a trip, except those the citizen asked to
    collect at the post office (their latest reschedule choice)."""
    rows = session.exec(select(Item).where(Item.post_office_id == post_office_id)).all()
    waiting = [
        item for item in rows
        if item.status in _WAITING_FOR_TRIP[item.leg] and item.holder_kind is not HolderKind.POSTMAN
    ]
    held = _held_at_post_office(session, [item.id for item in waiting])
    return [item for item in waiting if item.id not in held]


def _held_at_post_office(session: Session, item_ids: list[int]) -> set[int]:
    latest: dict[int, str] = {}
    choices = session.exec(
        select(DeliveryReschedule.item_id, DeliveryReschedule.choice)
        .where(DeliveryReschedule.item_id.in_(item_ids))
        .order_by(DeliveryReschedule.created_at, DeliveryReschedule.id)
    )
    for item_id, choice in choices:
        latest[item_id] = choice  # later rows overwrite earlier ones
    return {item_id for item_id, choice in latest.items() if choice == "hold_at_post_office"}


def build_day_problem(session: Session, *, post_office_id: int, day: date,
                      items: Iterable[Item] | None = None) -> tuple[Problem, DayContext]:
    """The problem of ``day`` at post office ``post_office_id`` and what its ids mean."""
    from logistics.workdays import WorkCalendar

    office = session.get(PostOffice, post_office_id)
    if office is None:
        raise NotFound(f"No post office with id {post_office_id}.", code="post_office_not_found")
    ctx = DayContext(post_office=office, day=day, tz=get_settings().tz)
    area = from_geojson(office.service_area) if office.service_area else None
    calendar = WorkCalendar.default()
    locs = _Locations()
    depot = locs.add(PlaceKind.POST_OFFICE, office.id, office.lat, office.lon)

    postmen = session.exec(
        select(Postman).where(Postman.post_office_id == office.id, Postman.active).order_by(Postman.id)
    ).all()
    vehicles = []
    for postman in postmen:
        vehicle = _vehicle(postman, depot)
        ctx.postmen[vehicle.id] = postman
        vehicles.append(vehicle)

    pool = list(items) if items is not None else candidate_items(session, post_office_id=office.id)
    dossiers = {d.id: d for d in session.exec(select(Dossier).where(Dossier.id.in_({i.dossier_id for i in pool})))}
    procedures = {p.id: p for p in session.exec(select(Procedure))}
    desks = _desk_hours(session, pool)

    def desk_windows(kind: PlaceKind, ref: int | None) -> tuple[tuple[int, int], ...]:
        if kind is PlaceKind.POST_OFFICE:
            return windows_on(office.opening_hours, day, service_s=DESK_SERVICE_S) or WHOLE_DAY
        return windows_on(desks.get((kind, ref)), day, service_s=DESK_SERVICE_S)

    def left(due: date) -> int:
        return calendar.working_days_between(day, due)

    jobs = []
    for item in sorted(pool, key=lambda i: i.id):
        priority = _priority(item, ctx, left)
        if priority is None:
            continue
        mandatory, penalty = priority
        procedure = procedures.get(dossiers[item.dossier_id].procedure_id) if item.dossier_id in dossiers else None
        job_id = f"I{item.id}"
        ctx.items[job_id] = item
        outside = area is not None and not area.covers(point(item.destination_lat, item.destination_lon))
        jobs.append(_job(item, job_id, mandatory, penalty, procedure, ctx, locs, desk_windows, via_depot=outside))

    ctx.places, ctx.locations = locs.places, locs.locations
    problem = Problem(
        name=f"{office.code} {day.isoformat()}", locations=tuple(locs.locations), vehicles=tuple(vehicles),
        jobs=tuple(jobs), consolidation=Consolidation(per_extra_item_s=EXTRA_ITEM_S),
    )
    return problem, ctx


def _job(item: Item, job_id: str, mandatory: bool, penalty: int, procedure: Procedure | None,
         ctx: DayContext, locs: _Locations, desk_windows, *, via_depot: bool) -> Job:  # noqa: ANN001
    skills = set()
    if item.fee_to_collect_vnd > 0:
        skills.add(SKILL_CASH)
    if item.leg is LegKind.HOME_DELIVERY and procedure is not None and procedure.proof_id_check:
        skills.add(SKILL_ID_CHECK)

    def visit(kind: PlaceKind, ref: int | None, lat: float, lon: float) -> Visit:
        location = locs.add(kind, ref, lat, lon)
        if kind is PlaceKind.HOME:
            return Visit(location, _home_windows(item, ctx) or ((0, 0),), HOME_SERVICE_S)
        return Visit(location, desk_windows(kind, ref) or ((0, 0),), DESK_SERVICE_S)

    office = ctx.post_office
    starts_at_depot = item.origin_kind is PlaceKind.POST_OFFICE and item.origin_ref_id == office.id
    if via_depot and not starts_at_depot:
        ctx.via_depot.add(job_id)
        delivery = visit(PlaceKind.POST_OFFICE, office.id, office.lat, office.lon)
    else:
        delivery = visit(item.destination_kind, item.destination_ref_id, item.destination_lat, item.destination_lon)
    # Results waiting at this post office ride from the depot: a delivery-only job.
    pickup = None if starts_at_depot else visit(item.origin_kind, item.origin_ref_id, item.origin_lat, item.origin_lon)
    return Job(
        id=job_id, delivery=delivery, pickup=pickup, weight_g=item.weight_g, skills=frozenset(skills),
        mandatory=mandatory, penalty=penalty,
    )


def _desk_hours(session: Session, items: list[Item]) -> dict[tuple[PlaceKind, int | None], dict]:
    wanted = {(k, r) for i in items for k, r in ((i.origin_kind, i.origin_ref_id), (i.destination_kind, i.destination_ref_id))}
    counter_ids = {r for k, r in wanted if k is PlaceKind.COUNTER and r is not None}
    agency_ids = {r for k, r in wanted if k is PlaceKind.AGENCY and r is not None}
    office_ids = {r for k, r in wanted if k is PlaceKind.POST_OFFICE and r is not None}
    hours: dict[tuple[PlaceKind, int | None], dict] = {}
    for c in session.exec(select(Counter).where(Counter.id.in_(counter_ids))):
        hours[(PlaceKind.COUNTER, c.id)] = c.opening_hours
    for a in session.exec(select(Agency).where(Agency.id.in_(agency_ids))):
        hours[(PlaceKind.AGENCY, a.id)] = a.office_hours
    for o in session.exec(select(PostOffice).where(PostOffice.id.in_(office_ids))):
        hours[(PlaceKind.POST_OFFICE, o.id)] = o.opening_hours
    return hours
