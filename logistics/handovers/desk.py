"""A clerk's day at the desk: items coming by post, results and dossiers leaving,
dossiers awaiting their result, and the handover records of the day. Each clerk sees
only their own agency or counter."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from logistics.exceptions import Forbidden
from logistics.handovers import places, results, schemas
from logistics.models import Agency, Counter, Dossier, Handover, HandoverLine, Item, User
from logistics.models.enums import HandoverStatus, HolderKind, ItemStatus, PlaceKind, Role
from logistics.workdays import LOCAL_TZ, WorkCalendar

LIMIT = 500
COMING = (ItemStatus.ACCEPTED, ItemStatus.IN_TRANSIT, ItemStatus.OUT_FOR_DELIVERY)


def desk_place(session: Session, user: User) -> places.Place:
    """The agency or counter of a clerk; 403 for anyone else."""
    if user.role == Role.AGENCY_CLERK and user.agency_id is not None:
        a = session.get(Agency, user.agency_id)
        return places.Place(PlaceKind.AGENCY, a.id, a.code, a.name, a.address)
    if user.role == Role.COUNTER_CLERK and user.counter_id is not None:
        c = session.get(Counter, user.counter_id)
        return places.Place(PlaceKind.COUNTER, c.id, c.code, c.name, c.address)
    raise Forbidden("The desk is for agency and counter clerks.", code="not_a_clerk")


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=LOCAL_TZ)
    return start, start + timedelta(days=1)


def _desk_items(session: Session, condition) -> list[schemas.DeskItem]:  # noqa: ANN001
    rows = session.execute(
        select(Item, Dossier.code).join(Dossier, Dossier.id == Item.dossier_id).where(condition)
        .order_by(Item.due_date, Item.s10).limit(LIMIT)
    ).all()
    return [schemas.DeskItem(s10=i.s10, dossier_code=code, leg=i.leg, status=i.status, due_date=i.due_date,
                             fee_vnd=i.fee_to_collect_vnd) for i, code in rows]


def awaiting_result(session: Session, place: places.Place, *, today: date) -> list[schemas.DeskDossier]:
    if place.kind is not PlaceKind.AGENCY:
        return []
    calendar = WorkCalendar.default()
    rows = session.execute(
        select(Dossier).where(Dossier.agency_id == place.ref_id, Dossier.status.in_(results.OPEN_DOSSIER))
        .order_by(Dossier.appointment_date, Dossier.received_at).limit(LIMIT)
    ).scalars()
    return [
        schemas.DeskDossier(
            dossier_code=d.code, status=d.status.value, received_at=d.received_at, appointment_date=d.appointment_date,
            sla_working_days=results.sla_working_days(d, calendar=calendar),
            working_days_left=results.working_days_left(d, today=today, calendar=calendar),
            result_delivery=d.result_delivery.value,
        )
        for d in rows
    ]


def handovers_of_day(session: Session, user: User, *, day: date) -> list[schemas.HandoverSummary]:
    start, end = _bounds(day)
    count = (select(func.count()).select_from(HandoverLine).where(HandoverLine.handover_id == Handover.id)
             .scalar_subquery())
    rows = session.execute(
        select(Handover, count).where(
            places.visible_handovers(session, user),
            or_(Handover.status == HandoverStatus.OPEN, and_(Handover.confirmed_at >= start, Handover.confirmed_at < end)),
        ).order_by(Handover.opened_at.desc()).limit(LIMIT)
    ).all()
    return [
        schemas.HandoverSummary(code=h.code, kind=h.kind, status=h.status, place_name=places.place_of(session, h).name,
                                opened_at=h.opened_at, confirmed_at=h.confirmed_at, item_count=int(n))
        for h, n in rows
    ]


def day_at_desk(session: Session, *, user: User, day: date) -> schemas.DeskDay:
    """Today's inbound and outbound items of the clerk's place, and its records."""
    place = desk_place(session, user)
    start, end = _bounds(day)
    at_place_in = and_(Item.destination_kind == place.kind, Item.destination_ref_id == place.ref_id)
    at_place_out = and_(Item.origin_kind == place.kind, Item.origin_ref_id == place.ref_id)
    inbound = _desk_items(session, and_(at_place_in, or_(
        Item.status.in_(COMING),
        and_(Item.status == ItemStatus.HANDED_OVER, Item.status_at >= start, Item.status_at < end),
    )))
    holder = HolderKind.AGENCY if place.kind is PlaceKind.AGENCY else HolderKind.COUNTER
    outbound = _desk_items(session, and_(at_place_out, or_(
        Item.status == ItemStatus.CREATED,
        and_(Item.status == ItemStatus.ACCEPTED, Item.holder_kind == holder, Item.holder_ref_id == place.ref_id),
    )))
    return schemas.DeskDay(
        day=day, place_kind=place.kind, place_code=place.code, place_name=place.name, inbound=inbound,
        outbound=outbound, awaiting_result=awaiting_result(session, place, today=day),
        handovers=handovers_of_day(session, user, day=day),
    )


def desk_items_of_dossier(session: Session, dossier: Dossier) -> list[schemas.DeskItem]:
    return _desk_items(session, Item.dossier_id == dossier.id)
