"""A day's worth of dossiers and items in a built demo province, on every leg.

The day is seen in the morning, before the postmen leave: what the dispatcher has to
plan. Each dossier has one item today (its other legs are in the past or the future);
the mix follows the seeds, where results delivered outnumber dossiers collected (Gia
Lai's first year: 28,357 dossiers received by post, 99,000 results delivered home):

- ``home_pickup``: dossiers submitted online on the previous working day, paper pickup
  booked today in a two-hour window; to a counter, or straight to the agency;
- ``counter_to_agency``: dossiers received at counters on previous working days (most
  after the 15:00 cut-off of the previous working day, the rest a remote commune's
  backlog), to the provincial departments;
- ``agency_to_counter``: results the agency marked ready, back to the counter where
  the dossier was received (for a commune procedure lodged at another commune's
  counter, from that commune's People's Committee);
- ``home_delivery``: results at the post office; due today (mandatory) when the
  appointment date is today or past, else due on the appointment date (1–3 working
  days ahead);
- ``commune_transfer``: commune procedures lodged at a neighbouring commune's counter;
- ``agency_to_office``: results the recipient chose to collect at the post office
  serving their home, to be fetched from the agency.

Procedure flags are respected (see ``legs``). S10 prefixes: ``RR`` for dossiers, ``EB``
for results (``legs.S10_PREFIX``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
from sqlmodel import Session, select

from logistics.demo import names
from logistics.demo.legs import LEG_MIX, S10_PREFIX, Plan, plan_day
from logistics.demo.procedures import load_procedures
from logistics.demo.province import ProvinceObjects
from logistics.exceptions import InvalidInput
from logistics.identifiers.allocation import allocate_s10_many
from logistics.identifiers.dossier_code import make_dossier_code, parse_dossier_code
from logistics.models import Agency, Dossier, Item, Person
from logistics.models.enums import DossierStatus, HolderKind, ItemStatus, LegKind, ResultDelivery
from logistics.workdays import LOCAL_TZ



@dataclass(frozen=True, slots=True)
class DayResult:
    """Counts of the rows a day created."""

    persons: int
    dossiers: int
    items: dict[LegKind, int]


_STATUS: Final = {  # leg -> (item status, holder kind, dossier status, result delivery)
    LegKind.HOME_PICKUP: (ItemStatus.CREATED, HolderKind.APPLICANT, DossierStatus.RECEIVED, None),
    LegKind.COUNTER_TO_AGENCY: (ItemStatus.ACCEPTED, HolderKind.COUNTER, DossierStatus.RECEIVED, None),
    LegKind.COMMUNE_TRANSFER: (ItemStatus.ACCEPTED, HolderKind.COUNTER, DossierStatus.RECEIVED, None),
    LegKind.AGENCY_TO_COUNTER: (
        ItemStatus.CREATED, HolderKind.AGENCY, DossierStatus.RESULT_READY, ResultDelivery.COUNTER
    ),
    LegKind.HOME_DELIVERY: (
        ItemStatus.ACCEPTED, HolderKind.POST_OFFICE, DossierStatus.RESULT_READY, ResultDelivery.HOME
    ),
    LegKind.AGENCY_TO_OFFICE: (
        ItemStatus.CREATED, HolderKind.AGENCY, DossierStatus.RESULT_READY, ResultDelivery.POST_OFFICE
    ),
}
# Legs that name their person: the home end, or who collects the result at the post office.
_HOME_LEGS: Final = frozenset({LegKind.HOME_PICKUP, LegKind.HOME_DELIVERY, LegKind.AGENCY_TO_OFFICE})


class _DossierNumbers:
    """Dossier codes ``<agency>-YYMMDD-NNNN``, numbered on from any the agencies have."""

    def __init__(self, session: Session, objs: ProvinceObjects, rng: np.random.Generator) -> None:
        self.rng = rng
        self.last: dict[tuple[str, date], int] = {}
        ids = [a.id for a in objs.agencies]
        for code in session.exec(select(Dossier.code).where(Dossier.agency_id.in_(ids))):
            parsed = parse_dossier_code(code)
            key = (parsed.agency_code, parsed.received_on)
            self.last[key] = max(self.last.get(key, 0), parsed.sequence)

    def next(self, agency: Agency, received_on: date) -> str:
        key = (agency.code, received_on)
        # Dossiers that do not travel by post take the numbers in between.
        self.last[key] = self.last.get(key, 0) + int(self.rng.integers(1, 4))
        return make_dossier_code(agency.code, received_on, self.last[key])


def _person(p: Plan, rng: np.random.Generator) -> Person:
    return Person(
        full_name=names.person_name(rng),
        phone_e164=names.to_e164(names.mobile_phone(rng)),
        address=names.street_address(rng, p.commune),
        commune_code=p.commune.code,
        lat=p.home[0],
        lon=p.home[1],
        id_last4=names.id_last4(rng) if p.entry.proof_id_check else None,
        created_at=p.received_at,
    )


def _dossier(p: Plan, person: Person, code: str, procedure_id: int, rng: np.random.Generator) -> Dossier:
    _, _, status, delivery = _STATUS[p.leg]
    if delivery is None:  # not decided yet: what the applicant asked for
        home = p.entry.return_by_post and rng.random() < 0.7
        delivery = ResultDelivery.HOME if home else ResultDelivery.COUNTER
    return Dossier(
        code=code,
        status=status,
        result_delivery=delivery,
        appointment_date=p.appointment,
        document_count=max(1, p.entry.documents + int(rng.integers(-1, 2))),
        procedure_id=procedure_id,
        agency_id=p.agency.id,
        counter_id=p.counter.id if p.counter else None,
        applicant_id=person.id,
        recipient_id=person.id,
        received_at=p.received_at,
        created_at=p.received_at,
    )


def _item(p: Plan, person: Person, dossier: Dossier, office_id: int | None, rng: np.random.Generator) -> Item:
    status, holder, _, _ = _STATUS[p.leg]
    origin_kind, origin_id, origin_lat, origin_lon = p.origin
    destination_kind, destination_id, destination_lat, destination_lon = p.destination
    return Item(
        s10=p.s10,
        leg=p.leg,
        origin_kind=origin_kind,
        origin_ref_id=origin_id,
        origin_lat=origin_lat,
        origin_lon=origin_lon,
        destination_kind=destination_kind,
        destination_ref_id=destination_id,
        destination_lat=destination_lat,
        destination_lon=destination_lon,
        due_date=p.due,
        parcel_count=1,
        weight_g=int(rng.integers(10, 81)) * 10,  # 100–800 g
        fee_to_collect_vnd=p.fee,
        status=status,
        dossier_id=dossier.id,
        post_office_id=office_id,
        person_id=person.id if p.leg in _HOME_LEGS else None,
        window_start=p.window[0] if p.window else None,
        window_end=p.window[1] if p.window else None,
        status_at=p.status_at,
        # The applicant holds a dossier before pickup; otherwise whoever is at the origin.
        holder_kind=holder,
        holder_ref_id=person.id if holder is HolderKind.APPLICANT else origin_id,
        created_at=p.status_at,
        updated_at=p.status_at,
    )


def build_day(
    session: Session,
    *,
    province_objects: ProvinceObjects,
    day: date,
    volume: int = 600,
    rng: np.random.Generator,
    progress: Callable[[int, int], None] | None = None,
) -> DayResult:
    """Create ``volume`` items (one dossier and one applicant each) for ``day``.

    Flushes three bulk inserts (persons, dossiers, items) after allocating the S10
    identifiers in one block per series; ``progress(done, volume)`` is called as
    identifiers are allocated. Never commits.
    """
    if isinstance(volume, bool) or not isinstance(volume, int) or volume < 0:
        raise InvalidInput(f"Volume {volume!r} must be a whole number of items >= 0.", code="invalid_volume")
    objs = province_objects
    procedures = load_procedures(session)
    plans = plan_day(objs, day, volume, rng)
    numbers = _DossierNumbers(session, objs, rng)

    # S10 codes first, one block per series; each is recorded as issued when its item
    # entered the post's hands.
    done = 0
    for prefix in sorted({S10_PREFIX[p.leg] for p in plans}):
        batch = [p for p in plans if S10_PREFIX[p.leg] == prefix]
        codes = allocate_s10_many(session, prefix=prefix, count=len(batch), now=max(p.status_at for p in batch))
        for p, code in zip(batch, codes, strict=True):
            p.s10 = code
        done += len(batch)
        if progress:
            progress(done, len(plans))

    persons = [_person(p, rng) for p in plans]
    session.add_all(persons)
    session.flush()
    dossiers = [
        _dossier(p, person, numbers.next(p.agency, p.received_at.astimezone(LOCAL_TZ).date()),
                 procedures[p.entry.code].id, rng)
        for p, person in zip(plans, persons, strict=True)
    ]
    session.add_all(dossiers)
    session.flush()
    items = [
        _item(p, person, dossier, objs.post_offices[p.post_office].id, rng)
        for p, person, dossier in zip(plans, persons, dossiers, strict=True)
    ]
    session.add_all(items)
    session.flush()

    counts = {leg: 0 for leg in LEG_MIX}
    for p in plans:
        counts[p.leg] += 1
    return DayResult(persons=len(persons), dossiers=len(dossiers), items=counts)
