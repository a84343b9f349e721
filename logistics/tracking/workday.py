"""A postman's day as the phone shows it: the route's stops in order, the items at
each, the windows, what each delivery must prove, and the addresses to go to.

Only the postman the route is planned for gets it (``route_for_day`` looks up the
route by his own postman row): the addresses and phone numbers go to no one else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from logistics.exceptions import NotFound
from logistics.models import Agency, Counter, Dossier, Item, Person, Postman, PostOffice, Procedure, Route, RouteStop, RouteStopItem, User
from logistics.models.enums import ItemStatus, LegKind, PlaceKind, RouteStatus, ScanCode, StopAction, StopStatus
from logistics.models.types import utcnow
from logistics.tracking import eta, proofs
from logistics.tracking.states import RULES


@dataclass(frozen=True)
class StopItemView:
    item_id: int
    s10: str
    action: StopAction
    leg: LegKind
    status: ItemStatus
    proofs_required: tuple[str, ...]  # for the delivery scan; empty for a pickup
    next_scans: tuple[ScanCode, ...]  # the scans the state machine allows now
    fee_to_collect_vnd: int
    parcel_count: int


@dataclass(frozen=True)
class StopView:
    stop_id: int
    seq: int
    status: StopStatus
    place_kind: PlaceKind
    name: str | None  # the person to ask for, or the office / counter / agency
    address: str | None
    phone: str | None
    lat: float
    lon: float
    planned_arrival: datetime | None
    arrive_from: datetime | None
    arrive_to: datetime | None
    eta_start: datetime | None
    eta_end: datetime | None
    items: tuple[StopItemView, ...]


@dataclass(frozen=True)
class RouteView:
    route_id: int
    day: date
    status: RouteStatus
    post_office_id: int
    post_office_name: str
    stops: tuple[StopView, ...]


def next_scans(status: ItemStatus) -> tuple[ScanCode, ...]:
    return tuple(code for code, rule in RULES.items() if status in rule.allowed_from)


def route_for_day(session: Session, *, actor: User, day: date, now: datetime | None = None) -> RouteView:
    """The actor's route for ``day``; raises NotFound(no_route) when he has none."""
    postman = session.exec(select(Postman).where(Postman.user_id == actor.id)).first()
    route = postman and session.exec(
        select(Route).where(Route.postman_id == postman.id, Route.day == day).order_by(Route.id)
    ).first()
    if not route:
        raise NotFound(f"You have no route planned for {day.isoformat()}.", code="no_route")
    office = session.get(PostOffice, route.post_office_id)
    stops = list(session.exec(select(RouteStop).where(RouteStop.route_id == route.id).order_by(RouteStop.seq)).all())
    lines = session.exec(
        select(RouteStopItem.stop_id, RouteStopItem.action, Item, Procedure)
        .join(Item, Item.id == RouteStopItem.item_id)
        .join(Dossier, Dossier.id == Item.dossier_id)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .where(RouteStopItem.stop_id.in_([s.id for s in stops] or [-1]))
        .order_by(RouteStopItem.stop_id, Item.id)
    ).all()
    by_stop: dict[int, list[StopItemView]] = {}
    person_of_stop: dict[int, int] = {}
    for stop_id, action, item, procedure in lines:
        needed = proofs.required_proofs(procedure) if action is StopAction.DELIVERY else frozenset()
        by_stop.setdefault(stop_id, []).append(StopItemView(
            item_id=item.id, s10=item.s10, action=action, leg=item.leg, status=item.status,
            proofs_required=tuple(sorted(needed)), next_scans=next_scans(item.status),
            fee_to_collect_vnd=item.fee_to_collect_vnd, parcel_count=item.parcel_count,
        ))
        if item.person_id is not None:
            person_of_stop.setdefault(stop_id, item.person_id)
    places = _places(session, stops, person_of_stop)
    windows = {e.stop_id: e for e in eta.stop_etas(stops, now=now or utcnow())}
    views = []
    for stop in stops:
        name, address, phone = places.get(stop.id, (None, None, None))
        window = windows.get(stop.id)
        views.append(StopView(
            stop_id=stop.id, seq=stop.seq, status=stop.status, place_kind=stop.place_kind, name=name,
            address=address, phone=phone, lat=stop.lat, lon=stop.lon, planned_arrival=stop.planned_arrival,
            arrive_from=stop.arrive_from, arrive_to=stop.arrive_to,
            eta_start=window.start if window else None, eta_end=window.end if window else None,
            items=tuple(by_stop.get(stop.id, ())),
        ))
    return RouteView(route.id, route.day, route.status, route.post_office_id, office.name if office else "", tuple(views))


def _places(session: Session, stops: list[RouteStop], person_of_stop: dict[int, int]) -> dict[int, tuple[str | None, str | None, str | None]]:
    """(name, address, phone) of each stop's place."""
    wanted: dict[PlaceKind, set[int]] = {}
    for stop in stops:
        if stop.place_kind is PlaceKind.HOME:
            ref = person_of_stop.get(stop.id, stop.place_ref_id)
        else:
            ref = stop.place_ref_id
        if ref is not None:
            wanted.setdefault(stop.place_kind, set()).add(ref)
    tables = {PlaceKind.HOME: Person, PlaceKind.COUNTER: Counter, PlaceKind.AGENCY: Agency, PlaceKind.POST_OFFICE: PostOffice}
    found: dict[tuple[PlaceKind, int], tuple[str | None, str | None, str | None]] = {}
    for kind, ids in wanted.items():
        model = tables[kind]
        for row in session.exec(select(model).where(model.id.in_(sorted(ids)))).all():
            if kind is PlaceKind.HOME:
                found[(kind, row.id)] = (row.full_name, row.address, row.phone_e164)
            else:
                found[(kind, row.id)] = (row.name, row.address, getattr(row, "phone", None))
    out = {}
    for stop in stops:
        ref = person_of_stop.get(stop.id, stop.place_ref_id) if stop.place_kind is PlaceKind.HOME else stop.place_ref_id
        if ref is not None and (stop.place_kind, ref) in found:
            out[stop.id] = found[(stop.place_kind, ref)]
    return out
