"""What the public tracking page shows about an item, in the citizen's language.

The status, a timeline of scans (described by ``tracking.states.RULES``), the expected
window, the post office's contact, the recipient's masked name and phone, and the
rescheduling choices. Nothing of the dossier: no procedure, no documents, no address,
no dossier code (DOMAIN.md §2). The HTML page and its JSON twin render this one object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Final

from sqlalchemy import bindparam, or_
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from logistics.exceptions import InvalidInput, NotFound
from logistics.models import DeliveryReschedule, Dossier, Item, Person, PostOffice, ScanEvent, TrackingToken
from logistics.models.enums import ItemStatus, ScanCode, ScanOutcome
from logistics.models.types import utcnow
from logistics.notify import messages, reschedule, service
from logistics.notify.settings import NotifySettings, get_notify_settings
from logistics.once import built_once
from logistics.phones import mask_name, mask_phone
from logistics.tracking import links as tracking_links
from logistics.tracking.states import RULES, TERMINAL
from logistics.workdays import LOCAL_TZ

S = ItemStatus
STATUS_LABELS: Final[dict[str, dict[ItemStatus, str]]] = {
    "vi": {
        S.CREATED: "Đã đặt lịch", S.ACCEPTED: "Bưu điện đã nhận", S.IN_TRANSIT: "Đang vận chuyển",
        S.OUT_FOR_DELIVERY: "Đang đi phát", S.HANDED_OVER: "Đã bàn giao", S.DELIVERY_FAILED: "Phát chưa thành công",
        S.READY_FOR_PICKUP: "Chờ nhận tại bưu cục", S.DELIVERED: "Đã phát thành công",
        S.RETURNED: "Đã chuyển trả cơ quan", S.CANCELLED: "Đã hủy",
    },
    "en": {
        S.CREATED: "Booked", S.ACCEPTED: "With the post office", S.IN_TRANSIT: "In transit",
        S.OUT_FOR_DELIVERY: "Out for delivery", S.HANDED_OVER: "Handed over", S.DELIVERY_FAILED: "Delivery attempt failed",
        S.READY_FOR_PICKUP: "Ready to collect at the post office", S.DELIVERED: "Delivered",
        S.RETURNED: "Returned to the agency", S.CANCELLED: "Cancelled",
    },
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    at_local: str  # "14:05 21/11/2026"
    code: str
    label: str


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    text: str  # "14:00-16:00 21/11"


@dataclass(frozen=True)
class Office:
    name: str
    address: str
    phone: str | None


@dataclass(frozen=True)
class SlotChoice:
    date: str  # ISO
    slot: str
    label: str  # "14:00-16:00 24/11"


@dataclass(frozen=True)
class TrackingView:
    language: str
    s10: str
    status: str
    status_label: str
    done: bool
    timeline: list[TimelineEntry]
    eta: Window | None
    office: Office | None
    recipient_name: str | None
    recipient_phone: str | None
    can_reschedule: bool
    can_hold: bool
    slots: list[SlotChoice] = field(default_factory=list)
    choice: str | None = None  # the latest reschedule: "window" / "hold_at_post_office"


def _local(at: datetime) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y")


@built_once
def _timeline_query():  # noqa: ANN202 - a Select of two columns
    """Built once: two columns of the item's scans. The outcomes as two comparisons, not
    an IN that SQLAlchemy would expand on every execution."""
    return (
        select(ScanEvent.code, ScanEvent.device_time)
        .where(ScanEvent.item_id == bindparam("item_id"),
               or_(ScanEvent.outcome == ScanOutcome.APPLIED, ScanEvent.outcome == ScanOutcome.HISTORY))
        .order_by(ScanEvent.device_time, ScanEvent.id)
    )


def _timeline(session: Session, item: Any, language: str) -> list[TimelineEntry]:
    session.flush()  # as Session.execute would: the Core path below does not autoflush
    events = session.connection().execute(_timeline_query(), {"item_id": item.id}).all()  # no ORM layer to pay
    entries = []
    for event in events:
        rule = RULES[ScanCode(event.code)]
        label = rule.description_en if language == "en" else rule.description_vi
        entries.append(TimelineEntry(at=event.device_time, at_local=_local(event.device_time), code=event.code.value, label=label))
    return entries


def _masked(person: Any) -> tuple[str | None, str | None]:
    if person is None:
        return None, None
    try:
        name = mask_name(person.full_name)
    except InvalidInput:
        name = None
    try:
        phone = mask_phone(person.phone_e164)
    except InvalidInput:
        phone = None
    return name, phone


def eta_for(session: Session, item: Any, now: datetime) -> Window | None:
    """The window the page shows for ``item`` (an ``Item``, or a row with its ``id``,
    ``status``, ``window_start`` and ``window_end``): ``service.eta_window``, one rule
    for the SMS and the page."""
    bounds = eta_bounds(session, item, now)
    return window_of(bounds) if bounds is not None else None


def eta_bounds(session: Session, item: Any, now: datetime, *,
               connection: Connection | None = None) -> tuple[datetime, datetime] | None:
    """:func:`eta_for`'s start and end, without the text (``page_state`` keys on them);
    ``connection``: read on it (``service.eta_window``)."""
    if item.status in TERMINAL or item.status is S.READY_FOR_PICKUP:
        return None
    start, end = service.eta_window(session, item, now=now, connection=connection)
    if start is None or end is None or end < now:  # a past window (a failed attempt) says nothing
        return None
    return start, end


def window_of(bounds: tuple[datetime, datetime]) -> Window:
    return Window(start=bounds[0], end=bounds[1], text=messages.format_window(*bounds))


@dataclass(frozen=True)
class Subject:
    """The item behind a link and what its page shows of it besides the scans."""

    item: Item
    office: PostOffice | None
    person: Person | None
    choice: str | None  # the latest reschedule's choice


@built_once
def _subject_query():  # noqa: ANN202 - a Select of eight entities
    """Built once: the page asks it on every request."""
    home, recipient, applicant = aliased(Person), aliased(Person), aliased(Person)
    choice = (
        select(DeliveryReschedule.choice).where(DeliveryReschedule.item_id == Item.id)
        .order_by(DeliveryReschedule.created_at.desc(), DeliveryReschedule.id.desc())  # type: ignore[union-attr]
        .limit(1).scalar_subquery()
    )
    return subject_joins(select(TrackingToken, Item, PostOffice, Dossier, home, recipient, applicant, choice),
                         home, recipient, applicant)


def subject_joins(query, home, recipient, applicant):  # noqa: ANN001, ANN201 - a Select and Person aliases
    """``query`` from a tracking link (bound as ``token_sha256``) to its item, office, dossier
    and the three people the page may name: the joins both the page and its state read through."""
    return (
        query.join(Item, Item.id == TrackingToken.item_id)
        .outerjoin(PostOffice, PostOffice.id == Item.post_office_id)
        .outerjoin(Dossier, Dossier.id == Item.dossier_id)
        .outerjoin(home, home.id == Item.person_id)
        .outerjoin(recipient, recipient.id == Dossier.recipient_id)
        .outerjoin(applicant, applicant.id == Dossier.applicant_id)
        .where(TrackingToken.token_sha256 == bindparam("token_sha256"))
    )


def load_subject(session: Session, token: str, *, now: datetime | None = None) -> Subject:
    """The item behind ``token`` with its post office, recipient and latest reschedule,
    in one query (the page's hot path); ``NotFound`` as ``tracking.links.resolve``:
    ``tracking_link_not_found`` for an unknown token, ``tracking_link_expired``."""
    now = now or utcnow()
    row = session.execute(_subject_query(), {"token_sha256": tracking_links.hash_token(token)}).first()
    if row is None:
        raise NotFound("This tracking link is not valid; check the link in your SMS.", code="tracking_link_not_found")
    link, item, office, dossier, *people, latest_choice = row
    if tracking_links.expires_at(link, item) <= now:
        raise NotFound("This tracking link has expired.", code="tracking_link_expired")
    person_id = service.recipient_id(item, dossier)
    person = next((p for p in people if p is not None and p.id == person_id), None)
    return Subject(item=item, office=office, person=person, choice=latest_choice)


@lru_cache(maxsize=8)
def _slots(minute: datetime, settings: NotifySettings) -> tuple[SlotChoice, ...]:
    """The rescheduling choices offered this minute: the same for every page."""
    return tuple(
        SlotChoice(date=o.day.isoformat(), slot=o.slot, label=messages.format_window(o.start, o.end))
        for o in reschedule.options(now=minute)
    )


_COMPUTE: Final = object()


def tracking_view(session: Session, item: Item, *, language: str = "vi", now: datetime | None = None,
                  subject: Subject | None = None, eta: Any = _COMPUTE) -> TrackingView:
    """Everything the public page of ``item`` shows, in ``language`` ("vi" or "en");
    ``subject`` when :func:`load_subject` (or ``page_state``, with rows in place of the
    entities) already read it, ``eta`` (a ``Window`` or None) when :func:`eta_for` at
    ``now`` was computed already (``page_state`` computes it on every read)."""
    now = now or utcnow()
    if subject is None:
        latest = reschedule.latest(session, item_id=item.id)
        subject = Subject(item=item, office=session.get(PostOffice, item.post_office_id),
                          person=service.recipient_for(session, item), choice=latest.choice if latest else None)
    language = language if language in messages.LANGUAGES else "vi"
    office_row = subject.office
    office = Office(office_row.name, office_row.address, office_row.phone) if office_row else None
    name, phone = _masked(subject.person)
    can = reschedule.allowed(item)
    slots = list(_slots(now.replace(second=0, microsecond=0), get_notify_settings())) if can else []
    return TrackingView(
        language=language, s10=item.s10, status=item.status.value, status_label=STATUS_LABELS[language][item.status],
        done=item.status in TERMINAL, timeline=_timeline(session, item, language),
        eta=eta_for(session, item, now) if eta is _COMPUTE else eta,
        office=office, recipient_name=name, recipient_phone=phone, can_reschedule=can,
        can_hold=reschedule.hold_available(item), slots=slots, choice=subject.choice,
    )
