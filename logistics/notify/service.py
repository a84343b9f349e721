"""Which SMS a citizen gets, and when: scans and the other domains call in here.

Scans arrive through ``scan_sms`` (in bulk, at the end of the scan's unit of work,
with :func:`scan_trigger` and :func:`eta_window` from here); the intake, the agency desk, the deadline watch and the tracking
page call :func:`pickup_booked`, :func:`result_ready`, :func:`deadline_at_risk` and
:func:`rescheduled`. All of them write the outbox row in the caller's transaction and
flush; the SMS leaves after the commit.

The (item, trigger, attempt) key makes each SMS happen once: for scan triggers the
attempt is the scan's rank among the item's applied scans of the same code (the second
"out for delivery" of an item is attempt 2), so a scan replayed by an offline phone
maps to the same row.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy.engine import Connection
from sqlmodel import Session

from logistics.exceptions import NotFound
from logistics.models import DeliveryReschedule, Dossier, Item, Notification, Person, PostOffice
from logistics.models.enums import (
    RESULT_LEGS,
    NotificationTrigger,
    PlaceKind,
    ResultDelivery,
    ScanCode,
)
from logistics.notify import messages, outbox
from logistics.notify.settings import NotifySettings
from logistics.tracking import eta as tracking_eta
from logistics.tracking import links as tracking_links

log = logging.getLogger(__name__)

T = NotificationTrigger


def scan_trigger(code: ScanCode, item: Item) -> NotificationTrigger | None:
    """The SMS a scan of ``code`` on ``item`` causes, if any (by scan code and leg).

    A pickup at home, a handover to an agency, and, on a leg that ends at the citizen's
    home, out for delivery, delivered and a failed attempt. Scans inside the post
    (sorting, transfers) and handovers to a counter send nothing: the citizen cannot act
    on them and would stop reading. A hold at the post office sends nothing of its own:
    the failed-attempt or reschedule SMS that led to it already said where to collect.
    """
    if code is ScanCode.PICKED_UP_AT_HOME:
        return T.PICKED_UP
    if code is ScanCode.HANDED_OVER and item.destination_kind is PlaceKind.AGENCY and item.leg not in RESULT_LEGS:
        return T.HANDED_TO_AGENCY
    if item.destination_kind is PlaceKind.HOME:
        return {
            ScanCode.OUT_FOR_DELIVERY: T.OUT_FOR_DELIVERY,
            ScanCode.DELIVERED: T.DELIVERED,
            ScanCode.DELIVERY_FAILED: T.DELIVERY_FAILED,
        }.get(code)
    return None


def recipient_id(item: Item, dossier: Dossier | None) -> int | None:
    """Whom the SMS about ``item`` goes to: the person at its home end, else the
    dossier's recipient (result legs) or applicant (dossier legs)."""
    if item.person_id is not None:
        return item.person_id
    if dossier is None:
        return None
    return (dossier.recipient_id or dossier.applicant_id) if item.leg in RESULT_LEGS else dossier.applicant_id


def recipient_for(session: Session, item: Item) -> Person | None:
    """The person :func:`recipient_id` names."""
    dossier = session.get(Dossier, item.dossier_id) if item.person_id is None else None
    person_id = recipient_id(item, dossier)
    return session.get(Person, person_id) if person_id is not None else None


def _office_name(session: Session, item: Item) -> str | None:
    office = session.get(PostOffice, item.post_office_id)
    return office.name if office is not None else None


def eta_window(session: Session, item: Item, *, now: datetime | None = None,
               connection: Connection | None = None) -> tuple[datetime | None, datetime | None]:
    """The tracking domain's ETA window (from the postman's route), else the booked window.

    ``item`` may be a row with the item's ``id``, ``status``, ``window_start`` and ``window_end``;
    ``connection``: read on it (``tracking_eta.eta_windows``)."""
    window = tracking_eta.eta_windows(session, [item], now=now, connection=connection).get(item.id)
    if window is not None:
        return window[0], window[1]
    return item.window_start, item.window_end


def send(
    session: Session,
    *,
    item: Item,
    trigger: NotificationTrigger,
    ctx: messages.MessageContext,
    attempt: int = 1,
    now: datetime | None = None,
    settings: NotifySettings | None = None,
) -> Notification | None:
    """Render ``trigger`` for ``item``'s recipient and write it to the outbox (once)."""
    person = recipient_for(session, item)
    if person is None:
        log.info("no recipient for item %s: %s SMS not written", item.id, trigger.value)
        return None
    text = messages.render(trigger, language=person.language or "vi", ctx=ctx)
    return outbox.queue_sms(
        session, item_id=item.id, trigger=trigger, phone=person.phone_e164, language=person.language or "vi",
        text=text, attempt=attempt, now=now, settings=settings,
    )


# -------------------------------------------------- triggers without a scan


def _item(session: Session, item_id: int) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"Item {item_id} does not exist.", code="item_not_found")
    return item


def pickup_booked(session: Session, *, item_id: int, attempt: int = 1, now: datetime | None = None) -> Notification | None:
    """A home pickup was booked: the window and a link to follow or change it."""
    item = _item(session, item_id)
    if item.window_start is None or item.window_end is None:
        log.info("pickup of item %s booked without a window: no SMS", item.id)
        return None
    ctx = messages.MessageContext(ref=item.s10, link=tracking_links.placeholder_url(),
                                  window_start=item.window_start, window_end=item.window_end)
    return send(session, item=item, trigger=T.PICKUP_BOOKED, ctx=ctx, attempt=attempt, now=now)


def result_ready(session: Session, *, item_id: int, attempt: int = 1, now: datetime | None = None) -> Notification | None:
    """The agency marked the result ready; ``item_id`` is the result's item (its return leg)."""
    item = _item(session, item_id)
    dossier = session.get(Dossier, item.dossier_id)
    variant = {ResultDelivery.POST_OFFICE: "post_office", ResultDelivery.COUNTER: "counter"}.get(
        dossier.result_delivery if dossier else ResultDelivery.HOME
    )
    ctx = messages.MessageContext(ref=item.s10, link=tracking_links.placeholder_url(),
                                  office=_office_name(session, item), variant=variant)
    return send(session, item=item, trigger=T.RESULT_READY, ctx=ctx, attempt=attempt, now=now)


def deadline_at_risk(
    session: Session, *, item_id: int, due: date | None = None, attempt: int = 1, now: datetime | None = None
) -> Notification | None:
    """The result may miss its appointment date (``due``, default the dossier's)."""
    item = _item(session, item_id)
    if due is None:
        dossier = session.get(Dossier, item.dossier_id)
        due = dossier.appointment_date if dossier else None
    ctx = messages.MessageContext(ref=item.s10, link=tracking_links.placeholder_url(), due=due)
    return send(session, item=item, trigger=T.DEADLINE_AT_RISK, ctx=ctx, attempt=attempt, now=now)


def rescheduled(session: Session, *, reschedule: DeliveryReschedule, attempt: int, now: datetime | None = None) -> Notification | None:
    """Confirm the citizen's new choice (a window, or collecting at the post office)."""
    item = _item(session, reschedule.item_id)
    hold = reschedule.choice == "hold_at_post_office"
    ctx = messages.MessageContext(
        ref=item.s10, link=tracking_links.placeholder_url(), office=_office_name(session, item),
        window_start=reschedule.window_start, window_end=reschedule.window_end, variant="hold" if hold else None,
    )
    return send(session, item=item, trigger=T.RESCHEDULED, ctx=ctx, attempt=attempt, now=now)
