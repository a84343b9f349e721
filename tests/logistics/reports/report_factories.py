"""A small province with a week of results given on time, late and not yet, one route
with scans, for the report tests (domain, API and browser).

Facts (appointment dates in November 2026; "today" is Thursday 26 November; Tuesday 24
November is a day off, Vietnam Culture Day, in the shipped calendar):

- D1 (office A): due Mon 23, delivered Mon 23 -> on time
- D2 (office A): due Mon 23, result left the agency Tue 24, delivered Wed 25 -> late 1
  working day (the 24th is off), the agency responsible; first attempt failed Mon 23
- D3 (office A): due Fri 20, delivered Sat 21 -> on time (no working day lost)
- D4 (office A): due Fri 20, still at the post office -> overdue 3 working days, the post
  responsible (the result left the agency Thu 19)
- D5 (office A): due Thu 10 December -> open, not counted
- D6 (office B, agency B, commune B): due Mon 23, delivered Wed 25 -> late 1
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from logistics.intake.schemas import DossierIntake
from logistics.intake.service import receive_dossier
from logistics.models import Dossier, Item, Postman, Route, RouteStop, RouteStopItem, ScanEvent
from logistics.models.enums import (
    FailureAction, FailureReason, ItemStatus, LegKind, PlaceKind, Role, ScanCode, ScanOutcome, StopAction, StopStatus,
)
from logistics.workdays import LOCAL_TZ
from tests.web.factories import AGENCY_A, AGENCY_B, COMMUNE_A, COMMUNE_B, PROCEDURE, World, build_world, person

TODAY = date(2026, 11, 26)
RANGE = (date(2026, 11, 16), date(2026, 11, 30))
APPLICANT = "Nguyễn Văn An"


def local(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ).astimezone(UTC)


@dataclass
class ReportWorld:
    world: World
    items: dict[str, Item]  # result item by dossier tag (D1...)
    codes: dict[str, str]  # dossier code by tag


def _dossier(session: Session, world: World, tag: str, *, agency: str, commune, due: date, received: date) -> Item:
    n = int(tag[1:])
    intake = DossierIntake.model_validate({
        "dossier_code": f"{agency}-{received:%y%m%d}-{n:04d}",
        "procedure_code": PROCEDURE,
        "agency_code": agency,
        "received_at": local(received, 9).isoformat(),
        "appointment_date": due.isoformat(),
        "applicant": person(commune, full_name=APPLICANT),
        "legs": [{"leg": "home_delivery"}],
    })
    dossier = receive_dossier(session, actor=world.admin, data=intake, now=local(received, 9))
    return session.exec(select(Item).where(Item.dossier_id == dossier.id, Item.leg == LegKind.HOME_DELIVERY)).one()


def _set(session: Session, item: Item, status: ItemStatus, at: datetime | None, created: datetime) -> None:
    item.status, item.created_at = status, created
    if at is not None:
        item.status_at = at
    session.add(item)


def _scan(session: Session, item: Item, code: ScanCode, at: datetime, status: ItemStatus, **kw) -> None:
    session.add(ScanEvent(client_event_id=uuid.uuid4(), code=code, s10=item.s10, item_id=item.id, device_time=at,
                          outcome=ScanOutcome.APPLIED, status_after=status, **kw))


def build_report_world(session: Session) -> ReportWorld:
    world = build_world(session)
    a, b = world.a, world.b
    specs = {
        "D1": (AGENCY_A, COMMUNE_A, date(2026, 11, 23), date(2026, 11, 16)),
        "D2": (AGENCY_A, COMMUNE_A, date(2026, 11, 23), date(2026, 11, 16)),
        "D3": (AGENCY_A, COMMUNE_A, date(2026, 11, 20), date(2026, 11, 13)),
        "D4": (AGENCY_A, COMMUNE_A, date(2026, 11, 20), date(2026, 11, 13)),
        "D5": (AGENCY_A, COMMUNE_A, date(2026, 12, 10), date(2026, 11, 25)),
        "D6": (AGENCY_B, COMMUNE_B, date(2026, 11, 23), date(2026, 11, 16)),
    }
    items = {tag: _dossier(session, world, tag, agency=ag, commune=co, due=due, received=rec)
             for tag, (ag, co, due, rec) in specs.items()}
    assert items["D6"].post_office_id == b.post_office.id and items["D1"].post_office_id == a.post_office.id
    d = date
    _set(session, items["D1"], ItemStatus.DELIVERED, local(d(2026, 11, 23), 10), local(d(2026, 11, 20)))
    _set(session, items["D2"], ItemStatus.DELIVERED, local(d(2026, 11, 25), 9), local(d(2026, 11, 24)))
    _set(session, items["D3"], ItemStatus.DELIVERED, local(d(2026, 11, 21), 9), local(d(2026, 11, 19)))
    _set(session, items["D4"], ItemStatus.IN_TRANSIT, None, local(d(2026, 11, 19)))
    _set(session, items["D5"], ItemStatus.CREATED, None, local(d(2026, 11, 25)))
    _set(session, items["D6"], ItemStatus.DELIVERED, local(d(2026, 11, 25), 15), local(d(2026, 11, 20)))
    session.flush()
    _scan(session, items["D1"], ScanCode.DELIVERED, local(d(2026, 11, 23), 10), ItemStatus.DELIVERED)
    _scan(session, items["D2"], ScanCode.DELIVERY_FAILED, local(d(2026, 11, 23), 11), ItemStatus.DELIVERY_FAILED,
          failure_reason=FailureReason.NOT_HOME, failure_action=FailureAction.RETRY_NEXT_DAY)
    _scan(session, items["D2"], ScanCode.DELIVERED, local(d(2026, 11, 25), 9), ItemStatus.DELIVERED)

    postman = Postman(user_id=a.users[Role.POSTMAN].id, post_office_id=a.post_office.id)
    session.add(postman)
    session.flush()
    route = Route(day=d(2026, 11, 23), post_office_id=a.post_office.id, postman_id=postman.id, distance_m=12_300,
                  duration_s=4 * 3600)
    session.add(route)
    session.flush()
    for seq, (tag, start) in enumerate((("D1", 8), ("D2", 10)), start=1):
        item = items[tag]
        stop = RouteStop(route_id=route.id, seq=seq, place_kind=PlaceKind.HOME, lat=item.destination_lat,
                         lon=item.destination_lon, status=StopStatus.DONE,
                         arrived_at=local(d(2026, 11, 23), start), completed_at=local(d(2026, 11, 23), start) + timedelta(minutes=30))
        session.add(stop)
        session.flush()
        session.add(RouteStopItem(stop_id=stop.id, item_id=item.id, action=StopAction.DELIVERY))
    session.flush()
    codes = {tag: session.get(Dossier, item.dossier_id).code for tag, item in items.items()}
    return ReportWorld(world=world, items=items, codes=codes)
