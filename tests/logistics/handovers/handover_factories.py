"""A province ready for handovers (tests only), on ``tests.web.factories.build_world``.

Side "a" has a postman with a route for today (the real clock: confirmations scan at
the server's time) stopping at agency A and counter A; items are added with
``dossier_to_agency`` (a dossier on its way to agency A, in the postman's bag) and
``result_at_agency`` (a result waiting at agency A for the postman to collect).
Side "b" has a postman with no route.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session

from logistics.models import (
    Dossier, DossierDocument, Item, Person, Postman, Route, RouteStop, RouteStopItem, User,
)
from logistics.models.enums import (
    DossierStatus, HolderKind, ItemStatus, LegKind, PlaceKind, ResultDelivery, Role, RouteStatus, StopAction,
)
from logistics.models.types import utcnow
from logistics.workdays import LOCAL_TZ
from tests.web.factories import World, build_world, s10


@dataclass
class HandoverWorld:
    world: World
    postman_user: User
    postman: Postman
    other_postman_user: User
    other_postman: Postman
    route: Route
    agency_stop: RouteStop
    counter_stop: RouteStop
    serial: list[int] = field(default_factory=lambda: [30_000_000])

    @property
    def clerk_a(self) -> User:
        return self.world.a.users[Role.AGENCY_CLERK]

    @property
    def clerk_b(self) -> User:
        return self.world.b.users[Role.AGENCY_CLERK]

    @property
    def counter_clerk_a(self) -> User:
        return self.world.a.users[Role.COUNTER_CLERK]


def build_handover_world(session: Session) -> HandoverWorld:
    world = build_world(session)
    pu, ou = world.a.users[Role.POSTMAN], world.b.users[Role.POSTMAN]
    postman = Postman(user_id=pu.id, post_office_id=world.a.post_office.id)
    other = Postman(user_id=ou.id, post_office_id=world.b.post_office.id)
    session.add_all([postman, other])
    session.flush()
    today = utcnow().astimezone(LOCAL_TZ).date()
    route = Route(day=today, post_office_id=world.a.post_office.id, postman_id=postman.id, status=RouteStatus.PLANNED)
    session.add(route)
    session.flush()
    agency, counter = world.a.agency, world.a.counter
    stops = [RouteStop(route_id=route.id, seq=i, place_kind=kind, place_ref_id=place.id, lat=place.lat, lon=place.lon,
                       service_s=300) for i, (kind, place) in enumerate(((PlaceKind.AGENCY, agency), (PlaceKind.COUNTER, counter)))]
    session.add_all(stops)
    session.flush()
    return HandoverWorld(world, pu, postman, ou, other, route, stops[0], stops[1])


def _dossier(session: Session, hw: HandoverWorld, n: int, *, delivery: ResultDelivery = ResultDelivery.HOME,
             documents: bool = True) -> Dossier:
    w = hw.world
    person = Person(full_name="Phạm Thị Dung", phone_e164="+84912345678", address=f"{n} Trần Hưng Đạo",
                    commune_code=w.a.commune_code, lat=13.79, lon=109.17)
    session.add(person)
    session.flush()
    dossier = Dossier(code=f"000.00.22.H21-261120-{n % 10_000:04d}", procedure_id=w.procedure.id, agency_id=w.a.agency.id,
                      counter_id=w.a.counter.id, applicant_id=person.id, recipient_id=person.id,
                      result_delivery=delivery, received_at=utcnow() - timedelta(days=1), document_count=3)
    session.add(dossier)
    session.flush()
    if documents:
        session.add_all([
            DossierDocument(dossier_id=dossier.id, seq=1, name="Tờ khai đăng ký hộ tịch", originals=1),
            DossierDocument(dossier_id=dossier.id, seq=2, name="Giấy chứng sinh", originals=1),
            DossierDocument(dossier_id=dossier.id, seq=3, name="Căn cước công dân của người yêu cầu", copies=1),
        ])
        session.flush()
    return dossier


def _counter_to_agency(session: Session, hw: HandoverWorld, *, status: ItemStatus, holder: tuple[HolderKind, int],
                       fee_vnd: int = 0) -> Item:
    """A new dossier and its item on the leg counter A -> agency A."""
    hw.serial[0] += 1
    n = hw.serial[0]
    w = hw.world
    dossier = _dossier(session, hw, n)
    item = Item(
        s10=s10(n), leg=LegKind.COUNTER_TO_AGENCY, origin_kind=PlaceKind.COUNTER, origin_ref_id=w.a.counter.id,
        origin_lat=w.a.counter.lat, origin_lon=w.a.counter.lon, destination_kind=PlaceKind.AGENCY,
        destination_ref_id=w.a.agency.id, destination_lat=w.a.agency.lat, destination_lon=w.a.agency.lon,
        dossier_id=dossier.id, post_office_id=w.a.post_office.id, status=status, fee_to_collect_vnd=fee_vnd,
        status_at=utcnow() - timedelta(hours=5), holder_kind=holder[0], holder_ref_id=holder[1],
        created_at=utcnow() - timedelta(days=1), due_date=utcnow().astimezone(LOCAL_TZ).date(),
    )
    session.add(item)
    session.flush()
    return item


def dossier_to_agency(session: Session, hw: HandoverWorld, *, fee_vnd: int = 0, on_route: bool = True) -> Item:
    """A dossier on its way from counter A to agency A, accepted, in the postman's bag."""
    item = _counter_to_agency(session, hw, status=ItemStatus.ACCEPTED, holder=(HolderKind.POSTMAN, hw.postman.id),
                              fee_vnd=fee_vnd)
    if on_route:
        session.add(RouteStopItem(stop_id=hw.agency_stop.id, item_id=item.id, action=StopAction.DELIVERY))
        session.flush()
    return item


def dossier_at_counter(session: Session, hw: HandoverWorld, *, status: ItemStatus = ItemStatus.ACCEPTED) -> Item:
    """A dossier accepted (or announced) at counter A, which holds it, on its way to agency A, for
    the postman to collect at the counter stop of his route."""
    item = _counter_to_agency(session, hw, status=status, holder=(HolderKind.COUNTER, hw.world.a.counter.id))
    session.add(RouteStopItem(stop_id=hw.counter_stop.id, item_id=item.id, action=StopAction.PICKUP))
    session.flush()
    return item


def result_at_agency(session: Session, hw: HandoverWorld) -> Item:
    """A result waiting at agency A to go back to counter A (to be collected by the postman)."""
    hw.serial[0] += 1
    n = hw.serial[0]
    w = hw.world
    dossier = _dossier(session, hw, n, delivery=ResultDelivery.COUNTER)
    dossier.status = DossierStatus.RESULT_READY
    item = Item(
        s10=s10(n), leg=LegKind.AGENCY_TO_COUNTER, origin_kind=PlaceKind.AGENCY, origin_ref_id=w.a.agency.id,
        origin_lat=w.a.agency.lat, origin_lon=w.a.agency.lon, destination_kind=PlaceKind.COUNTER,
        destination_ref_id=w.a.counter.id, destination_lat=w.a.counter.lat, destination_lon=w.a.counter.lon,
        dossier_id=dossier.id, post_office_id=w.a.post_office.id, status=ItemStatus.CREATED,
        status_at=utcnow() - timedelta(hours=5), holder_kind=HolderKind.AGENCY, holder_ref_id=w.a.agency.id,
        created_at=utcnow() - timedelta(days=1),
    )
    session.add_all([dossier, item])
    session.flush()
    session.add(RouteStopItem(stop_id=hw.agency_stop.id, item_id=item.id, action=StopAction.PICKUP))
    session.flush()
    return item


def dossier_at_agency(session: Session, hw: HandoverWorld, *, delivery: ResultDelivery = ResultDelivery.HOME) -> Dossier:
    """A dossier under processing at agency A (its result not ready yet)."""
    hw.serial[0] += 1
    dossier = _dossier(session, hw, hw.serial[0], delivery=delivery)
    dossier.status = DossierStatus.IN_PROCESSING
    session.add(dossier)
    session.flush()
    return dossier


# ---------------------------------------------------------------- HTTP


def handover_app(session: Session):  # noqa: ANN201
    """The web app (handover routers and the mobile API included) on the rolled-back
    test session, each request in a savepoint."""
    from support.sessions import serve_from
    from web.app import create_app

    return serve_from(create_app(), session)


def phone_headers(client, username: str = "postman_a", device_id: str = "phone-a-0001") -> dict[str, str]:  # noqa: ANN001
    from tests.web.factories import PASSWORD

    response = client.post("/mobile/v1/auth/sign-in", json={"username": username, "pin": PASSWORD, "device_id": device_id})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def snapshot(session: Session) -> dict[str, object]:
    """Row counts of everything a handover writes, and the state of every record and item."""
    from sqlalchemy import func, select as sa_select

    from logistics.models import AuditLog, Handover, HandoverLine, Notification, ProofFile, ScanEvent

    session.expire_all()
    counts = {m.__tablename__: session.execute(sa_select(func.count()).select_from(m)).scalar_one()
              for m in (Handover, HandoverLine, ScanEvent, AuditLog, Notification, ProofFile, Item, Dossier)}
    handovers = [(h.code, h.status, h.method, h.confirmed_at, h.fees_handed_vnd, h.record_sha256, h.otp_hash)
                 for h in session.execute(sa_select(Handover).order_by(Handover.id)).scalars()]
    lines = [(l.item_id, l.outcome, l.note, l.received_originals)
             for l in session.execute(sa_select(HandoverLine).order_by(HandoverLine.id)).scalars()]
    items = [(i.s10, i.status, i.holder_kind, i.holder_ref_id)
             for i in session.execute(sa_select(Item).order_by(Item.id)).scalars()]
    dossiers = [(d.code, d.status, d.appointment_date) for d in session.execute(sa_select(Dossier).order_by(Dossier.id)).scalars()]
    return {"counts": counts, "handovers": handovers, "lines": lines, "items": items, "dossiers": dossiers}
