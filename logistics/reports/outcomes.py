"""Each dossier's outcome against its appointment date (ngày hẹn trả kết quả).

A dossier is judged on its *result leg*: the home delivery when the post carries the
result home, else the result return from the agency to the counter. The result is
given when that item is delivered or handed over; the day (Vietnam time) it happened
is compared with the appointment date in working days (``logistics.workdays``):

- ``on_time``: given on or before the appointment date, or on a day off right after it
  (no working day was lost);
- ``late``: given N > 0 working days after it;
- ``overdue``: not given and the appointment date has passed (late so far, still open);
- ``open``: not given and not yet due: left out of the rate.

Dossiers without an appointment date or without a result leg are not judged. A
dossier's commune is its recipient's (the applicant's when there is none), its post
office the one carrying the result leg. The unit
``responsible`` for a late dossier is the deciding agency when the result left it
after the appointment date (the first ``collected_from_agency`` scan, or the day the
result's item was created), else the post.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from logistics.exceptions import InvalidInput
from logistics.models import AdminUnit, Agency, Dossier, Item, Person, PostOffice, Procedure, ScanEvent
from logistics.models.enums import RESULT_LEGS, AdminLevel, ItemStatus, LegKind, ScanCode, ScanOutcome
from logistics.reports.scope import ReportScope
from logistics.workdays import LOCAL_TZ, WorkCalendar

GIVEN = frozenset({ItemStatus.DELIVERED, ItemStatus.HANDED_OVER})


class Verdict(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"
    OPEN = "open"


class Responsible(StrEnum):
    AGENCY = "agency"
    POST = "post"


@dataclass(frozen=True)
class DossierOutcome:
    dossier_id: int
    dossier_code: str
    procedure_name: str
    agency_code: str
    agency_name: str
    commune_code: str
    commune_name: str
    post_office_code: str
    post_office_name: str
    s10: str
    leg: LegKind
    appointment_date: date
    given_on: date | None
    left_agency_on: date | None
    verdict: Verdict
    working_days_late: int
    responsible: Responsible | None


def working_days_after(calendar: WorkCalendar, appointment: date, day: date) -> int:
    """Working days from ``appointment`` (excluded) to ``day`` (included), 0 when not after.

    Outside the years the holiday calendar covers, calendar days are counted instead:
    a report must not fail on one old dossier.
    """
    if day <= appointment:
        return 0
    try:
        return calendar.working_days_between(appointment, day)
    except InvalidInput as exc:
        if exc.code != "calendar_out_of_range":
            raise
        return (day - appointment).days


def _local_day(at: datetime | None) -> date | None:
    return at.astimezone(LOCAL_TZ).date() if at is not None else None


def _left_agency(session: Session, dossier_ids: list[int]) -> dict[int, datetime]:
    """When each dossier's result was first collected from the agency (device time)."""
    if not dossier_ids:
        return {}
    rows = session.execute(
        select(Item.dossier_id, func.min(ScanEvent.device_time))
        .join(ScanEvent, ScanEvent.item_id == Item.id)
        .where(
            Item.dossier_id.in_(dossier_ids),
            ScanEvent.code == ScanCode.COLLECTED_FROM_AGENCY,
            ScanEvent.outcome != ScanOutcome.REJECTED,
        )
        .group_by(Item.dossier_id)
    ).all()
    return {dossier_id: at for dossier_id, at in rows}


def dossier_outcomes(
    session: Session, scope: ReportScope, *, today: date, calendar: WorkCalendar | None = None
) -> list[DossierOutcome]:
    """The outcome of every dossier due in the scope's range (by appointment date)."""
    calendar = calendar or WorkCalendar.default()
    recipient = Person.__table__.alias("recipient")
    commune = AdminUnit.__table__.alias("commune")
    query = (
        select(
            Dossier.id, Dossier.code, Dossier.appointment_date, Procedure.name, Agency.code, Agency.name,
            recipient.c.commune_code, commune.c.name, PostOffice.code, PostOffice.name,
            Item.s10, Item.leg, Item.status, Item.status_at, Item.created_at,
        )
        .join(Item, Item.dossier_id == Dossier.id)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .join(Agency, Agency.id == Dossier.agency_id)
        .join(PostOffice, PostOffice.id == Item.post_office_id)
        .join(recipient, recipient.c.id == func.coalesce(Dossier.recipient_id, Dossier.applicant_id))
        .outerjoin(
            commune,
            and_(
                commune.c.code == recipient.c.commune_code,
                commune.c.level == AdminLevel.COMMUNE,
                commune.c.valid_from <= Dossier.appointment_date,
                or_(commune.c.valid_to.is_(None), commune.c.valid_to >= Dossier.appointment_date),
            ),
        )
        .where(
            Item.leg.in_(RESULT_LEGS),
            Dossier.appointment_date.is_not(None),
            Dossier.appointment_date >= scope.date_from,
            Dossier.appointment_date <= scope.date_to,
        )
        .order_by(Dossier.appointment_date, Dossier.code)
    )
    if scope.post_office_id is not None:
        query = query.where(Item.post_office_id == scope.post_office_id)
    # One row per result leg; the home delivery wins over the return to the counter.
    chosen: dict[int, tuple] = {}
    for row in session.execute(query).all():
        if row[0] not in chosen or row[11] == LegKind.HOME_DELIVERY:
            chosen[row[0]] = tuple(row)
    left = _left_agency(session, list(chosen))
    return [_judge(row, left.get(row[0]), today, calendar) for row in chosen.values()]


def _judge(row: tuple, left_at: datetime | None, today: date, calendar: WorkCalendar) -> DossierOutcome:
    (dossier_id, code, appointment, procedure, agency_code, agency_name, commune_code, commune_name,
     office_code, office_name, s10, leg, status, status_at, created_at) = row
    given_on = _local_day(status_at) if status in GIVEN else None
    if given_on is not None:
        late = working_days_after(calendar, appointment, given_on)
        verdict = Verdict.LATE if late else Verdict.ON_TIME
    else:
        late = working_days_after(calendar, appointment, today)
        verdict = Verdict.OVERDUE if late else Verdict.OPEN
    left_on = _local_day(left_at) if left_at is not None else (_local_day(created_at) if leg == LegKind.HOME_DELIVERY else None)
    responsible = None
    if verdict in (Verdict.LATE, Verdict.OVERDUE):
        agency_late = left_on is None or left_on > appointment
        responsible = Responsible.AGENCY if agency_late else Responsible.POST
    return DossierOutcome(
        dossier_id=dossier_id, dossier_code=code, procedure_name=procedure, agency_code=agency_code,
        agency_name=agency_name, commune_code=commune_code, commune_name=commune_name or commune_code,
        post_office_code=office_code, post_office_name=office_name, s10=s10, leg=LegKind(leg),
        appointment_date=appointment, given_on=given_on, left_agency_on=left_on, verdict=verdict,
        working_days_late=late, responsible=responsible,
    )


def judged(outcomes: Iterable[DossierOutcome]) -> list[DossierOutcome]:
    """The outcomes that count in the on-time rate (not the open ones)."""
    return [o for o in outcomes if o.verdict is not Verdict.OPEN]
