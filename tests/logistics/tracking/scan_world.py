"""A small province with postmen, routes and items ready to be scanned (tests only).

Built on ``tests.web.factories.build_world``: side "a" gets a postman with a route
for DAY whose stops each deliver one result home; side "b" a postman with none.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from logistics.models import Dossier, Item, Person, Postman, Procedure, Route, RouteStop, RouteStopItem, User
from logistics.models.enums import (
    HolderKind,
    ItemStatus,
    LegKind,
    PlaceKind,
    Role,
    RouteStatus,
    ScanCode,
    StopAction,
)
from logistics.tracking.inputs import ProofInput, ScanInput
from logistics.workdays import LOCAL_TZ
from tests.web.factories import World, build_world, s10

DAY = date(2026, 11, 20)
T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
NOW = T0 + timedelta(hours=10)  # the server's clock in these tests


@dataclass
class ScanWorld:
    world: World
    procedure: Procedure
    postman_user: User
    postman: Postman
    other_postman_user: User
    other_postman: Postman
    route: Route
    items: list[Item] = field(default_factory=list)
    stops: list[RouteStop] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    serial: list[int] = field(default_factory=lambda: [20_000_000])
    day: date = DAY
    t0: datetime = T0  # 08:00 in Vietnam on ``day``


def add_item(session: Session, sw: ScanWorld, *, status: ItemStatus = ItemStatus.ACCEPTED, office=None,
             procedure: Procedure | None = None, id_last4: str | None = "1234", offset_m: float = 0.0) -> Item:
    """A result waiting at the post office for home delivery to a new recipient."""
    w = sw.world
    office = office or w.a.post_office
    sw.serial[0] += 1
    n = sw.serial[0]
    lat, lon = 13.79 + (n % 97) * 0.0004, 109.17 + (n % 89) * 0.0004
    person = Person(full_name="Trần Thị Bình", phone_e164="+84912345678", address=f"{n} Lê Lợi",
                    commune_code=w.a.commune_code, lat=lat, lon=lon, id_last4=id_last4)
    session.add(person)
    session.flush()
    dossier = Dossier(code=f"000.00.22.H21-261119-{n % 10_000:04d}{n}", procedure_id=(procedure or sw.procedure).id,
                      agency_id=w.a.agency.id, applicant_id=person.id, received_at=sw.t0 - timedelta(days=3))
    session.add(dossier)
    session.flush()
    item = Item(
        s10=s10(n), leg=LegKind.HOME_DELIVERY, origin_kind=PlaceKind.POST_OFFICE, origin_ref_id=office.id,
        origin_lat=office.lat, origin_lon=office.lon, destination_kind=PlaceKind.HOME, destination_ref_id=None,
        destination_lat=lat, destination_lon=lon, dossier_id=dossier.id, post_office_id=office.id,
        person_id=person.id, status=status, status_at=sw.t0 - timedelta(days=1), holder_kind=HolderKind.POST_OFFICE,
        holder_ref_id=office.id, created_at=sw.t0 - timedelta(days=1),
    )
    session.add(item)
    session.flush()
    sw.people.append(person)
    return item


def add_stop(session: Session, sw: ScanWorld, item: Item, *, route: Route | None = None,
             planned: datetime | None = None, seq: int | None = None) -> RouteStop:
    route = route or sw.route
    seq = sum(1 for s in sw.stops if s.route_id == route.id) if seq is None else seq
    planned = planned or sw.t0 + timedelta(minutes=30 * (seq + 1))
    stop = RouteStop(route_id=route.id, seq=seq, place_kind=PlaceKind.HOME, lat=item.destination_lat,
                     lon=item.destination_lon, service_s=120, planned_arrival=planned,
                     arrive_from=planned - timedelta(minutes=15), arrive_to=planned + timedelta(minutes=15))
    session.add(stop)
    session.flush()
    session.add(RouteStopItem(stop_id=stop.id, item_id=item.id, action=StopAction.DELIVERY))
    session.flush()
    sw.stops.append(stop)
    return stop


def build_scan_world(session: Session, *, n_items: int = 3, day: date | None = None, **procedure_flags: Any) -> ScanWorld:
    """Two offices' postmen, a route for ``day`` (the fixed ``DAY`` unless given) with ``n_items`` deliveries.

    Tests whose requests are checked against the server's clock (a delivery code, a proof
    upload: "is this item on your route today?") pass today's date in Vietnam.
    """
    day = day or DAY
    t0 = datetime.combine(day, time(8, 0), tzinfo=LOCAL_TZ).astimezone(UTC)
    world = build_world(session)
    procedure = world.procedure
    for name, value in procedure_flags.items():
        setattr(procedure, name, value)
    session.add(procedure)
    pu, ou = world.a.users[Role.POSTMAN], world.b.users[Role.POSTMAN]
    postman = Postman(user_id=pu.id, post_office_id=world.a.post_office.id)
    other = Postman(user_id=ou.id, post_office_id=world.b.post_office.id)
    session.add_all([postman, other])
    session.flush()
    route = Route(day=day, post_office_id=world.a.post_office.id, postman_id=postman.id, status=RouteStatus.PLANNED)
    session.add(route)
    session.flush()
    sw = ScanWorld(world, procedure, pu, postman, ou, other, route, day=day, t0=t0)
    for _ in range(n_items):
        item = add_item(session, sw)
        sw.items.append(item)
        add_stop(session, sw, item)
    return sw


def scan(item_or_s10: Item | str, code: ScanCode, at: datetime, *, at_home: Item | None = None,
         proof: ProofInput | None = None, **kw: Any) -> ScanInput:
    """A scan event; at the item's destination when ``at_home`` is given, else at the office."""
    s = item_or_s10 if isinstance(item_or_s10, str) else item_or_s10.s10
    if at_home is not None:
        kw.setdefault("lat", at_home.destination_lat)
        kw.setdefault("lon", at_home.destination_lon)
    else:
        kw.setdefault("lat", 13.79)
        kw.setdefault("lon", 109.17)
    kw.setdefault("accuracy_m", 10.0)
    return ScanInput(client_event_id=kw.pop("client_event_id", None) or uuid.uuid4(), s10=s, code=code,
                     device_time=at, proof=proof or ProofInput(), **kw)


def add_delivery_items(session: Session, sw: ScanWorld, route: Route, n: int) -> list[Item]:
    """``n`` items on ``route``, one stop each, written in a few bulk flushes."""
    w, office = sw.world, sw.world.a.post_office
    serials = list(range(sw.serial[0] + 1, sw.serial[0] + n + 1))
    sw.serial[0] += n
    people = [Person(full_name="Lê Văn Cường", phone_e164="+84912345678", address=f"{k} Lê Lợi",
                     commune_code=w.a.commune_code, lat=13.79 + (k % 97) * 0.0004, lon=109.17 + (k % 89) * 0.0004,
                     id_last4="1234") for k in serials]
    session.add_all(people)
    session.flush()
    dossiers = [Dossier(code=f"000.00.22.H21-261119-{k}", procedure_id=sw.procedure.id, agency_id=w.a.agency.id,
                        applicant_id=p.id, received_at=sw.t0 - timedelta(days=3)) for k, p in zip(serials, people)]
    session.add_all(dossiers)
    session.flush()
    items = [
        Item(s10=s10(k), leg=LegKind.HOME_DELIVERY, origin_kind=PlaceKind.POST_OFFICE, origin_ref_id=office.id,
             origin_lat=office.lat, origin_lon=office.lon, destination_kind=PlaceKind.HOME, destination_lat=p.lat,
             destination_lon=p.lon, dossier_id=d.id, post_office_id=office.id, person_id=p.id,
             status=ItemStatus.ACCEPTED, status_at=T0 - timedelta(days=1), holder_kind=HolderKind.POST_OFFICE,
             holder_ref_id=office.id, created_at=T0 - timedelta(days=1))
        for k, p, d in zip(serials, people, dossiers)
    ]
    session.add_all(items)
    session.flush()
    stops = [RouteStop(route_id=route.id, seq=i, place_kind=PlaceKind.HOME, lat=it.destination_lat,
                       lon=it.destination_lon, service_s=120, planned_arrival=T0 + timedelta(minutes=5 * i))
             for i, it in enumerate(items)]
    session.add_all(stops)
    session.flush()
    session.add_all([RouteStopItem(stop_id=st.id, item_id=it.id, action=StopAction.DELIVERY) for st, it in zip(stops, items)])
    session.flush()
    return items
