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
from types import SimpleNamespace
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from logistics.events import ItemStatusChanged
from logistics.models import Dossier, Item, Person, PostOffice, ScanEvent
from logistics.models.enums import (
    FailureAction, FailureReason, NotificationTrigger, ScanCode, ScanOutcome,
)
from logistics.models.types import utcnow
from logistics.notify import messages, outbox, service
from logistics.notify.settings import NotifySettings, get_notify_settings
from logistics.once import built_once
from logistics.tracking import eta as tracking_eta
from logistics.tracking import links as tracking_links
from logistics.tracking.context import among, among_key

log = logging.getLogger(__name__)

T = NotificationTrigger
_PENDING: Final = "notify.scan_events"


def defer(session: Session, event: ItemStatusChanged) -> None:
    """Note ``event``; its SMS is written with the others when the unit of work ends.

    Its item is held too: the session keeps an unchanged object weakly, and the unit of
    work may end after the scan's caller dropped it (one more query an SMS)."""
    if not session.in_transaction():
        session.begin()
    session.info.setdefault(_PENDING, {}).setdefault(event.scan_event_id, (event, session.get(Item, event.item_id)))


def pending(session: Session) -> list[ItemStatusChanged]:
    return [event for event, _ in session.info.get(_PENDING, {}).values()]


# The people an item's SMS may go to, as aliases of ``person`` in the dossiers query.
_PEOPLE = ("addressee", "recipient", "applicant")


@built_once
def _statements(dialect: str) -> SimpleNamespace:
    """The reads of :func:`write_pending`, built once per ``tracking.context.among``
    dialect: Core selects of the columns used (building an ORM select and loading
    entities cost more than the queries, one-event requests, py-spy 2026-11), with one
    value a plain equality and lists one array parameter on PostgreSQL (an expanding IN
    is rendered again on every execution, and psycopg parses a statement of over 50
    parameters anew each time)."""
    scan, item, dossier = ScanEvent.__table__, Item.__table__, Dossier.__table__
    office, person = PostOffice.__table__, Person.__table__
    people = [person.alias(name) for name in _PEOPLE]
    return SimpleNamespace(
        # The noted scans (those rolled back with their savepoint are missing) and every
        # applied scan of their items and codes, for the attempt numbers: one query.
        scans=sa.select(scan.c.id, scan.c.item_id, scan.c.code, scan.c.outcome, scan.c.failure_reason,
                        scan.c.failure_action, scan.c.retry_on)
        .where(sa.or_(
            among(dialect, scan.c.id, "ids"),
            sa.and_(among(dialect, scan.c.item_id, "item_ids"), among(dialect, scan.c.code, "codes"),
                    scan.c.outcome == ScanOutcome.APPLIED),
        )),
        # Each item's dossier (the appointment date), office name and the people its SMS
        # may go to (``service.recipient_id`` picks): one query.
        dossiers=sa.select(item.c.id.label("item_id"), dossier.c.id, dossier.c.recipient_id, dossier.c.applicant_id,
                           dossier.c.appointment_date, office.c.name.label("office_name"),
                           *(c.label(f"{p.name}_person_{c.name}") for p in people for c in (p.c.id, p.c.phone_e164, p.c.language)))
        .select_from(item)
        .outerjoin(dossier, dossier.c.id == item.c.dossier_id)
        .outerjoin(office, office.c.id == item.c.post_office_id)
        .outerjoin(people[0], people[0].c.id == item.c.person_id)
        .outerjoin(people[1], people[1].c.id == dossier.c.recipient_id)
        .outerjoin(people[2], people[2].c.id == dossier.c.applicant_id)
        .where(among(dialect, item.c.id, "item_ids")),
    )


def _attempts(wanted: list[tuple[ItemStatusChanged, Item]], applied: list[tuple[int, int, ScanCode]]) -> dict[int, int]:
    """Each scan's rank among its item's ``applied`` scans (id, item id, code) of the same
    code (attempt 2 is the second 'out for delivery' of the item)."""
    ids: dict[tuple[int, ScanCode], list[int]] = defaultdict(list)
    for scan_id, item_id, code in applied:
        ids[(item_id, code)].append(scan_id)
    return {
        e.scan_event_id: max(1, sum(1 for i in ids[(item.id, ScanCode(e.scan_code))] if i <= e.scan_event_id))
        for e, item in wanted
    }


def _recipients(session: Session, items: list[Item]) -> tuple[dict[int, Any], dict[int, Any], dict[int, str | None]]:
    """The person each item's SMS goes to (``service.recipient_id``; rows of id, phone
    and language), the items' dossiers and their offices' names, in one query."""
    ids = sorted({i.id for i in items})
    key = among_key(session, ids)
    rows = {r.item_id: r for r in session.connection().execute(_statements(key).dossiers,
                                                                 {"item_ids": ids[0] if key == "one" else ids})}
    dossiers = {item_id: r for item_id, r in rows.items() if r.id is not None}
    offices = {item_id: r.office_name for item_id, r in rows.items()}
    people: dict[int, Any] = {}
    for item in items:
        person_id, row = service.recipient_id(item, dossiers.get(item.id)), rows.get(item.id)
        for name in _PEOPLE if person_id is not None and row is not None else ():
            if row._mapping[f"{name}_person_id"] == person_id:  # the one of the three joined it names
                people[item.id] = SimpleNamespace(**{c: row._mapping[f"{name}_person_{c}"] for c in ("id", "phone_e164", "language")})
                break
    return people, dossiers, offices


def write_pending(session: Session, *, settings: NotifySettings | None = None) -> list[int]:
    """Write the outbox rows of the noted scan events; the ids of the new rows."""
    noted = session.info.pop(_PENDING, None)
    if not noted:
        return []
    wanted: list[tuple[ItemStatusChanged, Item, NotificationTrigger]] = []
    for ev, held in noted.values():
        item = held if held is not None and held in session else session.get(Item, ev.item_id)
        trigger = service.scan_trigger(ScanCode(ev.scan_code), item) if item is not None else None
        if trigger is not None:
            wanted.append((ev, item, trigger))  # type: ignore[arg-type]
    if not wanted:
        return []
    session.flush()  # Core reads below: what this unit of work wrote first
    noted_ids = {e.scan_event_id for e, _, _ in wanted}
    lists = {"ids": sorted(noted_ids), "item_ids": sorted({i.id for _, i, _ in wanted}),
             "codes": sorted({ScanCode(e.scan_code) for e, _, _ in wanted})}
    key = among_key(session, *lists.values())
    rows = session.connection().execute(
        _statements(key).scans, {name: values[0] if key == "one" else values for name, values in lists.items()}
    ).all()
    scans = {row.id: row for row in rows if row.id in noted_ids}
    wanted = [w for w in wanted if w[0].scan_event_id in scans]  # the others were rolled back with their savepoint
    attempts = _attempts([(e, i) for e, i, _ in wanted],
                         [(r.id, r.item_id, ScanCode(r.code)) for r in rows if r.outcome == ScanOutcome.APPLIED])
    people, dossiers, offices = _recipients(session, [i for _, i, _ in wanted])
    etas = tracking_eta.eta_windows(session, [i for _, i, t in wanted if t is T.OUT_FOR_DELIVERY])
    link = tracking_links.placeholder_url()
    drafts: list[outbox.Draft] = []
    for ev, item, trigger in wanted:
        person = people.get(item.id)
        if person is None:
            log.info("no recipient for item %s: %s SMS not written", item.id, trigger.value)
            continue
        ctx = messages.MessageContext(ref=item.s10, link=link, at=ev.at, office=offices.get(item.id))
        scan = scans[ev.scan_event_id]
        if trigger is T.HANDED_TO_AGENCY:
            dossier = dossiers.get(item.id)
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
