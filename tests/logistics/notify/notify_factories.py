"""Rows for SMS and tracking-page tests: one post office, agency, counter, procedure, and
items with a person at their home end (``make_item``). Used by the benchmarks too."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session

from logistics.identifiers.s10 import make_s10
from logistics.models import Agency, Counter, Dossier, Item, Person, PostOffice, Procedure, ScanEvent
from logistics.models.enums import (
    CounterLevel,
    FailureAction,
    FailureReason,
    ItemStatus,
    LegKind,
    PlaceKind,
    ResultDelivery,
    ScanCode,
    ScanOutcome,
)

FULL_NAME = "Nguyễn Thị Hồng Nhung"
PHONE = "+84912345678"
_serials = itertools.count(int(uuid.uuid4().int % 10_000_000) * 10)


@dataclass
class Place:
    office: PostOffice
    agency: Agency
    counter: Counter
    procedure: Procedure


def make_place(session: Session) -> Place:
    tag = uuid.uuid4().hex[:6]
    office = PostOffice(code=f"PO-{tag}", name="Bưu cục Quy Nhơn Bắc", province_code="52", commune_code="21553",
                        address="1 Lê Lợi, Quy Nhơn Bắc", lat=13.79, lon=109.17, phone="0256 3822 111", opening_hours={})
    agency = Agency(code=f"000.00.{tag}", name="Sở Tư pháp", province_code="52", address="3 Trần Phú",
                    lat=13.78, lon=109.22, office_hours={})
    counter = Counter(code=f"CT-{tag}", name="Bộ phận Một cửa", level=CounterLevel.COMMUNE, province_code="52",
                      address="2 Lê Lợi", lat=13.788, lon=109.167)
    procedure = Procedure(code=f"1.{tag}", name="Cấp phiếu lý lịch tư pháp")
    session.add_all([office, agency, counter, procedure])
    session.flush()
    return Place(office, agency, counter, procedure)


_LEG_ENDS = {
    LegKind.HOME_PICKUP: (PlaceKind.HOME, PlaceKind.AGENCY),
    LegKind.COUNTER_TO_AGENCY: (PlaceKind.COUNTER, PlaceKind.AGENCY),
    LegKind.AGENCY_TO_COUNTER: (PlaceKind.AGENCY, PlaceKind.COUNTER),
    LegKind.HOME_DELIVERY: (PlaceKind.POST_OFFICE, PlaceKind.HOME),
}


def make_item(
    session: Session,
    place: Place,
    *,
    leg: LegKind = LegKind.HOME_DELIVERY,
    status: ItemStatus = ItemStatus.IN_TRANSIT,
    phone: str = PHONE,
    language: str = "vi",
    full_name: str = FULL_NAME,
    window: tuple[datetime, datetime] | None = None,
    appointment: date | None = date(2026, 11, 27),
    result_delivery: ResultDelivery = ResultDelivery.HOME,
) -> Item:
    person = Person(full_name=full_name, phone_e164=phone, address="12 Nguyễn Huệ", commune_code="21553",
                    lat=13.78, lon=109.2, language=language)
    session.add(person)
    session.flush()
    dossier = Dossier(code=f"{place.agency.code}-261120-{uuid.uuid4().hex[:8]}", procedure_id=place.procedure.id,
                      agency_id=place.agency.id, counter_id=place.counter.id, applicant_id=person.id,
                      received_at=datetime(2026, 11, 20, 2, 30, tzinfo=UTC), appointment_date=appointment,
                      result_delivery=result_delivery)
    session.add(dossier)
    session.flush()
    origin, destination = _LEG_ENDS[leg]
    home_end = PlaceKind.HOME in (origin, destination)
    item = Item(
        s10=make_s10("RR", next(_serials) % 100_000_000), leg=leg, origin_kind=origin, origin_lat=13.79, origin_lon=109.17,
        destination_kind=destination, destination_lat=13.78, destination_lon=109.2, dossier_id=dossier.id,
        post_office_id=place.office.id, person_id=person.id if home_end else None, status=status,
        window_start=window[0] if window else None, window_end=window[1] if window else None,
        status_at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC),
    )
    session.add(item)
    session.flush()
    return item


def add_scan(
    session: Session,
    item: Item,
    code: ScanCode,
    *,
    at: datetime,
    status_after: ItemStatus,
    reason: FailureReason | None = None,
    action: FailureAction | None = None,
    retry_on: date | None = None,
) -> ScanEvent:
    """An applied scan, as the tracking domain records it (without its rules)."""
    event = ScanEvent(client_event_id=uuid.uuid4(), code=code, item_id=item.id, s10=item.s10, device_time=at,
                      outcome=ScanOutcome.APPLIED, status_after=status_after, failure_reason=reason,
                      failure_action=action, retry_on=retry_on, proof={})
    item.status, item.status_at = status_after, at
    session.add_all([event, item])
    session.flush()
    return event


def lose_broker_messages(session: Session) -> None:
    """Forget the send jobs ``session`` would enqueue at its commit: a lost broker message."""
    from logistics.notify import outbox

    session.info.pop("logistics.pending_jobs", None)
    session.info.pop(outbox._DISPATCH, None)
