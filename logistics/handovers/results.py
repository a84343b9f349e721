"""The agency's side of a dossier: the appointment date (ngày hẹn trả kết quả) recorded
on receipt, and the result marked ready, which creates the items that carry it back.

The SLA clock counts working days (``WorkCalendar``) from the day of receipt to the
appointment date; the result's items are due on the appointment date, so the plan of
that day picks them up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session

from logistics import audit
from logistics.config import get_settings
from logistics.events import ItemCreated, publish
from logistics.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from logistics.identifiers.allocation import allocate_s10_many
from logistics.intake.places import Place, nearest_post_office
from logistics.models import Agency, Counter, Dossier, Handover, HandoverLine, Item, Person, PostOffice, User
from logistics.models.enums import (
    RESULT_LEGS,
    DossierStatus, HandoverKind, HolderKind, ItemStatus, LegKind, PlaceKind, ResultDelivery, Role,
)
from logistics.models.types import utcnow
from logistics.notify import service as notify_service
from logistics.workdays import LOCAL_TZ, WorkCalendar

OPEN_DOSSIER = frozenset({DossierStatus.RECEIVED, DossierStatus.IN_PROCESSING})


def dossier_for_agency(session: Session, *, actor: User, code: str) -> Dossier:
    """The dossier ``code`` if ``actor`` is a clerk of its agency (or an admin); 404 otherwise."""
    dossier = session.execute(select(Dossier).where(Dossier.code == code.strip())).scalars().first()
    if dossier is None or (actor.role != Role.ADMIN and not (
        actor.role == Role.AGENCY_CLERK and actor.agency_id is not None and dossier.agency_id == actor.agency_id
    )):
        raise NotFound(f"There is no dossier {code} at your agency.", code="dossier_not_found", dossier=code)
    return dossier


def sla_working_days(dossier: Dossier, *, calendar: WorkCalendar | None = None) -> int | None:
    """Working days from the day of receipt to the appointment date (None without a date)."""
    if dossier.appointment_date is None:
        return None
    calendar = calendar or WorkCalendar.default()
    try:
        return calendar.working_days_between(dossier.received_at.astimezone(LOCAL_TZ).date(), dossier.appointment_date)
    except InvalidInput:
        return None  # a year the holiday table does not cover


def working_days_left(dossier: Dossier, *, today: date, calendar: WorkCalendar | None = None) -> int | None:
    if dossier.appointment_date is None:
        return None
    calendar = calendar or WorkCalendar.default()
    try:
        return calendar.working_days_between(today, dossier.appointment_date)
    except InvalidInput:
        return None


def set_appointment(session: Session, *, actor: User | None, dossier: Dossier, on: date, today: date) -> Dossier:
    """Record the appointment date; the result's items not yet moving are due that day."""
    if dossier.status not in OPEN_DOSSIER:
        raise Conflict(f"Dossier {dossier.code} is {dossier.status.value}; its date is settled.", code="dossier_closed", dossier=dossier.code)
    if on < today:
        raise InvalidInput("The appointment date cannot be in the past.", code="invalid_appointment_date")
    calendar = WorkCalendar.default()
    try:
        if not calendar.is_working_day(on):
            raise InvalidInput("The appointment date must be a working day.", code="not_a_working_day")
    except InvalidInput as exc:
        if exc.code != "calendar_out_of_range":
            raise
    dossier.appointment_date = on
    dossier.status = DossierStatus.IN_PROCESSING
    session.add(dossier)
    for item in session.execute(select(Item).where(Item.dossier_id == dossier.id, Item.leg.in_(RESULT_LEGS),
                                                   Item.status == ItemStatus.CREATED)).scalars():
        item.due_date = on
        session.add(item)
    session.flush()
    audit.record(session, actor_user_id=actor.id if actor else None, action="dossier.appointment_set",
                 entity="dossier", entity_id=dossier.id, appointment_date=on.isoformat())
    return dossier


def record_appointments(session: Session, *, actor: User | None, handover: Handover, lines: Sequence[HandoverLine],
                        appointments: Mapping[str, date], today: date) -> None:
    """Appointment dates given with the confirmation of a record to the agency."""
    if handover.kind is not HandoverKind.TO_AGENCY:
        raise InvalidInput("Appointment dates are recorded when an agency receives dossiers.", code="appointment_not_allowed")
    on_record = {}
    for line in lines:
        dossier = session.get(Dossier, session.get(Item, line.item_id).dossier_id)
        on_record[dossier.code] = dossier
    for code, on in appointments.items():
        if code not in on_record:
            raise InvalidInput(f"Dossier {code} is not on this record.", code="dossier_not_on_handover", dossier=code)
        set_appointment(session, actor=actor, dossier=on_record[code], on=on, today=today)


@dataclass(frozen=True)
class ResultItems:
    dossier: Dossier
    items: list[Item]
    created: list[Item]


def _nearest_office(session: Session, *, lat: float, lon: float, province_code: str) -> PostOffice:
    offices = list(session.execute(select(PostOffice).where(PostOffice.province_code == province_code)).scalars())
    if not offices:
        raise Conflict("No post office serves this province.", code="no_post_office")
    return nearest_post_office(Place.home(lat, lon, province_code), offices)


def _new_item(dossier: Dossier, leg: LegKind, agency: Agency, *, destination: tuple[PlaceKind, int | None, float, float],
              office: PostOffice, person_id: int | None, s10: str, now: datetime) -> Item:
    kind, ref_id, lat, lon = destination
    return Item(
        s10=s10, leg=leg, origin_kind=PlaceKind.AGENCY, origin_ref_id=agency.id, origin_lat=agency.lat,
        origin_lon=agency.lon, destination_kind=kind, destination_ref_id=ref_id, destination_lat=lat,
        destination_lon=lon, due_date=dossier.appointment_date or now.astimezone(LOCAL_TZ).date(),
        status=ItemStatus.CREATED, dossier_id=dossier.id, post_office_id=office.id, person_id=person_id,
        status_at=now, holder_kind=HolderKind.AGENCY, holder_ref_id=agency.id, created_at=now, updated_at=now,
    )


def mark_result_ready(session: Session, *, actor: User, dossier: Dossier, now: datetime | None = None) -> ResultItems:
    """The result is ready at the agency: its return item (agency → counter, or agency →
    post office where the recipient collects it) or delivery item (agency → the
    recipient's home) with a new S10, the dossier marked ``result_ready``, and the
    citizen's "result ready" SMS queued.

    A result kept at the post office names its recipient (``person_id``): whoever
    collects it there shows their ID and becomes its last holder."""
    now = now or utcnow()
    if dossier.status not in OPEN_DOSSIER:
        raise Conflict(f"Dossier {dossier.code} is {dossier.status.value}.", code="result_already_ready", dossier=dossier.code)
    agency = session.get(Agency, dossier.agency_id)
    existing = {i.leg: i for i in session.execute(select(Item).where(Item.dossier_id == dossier.id)).scalars()}
    recipient = session.get(Person, dossier.recipient_id or dossier.applicant_id)
    if dossier.result_delivery is ResultDelivery.HOME:
        leg = LegKind.HOME_DELIVERY
        office = _nearest_office(session, lat=recipient.lat, lon=recipient.lon, province_code=agency.province_code)
        destination = (PlaceKind.HOME, None, recipient.lat, recipient.lon)
        person_id = recipient.id
    elif dossier.result_delivery is ResultDelivery.COUNTER:
        if dossier.counter_id is None:
            raise Conflict("The result goes back to a counter, but the dossier has none.", code="counter_required")
        counter = session.get(Counter, dossier.counter_id)
        leg, person_id = LegKind.AGENCY_TO_COUNTER, None
        office = _nearest_office(session, lat=counter.lat, lon=counter.lon, province_code=counter.province_code)
        destination = (PlaceKind.COUNTER, counter.id, counter.lat, counter.lon)
    else:  # kept at the post office nearest to the recipient, who collects it there
        leg, person_id = LegKind.AGENCY_TO_OFFICE, recipient.id
        office = _nearest_office(session, lat=recipient.lat, lon=recipient.lon, province_code=agency.province_code)
        destination = (PlaceKind.POST_OFFICE, office.id, office.lat, office.lon)
    created: list[Item] = []
    item = existing.get(leg)
    if item is None:
        s10 = allocate_s10_many(session, prefix=get_settings().s10_prefix, count=1, now=now)[0]
        item = _new_item(dossier, leg, agency, destination=destination, office=office, person_id=person_id, s10=s10, now=now)
        session.add(item)
        created.append(item)
    elif item.status is ItemStatus.CREATED:  # announced at intake: now due
        item.due_date = dossier.appointment_date or now.astimezone(LOCAL_TZ).date()
        session.add(item)
    dossier.status = DossierStatus.RESULT_READY
    session.add(dossier)
    session.flush()
    for new in created:
        publish(session, ItemCreated(item_id=new.id, leg=new.leg.value))
    notify_service.result_ready(session, item_id=item.id, now=now)
    audit.record(session, actor_user_id=actor.id, action="dossier.result_ready", entity="dossier", entity_id=dossier.id,
                 dossier_code=dossier.code, items=[{"s10": i.s10, "leg": i.leg.value} for i in created])
    return ResultItems(dossier=dossier, items=[item], created=created)


def require_agency_clerk(actor: User) -> None:
    if actor.role not in (Role.AGENCY_CLERK, Role.ADMIN):
        raise Forbidden("Only agency clerks do this.", code="forbidden")
