"""Receiving a dossier for carriage: check it against the database, then write the
applicant and recipient, the dossier, one item per leg and an audit row.

Every check runs before the first write, and the caller's transaction is the only
one (this module flushes, never commits): a refused dossier leaves nothing behind,
and the request that called us rolls back whatever a late refusal (a reused S10
found while claiming) had flushed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import or_
from sqlmodel import Session, SQLModel, select

from logistics import audit
from logistics.config import get_settings
from logistics.exceptions import Conflict, Forbidden, InvalidInput
from logistics.identifiers.allocation import allocate_s10, claim_s10
from logistics.identifiers.s10 import reuse_allowed
from logistics.intake.places import LegPlan, Place, plan_leg
from logistics.intake.schemas import DocumentIntake, DossierIntake, LegIntake, PersonIntake, document_total
from logistics.models import (
    AdminUnit, Agency, Counter, Dossier, DossierDocument, Item, Person, PostOffice, Procedure, User,
)
from logistics.models.enums import AdminLevel, HolderKind, ItemStatus, LegKind, Role
from logistics.models.types import utcnow
from logistics.workdays import LOCAL_TZ, WorkCalendar

INTAKE_ROLES = frozenset({Role.COUNTER_CLERK, Role.DISPATCHER, Role.ADMIN})

M = TypeVar("M", bound=SQLModel)


def receive_dossier(
    session: Session,
    *,
    actor: User,
    data: DossierIntake,
    now: datetime | None = None,
    s10_prefix: str | None = None,
) -> Dossier:
    """Record the dossier ``data`` received by ``actor`` and announce its items.

    Raises ``InvalidInput`` (422: unknown_procedure, unknown_agency, unknown_counter,
    unknown_commune, intake_not_allowed_by_post, return_not_allowed_by_post,
    counter_required...), ``Conflict`` (409: dossier_exists, s10_reused) or
    ``Forbidden`` (403: a clerk receiving for another counter).
    """
    now = now or utcnow()
    if actor.role not in INTAKE_ROLES:
        raise Forbidden("Only counter clerks, dispatchers and admins receive dossiers.", code="forbidden")
    procedure = _by_code(session, Procedure, data.procedure_code, "unknown_procedure", "procedure")
    agency = _by_code(session, Agency, data.agency_code, "unknown_agency", "agency")
    counter = _receiving_counter(session, actor, data.counter_code)
    if session.exec(select(Dossier.id).where(Dossier.code == data.dossier_code)).first() is not None:
        raise Conflict(f"Dossier {data.dossier_code} has already been received.", code="dossier_exists")

    on = data.received_at.astimezone(LOCAL_TZ).date()
    applicant_unit = _commune(session, data.applicant.commune_code, on=on, who="applicant")
    recipient_in = data.recipient or data.applicant
    recipient_unit = (
        _commune(session, recipient_in.commune_code, on=on, who="recipient") if data.recipient else applicant_unit
    )
    _check_procedure_allows(procedure, data.legs)

    to_counters = {
        leg.to_counter_code: _by_code(session, Counter, leg.to_counter_code, "unknown_counter", "counter")
        for leg in data.legs
        if leg.to_counter_code
    }
    provinces = {applicant_unit.parent_code, recipient_unit.parent_code, agency.province_code}
    if counter is not None:
        provinces.add(counter.province_code)
    offices = _post_offices(session, provinces)
    applicant_home = Place.home(data.applicant.lat, data.applicant.lon, applicant_unit.parent_code)
    recipient_home = Place.home(recipient_in.lat, recipient_in.lon, recipient_unit.parent_code)
    plans = [
        plan_leg(
            leg.leg,
            agency=agency,
            counter=counter,
            to_counter=to_counters.get(leg.to_counter_code) if leg.to_counter_code else None,
            applicant_home=applicant_home,
            recipient_home=recipient_home,
            offices=offices,
        )
        for leg in data.legs
    ]
    _check_s10_not_in_use(session, [leg.s10 for leg in data.legs if leg.s10], now=now)

    # Every check passed: write.
    applicant = _person(data.applicant, applicant_unit.code)
    recipient = _person(data.recipient, recipient_unit.code) if data.recipient else applicant
    session.add_all([applicant] if recipient is applicant else [applicant, recipient])
    session.flush()
    dossier = Dossier(
        code=data.dossier_code,
        result_delivery=data.result_delivery,
        appointment_date=data.appointment_date,
        document_count=_document_count(data),
        procedure_id=procedure.id,
        agency_id=agency.id,
        counter_id=counter.id if counter else None,
        applicant_id=applicant.id,
        recipient_id=recipient.id,
        received_at=data.received_at,
        created_at=now,
    )
    session.add(dossier)
    session.flush()
    prefix = s10_prefix or _s10_prefix()
    items = []
    for leg, (plan, office) in zip(data.legs, plans, strict=True):
        code = claim_s10(session, leg.s10, now=now) if leg.s10 else allocate_s10(session, prefix=prefix, now=now)
        items.append(
            _item(leg, plan, office, dossier=dossier, s10=code, applicant=applicant, recipient=recipient, data=data, now=now)
        )
    session.add_all(items)
    session.add_all(document_rows(dossier.id, data.documents))
    session.flush()
    # Codes and ids only: the audit log is kept for years and must hold no personal data.
    audit.record(
        session,
        actor_user_id=actor.id,
        action="dossier.received",
        entity="dossier",
        entity_id=dossier.id,
        dossier_code=dossier.code,
        procedure=procedure.code,
        agency=agency.code,
        counter=counter.code if counter else None,
        items=[{"s10": i.s10, "leg": i.leg.value, "post_office_id": i.post_office_id} for i in items],
        documents=len(data.documents),
    )
    session.flush()
    return dossier


# ---------------------------------------------------------------- checks


def _by_code(session: Session, model: type[M], code: str, error: str, noun: str) -> M:
    row = session.exec(select(model).where(model.code == code)).first()  # type: ignore[attr-defined]
    if row is None:
        raise InvalidInput(f"No {noun} has the code {code!r}.", code=error)
    return row


def _receiving_counter(session: Session, actor: User, counter_code: str | None) -> Counter | None:
    """The counter the dossier was received at; a clerk receives at their own only."""
    if actor.role == Role.COUNTER_CLERK:
        own = session.get(Counter, actor.counter_id) if actor.counter_id is not None else None
        if own is None:
            raise Forbidden("Your account is not attached to a counter.", code="forbidden")
        if counter_code is not None and counter_code != own.code:
            raise Forbidden(f"You receive dossiers at counter {own.code} only.", code="wrong_counter")
        return own
    if counter_code is None:
        return None
    return _by_code(session, Counter, counter_code, "unknown_counter", "counter")


def _commune(session: Session, code: str, *, on: date, who: str) -> AdminUnit:
    """The commune ``code`` as it exists on ``on`` (units merge and get new codes)."""
    canonical = code.zfill(5)  # GSO commune codes are 5 digits; "97" is "00097"
    unit = session.exec(
        select(AdminUnit).where(
            AdminUnit.code == canonical,
            AdminUnit.level == AdminLevel.COMMUNE,
            AdminUnit.valid_from <= on,
            or_(AdminUnit.valid_to.is_(None), AdminUnit.valid_to >= on),  # type: ignore[union-attr]
        )
    ).first()
    if unit is None:
        raise InvalidInput(
            f"The {who}'s commune code {code!r} is not a commune in force on {on.isoformat()}.",
            code="unknown_commune",
        )
    return unit


def _check_procedure_allows(procedure: Procedure, legs: Iterable[LegIntake]) -> None:
    kinds = {leg.leg for leg in legs}
    if LegKind.HOME_PICKUP in kinds and not procedure.intake_by_post:
        raise InvalidInput(
            f"Procedure {procedure.code} needs the applicant in person: no home pickup.",
            code="intake_not_allowed_by_post",
        )
    if kinds & {LegKind.HOME_DELIVERY, LegKind.AGENCY_TO_OFFICE} and not procedure.return_by_post:
        raise InvalidInput(
            f"The result of procedure {procedure.code} is handed over in person: not by post.",
            code="return_not_allowed_by_post",
        )


def _check_s10_not_in_use(session: Session, codes: list[str], *, now: datetime) -> None:
    """Refuse S10 identifiers given twice or carried by an item in the last 24 months.

    ``claim_s10`` checks the allocation register; items also count, for identifiers
    printed before the register knew them (imported labels).
    """
    if len(set(codes)) != len(codes):
        raise Conflict("The same S10 identifier is given to two legs.", code="s10_reused")
    for code in codes:
        newest_first = Item.created_at.desc()  # type: ignore[attr-defined]
        last = session.exec(select(Item.created_at).where(Item.s10 == code).order_by(newest_first)).first()
        if last is not None and not reuse_allowed(last, now):
            raise Conflict(
                f"S10 identifier {code} is on an item of {last:%Y-%m-%d}; "
                "an identifier may not be reused within 24 months.",
                code="s10_reused",
            )


def _post_offices(session: Session, provinces: set[str | None]) -> list[PostOffice]:
    codes = [p for p in provinces if p]
    in_provinces = PostOffice.province_code.in_(codes)  # type: ignore[attr-defined]
    offices = list(session.exec(select(PostOffice).where(in_provinces))) if codes else []
    # No office in the provinces involved (a new province being set up): any office.
    return offices or list(session.exec(select(PostOffice)))


def _s10_prefix() -> str:
    return get_settings().s10_prefix


# ---------------------------------------------------------------- rows


def _person(data: PersonIntake, commune_code: str) -> Person:
    return Person(
        full_name=data.full_name,
        phone_e164=data.phone,
        address=data.address,
        commune_code=commune_code,
        lat=data.lat,
        lon=data.lon,
        id_last4=data.id_last4,
    )


def _item(
    leg: LegIntake,
    plan: LegPlan,
    office: PostOffice,
    *,
    dossier: Dossier,
    s10: str,
    applicant: Person,
    recipient: Person,
    data: DossierIntake,
    now: datetime,
) -> Item:
    home = {"applicant": applicant, "recipient": recipient}.get(plan.home or "")
    holder_ref: Any = applicant.id if plan.holder_kind == HolderKind.APPLICANT else plan.holder_ref_id
    return Item(
        s10=s10,
        leg=leg.leg,
        origin_kind=plan.origin.kind,
        origin_ref_id=plan.origin.ref_id,
        origin_lat=plan.origin.lat,
        origin_lon=plan.origin.lon,
        destination_kind=plan.destination.kind,
        destination_ref_id=plan.destination.ref_id,
        destination_lat=plan.destination.lat,
        destination_lon=plan.destination.lon,
        due_date=_due_date(leg, data),
        parcel_count=leg.parcel_count,
        weight_g=leg.weight_g,
        fee_to_collect_vnd=leg.fee_to_collect_vnd,
        status=ItemStatus.CREATED,
        dossier_id=dossier.id,
        post_office_id=office.id,
        person_id=home.id if home is not None else None,
        window_start=leg.window_start,
        window_end=leg.window_end,
        status_at=now,
        holder_kind=plan.holder_kind,
        holder_ref_id=holder_ref,
        created_at=now,
        updated_at=now,
    )


def document_rows(dossier_id: int, documents: Sequence[DocumentIntake]) -> list[DossierDocument]:
    """The dispatch note's lines, numbered in the order given."""
    return [
        DossierDocument(dossier_id=dossier_id, seq=n, name=" ".join(d.name.split()), originals=d.originals, copies=d.copies)
        for n, d in enumerate(documents, start=1)
    ]


def _document_count(data: DossierIntake) -> int:
    if data.document_count is not None:
        return data.document_count
    return document_total(data.documents) if data.documents else 1


def _due_date(leg: LegIntake, data: DossierIntake) -> date | None:
    """The day the leg should be done: the booked day at a home, the forwarding day
    (15:00 cut-off) for transfers, the appointment date for the result."""
    if leg.window_start is not None:
        return leg.window_start.astimezone(LOCAL_TZ).date()
    if leg.leg in (LegKind.COUNTER_TO_AGENCY, LegKind.COMMUNE_TRANSFER):
        try:
            return WorkCalendar.default().forward_date(data.received_at)
        except InvalidInput as exc:
            # A year the holiday calendar does not cover yet: no due date rather
            # than refusing a real dossier.
            if exc.code != "calendar_out_of_range":
                raise
            return None
    if leg.leg in (LegKind.AGENCY_TO_COUNTER, LegKind.AGENCY_TO_OFFICE, LegKind.HOME_DELIVERY):
        return data.appointment_date
    return None
