"""The SMS that applied scans cause, written in bulk at the end of their unit of work.

A scan batch of 100 events publishes up to 100 ``ItemStatusChanged`` inside its
transaction. Answering each at once cost seven statements an event (16-21 ms measured
inside the scan transaction, 2026-11); instead :func:`defer` only notes the event, and
:func:`write_pending` turns all noted events into outbox rows with a handful of
statements: the scans (which also drops events whose savepoint rolled back), their
attempt numbers, the dossiers and recipients, then one multi-row INSERT.

:func:`write_pending` runs when the unit of work commits: at the commit, or at the
release of the savepoint that wraps it (SQLAlchemy's ``before_commit`` fires for both),
so the rows still commit or roll back with their cause. Code that publishes and then
reads the outbox in the same open transaction calls :func:`write_pending` itself.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import replace
from typing import Final

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from logistics.events import ItemStatusChanged
from logistics.models import Dossier, Item, Person, PostOffice, ScanEvent
from logistics.models.enums import (
    FailureAction, FailureReason, NotificationTrigger, ScanCode, ScanOutcome,
)
from logistics.models.types import utcnow
from logistics.notify import messages, outbox, service
from logistics.notify.settings import NotifySettings, get_notify_settings
from logistics.tracking import eta as tracking_eta
from logistics.tracking import links as tracking_links

log = logging.getLogger(__name__)

T = NotificationTrigger
_PENDING: Final = "notify.scan_events"


def defer(session: Session, event: ItemStatusChanged) -> None:
    """Note ``event``; its SMS is written with the others when the unit of work ends."""
    if not session.in_transaction():
        session.begin()
    session.info.setdefault(_PENDING, {}).setdefault(event.scan_event_id, event)


def pending(session: Session) -> list[ItemStatusChanged]:
    return list(session.info.get(_PENDING, {}).values())


def _attempts(session: Session, wanted: list[tuple[ItemStatusChanged, Item]]) -> dict[int, int]:
    """Each scan's rank among its item's applied scans of the same code (attempt 2 is
    the second 'out for delivery' of the item): one query for the whole batch."""
    items = sorted({item.id for _, item in wanted})
    codes = sorted({ScanCode(e.scan_code) for e, _ in wanted})
    rows = session.exec(
        select(ScanEvent.id, ScanEvent.item_id, ScanEvent.code)
        .where(ScanEvent.item_id.in_(items), ScanEvent.code.in_(codes), ScanEvent.outcome == ScanOutcome.APPLIED)  # type: ignore[union-attr, attr-defined]
    ).all()
    ids: dict[tuple[int, ScanCode], list[int]] = defaultdict(list)
    for scan_id, item_id, code in rows:
        ids[(item_id, code)].append(scan_id)
    return {
        e.scan_event_id: max(1, sum(1 for i in ids[(item.id, ScanCode(e.scan_code))] if i <= e.scan_event_id))
        for e, item in wanted
    }


def _recipients(session: Session, items: list[Item]) -> tuple[dict[int, Person], dict[int, Dossier]]:
    """The person each item's SMS goes to (``service.recipient_id``) and the items'
    dossiers, in two queries."""
    dossiers = {d.id: d for d in session.exec(select(Dossier).where(Dossier.id.in_({i.dossier_id for i in items})))}  # type: ignore[union-attr]
    person_of = {item.id: service.recipient_id(item, dossiers.get(item.dossier_id)) for item in items}
    wanted = {p for p in person_of.values() if p is not None}
    people = {p.id: p for p in session.exec(select(Person).where(Person.id.in_(wanted)))} if wanted else {}  # type: ignore[union-attr]
    return {item_id: people[p] for item_id, p in person_of.items() if p in people}, dossiers


def write_pending(session: Session, *, settings: NotifySettings | None = None) -> list[int]:
    """Write the outbox rows of the noted scan events; the ids of the new rows."""
    noted = session.info.pop(_PENDING, None)
    if not noted:
        return []
    wanted: list[tuple[ItemStatusChanged, Item, NotificationTrigger]] = []
    for ev in noted.values():
        item = session.get(Item, ev.item_id)
        trigger = service.scan_trigger(ScanCode(ev.scan_code), item) if item is not None else None
        if trigger is not None:
            wanted.append((ev, item, trigger))  # type: ignore[arg-type]
    if not wanted:
        return []
    scans = {row.id: row for row in session.exec(
        select(ScanEvent.id, ScanEvent.failure_reason, ScanEvent.failure_action, ScanEvent.retry_on)
        .where(ScanEvent.id.in_([e.scan_event_id for e, _, _ in wanted]))  # type: ignore[union-attr]
    )}
    wanted = [w for w in wanted if w[0].scan_event_id in scans]  # the others were rolled back with their savepoint
    attempts = _attempts(session, [(e, i) for e, i, _ in wanted])
    people, dossiers = _recipients(session, [i for _, i, _ in wanted])
    etas = tracking_eta.eta_windows(session, [i for _, i, t in wanted if t is T.OUT_FOR_DELIVERY])
    offices: dict[int, str | None] = {}
    link = tracking_links.placeholder_url()
    drafts: list[outbox.Draft] = []
    for ev, item, trigger in wanted:
        person = people.get(item.id)
        if person is None:
            log.info("no recipient for item %s: %s SMS not written", item.id, trigger.value)
            continue
        if item.post_office_id not in offices:
            office = session.get(PostOffice, item.post_office_id)
            offices[item.post_office_id] = office.name if office is not None else None
        ctx = messages.MessageContext(ref=item.s10, link=link, at=ev.at, office=offices[item.post_office_id])
        scan = scans[ev.scan_event_id]
        if trigger is T.HANDED_TO_AGENCY:
            dossier = dossiers.get(item.dossier_id)
            ctx = replace(ctx, due=dossier.appointment_date if dossier else None)
        elif trigger is T.OUT_FOR_DELIVERY:
            start, end = etas.get(item.id, (item.window_start, item.window_end))  # else the booked window
            ctx = replace(ctx, window_start=start, window_end=end)
        elif trigger is T.DELIVERY_FAILED:
            ctx = replace(ctx, failure_reason=scan.failure_reason or FailureReason.OTHER,
                          failure_action=scan.failure_action or FailureAction.RETRY_NEXT_DAY, due=scan.retry_on)
        language = person.language or "vi"
        try:
            text = messages.render(trigger, language=language, ctx=ctx)
        except Exception:  # one message that cannot be written must not refuse the scans
            log.exception("the %s SMS of item %s could not be rendered", trigger.value, item.id)
            continue
        drafts.append(outbox.Draft(item_id=item.id, trigger=trigger, attempt=attempts[ev.scan_event_id],
                                   phone=person.phone_e164, language=language, text=text))
    return outbox.queue_many(session, drafts, now=utcnow(), settings=settings or get_notify_settings())


@event.listens_for(OrmSession, "before_commit", insert=True)  # before the outbox dispatches its new rows
def _write_at_commit(session: OrmSession) -> None:
    if session.info.get(_PENDING):
        write_pending(session)  # type: ignore[arg-type]


@event.listens_for(OrmSession, "after_soft_rollback")
def _drop_after_rollback(session: OrmSession, previous_transaction) -> None:  # noqa: ANN001
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
