"""Confirmed handovers on the seeded day, for the demo (``add_demo_handovers``).

For a few post offices: the first postman collects a batch of dossiers at a counter
(``from_counter``, confirmed by the counter clerk's QR), hands them to the deciding
agency (``to_agency``, confirmed by the one-time code, appointment dates recorded, one
line with a remark now and then), and collects the results waiting there
(``from_agency``). Each postman's route for the day gets the two stops (a route is
created when the plan has none yet). Flushes, never commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlmodel import Session

from logistics.exceptions import InvalidInput
from logistics.handovers import confirmation, records
from logistics.models import (
    Agency, Counter, Dossier, Handover, Item, Postman, Procedure, Route, RouteStop, RouteStopItem, User,
)
from logistics.models.enums import (
    HandoverKind, HolderKind, ItemStatus, LegKind, LineOutcome, PlaceKind, Role, RouteStatus, StopAction,
)
from logistics.workdays import LOCAL_TZ, WorkCalendar

BATCH = 4  # dossiers per demo handover


def _clerk(session: Session, role: Role, **scope: int) -> User | None:
    query = select(User).where(User.role == role, User.active.is_(True))
    for column, value in scope.items():
        query = query.where(getattr(User, column) == value)
    return session.execute(query.order_by(User.id)).scalars().first()


def _route(session: Session, *, postman: Postman, day: date) -> Route:
    route = session.execute(select(Route).where(Route.post_office_id == postman.post_office_id, Route.day == day,
                                                Route.postman_id == postman.id)).scalars().first()
    if route is None:
        route = Route(day=day, post_office_id=postman.post_office_id, postman_id=postman.id, status=RouteStatus.PLANNED)
        session.add(route)
        session.flush()
    return route


def _stop(session: Session, route: Route, kind: PlaceKind, place: Any, items: Iterable[Item], action: StopAction,
          at: datetime) -> None:
    seq = session.execute(select(func.coalesce(func.max(RouteStop.seq), -1)).where(RouteStop.route_id == route.id)).scalar_one() + 1
    stop = RouteStop(route_id=route.id, seq=seq, place_kind=kind, place_ref_id=place.id, lat=place.lat, lon=place.lon,
                     service_s=600, planned_arrival=at)
    session.add(stop)
    session.flush()
    session.add_all([RouteStopItem(stop_id=stop.id, item_id=i.id, action=action) for i in items])
    session.flush()


def _appointment(session: Session, calendar: WorkCalendar, item: Item, day: date) -> date:
    dossier = session.get(Dossier, item.dossier_id)
    procedure = session.get(Procedure, dossier.procedure_id)
    try:
        return calendar.add_working_days(day, max(1, procedure.sla_working_days))
    except InvalidInput:
        return day + timedelta(days=7)


def _office_batch(session: Session, office_id: int) -> tuple[list[Item], list[Item]]:
    """The biggest batch of dossiers waiting at one counter for one agency, and the results at that agency."""
    waiting = session.execute(
        select(Item).where(Item.post_office_id == office_id, Item.leg == LegKind.COUNTER_TO_AGENCY,
                           Item.status == ItemStatus.ACCEPTED, Item.holder_kind == HolderKind.COUNTER)
        .order_by(Item.id)
    ).scalars().all()
    groups: dict[tuple[int, int], list[Item]] = defaultdict(list)
    for item in waiting:
        groups[(item.origin_ref_id, item.destination_ref_id)].append(item)
    if not groups:
        return [], []
    (counter_id, agency_id), batch = max(groups.items(), key=lambda kv: (len(kv[1]), -kv[0][0]))
    results = session.execute(
        select(Item).where(Item.post_office_id == office_id, Item.leg == LegKind.AGENCY_TO_COUNTER,
                           Item.status == ItemStatus.CREATED, Item.origin_kind == PlaceKind.AGENCY,
                           Item.origin_ref_id == agency_id).order_by(Item.id).limit(BATCH)
    ).scalars().all()
    return batch[:BATCH], list(results)


def add_demo_handovers(
    session: Session,
    *,
    day: date,
    rng: np.random.Generator,
    post_office_ids: Sequence[int] | None = None,
    province_objects: Any = None,
    offices: int = 2,
) -> list[Handover]:
    """Add confirmed handovers on ``day`` (or on the day their items were ready, when
    later) for up to ``offices`` post offices (given by ``post_office_ids`` or taken
    from ``province_objects.post_offices``); returns them."""
    if post_office_ids is None:
        post_office_ids = [o.id for o in province_objects.post_offices.values()] if province_objects is not None else []
    calendar = WorkCalendar.default()
    made: list[Handover] = []
    for office_id in post_office_ids:
        if len({h.postman_id for h in made}) >= offices:
            break
        batch, results = _office_batch(session, office_id)
        postman = session.execute(select(Postman).where(Postman.post_office_id == office_id, Postman.active.is_(True))
                                  .order_by(Postman.id)).scalars().first()
        if not batch or postman is None:
            continue
        counter, agency = session.get(Counter, batch[0].origin_ref_id), session.get(Agency, batch[0].destination_ref_id)
        counter_clerk = _clerk(session, Role.COUNTER_CLERK, counter_id=counter.id)
        agency_clerk = _clerk(session, Role.AGENCY_CLERK, agency_id=agency.id)
        if counter_clerk is None or agency_clerk is None:
            continue
        postman_user = session.get(User, postman.user_id)
        latest = max(i.created_at for i in batch + results)
        t1 = max(datetime.combine(day, time(9, int(rng.integers(0, 30))), tzinfo=LOCAL_TZ), latest + timedelta(minutes=10))
        t2 = t1 + timedelta(minutes=int(rng.integers(30, 60)))
        # On the day the round happens: the items can be ready only after ``day`` (a result
        # marked ready on the working day before the planned one, which may be today).
        route = _route(session, postman=postman, day=t1.astimezone(LOCAL_TZ).date())
        _stop(session, route, PlaceKind.COUNTER, counter, batch, StopAction.PICKUP, t1)
        _stop(session, route, PlaceKind.AGENCY, agency, batch, StopAction.DELIVERY, t2)
        if results:
            _stop(session, route, PlaceKind.AGENCY, agency, results, StopAction.PICKUP, t2 + timedelta(minutes=10))

        made.append(_collected_by_qr(session, postman_user=postman_user, clerk=counter_clerk,
                                     kind=HandoverKind.FROM_COUNTER, place_code=counter.code, items=batch, at=t1))

        deliver = records.open_handover(session, actor=postman_user, kind=HandoverKind.TO_AGENCY,
                                        place_code=agency.code, now=t2)
        for item in batch:
            records.add_item(session, actor=postman_user, handover=deliver, s10=item.s10, now=t2)
        if len(batch) > 1 and rng.random() < 0.5:
            records.record_discrepancy(session, actor=agency_clerk, handover=deliver, change=records.Discrepancy(
                batch[-1].s10, LineOutcome.SEAL_BROKEN, "Niêm phong bị rách một góc, giấy tờ đủ"))
        issued = confirmation.issue_code(session, actor=postman_user, handover=deliver, now=t2)
        appointments = {session.get(Dossier, i.dossier_id).code: _appointment(session, calendar, i, day) for i in batch}
        made.append(confirmation.confirm_with_code(session, actor=agency_clerk, handover=deliver, code=issued.code,
                                                   fees_handed_vnd=None, appointments=appointments,
                                                   now=t2 + timedelta(minutes=3)))
        if results:
            made.append(_collected_by_qr(session, postman_user=postman_user, clerk=agency_clerk,
                                         kind=HandoverKind.FROM_AGENCY, place_code=agency.code, items=results,
                                         at=t2 + timedelta(minutes=10)))
    return made


def _collected_by_qr(session: Session, *, postman_user: User, clerk: User, kind: HandoverKind, place_code: str,
                     items: Sequence[Item], at: datetime) -> Handover:
    """The postman opens a record at the place, scans ``items`` onto it, and confirms it
    by scanning the QR code the clerk shows two minutes later."""
    handover = records.open_handover(session, actor=postman_user, kind=kind, place_code=place_code, now=at)
    for item in items:
        records.add_item(session, actor=postman_user, handover=handover, s10=item.s10, now=at)
    token, _ = confirmation.issue_qr_token(session, actor=clerk, handover=handover, fees_handed_vnd=None, now=at)
    return confirmation.confirm_with_qr(session, actor=postman_user, handover=handover, token=token,
                                        now=at + timedelta(minutes=2))
